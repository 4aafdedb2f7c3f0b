"""The design document's contract (shared/seed/messaging-system-design.md), tried as a frontend written from it
would: its `.env` starts the server, its REST examples and its `useMessaging` hook run unchanged in headless
Chromium with the official socket.io-client (default transports and websocket only), system messages appear where
a frontend looks for messages, and the test page is the root's socket-test.html."""
import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import BUILD, JWT_SECRET, ROOT, SERVICE_KEY, free_port, start_messaging_server
from messaging_helpers import Device, api, provision

BUNDLE = ROOT / ".tools" / "socket.io.min.js"
HERE = Path(__file__).resolve().parent / "js"
SEED_CORS = "http://localhost:3000,http://localhost:3001"


def seed_environment(tmp_path, **overrides):
    """The document's .env (with a real secret: its placeholder is refused), and nothing else of ours but the data
    folder; PORT unset so that WS_PORT is what sets the port."""
    environment = {key: value for key, value in os.environ.items() if key not in ("PORT", "DATABASE_URL")}
    environment.update(JWT_SECRET=JWT_SECRET, JWT_EXPIRATION="7d", CORS_ORIGINS=SEED_CORS,
                       WS_PORT=str(free_port()), DATA_DIR=str(tmp_path), LOG_LEVEL="warning")
    environment.update(overrides)
    return environment


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_documents_env_starts_the_server_and_mints_seven_day_tokens(tmp_path):
    environment = seed_environment(tmp_path)
    port = int(environment["WS_PORT"])
    minted = subprocess.run([str(BUILD / "messaging-server"), "token", "--user", "user-1"], env=environment,
                            capture_output=True, text=True, timeout=60)
    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.strip().splitlines()[-1]
    lifetime = claims(token)
    assert lifetime["exp"] - lifetime["iat"] == 7 * 24 * 3600
    process = subprocess.Popen([str(BUILD / "messaging-server"), "serve"], env=environment)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, "the server exited with the document's .env"
            time.sleep(0.1)
        # The token of the seven-day lifetime is accepted; the CORS list lets the document's origins in only.
        listed = requests.get(f"http://127.0.0.1:{port}/api/messages/conversations", timeout=5,
                              headers={"Authorization": f"Bearer {token}", "Origin": "http://localhost:3001"})
        assert listed.status_code == 200, listed.text
        assert listed.headers.get("Access-Control-Allow-Origin") == "http://localhost:3001"
        foreign = requests.get(f"http://127.0.0.1:{port}/api/messages/conversations", timeout=5,
                               headers={"Authorization": f"Bearer {token}", "Origin": "http://evil.example"})
        assert foreign.status_code == 403
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_documents_env_file_in_the_working_directory_is_read(tmp_path):
    """The document says "set these in your .env file": a `.env` beside the server is read, and the environment
    wins over it."""
    port = free_port()
    (tmp_path / ".env").write_text(
        "# JWT Configuration\n"
        f"JWT_SECRET={JWT_SECRET}\n"
        "JWT_EXPIRATION=7d\n\n"
        "# CORS Configuration\n"
        f"CORS_ORIGINS={SEED_CORS}\n\n"
        "# WebSocket Configuration (if needed)\n"
        f"WS_PORT={port}\n"
    )
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PORT", "DATABASE_URL", "JWT_SECRET", "JWT_EXPIRATION", "CORS_ORIGINS", "WS_PORT")}
    environment.update(DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="warning")
    minted = subprocess.run([str(BUILD / "messaging-server"), "token", "--user", "u"], env=environment,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert minted.returncode == 0, minted.stderr
    lifetime = claims(minted.stdout.strip().splitlines()[-1])
    assert lifetime["exp"] - lifetime["iat"] == 7 * 24 * 3600
    environment["JWT_EXPIRATION"] = "1h"
    minted = subprocess.run([str(BUILD / "messaging-server"), "token", "--user", "u"], env=environment,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    lifetime = claims(minted.stdout.strip().splitlines()[-1])
    assert lifetime["exp"] - lifetime["iat"] == 3600
    (tmp_path / ".env").write_text("WS_PORT=eighty\n")
    refused = subprocess.run([str(BUILD / "messaging-server"), "serve"], env=environment, cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "WS_PORT must be a whole number from 1 to 65535, not 'eighty'" in refused.stderr


@pytest.mark.parametrize("value,seconds", [("12h", 43200), ("30m", 1800), ("45s", 45), ("3600", 3600),
                                           ("2 days", 172800), ("1.5h", 5400)])
def test_jwt_expiration_takes_the_jsonwebtoken_forms(tmp_path, value, seconds):
    environment = seed_environment(tmp_path, JWT_EXPIRATION=value)
    minted = subprocess.run([str(BUILD / "messaging-server"), "token", "--user", "u"], env=environment,
                            capture_output=True, text=True, timeout=60)
    assert minted.returncode == 0, minted.stderr
    lifetime = claims(minted.stdout.strip().splitlines()[-1])
    assert lifetime["exp"] - lifetime["iat"] == seconds


@pytest.mark.parametrize("variable,value,expected", [
    ("JWT_EXPIRATION", "7 fortnights", "JWT_EXPIRATION"),
    ("JWT_EXPIRATION", "100ms", "JWT_EXPIRATION"),
    ("JWT_SECRET", "your_jwt_secret_key", "JWT_SECRET must be at least 32 bytes"),
])
def test_bad_env_values_stop_start_up_naming_the_variable(tmp_path, variable, value, expected):
    environment = seed_environment(tmp_path, **{variable: value})
    completed = subprocess.run([str(BUILD / "messaging-server"), "serve"], env=environment, capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode != 0
    assert expected in completed.stderr + completed.stdout


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_directory(directory):
    handler = functools.partial(QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@pytest.fixture(scope="module")
def frontend(tmp_path_factory):
    """The frontend's own origin (a static server on loopback) and the messaging server with the document's CORS
    list plus that origin."""
    assert BUNDLE.exists(), "run scripts/setup.sh to fetch the official client bundle"
    pages = tmp_path_factory.mktemp("frontend")
    for name in ("seed_frontend.html", "seed_frontend.js"):
        shutil.copy(HERE / name, pages / name)
    shutil.copy(BUNDLE, pages / "socket.io.min.js")
    httpd = serve_directory(pages)
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    server = start_messaging_server(tmp_path_factory.mktemp("seed"), JWT_EXPIRATION="7d",
                                    CORS_ORIGINS=f"{SEED_CORS},{origin}")
    yield server, origin
    server.stop()
    httpd.shutdown()


@pytest.mark.parametrize("transports", [None, ["websocket"]], ids=["polling-then-upgrade", "websocket-only"])
def test_the_documents_frontend_runs_unchanged_in_chromium(frontend, transports):
    server, origin = frontend
    ada, grace, _, contract = provision(server)
    params = {"server": server.url, "adaToken": server.token(ada), "graceToken": server.token(grace), "ada": ada,
              "grace": grace, "contractId": contract, "milestoneId": "m1", "transports": transports}
    driver = chromium()
    try:
        driver.get(f"{origin}/seed_frontend.html#" + urllib.parse.quote(json.dumps(params)))
        deadline, results = time.time() + 60, None
        while results is None and time.time() < deadline:
            time.sleep(0.2)
            results = driver.execute_script("return window.seedResults")
        assert results is not None, f"the flow did not finish: {driver.get_log('browser')}"
        assert "error" not in results, results["error"]
        assert results.pop("transportName") == "websocket"
        failed = {name: value for name, value in results.items() if value is not True}
        assert failed == {}
        assert len(results) == 21, sorted(results)
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == [], errors
    finally:
        driver.quit()


def test_system_messages_appear_in_history_the_list_and_live(messaging_server):
    client, freelancer, _, contract = provision(messaging_server)
    client_device, freelancer_device = Device(messaging_server, client), Device(messaging_server, freelancer)
    try:
        created = client_device.call("create_message", {"contractId": contract, "content": "Kick-off"})
        conversation = created["message"]["conversationId"]
        client_device.call("join_conversation", {"conversationId": conversation})
        headers = {"X-Service-Key": SERVICE_KEY}
        response = requests.put(f"{messaging_server.url}/api/internal/contracts/{contract}", headers=headers,
                                timeout=5, json={"clientId": client, "freelancerId": freelancer, "status": "completed",
                                                 "milestones": [{"id": "m2", "title": "Handover"}]})
        assert response.status_code == 200, response.text
        live = client_device.wait_for("new_message", count=2)
        assert [m["content"] for m in live] == ["The contract was marked as completed.", "Milestone added: Handover."]
        assert all(m["messageType"] == "system" and m["sender"]["id"] == "system" for m in live)
        notes = freelancer_device.wait_for("message_notification", count=3)
        assert [n["message"]["content"] for n in notes][-2:] == [m["content"] for m in live]
        history = api(messaging_server, freelancer, "GET",
                      f"/api/messages/conversations/{conversation}/messages").json()["data"]["messages"]
        assert [m["messageType"] for m in history] == ["text", "system", "system"]
        listed = api(messaging_server, freelancer, "GET", "/api/messages/conversations").json()["data"]
        mine = [c for c in listed["conversations"] if c["id"] == conversation][0]
        assert mine["lastMessage"] == {"content": "Milestone added: Handover.", "sentAt": live[1]["sentAt"],
                                       "senderId": "system"}
        assert mine["unreadCount"] == 3 and mine["isActive"] is False
        # A user cannot write one: 422 naming the field, over REST and over the socket.
        refused = api(messaging_server, client, "POST", "/api/messages",
                      json={"contractId": contract, "content": "fake", "messageType": "system"})
        assert refused.status_code == 422
        assert [d["field"] for d in refused.json()["error"]["details"]] == ["messageType"]
        ack = client_device.call("send_message", {"conversationId": conversation, "content": "x",
                                                  "messageType": "system"})
        assert ack["success"] is False and ack["code"] == "VALIDATION_FAILED" and "messageType" in ack["error"]
    finally:
        client_device.close()
        freelancer_device.close()


def test_socket_test_html_is_served_at_the_root(messaging_server):
    served = requests.get(messaging_server.url + "/", timeout=5)
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("text/html")
    assert served.text == (ROOT / "socket-test.html").read_text()


# The design document's examples, as it writes them (its `{ ... }` placeholders as empty objects, its `//` comments
# dropped). The spec must declare every field they show, with the same JSON type: we may add fields, never rename,
# nest or drop one.
DOCUMENT_REQUESTS = {
    ("post", "/api/messages"): {"contractId": "contract_id", "milestoneId": "milestone_id",
                                "content": "Hello! How are you?", "messageType": "text", "attachments": []},
    ("post", "/api/messages/conversations/{id}/messages"): {"content": "New message here", "messageType": "text",
                                                            "attachments": []},
}
DOCUMENT_QUERIES = {
    ("get", "/api/messages/conversations"): ["page", "limit", "contractId", "includeArchived"],
    ("get", "/api/messages/conversations/{id}/messages"): ["page", "limit", "before"],
}
DOCUMENT_RESPONSES = {
    ("post", "/api/messages"): {
        "success": True, "message": "Message created successfully",
        "data": {"id": "message_id", "conversationId": "conversation_id",
                 "sender": {"id": "user_id", "firstName": "John", "lastName": "Doe", "avatar": "url"},
                 "content": "Hello! How are you?", "sentAt": "2025-10-04T10:30:00Z", "isRead": False}},
    ("get", "/api/messages/conversations"): {
        "success": True, "message": "Conversations retrieved successfully",
        "data": {"conversations": [{"id": "conversation_id", "contractId": "contract_id",
                                    "milestoneId": "milestone_id", "client": {}, "freelancer": {},
                                    "lastMessage": {"content": "Last message here", "sentAt": "2025-10-04T10:30:00Z"},
                                    "unreadCount": 3, "isActive": True}],
                 "total": 10, "page": 1, "limit": 20, "totalPages": 1}},
    ("get", "/api/messages/conversations/{id}/messages"): {
        "success": True, "message": "Messages retrieved successfully",
        "data": {"messages": [{"id": "message_id", "conversationId": "conversation_id", "sender": {},
                               "content": "Message content", "sentAt": "2025-10-04T10:30:00Z", "isRead": True,
                               "attachments": []}],
                 "total": 50, "page": 1, "limit": 50, "hasMore": False}},
}
DOCUMENT_EVENTS = {
    "connected": {"userId": "user_id", "socketId": "socket_id"},
    "message_notification": {"conversationId": "xxx", "message": {}},
    "user_typing": {"conversationId": "xxx", "userId": "user_id", "isTyping": True},
    "messages_read": {"conversationId": "xxx", "userId": "user_id"},
    "join_conversation": {"conversationId": "conversation_id"},
    "leave_conversation": {"conversationId": "conversation_id"},
    "send_message": {"conversationId": "conversation_id", "content": "Hello!", "messageType": "text",
                     "attachments": []},
    "create_message": {"contractId": "contract_id", "milestoneId": "milestone_id", "content": "Hello!",
                       "messageType": "text", "attachments": []},
    "typing": {"conversationId": "conversation_id", "isTyping": True},
    "mark_as_read": {"conversationId": "conversation_id"},
}


def load_spec():
    import yaml

    openapi = yaml.safe_load((ROOT / "api-spec" / "openapi.yaml").read_text())
    asyncapi = yaml.safe_load((ROOT / "api-spec" / "asyncapi.yaml").read_text())
    return openapi, asyncapi


def resolve(openapi, schema):
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].split("/")[-1]]
    if "oneOf" in schema:  # [<schema>, {type: 'null'}]
        schema = next(option for option in schema["oneOf"] if option.get("type") != "null")
        return resolve(openapi, schema)
    return schema


def json_type(value):
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def undeclared(openapi, example, schema, path="data"):
    """The example's fields the schema does not declare, or declares with another type."""
    schema = resolve(openapi, schema)
    types = schema.get("type", "object")
    types = types if isinstance(types, list) else [types]
    kind = json_type(example)
    if kind not in types and not (kind == "integer" and "number" in types):
        return [f"{path}: the document has {kind}, the spec {types}"]
    problems = []
    if kind == "object":
        for key, value in example.items():
            if key not in schema.get("properties", {}):
                problems.append(f"{path}.{key}: not in the spec")
            else:
                problems += undeclared(openapi, value, schema["properties"][key], f"{path}.{key}")
    if kind == "array":
        for value in example:
            problems += undeclared(openapi, value, schema["items"], f"{path}[]")
    return problems


def test_the_spec_declares_every_field_of_the_documents_examples():
    openapi, asyncapi = load_spec()
    problems = []
    for (method, path), example in DOCUMENT_REQUESTS.items():
        schema = openapi["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        problems += undeclared(openapi, example, schema, f"{method} {path} body")
    for (method, path), names in DOCUMENT_QUERIES.items():
        declared = [parameter.get("name") or parameter["$ref"].split("/")[-1].lower()
                    for parameter in openapi["paths"][path][method].get("parameters", [])]
        problems += [f"{method} {path}: query {name} not declared" for name in names if name not in declared]
    for (method, path), example in DOCUMENT_RESPONSES.items():
        responses = openapi["paths"][path][method]["responses"]
        success = next(responses[status] for status in ("200", "201") if status in responses)
        problems += undeclared(openapi, example, success["content"]["application/json"]["schema"],
                               f"{method} {path} answer")
    messages = asyncapi["components"]["messages"]
    for event, example in DOCUMENT_EVENTS.items():
        payload = messages[event]["payload"]["$ref"].split("#")[-1].split("/")[-1]
        problems += undeclared(openapi, example, {"$ref": "#/components/schemas/" + payload}, event)
    assert problems == []


def test_the_servers_answers_carry_every_field_of_the_documents_examples(messaging_server):
    """Each example's fields are in the real answer with the example's JSON type (null where the spec allows it)."""
    client, freelancer, _, contract = provision(messaging_server)

    def missing(example, actual, path="answer"):
        if isinstance(example, dict):
            if not isinstance(actual, dict):
                return [f"{path}: expected an object, got {actual!r}"]
            problems = [f"{path}.{key}: missing" for key in example if key not in actual]
            for key, value in example.items():
                if key in actual:
                    problems += missing(value, actual[key], f"{path}.{key}")
            return problems
        if isinstance(example, list):
            return [] if isinstance(actual, list) and actual else [f"{path}: expected a non-empty list"]
        if actual is None:
            return []
        return [] if json_type(actual) == json_type(example) else [f"{path}: {actual!r} is not a {json_type(example)}"]

    created = api(messaging_server, client, "POST", "/api/messages",
                  json={**DOCUMENT_REQUESTS[("post", "/api/messages")], "contractId": contract, "milestoneId": "m1"})
    assert created.status_code == 201
    conversation = created.json()["data"]["conversationId"]
    sent = api(messaging_server, freelancer, "POST", f"/api/messages/conversations/{conversation}/messages",
               json=DOCUMENT_REQUESTS[("post", "/api/messages/conversations/{id}/messages")])
    assert sent.status_code == 201 and sent.json()["message"] == "Message sent successfully"
    listed = api(messaging_server, client, "GET", "/api/messages/conversations",
                 params={"page": 1, "limit": 20, "contractId": contract, "includeArchived": "false"})
    history = api(messaging_server, client, "GET", f"/api/messages/conversations/{conversation}/messages",
                  params={"page": 1, "limit": 50, "before": sent.json()["data"]["id"]})
    answers = {("post", "/api/messages"): created.json(), ("get", "/api/messages/conversations"): listed.json(),
               ("get", "/api/messages/conversations/{id}/messages"): history.json()}
    problems = []
    for key, example in DOCUMENT_RESPONSES.items():
        problems += missing(example, answers[key], f"{key[0]} {key[1]}")
        assert answers[key]["message"] == example["message"]
    assert problems == []
    assert listed.json()["data"]["conversations"][0]["lastMessage"]["content"] == "New message here"

"""Limits at and just past their bounds: per-user rate limits on sends (REST and socket share one budget), typing,
other events and REST calls; connections per user and per node; CORS for REST; the Engine.IO payload bound; the REST
body size."""
import json
import threading
import time

import pytest
import requests
import socketio
import websocket

from conftest import start_messaging_server
from messaging_helpers import Device, api, provision

LIMITS = {"RATE_LIMIT_SEND": "0.2/3", "RATE_LIMIT_TYPING": "0.2/2", "RATE_LIMIT_EVENTS": "0.2/3",
          "RATE_LIMIT_REST": "0.2/6", "MAX_CONNECTIONS_PER_USER": "2", "CORS_ORIGINS": "http://app.example",
          "MAX_PAYLOAD": "20000"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_messaging_server(tmp_path_factory.mktemp("limits"), **LIMITS)
    yield server
    server.stop()


def test_sends_share_one_budget_across_rest_and_socket(server):
    client, _, _, contract = provision(server)
    device = Device(server, client, transports=["websocket"])
    try:
        first = device.call("create_message", {"contractId": contract, "content": "1"})
        assert first["success"] is True
        conversation = first["message"]["conversationId"]
        assert device.call("send_message", {"conversationId": conversation, "content": "2"})["success"] is True
        rest = api(server, client, "POST", f"/api/messages/conversations/{conversation}/messages", json={"content": "3"})
        assert rest.status_code == 201
        refused = device.call("send_message", {"conversationId": conversation, "content": "4"})
        assert refused["success"] is False and refused["code"] == "RATE_LIMITED"
        rest = api(server, client, "POST", f"/api/messages/conversations/{conversation}/messages", json={"content": "5"})
        assert rest.status_code == 429
        assert int(rest.headers["Retry-After"]) >= 1
        assert rest.json()["error"]["code"] == "RATE_LIMITED"
        page = api(server, client, "GET", f"/api/messages/conversations/{conversation}/messages").json()
        assert [m["content"] for m in page["data"]["messages"]] == ["1", "2", "3"]  # nothing refused was stored
    finally:
        device.close()


def test_typing_and_other_events_have_their_own_budgets(server):
    client, _, _, contract = provision(server)
    device = Device(server, client, transports=["websocket"])
    try:
        conversation = device.call("create_message", {"contractId": contract, "content": "x"})["message"]["conversationId"]
        typing = [device.call("typing", {"conversationId": conversation, "isTyping": True}) for _ in range(3)]
        assert [t["success"] for t in typing] == [True, True, False]
        assert typing[2]["code"] == "RATE_LIMITED"
        joins = [device.call("join_conversation", {"conversationId": conversation}) for _ in range(4)]
        assert [j["success"] for j in joins] == [True, True, True, False]
        assert joins[3]["code"] == "RATE_LIMITED"
    finally:
        device.close()


def test_rest_budget_per_user(server):
    client, freelancer, _, _ = provision(server)
    answers = [api(server, client, "GET", "/api/messages/conversations").status_code for _ in range(7)]
    assert answers == [200] * 6 + [429]
    assert api(server, freelancer, "GET", "/api/messages/conversations").status_code == 200  # others unaffected


def test_the_newest_connection_past_the_limit_is_refused(server):
    client, _, _, _ = provision(server)
    first, second = Device(server, client, ["websocket"]), Device(server, client, ["websocket"])
    try:
        third = socketio.Client(reconnection=False)
        errors = []
        third.on("connect_error", lambda data: errors.append(data), namespace="/messages")
        with pytest.raises(socketio.exceptions.ConnectionError):
            third.connect(server.url, namespaces=["/messages"], auth={"token": server.token(client)},
                          transports=["websocket"], wait_timeout=5)
        assert errors[0]["data"] == {"code": "RATE_LIMITED"}
        assert first.client.connected and second.client.connected  # the existing ones stay
        second.close()
        time.sleep(0.3)
        fourth = Device(server, client, ["websocket"])  # room again after one left
        fourth.close()
    finally:
        first.close()


def test_cors_for_rest_allows_configured_origins_only(server):
    client, _, _, _ = provision(server)
    token = server.token(client)
    allowed = requests.get(server.url + "/health", headers={"Origin": "http://app.example"}, timeout=5)
    assert allowed.headers["access-control-allow-origin"] == "http://app.example"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    preflight = requests.options(server.url + "/api/messages", timeout=5, headers={
        "Origin": "http://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]
    refused = requests.get(server.url + "/api/messages/conversations", timeout=5,
                           headers={"Origin": "http://evil.example", "Authorization": f"Bearer {token}"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    assert "access-control-allow-origin" not in refused.headers


def test_oversized_socket_packets_close_the_connection(server):
    client, _, _, _ = provision(server)
    device = Device(server, client, ["websocket"])
    disconnected = []
    device.client.on("disconnect", lambda *args: disconnected.append(args), namespace="/messages")
    device.client.emit("send_message", {"conversationId": "x", "content": "y" * 30000}, namespace="/messages")
    deadline = time.time() + 5
    while not disconnected and time.time() < deadline:
        time.sleep(0.05)
    assert disconnected
    device.close()


@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    server = start_messaging_server(tmp_path_factory.mktemp("ceiling"), MAX_CONNECTIONS="3", MAX_BODY_BYTES="2048")
    yield server
    server.stop()


def polling_handshake(server):
    return requests.get(server.url + "/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=5)


def test_the_global_connection_ceiling_refuses_the_session_past_it(small_server):
    import json

    import websocket

    sids = []
    for _ in range(3):
        opened = polling_handshake(small_server)
        assert opened.status_code == 200, opened.text
        sids.append(json.loads(opened.text[1:])["sid"])
    refused = polling_handshake(small_server)
    assert refused.status_code == 503
    assert refused.json() == {"code": 4, "message": "Server is at its connection limit"}
    assert refused.headers["retry-after"] == "5"
    with pytest.raises(websocket.WebSocketBadStatusException) as error:
        websocket.create_connection(small_server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    # Refused before the upgrade, with the answer of a refused polling handshake.
    assert error.value.status_code == 503
    assert error.value.resp_headers["retry-after"] == "5"
    assert json.loads(error.value.resp_body) == {"code": 4, "message": "Server is at its connection limit"}
    # Closing one session frees its place.
    closed = requests.post(small_server.url + "/socket.io/", params={"EIO": "4", "transport": "polling",
                                                                        "sid": sids[0]}, data="1", timeout=5)
    assert closed.status_code == 200
    assert polling_handshake(small_server).status_code == 200


def test_rest_bodies_at_the_bound_pass_and_past_it_get_413(small_server):
    client, _, _, contract = provision(small_server)

    def body_of(size):
        prefix, suffix = '{"contractId":"' + contract + '","content":"', '"}'
        return prefix + "a" * (size - len(prefix) - len(suffix)) + suffix

    headers = {"Authorization": f"Bearer {small_server.token(client)}", "Content-Type": "application/json"}
    at_bound = requests.post(small_server.url + "/api/messages", data=body_of(2048), headers=headers, timeout=5)
    assert at_bound.status_code == 201, at_bound.text
    past = requests.post(small_server.url + "/api/messages", data=body_of(2049), headers=headers, timeout=5)
    assert past.status_code == 413
    assert past.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"

    def chunks():  # no Content-Length: the bound applies while reading
        body = body_of(4096).encode()
        for start in range(0, len(body), 512):
            yield body[start:start + 512]

    streamed = requests.post(small_server.url + "/api/messages", data=chunks(), headers=headers, timeout=5)
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_concurrent_connects_with_one_token_cannot_pass_the_per_user_limit(server):
    # Twenty sessions open first, then their CONNECTs leave back to back with a token the server has not seen: the
    # checks overlap, and no more than the limit (2) may be answered with a sid.
    client, _, _, _ = provision(server)
    for attempt in range(5):
        token = server.token(client, jti=f"race-{attempt}")  # not verified yet: each check waits for the verifier
        sockets = [websocket.create_connection(server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=10)
                   for _ in range(20)]
        try:
            for ws in sockets:
                assert ws.recv().startswith("0")
            frame = '40/messages,' + json.dumps({"token": token})
            for ws in sockets:
                ws.send(frame)
            answers = [ws.recv() for ws in sockets]
            connected = [a for a in answers if a.startswith('40/messages,{"sid"')]
            refused = [a for a in answers if a.startswith("44/messages,")]
            assert len(connected) == 2 and len(refused) == 18, answers
        finally:
            for ws in sockets:
                ws.close()
        time.sleep(0.5)

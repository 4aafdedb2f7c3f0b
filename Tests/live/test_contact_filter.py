"""Contact-information protection against the real server and PostgreSQL: CONTACT_FILTER masks (the default) or
blocks email addresses, phone numbers and links to other domains in message text, through REST, python-socketio and
the official client under Node; the sender is told, everyone else only ever sees the masked text, and the original
is never stored."""
import json
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import BUILD, SERVICE_KEY, start_messaging_server
from messaging_helpers import Device, api, open_conversation

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def masking(tmp_path_factory):
    server = start_messaging_server(tmp_path_factory.mktemp("contact-mask"),
                                    CONTACT_ALLOWED_DOMAINS="marketplace.example, acme-market.com")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def blocking(tmp_path_factory):
    server = start_messaging_server(tmp_path_factory.mktemp("contact-block"), CONTACT_FILTER="block")
    yield server
    server.stop()


def post(server, user, conversation, content):
    return api(server, user, "POST", f"/api/messages/conversations/{conversation}/messages", json={"content": content})


def history(server, user, conversation):
    response = api(server, user, "GET", f"/api/messages/conversations/{conversation}/messages?limit=100")
    assert response.status_code == 200, response.text
    return [m["content"] for m in response.json()["data"]["messages"]]


def contact_metric(server, kind, action):
    text = requests.get(server.url + "/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith("messaging_contact_details_total{") and f'kind="{kind}"' in line \
                and f'action="{action}"' in line:
            return float(line.split()[-1])
    return 0.0


def test_rest_masks_tells_the_sender_and_stores_only_the_masked_text(masking):
    client, freelancer, _, _, conversation = open_conversation(masking)
    watcher = Device(masking, freelancer)
    try:
        assert watcher.call("join_conversation", {"conversationId": conversation})["success"] is True
        before = contact_metric(masking, "phone", "masked")
        sent = post(masking, client, conversation, "call me on +1 (555) 123-4567 or five five five 123 4567")
        assert sent.status_code == 201, sent.text
        body = sent.json()
        assert body["data"]["content"] == "call me on [phone hidden] or [phone hidden]"
        assert body["contactDetailsHidden"] == ["phone"]
        seen = watcher.wait_for("new_message")
        assert [m["content"] for m in seen] == ["call me on [phone hidden] or [phone hidden]"]
        notified = watcher.wait_for("message_notification")
        assert "555" not in json.dumps(notified)
        assert history(masking, freelancer, conversation)[-1] == "call me on [phone hidden] or [phone hidden]"
        # The evidence trail holds what was stored: the original never reached the database.
        revisions = requests.get(
            f"{masking.url}/api/internal/conversations/{conversation}/messages/{body['data']['id']}/revisions",
            headers={"X-Service-Key": SERVICE_KEY}, timeout=5).json()["data"]["revisions"]
        assert [r["content"] for r in revisions] == ["call me on [phone hidden] or [phone hidden]"]
        assert contact_metric(masking, "phone", "masked") == before + 2
    finally:
        watcher.close()


def test_innocent_text_and_allowed_domains_pass_unchanged_without_the_field(masking):
    client, _, _, _, conversation = open_conversation(masking)
    for text in ("The price is $1,500 for milestone 2, due 2025-03-01 (version 2.10.3)",
                 "Docs: https://marketplace.example/help and support.acme-market.com/start",
                 "We use ASP.NET and Node.js; look at it by 10:30"):
        sent = post(masking, client, conversation, text)
        assert sent.status_code == 201, sent.text
        assert sent.json()["data"]["content"] == text
        assert "contactDetailsHidden" not in sent.json()


def test_python_socketio_send_create_and_edit_are_masked(masking):
    client, freelancer, _, contract, conversation = open_conversation(masking)
    sender, watcher = Device(masking, client), Device(masking, freelancer)
    try:
        assert sender.call("join_conversation", {"conversationId": conversation})["success"] is True
        ack = sender.call("send_message", {"conversationId": conversation,
                                           "content": "mail me: john dot smith at gmail dot com"})
        assert ack["success"] is True and ack["message"]["content"] == "mail me: [email hidden]"
        assert ack["contactDetailsHidden"] == ["email"]
        created = sender.call("create_message", {"contractId": contract, "milestoneId": "m1",
                                                 "content": "portfolio at www.mysite.com, or ｊｏｈｎ＠ｇｍａｉｌ．ｃｏｍ"})
        assert created["success"] is True, created
        assert created["message"]["content"] == "portfolio at [link hidden], or [email hidden]"
        assert created["contactDetailsHidden"] == ["email", "link"]
        edited = sender.call("edit_message", {"messageId": ack["message"]["id"], "content": "ok, t.me/johnsmith"})
        assert edited["success"] is True and edited["message"]["content"] == "ok, [link hidden]"
        assert edited["contactDetailsHidden"] == ["link"]
        updates = watcher.wait_for("message_updated")
        assert [u["content"] for u in updates] == ["ok, [link hidden]"]
        plain = sender.call("send_message", {"conversationId": conversation, "content": "see you at 9"})
        assert plain["success"] is True and "contactDetailsHidden" not in plain
        rest_edit = api(masking, client, "PATCH",
                        f"/api/messages/conversations/{conversation}/messages/{plain['message']['id']}",
                        json={"content": "see you at 9, 555.123.4567"})
        assert rest_edit.status_code == 200, rest_edit.text
        assert rest_edit.json()["data"]["content"] == "see you at 9, [phone hidden]"
        assert rest_edit.json()["contactDetailsHidden"] == ["phone"]
    finally:
        sender.close()
        watcher.close()


def test_the_official_client_is_told_and_the_other_side_sees_the_mask(masking):
    # Under Node the browser bundle has WebSocket only; python-socketio above starts with polling and upgrades.
    client, freelancer, _, _, conversation = open_conversation(masking)
    bundle = HERE.parents[1] / ".tools" / "socket.io.min.js"
    finished = subprocess.run(
        ["node", "--experimental-websocket", str(HERE / "js" / "contact_client.js"), str(bundle), masking.url,
         masking.token(client), masking.token(freelancer), conversation, "websocket"],
        capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    results = json.loads(finished.stdout.strip().splitlines()[-1])
    failed = {name: value for name, value in results.items() if value is not True}
    assert not failed, failed
    assert len(results) == 4


def test_block_refuses_with_contact_details_and_stores_nothing(blocking):
    client, freelancer, _, contract, conversation = open_conversation(blocking)
    before = contact_metric(blocking, "email", "blocked")
    refused = post(blocking, client, conversation, "jane_doe@company.co.uk")
    assert refused.status_code == 422, refused.text
    error = refused.json()
    assert error["success"] is False and error["error"]["code"] == "CONTACT_DETAILS"
    assert error["error"]["details"] == [{"field": "content", "message": "contains contact details"}]
    assert "email" in error["message"]
    created = api(blocking, client, "POST", "/api/messages",
                  json={"contractId": contract, "milestoneId": "m1", "content": "wa.me/15551234567"})
    assert created.status_code == 422 and created.json()["error"]["code"] == "CONTACT_DETAILS"
    sender = Device(blocking, client)
    try:
        ack = sender.call("send_message", {"conversationId": conversation, "content": "+44 20 7946 0958"})
        assert ack["success"] is False and ack["code"] == "CONTACT_DETAILS"
        edit = sender.call("edit_message", {"messageId": blocking_first(blocking, client, conversation),
                                            "content": "john(at)example(dot)org"})
        assert edit["success"] is False and edit["code"] == "CONTACT_DETAILS"
        fine = sender.call("send_message", {"conversationId": conversation, "content": "invoice 20240115001 paid"})
        assert fine["success"] is True and fine["message"]["content"] == "invoice 20240115001 paid"
    finally:
        sender.close()
    assert history(blocking, freelancer, conversation) == ["hello", "invoice 20240115001 paid"]
    assert contact_metric(blocking, "email", "blocked") == before + 2


def blocking_first(server, user, conversation):
    response = api(server, user, "GET", f"/api/messages/conversations/{conversation}/messages?limit=1")
    return response.json()["data"]["messages"][0]["id"]


def test_sharing_statuses_and_off_leave_text_alone(tmp_path):
    for environment in ({"CONTACT_FILTER": "block", "CONTACT_SHARING_STATUSES": "active,completed"},
                        {"CONTACT_FILTER": "OFF"}):
        server = start_messaging_server(tmp_path / environment["CONTACT_FILTER"], **environment)
        try:
            client, _, _, _, conversation = open_conversation(server)
            sent = post(server, client, conversation, "john@gmail.com, 555-123-4567")
            assert sent.status_code == 201, (environment, sent.text)
            assert sent.json()["data"]["content"] == "john@gmail.com, 555-123-4567"
            assert "contactDetailsHidden" not in sent.json()
        finally:
            server.stop()


@pytest.mark.parametrize("name,value,complaint", [
    ("CONTACT_FILTER", "hide", "CONTACT_FILTER must be one of off, mask or block, not 'hide'"),
    ("CONTACT_SHARING_STATUSES", "active,signed",
     "CONTACT_SHARING_STATUSES must be a comma-separated list of active, paused, completed, cancelled, "
     "not 'active,signed'"),
])
def test_a_bad_setting_stops_start_up_with_one_line(tmp_path, name, value, complaint):
    refused = subprocess.run([str(BUILD / "messaging-server"), "serve"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "JWT_SECRET": "x" * 32,
                                                         "DATA_DIR": str(tmp_path / "data"), name: value})
    assert refused.returncode != 0
    assert complaint in refused.stderr

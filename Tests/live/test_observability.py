"""Metrics move with traffic, the metrics endpoint can be guarded, and JSON logs carry ids but no secrets."""
import json
import re
import time

import pytest
import requests

from conftest import start_messaging_server
from messaging_helpers import Device, api, provision

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$')


def scrape(server, **kwargs):
    response = requests.get(server.url + "/metrics", timeout=5, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for line in response.text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        match = SAMPLE.match(line)
        assert match, f"not Prometheus text: {line!r}"
        samples[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return samples


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_messaging_server(tmp_path_factory.mktemp("metrics"), RATE_LIMIT_TYPING="1/1")
    yield server
    server.stop()


def test_metrics_appear_and_move_with_a_send(server):
    client, freelancer, _, contract = provision(server)
    created = api(server, client, "POST", "/api/messages", json={"contractId": contract, "content": "first"})
    conversation = created.json()["data"]["conversationId"]
    before = scrape(server)
    sender = Device(server, client, transports=["websocket"])
    receiver = Device(server, freelancer)
    try:
        assert receiver.call("join_conversation", {"conversationId": conversation})["success"]
        during = scrape(server)
        assert during['engineio_sessions{transport="websocket"}'] >= 1
        assert during['socketio_connects_total{namespace="/messages"}'] >= \
            before.get('socketio_connects_total{namespace="/messages"}', 0) + 2
        ack = sender.call("send_message", {"conversationId": conversation, "content": "counted"})
        assert ack["success"], ack
        receiver.wait_for("new_message")
        sender.call("typing", {"conversationId": conversation, "isTyping": True})
        limited = sender.call("typing", {"conversationId": conversation, "isTyping": True})
        assert limited["code"] == "RATE_LIMITED"
        unknown = sender.call("no_such_event", {})
        assert unknown["code"] == "UNKNOWN_EVENT"
    finally:
        sender.close()
        receiver.close()

    def disconnects(samples):  # by reason: the polling client may close its transport before its DISCONNECT lands
        return sum(v for k, v in samples.items() if k.startswith('socketio_disconnects_total{namespace="/messages"'))

    deadline = time.time() + 5
    after = scrape(server)
    while disconnects(after) - disconnects(before) < 2 and time.time() < deadline:
        time.sleep(0.05)
        after = scrape(server)

    def moved(name):
        return after.get(name, 0) - before.get(name, 0)

    assert moved("messaging_messages_persisted_total") == 1
    assert moved('messaging_socket_events_total{event="send_message"}') == 1
    assert moved('messaging_socket_acks_total{event="send_message",outcome="ok"}') == 1
    assert moved('messaging_socket_ack_duration_seconds_count{event="send_message"}') == 1
    assert moved('messaging_socket_acks_total{event="typing",outcome="RATE_LIMITED"}') == 1
    assert moved('messaging_socket_acks_total{event="unknown",outcome="UNKNOWN_EVENT"}') == 1
    assert moved('rate_limit_rejections_total{limit="typing"}') == 1
    assert moved('socketio_broadcast_recipients_count{namespace="/messages"}') >= 2
    assert moved('messaging_db_query_duration_seconds_count{outcome="ok"}') >= 2
    assert disconnects(after) - disconnects(before) == 2
    assert after["process_resident_memory_bytes"] > 1_000_000
    assert after["messaging_db_pool_max_connections"] > 0
    assert after["messaging_db_calls_in_flight"] == 0


def test_refused_connections_are_counted(server):
    before = scrape(server)
    with pytest.raises(Exception):
        Device(server, "nobody", token="not-a-token")
    after = scrape(server)
    name = 'messaging_connections_refused_total{reason="unauthorized"}'
    assert after[name] - before.get(name, 0) == 1


def test_a_metrics_token_guards_the_endpoint(tmp_path):
    server = start_messaging_server(tmp_path, METRICS_TOKEN="scrape-me-please")
    try:
        assert requests.get(server.url + "/metrics", timeout=5).status_code == 401
        wrong = requests.get(server.url + "/metrics", headers={"Authorization": "Bearer nope"}, timeout=5)
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "UNAUTHORIZED"
        assert "process_resident_memory_bytes" in scrape(server, headers={"Authorization": "Bearer scrape-me-please"})
    finally:
        server.stop()


def test_json_logs_carry_ids_and_no_tokens_or_bodies(tmp_path):
    log_file = tmp_path / "server.log"
    server = start_messaging_server(tmp_path / "data", log_file=log_file, LOG_FORMAT="json", LOG_LEVEL="info")
    try:
        client, _, _, contract = provision(server)
        secret_text = "a-very-private-message-body-1234"
        token = server.token(client)
        response = requests.post(server.url + "/api/messages?token=" + token, json={
            "contractId": contract, "content": secret_text}, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert response.status_code == 201, response.text
        conversation = response.json()["data"]["conversationId"]
        device = Device(server, client, transports=["websocket"])
        assert device.call("send_message", {"conversationId": conversation, "content": secret_text})["success"]
        device.close()
    finally:
        server.stop()
    text = log_file.read_text()
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert records, "the server logged nothing"
    for record in records:
        assert {"ts", "level", "logger", "message"} <= record.keys()
    requests_logged = [r for r in records if r["message"] == "HTTP request" and r["http.path"] == "/api/messages"]
    assert requests_logged and all(r.get("hb.request.id") for r in requests_logged)
    assert requests_logged[0]["http.status"] == "201"
    connected = [r for r in records if r["message"] == "Socket connected"]
    assert connected and connected[0]["socket.id"] and connected[0]["user.id"] == client
    assert any(r["message"] == "Socket disconnected" and r["reason"] for r in records)
    assert token not in text and token.split(".")[2] not in text
    assert secret_text not in text

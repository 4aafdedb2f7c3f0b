"""The authorization matrix: every REST operation and socket event with no token, a bad signature, an expired
token, the wrong audience, someone else's conversation and a foreign milestone answers 401/403/404 or an error ack,
never data."""
import time

import socketio
import pytest
import requests

from conftest import SERVICE_KEY, make_token, start_messaging_server
from messaging_helpers import Device, provision

AUDIENCE = "messaging"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_messaging_server(tmp_path_factory.mktemp("authz"), JWT_AUDIENCE=AUDIENCE)
    original = server.token
    server.token = lambda user, **claims: original(user, aud=AUDIENCE, **claims)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def world(server):
    client, freelancer, stranger, contract = provision(server)
    device = Device(server, client, transports=["websocket"])
    conversation = device.call("create_message", {"contractId": contract, "content": "secret"})["message"]["conversationId"]
    device.close()
    return {"client": client, "stranger": stranger, "contract": contract, "conversation": conversation}


def operations(world):
    c = world["conversation"]
    return [
        ("POST", "/api/messages", {"contractId": world["contract"], "content": "x"}),
        ("GET", "/api/messages/conversations", None),
        ("GET", f"/api/messages/conversations/{c}", None),
        ("GET", f"/api/messages/conversations/{c}/messages", None),
        ("POST", f"/api/messages/conversations/{c}/messages", {"content": "x"}),
        ("PATCH", f"/api/messages/conversations/{c}/read", None),
        ("PUT", f"/api/messages/conversations/{c}/archive", {"archived": True}),
    ]


def bad_tokens(server, user):
    return {
        "missing": None,
        "bad signature": make_token(user, secret="another-secret-another-secret-another-1", aud=AUDIENCE),
        "expired": make_token(user, exp_offset=-60, aud=AUDIENCE),
        "wrong audience": make_token(user, aud="someone-else"),
        "not a jwt": "abc.def.ghi",
    }


def test_rest_refuses_every_bad_token(server, world):
    for name, token in bad_tokens(server, world["client"]).items():
        for method, path, body in operations(world):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = requests.request(method, server.url + path, json=body, headers=headers, timeout=5)
            assert response.status_code == 401, (name, method, path, response.text)
            assert response.json()["success"] is False
            assert response.json()["error"]["code"] == "UNAUTHORIZED"
            assert "data" not in response.json()


def test_socket_connect_refuses_every_bad_token(server, world):
    for name, token in bad_tokens(server, world["client"]).items():
        client = socketio.Client(reconnection=False)
        errors = []
        client.on("connect_error", lambda data: errors.append(data), namespace="/messages")
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(server.url, namespaces=["/messages"], auth={"token": token} if token else None,
                           transports=["websocket"], wait_timeout=5)
        assert errors and errors[0]["data"] == {"code": "UNAUTHORIZED"}, name
        client.disconnect()


def test_handshake_authorization_header_is_accepted(server, world):
    client = socketio.Client(reconnection=False)
    client.connect(server.url, namespaces=["/messages"], transports=["websocket"], wait_timeout=5,
                   headers={"Authorization": f"Bearer {server.token(world['client'])}"})
    assert client.call("join_conversation", {"conversationId": world["conversation"]}, namespace="/messages",
                       timeout=5) == {"success": True}
    client.disconnect()


def test_someone_elses_conversation_looks_missing_on_every_endpoint(server, world):
    headers = {"Authorization": f"Bearer {server.token(world['stranger'])}"}
    for method, path, body in operations(world):
        response = requests.request(method, server.url + path, json=body, headers=headers, timeout=5)
        if path == "/api/messages/conversations":
            assert response.status_code == 200
            assert response.json()["data"]["conversations"] == []
            continue
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
        assert "secret" not in response.text


def test_someone_elses_conversation_gets_error_acks_on_every_event(server, world):
    stranger = Device(server, world["stranger"], transports=["websocket"])
    try:
        ref = {"conversationId": world["conversation"]}
        for event, payload in [("join_conversation", ref), ("mark_as_read", ref),
                               ("typing", {**ref, "isTyping": True}), ("send_message", {**ref, "content": "x"}),
                               ("create_message", {"contractId": world["contract"], "content": "x"})]:
            ack = stranger.call(event, payload)
            assert ack["success"] is False and ack["code"] == "NOT_FOUND", (event, ack)
        assert stranger.call("leave_conversation", ref) == {"success": True}
    finally:
        stranger.close()


def test_foreign_milestone_is_refused(server, world):
    other = provision(server, milestones=("other-m",))
    headers = {"Authorization": f"Bearer {server.token(world['client'])}"}
    response = requests.post(server.url + "/api/messages", headers=headers, timeout=5,
                             json={"contractId": world["contract"], "milestoneId": "other-m", "content": "x"})
    assert response.status_code == 404
    response = requests.post(server.url + "/api/messages", headers=headers, timeout=5,
                             json={"contractId": other[3], "content": "x"})
    assert response.status_code == 404


def test_provisioning_needs_the_service_key(server):
    for headers in ({}, {"X-Service-Key": "wrong"}, {"Authorization": f"Bearer {server.token('someone')}"}):
        response = requests.put(server.url + "/api/internal/users/u-x", json={"firstName": "A", "lastName": "B"},
                                headers=headers, timeout=5)
        assert response.status_code == 401
    response = requests.put(server.url + "/api/internal/users/u-x", json={"firstName": "A", "lastName": "B"},
                            headers={"X-Service-Key": SERVICE_KEY}, timeout=5)
    assert response.status_code == 200


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]])
def test_a_socket_is_disconnected_when_its_token_expires_and_cannot_come_back_with_it(server, world, transports):
    token = make_token(world["client"], exp_offset=3, aud=AUDIENCE)
    client = socketio.Client(reconnection=False)
    disconnected = []
    client.on("disconnect", lambda *reason: disconnected.append(reason), namespace="/messages")
    client.connect(server.url, namespaces=["/messages"], auth={"token": token}, transports=transports, wait_timeout=5)
    assert client.call("typing", {"conversationId": world["conversation"], "isTyping": True},
                       namespace="/messages", timeout=5)["success"] is True
    deadline = time.time() + 10
    while not disconnected and time.time() < deadline:
        time.sleep(0.1)
    assert disconnected, "still connected after the token expired"
    assert disconnected[0] == ("io server disconnect",) or "server" in str(disconnected[0])
    client.disconnect()
    again = socketio.Client(reconnection=False)
    errors = []
    again.on("connect_error", lambda data: errors.append(data), namespace="/messages")
    with pytest.raises(socketio.exceptions.ConnectionError):
        again.connect(server.url, namespaces=["/messages"], auth={"token": token}, transports=transports, wait_timeout=5)
    assert errors and errors[0]["message"] == "The token has expired"
    again.disconnect()

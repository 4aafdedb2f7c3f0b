"""End to end: the messaging server with its embedded PostgreSQL, two users with two devices each, over real
sockets (python-socketio, default transports and websocket-only) and REST."""
import time

import pytest

from messaging_helpers import Device, api, provision


@pytest.fixture
def parties(messaging_server):
    client, freelancer, stranger, contract = provision(messaging_server)
    devices = {
        "client_web": Device(messaging_server, client),
        "client_phone": Device(messaging_server, client, transports=["websocket"]),
        "freelancer_web": Device(messaging_server, freelancer),
        "freelancer_phone": Device(messaging_server, freelancer, transports=["websocket"]),
    }
    yield {"client": client, "freelancer": freelancer, "stranger": stranger, "contract": contract, **devices}
    for device in devices.values():
        device.close()


def test_connected_carries_user_and_socket_id(parties):
    device = parties["client_web"]
    connected = device.wait_for("connected")
    assert connected == [{"userId": parties["client"], "socketId": device.client.get_sid("/messages")}]


def test_create_message_acks_and_notifies_the_other_participant_only(parties):
    ack = parties["client_web"].call("create_message", {"contractId": parties["contract"], "content": "Hello!",
                                                        "clientMessageId": "c-1"})
    assert ack["success"] is True
    message = ack["message"]
    assert message["content"] == "Hello!" and message["clientMessageId"] == "c-1"
    # isRead is whether the recipient has read it: not yet, for the sender and the recipient alike.
    assert message["sender"]["id"] == parties["client"] and message["isRead"] is False
    for name in ("freelancer_web", "freelancer_phone"):
        notes = parties[name].wait_for("message_notification")
        assert notes == [{"conversationId": message["conversationId"], "message": message}]
    time.sleep(0.3)
    assert parties["client_web"].events["message_notification"] == []
    assert parties["client_phone"].events["message_notification"] == []


def test_room_members_get_new_message_from_socket_and_rest(parties):
    ack = parties["client_web"].call("create_message", {"contractId": parties["contract"], "content": "start"})
    conversation = ack["message"]["conversationId"]
    for name in ("client_web", "client_phone", "freelancer_web", "freelancer_phone"):
        assert parties[name].call("join_conversation", {"conversationId": conversation}) == {"success": True}
    sent = parties["freelancer_phone"].call("send_message", {"conversationId": conversation, "content": "over socket"})
    assert sent["success"] is True
    for name in ("client_web", "client_phone", "freelancer_web", "freelancer_phone"):
        received = parties[name].wait_for("new_message")
        assert [m["id"] for m in received] == [sent["message"]["id"]]
    for name in ("client_web", "client_phone"):
        assert parties[name].wait_for("message_notification")[-1]["message"]["id"] == sent["message"]["id"]


def test_rest_sends_emit_the_same_events(messaging_server, parties):
    ack = parties["client_web"].call("create_message", {"contractId": parties["contract"], "content": "start"})
    conversation = ack["message"]["conversationId"]
    parties["freelancer_web"].call("join_conversation", {"conversationId": conversation})
    response = api(messaging_server, parties["client"], "POST", f"/api/messages/conversations/{conversation}/messages",
                   json={"content": "via REST"})
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["data"]["content"] == "via REST"
    received = parties["freelancer_web"].wait_for("new_message")
    assert [m["id"] for m in received] == [body["data"]["id"]]
    notes = parties["freelancer_phone"].wait_for("message_notification", count=2)
    assert notes[-1]["message"]["id"] == body["data"]["id"]


def test_idempotent_retry_returns_the_stored_message_and_emits_once(parties):
    payload = {"contractId": parties["contract"], "content": "once", "clientMessageId": "retry-1"}
    first = parties["client_web"].call("create_message", payload)
    second = parties["client_phone"].call("create_message", payload)
    assert first["message"]["id"] == second["message"]["id"]
    time.sleep(0.5)
    notes = parties["freelancer_web"].events["message_notification"]
    assert [n["message"]["id"] for n in notes].count(first["message"]["id"]) == 1


def test_typing_reaches_others_and_stops_by_itself(parties):
    conversation = parties["client_web"].call("create_message", {"contractId": parties["contract"], "content": "x"})[
        "message"]["conversationId"]
    for name in ("client_phone", "freelancer_web"):
        parties[name].call("join_conversation", {"conversationId": conversation})
    assert parties["client_web"].call("typing", {"conversationId": conversation, "isTyping": True}) == {"success": True}
    typing = parties["freelancer_web"].wait_for("user_typing", count=2, timeout=8)
    assert typing == [{"conversationId": conversation, "userId": parties["client"], "isTyping": True},
                      {"conversationId": conversation, "userId": parties["client"], "isTyping": False}]
    assert parties["client_phone"].events["user_typing"] == []  # never to the typist's own devices


def test_mark_read_over_socket_and_rest_emits_messages_read(messaging_server, parties):
    conversation = parties["client_web"].call("create_message", {"contractId": parties["contract"], "content": "read me"})[
        "message"]["conversationId"]
    parties["client_web"].call("join_conversation", {"conversationId": conversation})
    listing = api(messaging_server, parties["freelancer"], "GET", "/api/messages/conversations").json()
    assert [c["unreadCount"] for c in listing["data"]["conversations"] if c["id"] == conversation] == [1]
    ack = parties["freelancer_web"].call("mark_as_read", {"conversationId": conversation})
    assert ack["success"] is True and ack["unreadCount"] == 0
    receipts = parties["client_web"].wait_for("messages_read")
    assert receipts[0]["conversationId"] == conversation and receipts[0]["userId"] == parties["freelancer"]
    response = api(messaging_server, parties["freelancer"], "PATCH", f"/api/messages/conversations/{conversation}/read")
    assert response.status_code == 200 and response.json()["data"]["unreadCount"] == 0
    assert len(parties["client_phone"].wait_for("messages_read", count=2)) == 2
    assert receipts[0]["lastReadMessageId"] == ack["lastReadMessageId"]
    for reader in ("freelancer", "client"):
        messages = api(messaging_server, parties[reader], "GET", f"/api/messages/conversations/{conversation}/messages").json()
        assert all(m["isRead"] for m in messages["data"]["messages"]), reader


def test_history_pages_and_cursors(messaging_server, parties):
    conversation = parties["client_web"].call("create_message", {"contractId": parties["contract"], "content": "m0"})[
        "message"]["conversationId"]
    for index in range(1, 12):
        assert parties["freelancer_phone"].call("send_message", {"conversationId": conversation, "content": f"m{index}"})["success"]
    path = f"/api/messages/conversations/{conversation}/messages"
    newest = api(messaging_server, parties["client"], "GET", path, params={"limit": 5}).json()["data"]
    assert [m["content"] for m in newest["messages"]] == [f"m{i}" for i in range(7, 12)]
    assert {k: v for k, v in newest.items() if k not in ("messages", "changeCursor")} == {
        "page": 1, "limit": 5, "total": 12, "hasMore": True}
    # The cursor from which the conversation's later changes are fetched; it does not move while nothing changes.
    assert isinstance(newest["changeCursor"], int)
    older = api(messaging_server, parties["client"], "GET", path, params={"limit": 5, "before": newest["messages"][0]["id"]}).json()["data"]
    assert [m["content"] for m in older["messages"]] == [f"m{i}" for i in range(2, 7)]
    after = api(messaging_server, parties["client"], "GET", path, params={"limit": 50, "after": older["messages"][-1]["id"]}).json()["data"]
    assert [m["content"] for m in after["messages"]] == [f"m{i}" for i in range(7, 12)]
    assert after["hasMore"] is False
    page2 = api(messaging_server, parties["client"], "GET", path, params={"limit": 5, "page": 2}).json()["data"]
    assert [m["content"] for m in page2["messages"]] == [f"m{i}" for i in range(2, 7)]
    assert page2["changeCursor"] == newest["changeCursor"]


def test_archive_and_conversation_details(messaging_server, parties):
    conversation = parties["client_web"].call("create_message", {"contractId": parties["contract"], "milestoneId": "m1",
                                                                 "content": "on milestone"})["message"]["conversationId"]
    detail = api(messaging_server, parties["freelancer"], "GET", f"/api/messages/conversations/{conversation}").json()["data"]
    assert detail["milestoneId"] == "m1" and detail["lastMessage"]["content"] == "on milestone"
    assert detail["client"]["id"] == parties["client"] and detail["freelancer"]["id"] == parties["freelancer"]
    archived = api(messaging_server, parties["freelancer"], "PUT", f"/api/messages/conversations/{conversation}/archive",
                   json={"archived": True})
    assert archived.status_code == 200 and archived.json()["data"]["isArchived"] is True
    listed = api(messaging_server, parties["freelancer"], "GET", "/api/messages/conversations",
                 params={"contractId": parties["contract"]}).json()["data"]["conversations"]
    assert conversation not in [c["id"] for c in listed]
    listed = api(messaging_server, parties["freelancer"], "GET", "/api/messages/conversations",
                 params={"contractId": parties["contract"], "includeArchived": "true"}).json()["data"]["conversations"]
    assert conversation in [c["id"] for c in listed]


def test_bad_payloads_and_unknown_events_get_error_acks(parties):
    device = parties["client_web"]
    too_long = device.call("send_message", {"conversationId": "0193a5c0-7c1e-7a00-8000-000000000001", "content": "x" * 10001})
    assert too_long == {"success": False, "error": "content: must be at most 10000 characters", "code": "VALIDATION_FAILED"}
    assert device.call("send_message", {"content": "no id"})["code"] == "VALIDATION_FAILED"
    assert device.call("typing", "not an object")["code"] == "VALIDATION_FAILED"
    assert device.call("delete_everything", {})["code"] == "UNKNOWN_EVENT"

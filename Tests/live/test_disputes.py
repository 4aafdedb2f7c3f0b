"""Disputes and mediation against the real server and a real PostgreSQL: three python-socketio clients (client,
freelancer, mediator) in the dispute conversation, the mediator's read-only access to the contract's other
conversations (and its end when the dispute closes), the read-only closed dispute, `dispute.message` webhooks checked
by a real receiver, the transcript export as JSON and as text, and who may call the service-key operations."""
import uuid

import pytest
import requests

from conftest import SERVICE_KEY, start_messaging_server
from messaging_helpers import Device, api, open_conversation

SERVICE = {"X-Service-Key": SERVICE_KEY}


@pytest.fixture
def server(cluster, tmp_path_factory, receiver):
    node = start_messaging_server(tmp_path_factory.mktemp("node"), **receiver.server_env(
        DATABASE_URL=cluster.url, UNREAD_REMINDER_S=0, WEBHOOK_BACKOFF_MS=100,
        RATE_LIMIT_SEND="1000000/1000000", RATE_LIMIT_REST="1000000/1000000"))
    yield node
    node.stop()


def internal(server, method, path, **kwargs):
    return requests.request(method, server.url + path, headers=SERVICE, timeout=10, **kwargs)


def mediator_user(server):
    mediator = f"mediator-{uuid.uuid4().hex[:8]}"
    response = internal(server, "PUT", f"/api/internal/users/{mediator}", json={"firstName": "Mia", "lastName": "Diaz"})
    assert response.status_code == 200, response.text
    return mediator


def history(server, user, conversation):
    return api(server, user, "GET", f"/api/messages/conversations/{conversation}/messages", params={"limit": 100})


def test_dispute_with_three_clients(server, receiver):
    client, freelancer, stranger, contract, main = open_conversation(server)
    mediator = mediator_user(server)
    opened = internal(server, "PUT", f"/api/internal/contracts/{contract}/dispute",
                      json={"mediatorId": mediator, "reason": "Milestone 2 not delivered"})
    assert opened.status_code == 200, opened.text
    dispute = opened.json()["data"]
    assert dispute["status"] == "open" and dispute["mediatorId"] == mediator and dispute["closedAt"] is None
    assert dispute["evidenceConversationIds"] == [main]
    room = dispute["conversationId"]
    assert room != main

    # The group conversation: three participants with roles, announced by a system message.
    seen = api(server, mediator, "GET", f"/api/messages/conversations/{room}").json()["data"]
    assert seen["kind"] == "dispute" and seen["isActive"] is True
    assert sorted((p["user"]["id"], p["role"]) for p in seen["participants"]) == sorted(
        [(client, "client"), (freelancer, "freelancer"), (mediator, "mediator")])
    assert seen["client"]["id"] == client and seen["freelancer"]["id"] == freelancer
    first = history(server, client, room).json()["data"]["messages"]
    assert [m["messageType"] for m in first] == ["system"]
    assert "Mia Diaz" in first[0]["content"] and "Milestone 2 not delivered" in first[0]["content"]
    listed = api(server, mediator, "GET", "/api/messages/conversations").json()["data"]["conversations"]
    assert [c["id"] for c in listed] == [room]
    direct = api(server, client, "GET", f"/api/messages/conversations/{main}").json()["data"]
    assert direct["kind"] == "direct" and len(direct["participants"]) == 2

    devices = {user: Device(server, user) for user in (client, freelancer, mediator)}
    try:
        for device in devices.values():
            assert device.call("join_conversation", {"conversationId": room})["success"] is True
        ack = devices[mediator].call("send_message", {"conversationId": room, "content": "Please share the files"})
        assert ack["success"] is True, ack
        said = api(server, client, "POST", f"/api/messages/conversations/{room}/messages",
                   json={"content": "Here they are"})
        assert said.status_code == 201, said.text
        for user, device in devices.items():
            got = [m["content"] for m in device.wait_for("new_message", count=2)]
            assert got == ["Please share the files", "Here they are"], user
        # dispute.message for the mediator (online or not), for every message but the mediator's own.
        deliveries = receiver.wait_for(lambda got: len([d for d in got if d.type == "dispute.message"]) >= 2)
        disputed = [d for d in deliveries if d.type == "dispute.message"]
        assert [(d.data["mediatorId"], d.data["message"]["messageType"]) for d in disputed] == [
            (mediator, "system"), (mediator, "text")]
        assert disputed[1].data["message"]["content"] == "Here they are"
        assert disputed[1].data["contractId"] == contract and disputed[1].data["conversationId"] == room
        assert not [d for d in deliveries if d.type == "message.created" and d.data["recipientId"] == mediator]

        # The mediator reads the contract's other conversation, and cannot act in it.
        evidence = history(server, mediator, main)
        assert evidence.status_code == 200, evidence.text
        assert [m["content"] for m in evidence.json()["data"]["messages"]] == ["hello"]
        changes = api(server, mediator, "GET", f"/api/messages/conversations/{main}/changes")
        assert changes.status_code == 200 and [m["content"] for m in changes.json()["data"]["messages"]] == ["hello"]
        refused = api(server, mediator, "POST", f"/api/messages/conversations/{main}/messages", json={"content": "x"})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "FORBIDDEN", refused.text
        assert devices[mediator].call("send_message", {"conversationId": main, "content": "x"})["code"] == "FORBIDDEN"
        assert devices[mediator].call("join_conversation", {"conversationId": main})["code"] == "FORBIDDEN"
        assert api(server, mediator, "PATCH", f"/api/messages/conversations/{main}/read").status_code == 403
        assert api(server, mediator, "GET", f"/api/messages/conversations/{main}").status_code == 404
        # Nobody else gains anything.
        for conversation in (main, room):
            assert history(server, stranger, conversation).status_code == 404
        assert history(server, "nobody", main).status_code == 404
        assert [m["content"] for m in history(server, client, main).json()["data"]["messages"]] == ["hello"]

        # Closing: a system message, then the conversation is read-only and the mediator's evidence access ends.
        closed = internal(server, "POST", f"/api/internal/contracts/{contract}/dispute/close",
                          json={"resolution": "Refund agreed"})
        assert closed.status_code == 200, closed.text
        assert closed.json()["data"]["status"] == "closed" and closed.json()["data"]["resolution"] == "Refund agreed"
        notice = devices[freelancer].wait_for("new_message", count=3)[2]
        assert notice["messageType"] == "system" and "Refund agreed" in notice["content"]
        late = api(server, client, "POST", f"/api/messages/conversations/{room}/messages", json={"content": "late"})
        assert late.status_code == 403 and "dispute is closed" in late.json()["message"], late.text
        assert devices[mediator].call("send_message", {"conversationId": room, "content": "late"})["code"] == "FORBIDDEN"
        edit = api(server, client, "PATCH", f"/api/messages/conversations/{room}/messages/{said.json()['data']['id']}",
                   json={"content": "edited"})
        assert edit.status_code == 403, edit.text
        assert api(server, mediator, "GET", f"/api/messages/conversations/{room}").json()["data"]["isActive"] is False
        assert len(history(server, mediator, room).json()["data"]["messages"]) == 4
        assert history(server, mediator, main).status_code == 404
        # The direct conversation is untouched.
        assert api(server, freelancer, "POST", f"/api/messages/conversations/{main}/messages",
                   json={"content": "still here"}).status_code == 201

        # Reopening keeps the mediator; another one is refused.
        other = mediator_user(server)
        assert internal(server, "PUT", f"/api/internal/contracts/{contract}/dispute",
                        json={"mediatorId": other, "reason": "again"}).status_code == 409
        again = internal(server, "PUT", f"/api/internal/contracts/{contract}/dispute",
                         json={"mediatorId": mediator, "reason": "Files incomplete"})
        assert again.status_code == 200 and again.json()["data"]["status"] == "open"
        assert again.json()["data"]["conversationId"] == room
        assert history(server, mediator, main).status_code == 200
        assert api(server, client, "POST", f"/api/messages/conversations/{room}/messages",
                   json={"content": "back"}).status_code == 201
        same = internal(server, "PUT", f"/api/internal/contracts/{contract}/dispute",
                        json={"mediatorId": mediator, "reason": "ignored while open"})
        assert same.status_code == 200 and same.json()["data"]["reason"] == "Files incomplete"
    finally:
        for device in devices.values():
            device.close()


def test_transcript_export_keeps_edits_and_deletions(server):
    client, freelancer, _, contract, main = open_conversation(server)
    sent = []
    for text in ("price is 300", "deadline friday\nsecond line", "oops"):
        response = api(server, freelancer, "POST", f"/api/messages/conversations/{main}/messages", json={"content": text})
        assert response.status_code == 201, response.text
        sent.append(response.json()["data"]["id"])
    path = f"/api/messages/conversations/{main}/messages"
    assert api(server, freelancer, "PATCH", f"{path}/{sent[0]}", json={"content": "price is 400"}).status_code == 200
    assert api(server, freelancer, "DELETE", f"{path}/{sent[2]}").status_code == 200

    exported = internal(server, "GET", f"/api/internal/conversations/{main}/export")
    assert exported.status_code == 200, exported.text
    data = exported.json()["data"]
    assert data["contractId"] == contract and data["kind"] == "direct" and data["nextCursor"] is None
    assert [p["role"] for p in data["participants"]] == ["client", "freelancer"]
    messages = data["messages"]
    assert [m["content"] for m in messages] == ["hello", "price is 400", "deadline friday\nsecond line", "oops"]
    assert [r["content"] for r in messages[1]["revisions"]] == ["price is 300", "price is 400"]
    assert [r["revision"] for r in messages[1]["revisions"]] == [1, 2] and messages[1]["editedAt"] is not None
    assert messages[3]["deletedAt"] is not None and messages[3]["revisions"][-1]["content"] == "oops"
    assert messages[0]["role"] == "client" and messages[1]["role"] == "freelancer"
    # Participants see the deletion as a tombstone; the export keeps the text.
    assert history(server, client, main).json()["data"]["messages"][-1]["content"] != "oops"

    pages, after = [], None
    while True:
        params = {"limit": 3} if after is None else {"limit": 3, "after": after}
        page = internal(server, "GET", f"/api/internal/conversations/{main}/export", params=params).json()["data"]
        pages.append([m["id"] for m in page["messages"]])
        after = page["nextCursor"]
        if after is None:
            break
    assert [len(p) for p in pages] == [3, 1] and sum(pages, []) == [m["id"] for m in messages]

    text = internal(server, "GET", f"/api/internal/conversations/{main}/export/text")
    assert text.status_code == 200 and text.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = text.text.splitlines()
    assert lines[0].startswith(f"Transcript of conversation {main} (direct, contract {contract})")
    assert f"Participant: Grace T [{freelancer}], freelancer" in lines
    assert any(line.endswith("Grace T (freelancer): price is 400") for line in lines)
    assert any("version 1, written" in line and line.endswith("price is 300") for line in lines)
    assert "        second line" in lines
    assert any(line.startswith("    deleted ") for line in lines)
    short = internal(server, "GET", f"/api/internal/conversations/{main}/export/text", params={"limit": 1})
    assert short.text.splitlines()[-1].startswith("More messages follow: ?after=")


def test_dispute_operations_authorization(server):
    client, freelancer, _, contract, main = open_conversation(server)
    mediator = mediator_user(server)
    operations = [
        ("PUT", f"/api/internal/contracts/{contract}/dispute", {"mediatorId": mediator, "reason": "r"}),
        ("GET", f"/api/internal/contracts/{contract}/dispute", None),
        ("POST", f"/api/internal/contracts/{contract}/dispute/close", {}),
        ("GET", f"/api/internal/conversations/{main}/export", None),
        ("GET", f"/api/internal/conversations/{main}/export/text", None),
    ]
    for method, path, body in operations:
        for headers in ({}, {"X-Service-Key": "wrong"}, {"Authorization": f"Bearer {server.token(client)}"}):
            response = requests.request(method, server.url + path, json=body, headers=headers, timeout=10)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.json()["error"]["code"] == "UNAUTHORIZED"
    # Nothing was opened by those calls.
    assert internal(server, "GET", f"/api/internal/contracts/{contract}/dispute").status_code == 404
    assert internal(server, "POST", f"/api/internal/contracts/{contract}/dispute/close", json={}).status_code == 404

    def open_with(body, target=contract):
        return internal(server, "PUT", f"/api/internal/contracts/{target}/dispute", json=body)
    assert open_with({"mediatorId": mediator, "reason": "r"}, target="no-such-contract").status_code == 404
    assert open_with({"mediatorId": "no-such-user", "reason": "r"}).status_code == 404
    for party in (client, freelancer):
        conflict = open_with({"mediatorId": party, "reason": "r"})
        assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "CONFLICT"
    for body, field in (({"mediatorId": mediator, "reason": "   "}, "reason"),
                        ({"mediatorId": mediator}, "reason"),
                        ({"mediatorId": mediator, "reason": "x" * 2001}, "reason"),
                        ({"mediatorId": "", "reason": "r"}, "mediatorId")):
        invalid = open_with(body)
        assert invalid.status_code == 422, invalid.text
        assert invalid.json()["error"]["details"][0]["field"] == field
    assert internal(server, "GET", f"/api/internal/conversations/{uuid.uuid4()}/export").status_code == 404
    assert internal(server, "GET", "/api/internal/conversations/not-a-uuid/export").status_code == 422
    assert internal(server, "GET", f"/api/internal/conversations/{main}/export", params={"limit": 0}).status_code == 422
    assert internal(server, "GET", f"/api/internal/conversations/{main}/export",
                    params={"after": "nope"}).status_code == 422
    # Still nothing stored, and a valid call works.
    assert internal(server, "GET", f"/api/internal/contracts/{contract}/dispute").status_code == 404
    assert open_with({"mediatorId": mediator, "reason": "r"}).status_code == 200

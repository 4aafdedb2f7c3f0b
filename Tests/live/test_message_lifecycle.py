"""A message's later life against the real server and PostgreSQL: edits with revisions kept, deletion as a
tombstone, reactions, the change cursor and full-text search, through REST and python-socketio, with the
authorization matrix of each new operation."""
import time
import urllib.parse

import pytest
import requests

from conftest import SERVICE_KEY, make_token, start_messaging_server
from messaging_helpers import Device, api, provision, searchable

THUMBS = "\U0001F44D"
HEART = "\u2764\ufe0f"


def path_emoji(emoji):
    return urllib.parse.quote(emoji, safe="")


@pytest.fixture
def chat(messaging_server):
    """A contract's main conversation with one message from the client, and a socket per participant."""
    client, freelancer, stranger, contract = provision(messaging_server)
    first = api(messaging_server, client, "POST", "/api/messages", json={"contractId": contract, "content": "first"})
    assert first.status_code == 201, first.text
    conversation = first.json()["data"]["conversationId"]
    devices = {"client_device": Device(messaging_server, client), "freelancer_device": Device(messaging_server, freelancer)}
    yield {"client": client, "freelancer": freelancer, "stranger": stranger, "contract": contract,
           "conversation": conversation, "first": first.json()["data"], **devices}
    for device in devices.values():
        device.close()


def send(server, user, conversation, content, **extra):
    response = api(server, user, "POST", f"/api/messages/conversations/{conversation}/messages",
                   json={"content": content, **extra})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def message_path(chat, message_id):
    return f"/api/messages/conversations/{chat['conversation']}/messages/{message_id}"


def history(server, user, conversation):
    response = api(server, user, "GET", f"/api/messages/conversations/{conversation}/messages?limit=100")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def revisions(server, conversation, message_id):
    return requests.get(f"{server.url}/api/internal/conversations/{conversation}/messages/{message_id}/revisions",
                        headers={"X-Service-Key": SERVICE_KEY}, timeout=5)


# MARK: Edit

def test_edit_keeps_every_version_and_tells_both_participants(messaging_server, chat):
    first = chat["first"]
    assert first["editedAt"] is None and first["deletedAt"] is None and first["reactions"] == []
    edited = api(messaging_server, chat["client"], "PATCH", message_path(chat, first["id"]), json={"content": "second"})
    assert edited.status_code == 200, edited.text
    message = edited.json()["data"]
    assert message["content"] == "second" and message["editedAt"] is not None and message["id"] == first["id"]
    for device in ("client_device", "freelancer_device"):
        updates = chat[device].wait_for("message_updated")
        assert [u["content"] for u in updates] == ["second"], device
    ack = chat["client_device"].call("edit_message", {"messageId": first["id"], "content": "third"})
    assert ack["success"] is True and ack["message"]["content"] == "third"
    page = history(messaging_server, chat["freelancer"], chat["conversation"])
    assert [m["content"] for m in page["messages"]] == ["third"] and page["total"] == 1
    conversation = api(messaging_server, chat["freelancer"], "GET", f"/api/messages/conversations/{chat['conversation']}")
    assert conversation.json()["data"]["lastMessage"]["content"] == "third"
    versions = revisions(messaging_server, chat["conversation"], first["id"])
    assert versions.status_code == 200, versions.text
    data = versions.json()["data"]
    assert [v["content"] for v in data["revisions"]] == ["first", "second", "third"]
    assert [v["revision"] for v in data["revisions"]] == [1, 2, 3]
    assert data["revisions"][0]["writtenAt"] == first["sentAt"]
    assert data["senderId"] == chat["client"] and data["deletedAt"] is None
    # The same text again changes nothing and announces nothing.
    same = api(messaging_server, chat["client"], "PATCH", message_path(chat, first["id"]), json={"content": "third"})
    assert same.status_code == 200
    time.sleep(0.3)
    assert len(chat["freelancer_device"].events["message_updated"]) == 2
    assert len(revisions(messaging_server, chat["conversation"], first["id"]).json()["data"]["revisions"]) == 3


def test_edit_rules_and_authorization(messaging_server, chat):
    first = chat["first"]
    path = message_path(chat, first["id"])
    other = api(messaging_server, chat["freelancer"], "PATCH", path, json={"content": "not mine"})
    assert other.status_code == 403 and other.json()["error"]["code"] == "FORBIDDEN"
    outsider = api(messaging_server, chat["stranger"], "PATCH", path, json={"content": "x"})
    assert outsider.status_code == 404
    expired = requests.patch(messaging_server.url + path, json={"content": "x"}, timeout=5, headers={
        "Authorization": f"Bearer {make_token(chat['client'], exp_offset=-10)}"})
    assert expired.status_code == 401
    for body in ({"content": ""}, {"content": "   "}, {"content": "a" * 10001}, {}):
        bad = api(messaging_server, chat["client"], "PATCH", path, json=body)
        assert bad.status_code == 422, (body, bad.text)
    missing = api(messaging_server, chat["client"], "PATCH", message_path(chat, "0190a000-0000-7000-8000-000000000000"),
                  json={"content": "x"})
    assert missing.status_code == 404
    file_message = send(messaging_server, chat["client"], chat["conversation"], "", messageType="file", attachments=[
        {"url": "https://files.example/a.pdf", "name": "a.pdf", "mimeType": "application/pdf", "size": 10}])
    refused = api(messaging_server, chat["client"], "PATCH", message_path(chat, file_message["id"]), json={"content": "x"})
    assert refused.status_code == 409
    ack = chat["freelancer_device"].call("edit_message", {"messageId": first["id"], "content": "x"})
    assert ack == {"success": False, "error": "Only the sender can edit a message", "code": "FORBIDDEN"}
    wrong_room = chat["client_device"].call("edit_message", {"messageId": first["id"], "content": "x",
                                                             "conversationId": "0190a000-0000-7000-8000-000000000000"})
    assert wrong_room["code"] == "NOT_FOUND"
    stranger = Device(messaging_server, chat["stranger"])
    try:
        assert stranger.call("edit_message", {"messageId": first["id"], "content": "x"})["code"] == "NOT_FOUND"
    finally:
        stranger.close()
    assert chat["client_device"].call("edit_message", {"messageId": "nope", "content": "x"})["code"] == \
        "VALIDATION_FAILED"


def test_read_only_conversation_takes_no_changes(messaging_server, chat):
    first = chat["first"]
    closed = requests.put(f"{messaging_server.url}/api/internal/contracts/{chat['contract']}", timeout=5,
                          headers={"X-Service-Key": SERVICE_KEY},
                          json={"clientId": chat["client"], "freelancerId": chat["freelancer"], "status": "completed"})
    assert closed.status_code == 200, closed.text
    path = message_path(chat, first["id"])
    assert api(messaging_server, chat["client"], "PATCH", path, json={"content": "x"}).status_code == 403
    assert api(messaging_server, chat["client"], "DELETE", path).status_code == 403
    assert api(messaging_server, chat["client"], "PUT", f"{path}/reactions/{path_emoji(THUMBS)}").status_code == 403


def test_the_edit_window_closes(tmp_path):
    server = start_messaging_server(tmp_path, EDIT_WINDOW_S=1)
    try:
        client, freelancer, _, contract = provision(server)
        message = api(server, client, "POST", "/api/messages", json={"contractId": contract, "content": "soon"})
        message = message.json()["data"]
        path = f"/api/messages/conversations/{message['conversationId']}/messages/{message['id']}"
        assert api(server, client, "PATCH", path, json={"content": "in time"}).status_code == 200
        time.sleep(1.5)
        late = api(server, client, "PATCH", path, json={"content": "too late"})
        assert late.status_code == 409 and "edit window" in late.json()["message"]
    finally:
        server.stop()


# MARK: Delete

def test_delete_leaves_a_tombstone_and_keeps_the_record(messaging_server, chat):
    client, freelancer, conversation = chat["client"], chat["freelancer"], chat["conversation"]
    second = send(messaging_server, client, conversation, "the price is 500")
    assert api(messaging_server, freelancer, "GET", f"/api/messages/conversations/{conversation}").json()["data"][
        "unreadCount"] == 2
    deleted = api(messaging_server, client, "DELETE", message_path(chat, second["id"]))
    assert deleted.status_code == 200, deleted.text
    tombstone = deleted.json()["data"]
    assert tombstone["content"] == "" and tombstone["attachments"] == [] and tombstone["deletedAt"] is not None
    notices = chat["freelancer_device"].wait_for("message_deleted")
    assert notices == [tombstone]
    assert chat["client_device"].wait_for("message_deleted") == [tombstone]
    page = history(messaging_server, freelancer, conversation)
    assert [m["id"] for m in page["messages"]] == [chat["first"]["id"], second["id"]] and page["total"] == 2
    assert page["messages"][1]["content"] == "" and page["messages"][1]["deletedAt"] == tombstone["deletedAt"]
    seen = api(messaging_server, freelancer, "GET", f"/api/messages/conversations/{conversation}").json()["data"]
    assert seen["unreadCount"] == 1
    assert seen["lastMessage"]["content"] == "first"
    # The record keeps what it said.
    record = revisions(messaging_server, conversation, second["id"]).json()["data"]
    assert record["deletedAt"] == tombstone["deletedAt"] and [v["content"] for v in record["revisions"]] == [
        "the price is 500"]
    # Again: the same tombstone, no second event.
    again = api(messaging_server, client, "DELETE", message_path(chat, second["id"]))
    assert again.status_code == 200 and again.json()["data"] == tombstone
    time.sleep(0.3)
    assert len(chat["freelancer_device"].events["message_deleted"]) == 1
    # Deleted messages are not edited, reacted to or found.
    assert api(messaging_server, client, "PATCH", message_path(chat, second["id"]),
               json={"content": "x"}).status_code == 409
    assert api(messaging_server, freelancer, "PUT",
               f"{message_path(chat, second['id'])}/reactions/{path_emoji(THUMBS)}").status_code == 409
    found = api(messaging_server, freelancer, "GET", "/api/messages/search", params={"q": "price"}).json()["data"]
    assert found["results"] == []


def test_delete_authorization_and_socket(messaging_server, chat):
    first = chat["first"]
    path = message_path(chat, first["id"])
    assert api(messaging_server, chat["freelancer"], "DELETE", path).status_code == 403
    assert api(messaging_server, chat["stranger"], "DELETE", path).status_code == 404
    expired = requests.delete(messaging_server.url + path, timeout=5, headers={
        "Authorization": f"Bearer {make_token(chat['client'], exp_offset=-10)}"})
    assert expired.status_code == 401
    assert chat["freelancer_device"].call("delete_message", {"messageId": first["id"]})["code"] == "FORBIDDEN"
    ack = chat["client_device"].call("delete_message", {"messageId": first["id"]})
    assert ack["success"] is True and ack["message"]["deletedAt"] is not None
    conversation = api(messaging_server, chat["freelancer"], "GET", f"/api/messages/conversations/{chat['conversation']}")
    # Every message deleted: no last message to show.
    assert conversation.json()["data"]["lastMessage"] is None
    assert conversation.json()["data"]["unreadCount"] == 0


# MARK: Reactions

def test_reactions_aggregate_per_viewer(messaging_server, chat):
    first = chat["first"]
    reactions = f"{message_path(chat, first['id'])}/reactions"
    mine = api(messaging_server, chat["client"], "PUT", f"{reactions}/{path_emoji(THUMBS)}")
    assert mine.status_code == 200, mine.text
    assert mine.json()["data"]["reactions"] == [{"emoji": THUMBS, "count": 1, "mine": True}]
    theirs = chat["freelancer_device"].call("react", {"messageId": first["id"], "emoji": THUMBS, "on": True})
    assert theirs["success"] is True and theirs["reactions"] == [{"emoji": THUMBS, "count": 2, "mine": True}]
    assert api(messaging_server, chat["freelancer"], "PUT", f"{reactions}/{path_emoji(HEART)}").status_code == 200
    # Repeating a reaction changes nothing.
    again = api(messaging_server, chat["client"], "PUT", f"{reactions}/{path_emoji(THUMBS)}")
    assert again.json()["data"]["reactions"] == [{"emoji": THUMBS, "count": 2, "mine": True},
                                                 {"emoji": HEART, "count": 1, "mine": False}]
    events = chat["client_device"].wait_for("message_reactions", count=3)
    assert [(e["userId"], e["emoji"], e["on"]) for e in events] == [
        (chat["client"], THUMBS, True), (chat["freelancer"], THUMBS, True), (chat["freelancer"], HEART, True)]
    assert events[-1]["reactions"] == [{"emoji": THUMBS, "count": 2, "mine": True},
                                       {"emoji": HEART, "count": 1, "mine": False}]
    freelancer_view = chat["freelancer_device"].wait_for("message_reactions", count=3)[-1]["reactions"]
    assert freelancer_view == [{"emoji": THUMBS, "count": 2, "mine": True}, {"emoji": HEART, "count": 1, "mine": True}]
    page = history(messaging_server, chat["client"], chat["conversation"])
    assert page["messages"][0]["reactions"] == events[-1]["reactions"]
    taken_back = api(messaging_server, chat["client"], "DELETE", f"{reactions}/{path_emoji(THUMBS)}")
    assert taken_back.json()["data"]["reactions"] == [{"emoji": THUMBS, "count": 1, "mine": False},
                                                      {"emoji": HEART, "count": 1, "mine": False}]
    off = chat["freelancer_device"].call("react", {"messageId": first["id"], "emoji": THUMBS, "on": False})
    assert off["reactions"] == [{"emoji": HEART, "count": 1, "mine": True}]


def test_reaction_rules(messaging_server, chat):
    first = chat["first"]
    reactions = f"{message_path(chat, first['id'])}/reactions"
    for text in ("a", "1", "#", "->", THUMBS + THUMBS, "\u2764", "ab" * 10):
        refused = api(messaging_server, chat["client"], "PUT", f"{reactions}/{path_emoji(text)}")
        assert refused.status_code == 422, (text, refused.text)
    for emoji in ("\U0001F44D\U0001F3FD", "\U0001F469\u200D\U0001F4BB", "\U0001F1EB\U0001F1F7", "#\ufe0f\u20e3"):
        accepted = api(messaging_server, chat["client"], "PUT", f"{reactions}/{path_emoji(emoji)}")
        assert accepted.status_code == 200, (emoji, accepted.text)
    assert api(messaging_server, chat["stranger"], "PUT", f"{reactions}/{path_emoji(THUMBS)}").status_code == 404
    many = ["\U0001F600", "\U0001F601", "\U0001F602", "\U0001F603", "\U0001F604", "\U0001F605", "\U0001F606",
            "\U0001F607", "\U0001F608", "\U0001F609", "\U0001F60A", "\U0001F60B", "\U0001F60C", "\U0001F60D",
            "\U0001F60E", "\U0001F60F"]
    for emoji in many:
        assert api(messaging_server, chat["freelancer"], "PUT", f"{reactions}/{path_emoji(emoji)}").status_code == 200
    full = api(messaging_server, chat["freelancer"], "PUT", f"{reactions}/{path_emoji(THUMBS)}")
    assert full.status_code == 409 and full.json()["error"]["code"] == "CONFLICT"
    # An emoji already there still takes another participant's reaction.
    assert api(messaging_server, chat["client"], "PUT", f"{reactions}/{path_emoji(many[0])}").status_code == 200
    assert chat["client_device"].call("react", {"messageId": first["id"], "emoji": "x", "on": True})["code"] == \
        "VALIDATION_FAILED"
    assert chat["client_device"].call("react", {"messageId": first["id"], "emoji": THUMBS})["code"] == \
        "VALIDATION_FAILED"


# MARK: Changes

def test_changes_after_a_cursor_in_commit_order(messaging_server, chat):
    client, freelancer, conversation = chat["client"], chat["freelancer"], chat["conversation"]
    page = history(messaging_server, freelancer, conversation)
    cursor = page["changeCursor"]
    second = send(messaging_server, freelancer, conversation, "second")
    third = send(messaging_server, client, conversation, "third")
    api(messaging_server, client, "PATCH", message_path(chat, chat["first"]["id"]), json={"content": "first, edited"})
    api(messaging_server, freelancer, "PUT", f"{message_path(chat, third['id'])}/reactions/{path_emoji(THUMBS)}")
    api(messaging_server, freelancer, "DELETE", message_path(chat, second["id"]))
    changes = api(messaging_server, freelancer, "GET", f"/api/messages/conversations/{conversation}/changes",
                  params={"since": cursor})
    assert changes.status_code == 200, changes.text
    data = changes.json()["data"]
    # Each message once, at its latest change: third (reacted), first (edited), second (deleted).
    assert [m["id"] for m in data["messages"]] == [chat["first"]["id"], third["id"], second["id"]]
    assert data["messages"][0]["content"] == "first, edited"
    assert data["messages"][1]["reactions"] == [{"emoji": THUMBS, "count": 1, "mine": True}]
    assert data["messages"][2]["deletedAt"] is not None and data["hasMore"] is False
    # Page by page with the answer's cursor.
    seen, since = [], cursor
    while True:
        step = api(messaging_server, freelancer, "GET", f"/api/messages/conversations/{conversation}/changes",
                   params={"since": since, "limit": 1}).json()["data"]
        seen += [m["id"] for m in step["messages"]]
        since = step["cursor"]
        if not step["hasMore"]:
            break
    assert seen == [m["id"] for m in data["messages"]]
    empty = api(messaging_server, freelancer, "GET", f"/api/messages/conversations/{conversation}/changes",
                params={"since": since}).json()["data"]
    assert empty == {"messages": [], "cursor": since, "hasMore": False}
    everything = api(messaging_server, freelancer, "GET", f"/api/messages/conversations/{conversation}/changes")
    assert len(everything.json()["data"]["messages"]) == 3
    for bad in ("abc", "-1", "1.5", "99999999999999999999"):
        refused = api(messaging_server, freelancer, "GET", f"/api/messages/conversations/{conversation}/changes",
                      params={"since": bad})
        assert refused.status_code == 422, (bad, refused.text)
    assert api(messaging_server, chat["stranger"], "GET",
               f"/api/messages/conversations/{conversation}/changes").status_code == 404


# MARK: Search

def test_search_finds_only_the_callers_current_messages(messaging_server, chat):
    client, freelancer, stranger, conversation = chat["client"], chat["freelancer"], chat["stranger"], chat["conversation"]
    send(messaging_server, client, conversation, "The logo designs are <ready> & waiting for review")
    edited = send(messaging_server, freelancer, conversation, "an invoice draft")
    api(messaging_server, freelancer, "PATCH", message_path(chat, edited["id"]), json={"content": "a receipt draft"})
    # A conversation the caller is not in, with the same words.
    _, other_freelancer, _, other_contract = provision(messaging_server)
    elsewhere = api(messaging_server, other_freelancer, "POST", "/api/messages",
                    json={"contractId": other_contract, "content": "designs everywhere"}).json()["data"]
    # Sent last: once it is found, the messages before it are indexed too.
    searchable(messaging_server, other_freelancer, "designs", elsewhere["id"])

    def search(user, **params):
        response = api(messaging_server, user, "GET", "/api/messages/search", params=params)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    found = search(freelancer, q="design")
    assert [hit["message"]["content"] for hit in found["results"]] == [
        "The logo designs are <ready> & waiting for review"]
    hit = found["results"][0]
    assert hit["contractId"] == chat["contract"] and hit["milestoneId"] is None and hit["rank"] > 0
    assert "<mark>designs</mark>" in hit["snippet"] and "&lt;ready&gt; &amp; waiting" in hit["snippet"]
    assert search(freelancer, q="invoice")["results"] == []
    assert [h["message"]["id"] for h in search(client, q="receipt")["results"]] == [edited["id"]]
    assert search(stranger, q="design")["results"] == []
    assert search(freelancer, q="design", conversationId=conversation)["results"] != []
    assert search(freelancer, q="design", contractId="no-such-contract")["results"] == []
    assert search(freelancer, q="design", before=chat["first"]["id"])["results"] == []
    assert search(freelancer, q="the and of")["results"] == []
    assert search(freelancer, q="(((")["results"] == []
    for params in ({}, {"q": ""}, {"q": "x" * 201}, {"q": "a", "limit": 0}, {"q": "a", "conversationId": "nope"}):
        refused = api(messaging_server, freelancer, "GET", "/api/messages/search", params=params)
        assert refused.status_code == 422, (params, refused.text)
    expired = requests.get(messaging_server.url + "/api/messages/search", params={"q": "design"}, timeout=5,
                           headers={"Authorization": f"Bearer {make_token(freelancer, exp_offset=-10)}"})
    assert expired.status_code == 401


def test_search_ranks_and_pages(messaging_server, chat):
    client, conversation = chat["client"], chat["conversation"]
    for index in range(5):
        send(messaging_server, client, conversation, f"milestone {index} budget")
    strong = send(messaging_server, client, conversation, "budget budget budget: the budget")
    searchable(messaging_server, client, "budget", strong["id"])
    results = api(messaging_server, client, "GET", "/api/messages/search",
                  params={"q": "budget", "limit": 2}).json()["data"]
    assert results["results"][0]["message"]["id"] == strong["id"] and results["hasMore"] is True
    ids = []
    for page in (1, 2, 3):
        data = api(messaging_server, client, "GET", "/api/messages/search",
                   params={"q": "budget", "limit": 2, "page": page}).json()["data"]
        ids += [hit["message"]["id"] for hit in data["results"]]
    assert len(ids) == 6 and len(set(ids)) == 6 and data["hasMore"] is False


# MARK: The official client

@pytest.mark.parametrize("transport", ["websocket"])
def test_official_client_edits_reacts_and_deletes_and_recovers_a_missed_update(messaging_server, chat, transport):
    import json
    import subprocess
    from pathlib import Path

    here = Path(__file__).resolve().parent
    bundle = here.parents[1] / ".tools" / "socket.io.min.js"
    message = send(messaging_server, chat["client"], chat["conversation"], "to be edited")
    finished = subprocess.run(
        ["node", "--experimental-websocket", str(here / "js" / "lifecycle_client.js"), str(bundle),
         messaging_server.url, messaging_server.token(chat["client"]), messaging_server.token(chat["freelancer"]),
         chat["conversation"], message["id"], transport],
        capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    results = json.loads(finished.stdout.strip().splitlines()[-1])
    failed = {name: value for name, value in results.items() if value is not True}
    assert not failed, failed
    assert len(results) == 10

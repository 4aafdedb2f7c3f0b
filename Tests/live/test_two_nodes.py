"""Two server processes on one database with the PostgreSQL LISTEN/NOTIFY adapter: a client on node A and a
freelancer on node B exchange messages over sockets and REST, typing and read receipts, and each receives every
event exactly once; large broadcasts travel through the payload table; a node that loses its LISTEN connection
reconnects."""
import time

import pytest
import requests

from conftest import start_messaging_server
from messaging_helpers import Device, api, provision


@pytest.fixture(scope="module")
def nodes(cluster, tmp_path_factory):
    common = dict(DATABASE_URL=cluster.url, BROADCAST_ADAPTER="postgres", RATE_LIMIT_SEND="1000/1000")
    node_a = start_messaging_server(tmp_path_factory.mktemp("a"), NODE_ID="node-a", **common)
    node_b = start_messaging_server(tmp_path_factory.mktemp("b"), NODE_ID="node-b", **common)
    yield node_a, node_b
    node_a.stop()
    node_b.stop()


def settle(seconds=0.7):
    """Lets late duplicates arrive before counting."""
    time.sleep(seconds)


def metric(server, name):
    for line in requests.get(server.url + "/metrics", timeout=5).text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_participants_on_two_nodes_get_every_event_once(nodes):
    node_a, node_b = nodes
    client, freelancer, _, contract = provision(node_a)
    created = api(node_a, client, "POST", "/api/messages", json={"contractId": contract, "content": "start"})
    conversation = created.json()["data"]["conversationId"]
    on_a = Device(node_a, client, transports=["websocket"])
    on_b = Device(node_b, freelancer)
    try:
        for device in (on_a, on_b):
            assert device.call("join_conversation", {"conversationId": conversation})["success"]

        # Socket send on A reaches B once (room event and personal notification).
        sent = on_a.call("send_message", {"conversationId": conversation, "content": "from A over the socket"})
        assert sent["success"], sent
        assert [m["content"] for m in on_b.wait_for("new_message")] == ["from A over the socket"]
        assert len(on_b.wait_for("message_notification")) == 1

        # REST send on B reaches A once.
        reply = api(node_b, freelancer, "POST", f"/api/messages/conversations/{conversation}/messages",
                    json={"content": "from B over REST"})
        assert reply.status_code == 201, reply.text
        on_a.wait_for("new_message", count=2)

        # Typing on A, read receipt on B.
        assert on_a.call("typing", {"conversationId": conversation, "isTyping": True})["success"]
        typing = on_b.wait_for("user_typing")
        assert typing[0] == {"conversationId": conversation, "userId": client, "isTyping": True}
        read = on_b.call("mark_as_read", {"conversationId": conversation})
        assert read["success"], read
        receipts = on_a.wait_for("messages_read")
        assert receipts[0]["userId"] == freelancer

        # A broadcast larger than a NOTIFY payload goes through the table.
        large = "x" * 9000
        assert on_a.call("send_message", {"conversationId": conversation, "content": large})["success"]
        on_b.wait_for("new_message", count=2)

        settle()
        # new_message goes to everyone in the conversation room, the sender's sockets included; notifications
        # go to the other participant only.
        everything = ["from A over the socket", "from B over REST", large]
        assert [m["content"] for m in on_b.events["new_message"]] == everything
        assert [m["content"] for m in on_a.events["new_message"]] == everything
        assert [n["message"]["content"] for n in on_b.events["message_notification"]] == [
            "from A over the socket", large]
        assert [n["message"]["content"] for n in on_a.events["message_notification"]] == ["from B over REST"]
        assert len(on_b.events["user_typing"]) == 1
        assert len(on_a.events["messages_read"]) == 1
        assert metric(node_a, 'cluster_broadcasts_published_total{route="table"}') >= 1
    finally:
        on_a.close()
        on_b.close()


def test_edits_deletions_and_reactions_cross_nodes_once(nodes):
    node_a, node_b = nodes
    client, freelancer, _, contract = provision(node_a)
    created = api(node_a, client, "POST", "/api/messages", json={"contractId": contract, "content": "draft"})
    message = created.json()["data"]
    on_a = Device(node_a, client, transports=["websocket"])
    on_b = Device(node_b, freelancer)
    try:
        edited = on_a.call("edit_message", {"messageId": message["id"], "content": "final"})
        assert edited["success"], edited
        assert [m["content"] for m in on_b.wait_for("message_updated")] == ["final"]
        reacted = api(node_b, freelancer, "PUT", f"/api/messages/conversations/{message['conversationId']}/messages/"
                      f"{message['id']}/reactions/%F0%9F%91%8D")
        assert reacted.status_code == 200, reacted.text
        seen_on_a = on_a.wait_for("message_reactions")
        assert [e["reactions"] for e in seen_on_a] == [[{"emoji": "\U0001F44D", "count": 1, "mine": False}]]
        assert on_a.call("delete_message", {"messageId": message["id"]})["success"]
        assert [m["deletedAt"] is not None for m in on_b.wait_for("message_deleted")] == [True]
        settle()
        assert len(on_b.events["message_updated"]) == 1 and len(on_b.events["message_deleted"]) == 1
        assert len(on_a.events["message_reactions"]) == 1 and len(on_b.events["message_reactions"]) == 1
        # Node B reads what node A wrote.
        page = api(node_b, freelancer, "GET", f"/api/messages/conversations/{message['conversationId']}/messages")
        assert page.json()["data"]["messages"][0]["deletedAt"] is not None
    finally:
        on_a.close()
        on_b.close()


def test_a_node_that_loses_its_listen_connection_reconnects(nodes, cluster):
    node_a, node_b = nodes
    client, freelancer, _, contract = provision(node_a)
    created = api(node_a, client, "POST", "/api/messages", json={"contractId": contract, "content": "start"})
    conversation = created.json()["data"]["conversationId"]
    before = metric(node_b, "cluster_listen_reconnects_total")
    terminated = cluster.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE query LIKE 'LISTEN%'")
    assert int(terminated) == 2  # one listener per node
    deadline = time.time() + 15
    while metric(node_b, "cluster_listen_connected") < 1 or metric(node_b, "cluster_listen_reconnects_total") <= before:
        assert time.time() < deadline, "node B did not reconnect its listener"
        time.sleep(0.1)
    on_b = Device(node_b, freelancer)
    try:
        assert on_b.call("join_conversation", {"conversationId": conversation})["success"]
        deadline = time.time() + 15
        while metric(node_a, "cluster_listen_connected") < 1:
            assert time.time() < deadline, "node A did not reconnect its listener"
            time.sleep(0.1)
        sent = api(node_a, client, "POST", f"/api/messages/conversations/{conversation}/messages",
                   json={"content": "after the reconnect"})
        assert sent.status_code == 201
        assert [m["content"] for m in on_b.wait_for("new_message")] == ["after the reconnect"]
    finally:
        on_b.close()

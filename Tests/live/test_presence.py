"""Presence across nodes against the real server and PostgreSQL: two nodes with the LISTEN/NOTIFY adapter agree
on who is online; `presence` reaches the users who share a conversation (once per change, never anyone else); a
closing socket makes its user offline only when it was their last on every node, after a grace that a page
reload does not flicker through; a node killed with SIGKILL stops counting within the timeout, and one stopped with
SIGTERM at once."""
import signal
import time

import pytest

from conftest import start_messaging_server
from messaging_helpers import Device, api, open_conversation

TIMEOUT_S = 3


@pytest.fixture(scope="module")
def nodes(cluster, tmp_path_factory):
    common = dict(DATABASE_URL=cluster.url, BROADCAST_ADAPTER="postgres", PRESENCE_TIMEOUT_S=TIMEOUT_S)
    node_a = start_messaging_server(tmp_path_factory.mktemp("a"), NODE_ID="node-a", **common)
    node_b = start_messaging_server(tmp_path_factory.mktemp("b"), NODE_ID="node-b", **common)
    yield node_a, node_b, common
    node_a.stop()
    node_b.stop()


def presence_seen(server, viewer, conversation):
    response = api(server, viewer, "GET", f"/api/messages/conversations/{conversation}")
    assert response.status_code == 200, response.text
    return response.json()["data"]["otherParticipantPresence"]


def changes(device, user):
    return [(p["userId"], p["online"]) for p in device.events["presence"] if p["userId"] == user]


def wait_changes(device, user, count, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline and len(changes(device, user)) < count:
        time.sleep(0.05)
    return changes(device, user)


def test_every_node_agrees_and_only_counterparts_hear(nodes):
    node_a, node_b, _ = nodes
    client, freelancer, stranger, _, conversation = open_conversation(node_a)
    watcher = Device(node_b, freelancer)
    outsider = Device(node_a, stranger)
    try:
        before = presence_seen(node_b, freelancer, conversation)
        assert before == {"userId": client, "online": False, "lastSeenAt": None}

        first = Device(node_a, client, transports=["websocket"])
        assert wait_changes(watcher, client, 1) == [(client, True)]
        online = watcher.events["presence"][-1]
        assert online["lastSeenAt"] is not None
        for node in (node_a, node_b):
            assert presence_seen(node, freelancer, conversation)["online"] is True
        # The other direction: the client sees the freelancer, who is online on node B.
        assert presence_seen(node_a, client, conversation)["online"] is True

        # A second socket on the other node, then the first closing: still online, nothing announced.
        second = Device(node_b, client)
        first.close()
        time.sleep(2.5)
        assert changes(watcher, client) == [(client, True)]
        assert presence_seen(node_a, freelancer, conversation)["online"] is True

        second.close()
        assert wait_changes(watcher, client, 2) == [(client, True), (client, False)]
        offline = watcher.events["presence"][-1]
        seen = presence_seen(node_a, freelancer, conversation)
        assert seen["online"] is False and seen["lastSeenAt"] == offline["lastSeenAt"]
        time.sleep(1)
        assert changes(watcher, client) == [(client, True), (client, False)], "announced once per change"
        assert changes(outsider, client) == [], "someone without a shared conversation heard of it"
    finally:
        watcher.close()
        outsider.close()


def test_a_reload_does_not_flicker(nodes):
    node_a, node_b, _ = nodes
    client, freelancer, _, _, conversation = open_conversation(node_a)
    watcher = Device(node_b, freelancer)
    try:
        page = Device(node_a, client)
        assert wait_changes(watcher, client, 1) == [(client, True)]
        page.close()
        page = Device(node_a, client)
        time.sleep(3)
        assert changes(watcher, client) == [(client, True)]
        page.close()
        assert wait_changes(watcher, client, 2) == [(client, True), (client, False)]
    finally:
        watcher.close()


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_a_node_that_stops_takes_its_users_offline(nodes, tmp_path, how):
    node_a, node_b, common = nodes
    client, freelancer, _, _, conversation = open_conversation(node_a)
    node_c = start_messaging_server(tmp_path / "c", NODE_ID="node-c", **common)
    watcher = Device(node_b, freelancer)
    doomed = None
    try:
        doomed = Device(node_c, client, transports=["websocket"])
        assert wait_changes(watcher, client, 1) == [(client, True)]
        stopped_at = time.time()
        node_c.process.send_signal(signal.SIGKILL if how == "SIGKILL" else signal.SIGTERM)
        node_c.process.wait(timeout=20)
        # A killed node is swept by a live one once its heartbeat is older than the timeout (plus a beat); a node
        # that is told to stop takes its sessions away itself.
        assert wait_changes(watcher, client, 2, timeout=TIMEOUT_S * 3) == [(client, True), (client, False)]
        took = time.time() - stopped_at
        assert presence_seen(node_a, freelancer, conversation)["online"] is False
        time.sleep(TIMEOUT_S)
        assert changes(watcher, client) == [(client, True), (client, False)], "announced once"
        print(f"{how}: offline announced after {took:.1f} s")
    finally:
        watcher.close()
        if doomed:
            doomed.client.disconnect()
        node_c.stop()


def test_the_official_client_hears_presence_from_another_node(nodes):
    import json
    import subprocess
    from pathlib import Path

    node_a, node_b, _ = nodes
    client, freelancer, _, _, _ = open_conversation(node_a)
    here = Path(__file__).parent
    finished = subprocess.run(
        ["node", "--experimental-websocket", str(here / "js" / "presence_client.js"),
         str(here.parents[1] / ".tools" / "socket.io.min.js"), node_b.url, node_b.token(freelancer), node_a.url,
         node_a.token(client), client],
        capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    results = json.loads(finished.stdout.strip().splitlines()[-1])
    failed = {name: value for name, value in results.items() if value is not True}
    assert not failed, failed
    assert len(results) == 3

"""Webhooks to the marketplace backend, against the real server, a real PostgreSQL and a real HTTP receiver that
checks every signature: the events and their bodies, no `message.created` for a recipient who is online, retries
with the same id, the dead state and replay, order within a conversation, unread reminders, two nodes sharing the
outbox, a SIGTERM and a SIGKILL in the middle of deliveries, and who may call the service-key endpoints."""
import signal
import time
import uuid

import pytest
import requests

from conftest import SERVICE_KEY, start_messaging_server
from messaging_helpers import Device, api, open_conversation

UNLIMITED = dict(RATE_LIMIT_SEND="1000000/1000000", RATE_LIMIT_REST="1000000/1000000")
SERVICE = {"X-Service-Key": SERVICE_KEY}


def node(tmp_path_factory, cluster, receiver, **env):
    settings = dict(UNLIMITED, DATABASE_URL=cluster.url, UNREAD_REMINDER_S=0, WEBHOOK_BACKOFF_MS=100)
    settings.update(env)
    return start_messaging_server(tmp_path_factory.mktemp("node"), **receiver.server_env(**settings))


def send(server, user, conversation, content):
    response = api(server, user, "POST", f"/api/messages/conversations/{conversation}/messages",
                   json={"content": content})
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def of_conversation(deliveries, conversation):
    return [d for d in deliveries if d.data.get("conversationId") == conversation]


def created_for(deliveries, message_ids):
    return [d for d in deliveries if d.type == "message.created" and d.data["message"]["id"] in message_ids]


def outbox(cluster, where="true"):
    return int(cluster.sql(f"SELECT count(*) FROM webhook_outbox WHERE {where}"))


def wait_settled(cluster, timeout=20):
    """Waits until no event is pending: the receiver records a request before its answer reaches the server."""
    deadline = time.time() + timeout
    while outbox(cluster, "state = 'pending'") != 0:
        assert time.time() < deadline, "events still pending"
        time.sleep(0.05)


def wait_online(cluster, user, timeout=10):
    deadline = time.time() + timeout
    while cluster.sql(f"SELECT count(*) FROM presence_sessions WHERE user_id = '{user}'") == "0":
        assert time.time() < deadline, f"{user} never counted as online"
        time.sleep(0.05)


def test_events_are_signed_complete_and_in_order(cluster, tmp_path_factory, receiver):
    server = node(tmp_path_factory, cluster, receiver)
    try:
        client, freelancer, _, contract, conversation = open_conversation(server)
        hello = api(server, freelancer, "GET", f"/api/messages/conversations/{conversation}/messages").json()
        first = hello["data"]["messages"][0]["id"]
        # The freelancer was offline for "hello"; now online, the next message is no webhook for them.
        device = Device(server, freelancer)
        wait_online(cluster, freelancer)
        second = send(server, client, conversation, "are you there?")
        device.wait_for("new_message")
        read = api(server, freelancer, "PATCH", f"/api/messages/conversations/{conversation}/read")
        assert read.status_code == 200, read.text
        deliveries = receiver.wait_for(lambda got: any(d.type == "message.read" for d in got))
        time.sleep(0.5)
        deliveries = of_conversation(receiver.accepted(), conversation)
        assert [d.type for d in deliveries] == ["conversation.created", "message.created", "message.read"]
        for delivery in receiver.all():
            assert receiver.signature_ok(delivery), delivery.headers
            assert delivery.headers["webhook-id"] == delivery.id
            assert delivery.headers["content-type"] == "application/json"
        opened, created, marked = deliveries
        assert opened.data == {"conversationId": conversation, "contractId": contract, "milestoneId": None,
                               "participants": [{"userId": client, "role": "client"},
                                                {"userId": freelancer, "role": "freelancer"}]}
        assert created.data["recipientId"] == freelancer
        assert created.data["contractId"] == contract
        assert created.data["message"]["id"] == first
        assert created.data["message"]["content"] == "hello"
        assert created.data["message"]["sender"]["id"] == client
        assert marked.data["userId"] == freelancer
        assert marked.data["lastReadMessageId"] == second
        assert created_for(receiver.accepted(), {second}) == []
        # Ids are unique and every stored event is delivered.
        assert len({d.id for d in receiver.accepted()}) == len(receiver.accepted())
        assert outbox(cluster, f"conversation_id = '{conversation}' AND state <> 'delivered'") == 0
        # Reading again without anything new moves no position: no second message.read.
        again = api(server, freelancer, "PATCH", f"/api/messages/conversations/{conversation}/read")
        assert again.status_code == 200
        time.sleep(0.6)
        assert [d.type for d in of_conversation(receiver.accepted(), conversation)].count("message.read") == 1
        device.close()
    finally:
        server.stop()


def test_failures_retry_with_the_same_id_in_order_then_dead_and_replay(cluster, tmp_path_factory, receiver):
    server = node(tmp_path_factory, cluster, receiver, WEBHOOK_MAX_ATTEMPTS=3)
    try:
        receiver.failures = [500, 503]
        client, freelancer, _, _, conversation = open_conversation(server)
        later = [send(server, client, conversation, f"later {index}") for index in range(3)]
        receiver.wait_for(lambda got: len(created_for(got, set(later))) == 3)
        attempts = [d for d in receiver.all() if d.type == "conversation.created"
                    and d.data["conversationId"] == conversation]
        assert [d.status for d in attempts] == [500, 503, 200]
        assert len({d.id for d in attempts}) == 1
        assert len({d.body for d in attempts}) == 1
        # Nothing of the conversation overtook its first event while that was retried.
        mine = [d for d in receiver.all() if d.data.get("conversationId") == conversation]
        assert [d.type for d in mine][:3] == ["conversation.created"] * 3
        delivered = [d.data["message"]["content"] for d in created_for(receiver.accepted(), set(later) | set())]
        assert delivered == ["later 0", "later 1", "later 2"]

        # A receiver that keeps failing: the event is dead after WEBHOOK_MAX_ATTEMPTS, the next one goes on.
        receiver.always = 500
        doomed = send(server, client, conversation, "doomed")
        deadline = time.time() + 20
        while outbox(cluster, "state = 'dead'") == 0:
            assert time.time() < deadline, "the event never went dead"
            time.sleep(0.1)
        tries = [d for d in receiver.all() if d.type == "message.created" and d.data["message"]["id"] == doomed]
        assert len(tries) == 3
        receiver.always = None
        after = send(server, client, conversation, "after the dead one")
        receiver.wait_for(lambda got: len(created_for(got, {after})) == 1)
        dead = requests.get(f"{server.url}/api/internal/webhooks", headers=SERVICE, timeout=5)
        assert dead.status_code == 200, dead.text
        events = dead.json()["data"]["events"]
        assert [e["eventId"] for e in events] == [tries[0].id]
        assert events[0]["state"] == "dead" and events[0]["attempts"] == 3
        assert events[0]["lastError"] == "HTTP 500" and events[0]["nextAttemptAt"] is None
        assert events[0]["type"] == "message.created" and events[0]["conversationId"] == conversation

        replayed = requests.post(f"{server.url}/api/internal/webhooks/{tries[0].id}/replay", headers=SERVICE,
                                 timeout=5)
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["data"]["state"] == "pending" and replayed.json()["data"]["attempts"] == 0
        receiver.wait_for(lambda got: any(d.id == tries[0].id for d in got))
        assert [d.body for d in receiver.accepted() if d.id == tries[0].id] == [tries[0].body]
        listed = requests.get(f"{server.url}/api/internal/webhooks", params={"state": "delivered", "limit": 100},
                              headers=SERVICE, timeout=5).json()["data"]["events"]
        assert tries[0].id in [e["eventId"] for e in listed]
        assert requests.get(f"{server.url}/api/internal/webhooks", headers=SERVICE,
                            timeout=5).json()["data"]["events"] == []
        metrics = requests.get(server.url + "/metrics", timeout=5).text
        assert 'messaging_webhook_deliveries_total{outcome="dead"} 1' in metrics
        assert 'messaging_webhook_deliveries_total{outcome="retried"} 4' in metrics
    finally:
        server.stop()


def test_one_unread_reminder_per_batch(cluster, tmp_path_factory, receiver):
    server = node(tmp_path_factory, cluster, receiver, UNREAD_REMINDER_S=2)
    try:
        client, freelancer, _, _, conversation = open_conversation(server)
        sent = [send(server, client, conversation, f"unread {index}") for index in range(3)]
        reminders = lambda got: [d for d in of_conversation(got, conversation) if d.type == "message.unread_reminder"]
        receiver.wait_for(lambda got: reminders(got), timeout=15, what="a reminder")
        time.sleep(3.5)
        got = reminders(receiver.accepted())
        assert len(got) == 1, [d.data for d in got]
        assert got[0].data["recipientId"] == freelancer
        assert got[0].data["unreadCount"] == 4  # "hello" and the three
        assert got[0].data["latestMessage"]["id"] == sent[-1]
        # The client read nothing of their own: no reminder for the sender.
        assert all(d.data["recipientId"] == freelancer for d in reminders(receiver.accepted()))
        # A newer message left unread as long: the next reminder, covering everything unread.
        newer = send(server, client, conversation, "one more")
        receiver.wait_for(lambda got: len(reminders(got)) == 2, timeout=15, what="a second reminder")
        second = reminders(receiver.accepted())[1]
        assert second.data["latestMessage"]["id"] == newer and second.data["unreadCount"] == 5
        # Read in time: no reminder.
        quick = send(server, client, conversation, "read me quickly")
        assert api(server, freelancer, "PATCH", f"/api/messages/conversations/{conversation}/read").status_code == 200
        time.sleep(4)
        assert len(reminders(receiver.accepted())) == 2
        assert quick not in [d.data["latestMessage"]["id"] for d in reminders(receiver.accepted())]
    finally:
        server.stop()


def test_two_nodes_deliver_each_event_once(cluster, tmp_path_factory, receiver):
    nodes = [node(tmp_path_factory, cluster, receiver) for _ in range(2)]
    try:
        client, freelancer, _, _, conversation = open_conversation(nodes[0])
        others = [open_conversation(nodes[1]) for _ in range(5)]
        sent = set()
        for index in range(30):
            sent.add(send(nodes[index % 2], client, conversation, f"both nodes {index}"))
            _, _, _, _, elsewhere = others[index % 5]
            sent.add(send(nodes[(index + 1) % 2], others[index % 5][0], elsewhere, f"elsewhere {index}"))
        receiver.wait_for(lambda got: len(created_for(got, sent)) >= len(sent), timeout=30)
        wait_settled(cluster)
        accepted = receiver.accepted()
        assert len(accepted) == len({d.id for d in accepted}), "an event was delivered twice"
        assert len(created_for(accepted, sent)) == len(sent)
        mine = [d.data["message"]["content"] for d in created_for(of_conversation(accepted, conversation), sent)]
        assert mine == [f"both nodes {index}" for index in range(30)]
    finally:
        for server in nodes:
            server.stop()


def test_sigterm_mid_delivery_finishes_what_it_started(cluster, tmp_path_factory, receiver):
    first = node(tmp_path_factory, cluster, receiver)
    conversations = [open_conversation(first) for _ in range(4)]
    receiver.wait_for(lambda got: len(got) >= 8)  # their conversation.created and "hello"
    receiver.stall_seconds = 0.2
    sent = set()
    for index in range(10):
        for client, _, _, _, conversation in conversations:
            sent.add(send(first, client, conversation, f"before the deploy {index}"))
    receiver.wait_for(lambda got: len(created_for(got, sent)) >= 4)
    first.process.send_signal(signal.SIGTERM)
    assert first.process.wait(timeout=30) == 0
    assert outbox(cluster, "state = 'pending' AND leased_until > now()") == 0, "an attempt was left leased"
    second = node(tmp_path_factory, cluster, receiver)
    try:
        receiver.wait_for(lambda got: len(created_for(got, sent)) >= len(sent), timeout=30)
        accepted = receiver.accepted()
        assert len(accepted) == len({d.id for d in accepted}), "an event was delivered twice"
        assert len(receiver.all()) == len(accepted)
    finally:
        second.stop()


def test_sigkill_mid_delivery_loses_nothing(cluster, tmp_path_factory, receiver):
    first = node(tmp_path_factory, cluster, receiver, WEBHOOK_TIMEOUT_MS=1000)
    conversations = [open_conversation(first) for _ in range(4)]
    receiver.wait_for(lambda got: len(got) >= 8)
    receiver.stall_seconds = 0.5
    sent = set()
    for index in range(5):
        for client, _, _, _, conversation in conversations:
            sent.add(send(first, client, conversation, f"before the crash {index}"))
    time.sleep(0.8)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    receiver.stall_seconds = 0
    second = node(tmp_path_factory, cluster, receiver, WEBHOOK_TIMEOUT_MS=1000)
    try:
        # The killed node's leases (2 × timeout + 5 s) run out, then the next node sends those events again.
        receiver.wait_for(lambda got: len({d.data["message"]["id"] for d in created_for(got, sent)}) >= len(sent),
                          timeout=40)
        accepted = created_for(receiver.accepted(), sent)
        duplicates = len(accepted) - len({d.id for d in accepted})
        assert duplicates <= 4, "more events sent twice than attempts were under way at the kill"
        wait_settled(cluster)
        assert outbox(cluster, "state <> 'delivered'") == 0
    finally:
        second.stop()


def test_without_webhooks_nothing_is_queued(cluster, tmp_path_factory):
    server = start_messaging_server(tmp_path_factory.mktemp("plain"), DATABASE_URL=cluster.url, **UNLIMITED)
    try:
        before = outbox(cluster)
        client, freelancer, _, _, conversation = open_conversation(server)
        send(server, client, conversation, "nobody is told")
        assert api(server, freelancer, "PATCH", f"/api/messages/conversations/{conversation}/read").status_code == 200
        assert outbox(cluster) == before
    finally:
        server.stop()


def test_the_service_key_endpoints_refuse_everyone_else(cluster, tmp_path_factory, receiver):
    server = node(tmp_path_factory, cluster, receiver)
    try:
        client, _, _, _, _ = open_conversation(server)
        url = f"{server.url}/api/internal/webhooks"
        replay = f"{url}/{uuid.uuid4()}/replay"
        for method, target in (("GET", url), ("POST", replay)):
            assert requests.request(method, target, timeout=5).status_code == 401
            assert requests.request(method, target, headers={"X-Service-Key": "wrong"}, timeout=5).status_code == 401
            user = {"Authorization": f"Bearer {server.token(client)}"}
            assert requests.request(method, target, headers=user, timeout=5).status_code == 401
        bad_state = requests.get(url, params={"state": "lost"}, headers=SERVICE, timeout=5)
        assert bad_state.status_code == 422, bad_state.text
        assert bad_state.json()["error"]["details"] == [
            {"field": "state", "message": "must be one of pending, delivered, dead"}]
        assert requests.get(url, params={"limit": 0}, headers=SERVICE, timeout=5).status_code == 422
        missing = requests.post(replay, headers=SERVICE, timeout=5)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
        malformed = requests.post(f"{url}/not-an-id/replay", headers=SERVICE, timeout=5)
        assert malformed.status_code == 422, malformed.text
        assert malformed.json()["error"]["details"] == [{"field": "eventId", "message": "must be a UUID"}]
        pending = requests.get(url, params={"state": "pending"}, headers=SERVICE, timeout=5)
        assert pending.status_code == 200
    finally:
        server.stop()

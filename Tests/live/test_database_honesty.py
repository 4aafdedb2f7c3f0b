"""Answers never contradict the database: a write that outlives its caller's deadline is answered with its real
outcome (and announced when stored), a statement PostgreSQL cancels is "not stored" and its retry converges, an
unreachable database is refused at once, concurrent first messages share one conversation, concurrent creations of
one contract with different parties give one winner and a 409, and message ids grow in commit order even when a
node's clock is behind."""
import concurrent.futures
import subprocess
import threading
import time
import uuid

import pytest
import requests

from conftest import SERVICE_KEY, PostgresCluster, start_messaging_server
from messaging_helpers import Device, api, provision


@pytest.fixture(scope="module")
def server(cluster, tmp_path_factory):
    node = start_messaging_server(tmp_path_factory.mktemp("honest"), DATABASE_URL=cluster.url,
                                  DATABASE_TIMEOUT_MS=1000, DATABASE_STATEMENT_TIMEOUT_MS=2500,
                                  RATE_LIMIT_SEND="1000/1000")
    yield node
    node.stop()


class LockHolder:
    """Another database session that holds a conversation's row lock for a while, as a long transaction would."""

    def __init__(self, cluster, conversation_id, seconds):
        statement = (f"BEGIN; SELECT 1 FROM conversations WHERE id = '{conversation_id}' FOR UPDATE; "
                     f"SELECT pg_sleep({seconds}); COMMIT;")
        self.process = subprocess.Popen(
            cluster.prefix + [str(cluster.bin / "psql"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
                              "-d", "messaging", "-qc", statement],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cluster.directory)
        deadline = time.time() + 5
        while time.time() < deadline:
            waiting = cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' "
                                  "AND state = 'active' AND pid <> pg_backend_pid()")
            if waiting != "0":
                return
            time.sleep(0.05)
        raise AssertionError("the lock holder did not start")

    def wait(self):
        self.process.wait(timeout=30)


def conversations_answer(server, user, within):
    """The status of the conversation list, asked again until it is 200 or `within` seconds passed."""
    deadline = time.time() + within
    status = 0
    while time.time() < deadline and status != 200:
        status = api(server, user, "GET", "/api/messages/conversations").status_code
        time.sleep(0.2)
    return status


def start_conversation(server):
    client, freelancer, _, contract = provision(server)
    sender = Device(server, client, transports=["websocket"])
    receiver = Device(server, freelancer, transports=["websocket"])
    first = sender.call("create_message", {"contractId": contract, "content": "hello"})
    assert first["success"] is True, first
    receiver.wait_for("message_notification", 1)
    return sender, receiver, first["message"]["conversationId"]


def stored_ids(cluster, conversation_id):
    rows = cluster.sql(f"SELECT id FROM messages WHERE conversation_id = '{conversation_id}' ORDER BY id")
    return rows.split()


def test_a_send_past_its_deadline_is_answered_with_what_was_stored(server, cluster):
    sender, receiver, conversation = start_conversation(server)
    holder = LockHolder(cluster, conversation, 1.8)
    started = time.time()
    ack = sender.call("send_message", {"conversationId": conversation, "content": "late but stored",
                                       "clientMessageId": "late-1"}, timeout=20)
    waited = time.time() - started
    holder.wait()
    assert ack["success"] is True, ack
    assert waited > 1.0, "the lock did not hold the write past the deadline; the test proves nothing"
    assert ack["message"]["id"] in stored_ids(cluster, conversation)
    events = receiver.wait_for("message_notification", 2)
    assert [event["message"]["id"] for event in events][1:] == [ack["message"]["id"]]
    sender.close()
    receiver.close()


def test_a_statement_cancelled_by_postgres_is_not_stored_and_its_retry_converges(server, cluster):
    sender, receiver, conversation = start_conversation(server)
    holder = LockHolder(cluster, conversation, 4)
    ack = sender.call("send_message", {"conversationId": conversation, "content": "cancelled",
                                       "clientMessageId": "cancelled-1"}, timeout=20)
    holder.wait()
    assert ack == {"success": False, "error": ack["error"], "code": "SERVICE_UNAVAILABLE"}
    assert len(stored_ids(cluster, conversation)) == 1
    retry = sender.call("send_message", {"conversationId": conversation, "content": "cancelled",
                                         "clientMessageId": "cancelled-1"})
    assert retry["success"] is True, retry
    again = sender.call("send_message", {"conversationId": conversation, "content": "cancelled",
                                         "clientMessageId": "cancelled-1"})
    assert again["message"]["id"] == retry["message"]["id"]
    time.sleep(0.5)
    events = receiver.wait_for("message_notification", 2)
    assert [event["message"]["id"] for event in events][1:] == [retry["message"]["id"]], "announced once"
    sender.close()
    receiver.close()


def test_mark_read_past_its_deadline_is_answered_and_announced(server, cluster):
    sender, receiver, conversation = start_conversation(server)
    holder = LockHolder(cluster, conversation, 1.8)
    ack = receiver.call("mark_as_read", {"conversationId": conversation}, timeout=20)
    holder.wait()
    assert ack["success"] is True and ack["unreadCount"] == 0, ack
    unread = cluster.sql(f"SELECT unread_count FROM conversation_participants WHERE conversation_id = "
                         f"'{conversation}' AND user_id = '{receiver.user}'")
    assert unread == "0"
    assert len(sender.wait_for("messages_read", 1)) == 1
    sender.close()
    receiver.close()


def test_concurrent_first_messages_land_in_one_conversation(server):
    for _ in range(8):
        client, freelancer, _, contract = provision(server)
        devices = [Device(server, client, transports=["websocket"]), Device(server, freelancer, transports=["websocket"])]
        barrier = threading.Barrier(2)

        def first_message(device):
            barrier.wait()
            return device.call("create_message", {"contractId": contract, "content": f"hi from {device.user}"})

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            acks = list(pool.map(first_message, devices))
        assert all(ack["success"] for ack in acks), acks
        assert len({ack["message"]["conversationId"] for ack in acks}) == 1
        listing = api(server, client, "GET", f"/api/messages/conversations?contractId={contract}").json()
        assert listing["data"]["total"] == 1
        for device in devices:
            device.close()


def test_concurrent_creations_of_a_contract_with_different_parties_give_one_winner(server, cluster):
    headers = {"X-Service-Key": SERVICE_KEY}
    users = [f"party-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for user in users:
        assert requests.put(f"{server.url}/api/internal/users/{user}", json={"firstName": "P", "lastName": "Q"},
                            headers=headers, timeout=5).status_code == 200
    for _ in range(8):
        contract = f"race-{uuid.uuid4().hex[:8]}"
        barrier = threading.Barrier(2)

        def create(freelancer):
            barrier.wait()
            return requests.put(f"{server.url}/api/internal/contracts/{contract}", headers=headers, timeout=10,
                                json={"clientId": users[0], "freelancerId": freelancer})

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            responses = list(pool.map(create, users[1:]))
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 409], [response.text for response in responses]
        winner = next(response.json()["data"] for response in responses if response.status_code == 200)
        loser = next(response.json() for response in responses if response.status_code == 409)
        assert loser["error"]["code"] == "CONFLICT"
        stored = cluster.sql(f"SELECT freelancer_id FROM contracts WHERE id = '{contract}'")
        assert stored == winner["freelancerId"]


def test_an_unreachable_database_is_refused_at_once_and_recovers(cluster, tmp_path):
    own = PostgresCluster()
    server = start_messaging_server(tmp_path / "down", DATABASE_URL=own.url)
    try:
        client, _, _, _ = provision(server)
        assert api(server, client, "GET", "/api/messages/conversations").status_code == 200
        own.run("pg_ctl", "-D", str(own.directory / "data"), "-m", "immediate", "-w", "stop")
        first = api(server, client, "GET", "/api/messages/conversations")
        assert first.status_code == 503 and first.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        started = time.time()
        statuses = [api(server, client, "GET", "/api/messages/conversations").status_code for _ in range(20)]
        elapsed = time.time() - started
        assert statuses == [503] * 20
        print(f"20 calls refused while the database was down in {elapsed * 1000:.0f} ms")
        # Twenty calls each waiting for the 4 s deadline would take 80 s; refused at once they take milliseconds.
        assert elapsed < 8, elapsed
        own.run("pg_ctl", "-D", str(own.directory / "data"), "-l", str(own.directory / "server.log"), "-w", "start",
                "-o", f"-c listen_addresses=127.0.0.1 -p {own.port} -k {own.directory} -c fsync=off")
        assert conversations_answer(server, client, within=30) == 200
    finally:
        server.stop()
        own.stop()


def test_terminated_database_sessions_are_unavailable_never_internal_errors(server, cluster):
    # Several rounds: a request that leases a connection as it is terminated was seen to wait forever for an
    # answer from it (about one round in four); it must be answered 503 after the deadline and its grace.
    codes = set()
    for _ in range(5):
        client, _, _, _ = provision(server)
        cluster.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'messaging' "
                    "AND pid <> pg_backend_pid()")
        for _ in range(10):
            response = api(server, client, "GET", "/api/messages/conversations")
            if response.status_code != 200:
                codes.add((response.status_code, response.json()["error"]["code"]))
        assert conversations_answer(server, client, within=20) == 200
    assert codes <= {(503, "SERVICE_UNAVAILABLE")}, codes


def test_message_ids_grow_in_commit_order_when_a_node_clock_is_behind(server, cluster, tmp_path):
    behind = start_messaging_server(tmp_path / "behind", DATABASE_URL=cluster.url, RATE_LIMIT_SEND="1000/1000",
                                    prefix=["faketime", "-f", "-30s"], FAKETIME_DONT_FAKE_MONOTONIC="1")
    try:
        client, freelancer, _, contract = provision(server)
        on_time = Device(server, client, transports=["websocket"])
        late = Device(behind, freelancer, transports=["websocket"])
        first = on_time.call("create_message", {"contractId": contract, "content": "first"})
        conversation = first["message"]["conversationId"]
        held = first["message"]["id"]
        second = late.call("send_message", {"conversationId": conversation, "content": "second, from a slow clock"})
        assert second["success"] is True, second
        assert second["message"]["id"] > held
        page = api(server, client, "GET", f"/api/messages/conversations/{conversation}/messages?after={held}").json()
        assert [message["id"] for message in page["data"]["messages"]] == [second["message"]["id"]]
        on_time.close()
        late.close()
    finally:
        behind.stop()

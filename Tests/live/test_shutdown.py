"""SIGTERM under load: every acknowledged message is in the database afterwards, every client is told, and the
process exits within its bound."""
import signal
import threading
import time
import uuid

from conftest import start_messaging_server
from messaging_helpers import Device, api, provision

PAIRS = 4


def sender_loop(device, conversation, acked, stop):
    while not stop.is_set():
        try:
            ack = device.call("send_message", {"conversationId": conversation, "content": "load",
                                               "clientMessageId": str(uuid.uuid4())}, timeout=15)
        except Exception:
            return  # disconnected or no ack: the message was not acknowledged
        if ack.get("success"):
            acked.append(ack["message"]["id"])
        elif ack.get("code") != "RATE_LIMITED":
            return


def all_message_ids(server, user, conversation):
    ids, before = set(), None
    while True:
        path = f"/api/messages/conversations/{conversation}/messages?limit=100"
        page = api(server, user, "GET", path + (f"&before={before}" if before else "")).json()["data"]
        ids.update(m["id"] for m in page["messages"])
        if not page["hasMore"] or not page["messages"]:
            return ids
        before = page["messages"][0]["id"]


def test_sigterm_under_load_loses_no_acknowledged_message(tmp_path):
    env = dict(RATE_LIMIT_SEND="10000/10000", SHUTDOWN_TIMEOUT_MS="5000")
    server = start_messaging_server(tmp_path, **env)
    pairs, devices, threads = [], [], []
    acked = {}
    stop = threading.Event()
    disconnects = []
    try:
        for index in range(PAIRS):
            client, freelancer, _, contract = provision(server)
            created = api(server, client, "POST", "/api/messages", json={"contractId": contract, "content": "hi"})
            conversation = created.json()["data"]["conversationId"]
            pairs.append((client, conversation))
            # Half the clients stay on long-polling, half use WebSocket only.
            for user in (client, freelancer):
                device = Device(server, user, transports=["websocket"] if index % 2 else ["polling"])
                device.client.on("disconnect", lambda *reason: disconnects.append(reason), namespace="/messages")
                devices.append(device)
                acked[device] = []
                thread = threading.Thread(target=sender_loop, args=(device, conversation, acked[device], stop))
                threads.append(thread)
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        sent_before_signal = sum(len(ids) for ids in acked.values())
        assert sent_before_signal > 0
        started = time.time()
        server.process.send_signal(signal.SIGTERM)
        exit_code = server.process.wait(timeout=20)
        elapsed = time.time() - started
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
        assert exit_code == 0
        assert elapsed < 15, f"shutdown took {elapsed:.1f}s"
        deadline = time.time() + 5
        while len(disconnects) < len(devices) and time.time() < deadline:
            time.sleep(0.05)
        assert len(disconnects) == len(devices), disconnects
    finally:
        stop.set()
        for device in devices:
            try:
                device.close()
            except Exception:
                pass
        server.stop()

    # The same data directory: the embedded cluster comes back with everything that was committed.
    restarted = start_messaging_server(tmp_path, **env)
    try:
        stored = set()
        for user, conversation in pairs:
            stored |= all_message_ids(restarted, user, conversation)
        acknowledged = {message_id for ids in acked.values() for message_id in ids}
        assert len(acknowledged) >= sent_before_signal
        missing = acknowledged - stored
        assert not missing, f"{len(missing)} acknowledged messages are not in the database"
        print(f"\n{len(acknowledged)} acknowledged messages, all stored; shutdown took {elapsed:.2f}s")
    finally:
        restarted.stop()

"""Helpers for end-to-end tests of the messaging server: provisioning over REST and socket clients that record
every event they receive."""
import threading
import time
import uuid

import requests
import socketio

from conftest import SERVICE_KEY

SERVER_EVENTS = ["connected", "new_message", "message_notification", "user_typing", "messages_read", "message_updated",
                 "message_deleted", "message_reactions", "presence"]


def provision(server, milestones=("m1",)):
    """Three users and an active contract between the first two; returns (client, freelancer, stranger, contract)."""
    suffix = uuid.uuid4().hex[:8]
    client, freelancer, stranger = f"client-{suffix}", f"freelancer-{suffix}", f"stranger-{suffix}"
    headers = {"X-Service-Key": SERVICE_KEY}
    for user, name in ((client, "Ada"), (freelancer, "Grace"), (stranger, "Eve")):
        response = requests.put(f"{server.url}/api/internal/users/{user}", json={"firstName": name, "lastName": "T"},
                                headers=headers, timeout=5)
        assert response.status_code == 200, response.text
    contract = f"contract-{suffix}"
    response = requests.put(f"{server.url}/api/internal/contracts/{contract}", headers=headers, timeout=5, json={
        "clientId": client, "freelancerId": freelancer, "title": "Logo",
        "milestones": [{"id": m, "title": m} for m in milestones]})
    assert response.status_code == 200, response.text
    return client, freelancer, stranger, contract


def open_conversation(server):
    """A provisioned contract whose main conversation the client opened with "hello"; returns (client, freelancer,
    stranger, contract, conversation id)."""
    client, freelancer, stranger, contract = provision(server)
    first = api(server, client, "POST", "/api/messages", json={"contractId": contract, "content": "hello"})
    assert first.status_code == 201, first.text
    return client, freelancer, stranger, contract, first.json()["data"]["conversationId"]


def api(server, user, method, path, **kwargs):
    headers = {"Authorization": f"Bearer {server.token(user)}"}
    return requests.request(method, server.url + path, headers=headers, timeout=10, **kwargs)


def searchable(server, user, query, message_id, timeout=10):
    """Waits until `user`'s search for `query` finds `message_id`: a new message is indexed a moment after its send
    (SEARCH_INDEX_DELAY_MS), together with every message sent before it on that node."""
    deadline = time.time() + timeout
    while True:
        response = api(server, user, "GET", "/api/messages/search", params={"q": query, "limit": 50})
        assert response.status_code == 200, response.text
        if message_id in [hit["message"]["id"] for hit in response.json()["data"]["results"]]:
            return
        assert time.time() < deadline, f"{message_id} not found by a search for {query!r}"
        time.sleep(0.05)


class Device:
    """One socket of one user on /messages, recording every server event."""

    def __init__(self, server, user, transports=None, token=None):
        self.user = user
        self.events = {name: [] for name in SERVER_EVENTS}
        self.offsets = {}
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        for name in SERVER_EVENTS:
            self.client.on(name, self._recorder(name), namespace="/messages")
        self.client.connect(server.url, namespaces=["/messages"], auth={"token": token or server.token(user)},
                            transports=transports, wait_timeout=10)

    def _recorder(self, name):
        # With connection state recovery on, replayable events carry their offset as a last, extra argument.
        def record(payload, *offset):
            with self.lock:
                self.events[name].append(payload)
                self.offsets.setdefault(name, []).append(offset[0] if offset else None)
        return record

    def call(self, event, payload, timeout=10):
        return self.client.call(event, payload, namespace="/messages", timeout=timeout)

    def wait_for(self, name, count=1, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.events[name]) >= count:
                    return list(self.events[name])
            time.sleep(0.02)
        with self.lock:
            return list(self.events[name])

    def close(self):
        self.client.disconnect()

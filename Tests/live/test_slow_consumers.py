"""Clients that never read are cut off: over WebSocket the server stops writing when the connection is not
writable and closes the session once MAX_OUTBOUND_BYTES wait for it; over polling a session whose queue passes it
is closed. The server's memory stays bounded and everyone else goes on."""
import base64
import concurrent.futures
import json
import os
import socket
import time

import pytest
import requests

from conftest import start_messaging_server
from messaging_helpers import Device, provision

OUTBOUND = 200_000
CONTENT = "x" * 9_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    node = start_messaging_server(tmp_path_factory.mktemp("slow"), MAX_OUTBOUND_BYTES=OUTBOUND,
                                  RATE_LIMIT_SEND="100000/100000", RATE_LIMIT_EVENTS="100000/100000")
    yield node
    node.stop()


def rss_kib(process):
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def metric(server, name, label):
    for line in requests.get(server.url + "/metrics", timeout=5).text.splitlines():
        if line.startswith(name + "{") and label in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def masked_text_frame(text):
    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class NonReadingWebSocket:
    """A WebSocket on /messages that reads its handshake and CONNECT answer, then never reads again."""

    def __init__(self, server, user):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", server.port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self._read_until(b'"maxPayload"')
        self.sock.sendall(masked_text_frame("40/messages," + json.dumps({"token": server.token(user)})))
        self._read_until(b"40/messages,")

    def _read_until(self, marker):
        data = b""
        deadline = time.time() + 5
        while marker not in data and time.time() < deadline:
            data += self.sock.recv(4096)
        assert marker in data, data

    def closed_by_server(self, timeout=10):
        """Drains the socket: True once the server has closed it."""
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(1 << 16):
                pass
            return True
        except (socket.timeout, ConnectionResetError):
            return False


def flood(server, sender, contract, count):
    """Sends `count` messages, sixteen in flight at a time, each acknowledged."""
    first = sender.call("create_message", {"contractId": contract, "content": f"0 {CONTENT}"})
    assert first["success"] is True, first
    conversation = first["message"]["conversationId"]

    def send(index):
        return sender.call("send_message", {"conversationId": conversation, "content": f"{index} {CONTENT}"})

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        acks = list(pool.map(send, range(1, count)))
    assert all(ack["success"] for ack in acks)


def test_a_websocket_client_that_never_reads_is_cut_off_and_memory_stays_bounded(server):
    client, freelancer, _, contract = provision(server)
    sender = Device(server, client, transports=["websocket"])
    reader = Device(server, freelancer, transports=["websocket"])
    slow = NonReadingWebSocket(server, freelancer)
    before_cut = metric(server, "engineio_sessions_closed_total", 'reason="slow consumer"')
    baseline = rss_kib(server.process)
    # Enough for the kernel's socket buffers, the channel's high-water mark and MAX_OUTBOUND_BYTES several times.
    flood(server, sender, contract, 3000)
    # The reading device of the same user gets every notification.
    assert len(reader.wait_for("message_notification", 3000, timeout=60)) == 3000
    grown = rss_kib(server.process) - baseline
    print(f"RSS grew by {grown} KiB over 3,000 messages of 9 KB with one client not reading")
    assert metric(server, "engineio_sessions_closed_total", 'reason="slow consumer"') == before_cut + 1
    assert slow.closed_by_server()
    # 3,000 notifications of 9 KB are 27 MB; holding them for the slow client would show.
    assert grown < 12_000, f"RSS grew by {grown} KiB"
    sender.close()
    reader.close()


def test_a_polling_client_that_never_polls_loses_its_session_past_the_bound(server):
    client, freelancer, _, contract = provision(server)
    opened = requests.get(server.url + "/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=5)
    sid = json.loads(opened.text[1:])["sid"]
    connect = "40/messages," + json.dumps({"token": server.token(freelancer)})
    assert requests.post(server.url + "/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid},
                         data=connect, timeout=5).status_code == 200
    answer = requests.get(server.url + "/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid},
                          timeout=5)
    assert answer.text.startswith("40/messages,")
    sender = Device(server, client, transports=["websocket"])
    flood(server, sender, contract, 40)  # 360 KB for a queue bounded at 200 KB
    late = requests.get(server.url + "/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid},
                        timeout=5)
    assert late.status_code == 400 and late.json() == {"code": 1, "message": "Session ID unknown"}
    sender.close()

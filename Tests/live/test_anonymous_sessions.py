"""Sessions connected to no namespace are bounded per client address: a flood of handshakes from one address
cannot keep anyone else out, a session counts again once its namespace disconnects, such sessions expire after the
connect timeout, and behind a trusted proxy the address is the one X-Forwarded-For names."""
import http.client
import json
import time

import pytest
import requests

from conftest import start_messaging_server
from messaging_helpers import Device, provision

LIMIT = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    node = start_messaging_server(tmp_path_factory.mktemp("anonymous"), MAX_PENDING_SESSIONS_PER_ADDRESS=LIMIT,
                                  CONNECT_TIMEOUT_MS=3000, TRUSTED_PROXIES="127.0.0.9")
    yield node
    node.stop()


def request_from(server, address, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, source_address=(address, 0), timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def handshake_from(server, address, headers=None):
    status, body = request_from(server, address, "GET", "/socket.io/?EIO=4&transport=polling", headers=headers)
    sid = json.loads(body[1:])["sid"] if status == 200 else None
    return status, body, sid


def test_one_address_cannot_hold_more_pending_sessions_and_others_still_get_in(server):
    for _ in range(LIMIT):
        assert handshake_from(server, "127.0.0.2")[0] == 200
    status, body, _ = handshake_from(server, "127.0.0.2")
    assert status == 429
    assert json.loads(body) == {"code": 4, "message": "Too many sessions from this address"}
    metrics = requests.get(server.url + "/metrics", timeout=5).text
    assert 'engineio_sessions_refused_total{reason="pending_per_address"} 1' in metrics
    client, freelancer, _, contract = provision(server)
    for transports in (["polling"], ["websocket"], None):
        device = Device(server, client, transports=transports)
        ack = device.call("create_message", {"contractId": contract, "content": "still open for everyone"})
        assert ack["success"] is True, ack
        device.close()
    # The flood's sessions connect to nothing and expire after the connect timeout; the address gets in again.
    deadline = time.time() + 10
    status = 429
    while time.time() < deadline and status == 429:
        time.sleep(0.3)
        status = handshake_from(server, "127.0.0.2")[0]
    assert status == 200


def test_a_session_connected_to_a_namespace_no_longer_counts_until_it_disconnects(server):
    client, _, _, _ = provision(server)
    sids = [handshake_from(server, "127.0.0.3")[2] for _ in range(LIMIT)]
    assert all(sids)
    assert handshake_from(server, "127.0.0.3")[0] == 429
    connect = "40/messages," + json.dumps({"token": server.token(client)})
    assert request_from(server, "127.0.0.3", "POST", f"/socket.io/?EIO=4&transport=polling&sid={sids[0]}",
                        body=connect, headers={"Content-Type": "text/plain"})[0] == 200
    status, body = request_from(server, "127.0.0.3", "GET", f"/socket.io/?EIO=4&transport=polling&sid={sids[0]}")
    assert status == 200 and body.startswith("40/messages,"), body
    assert handshake_from(server, "127.0.0.3")[0] == 200, "the connected session left the count"
    assert request_from(server, "127.0.0.3", "POST", f"/socket.io/?EIO=4&transport=polling&sid={sids[0]}",
                        body="41/messages,", headers={"Content-Type": "text/plain"})[0] == 200
    assert handshake_from(server, "127.0.0.3")[0] == 429, "disconnected from its namespace, it counts again"


def test_behind_a_trusted_proxy_the_forwarded_address_counts(server):
    for _ in range(LIMIT):
        assert handshake_from(server, "127.0.0.9", {"X-Forwarded-For": "198.51.100.7, 10.0.0.1"})[0] == 200
    assert handshake_from(server, "127.0.0.9", {"X-Forwarded-For": "198.51.100.7, 10.0.0.1"})[0] == 429
    assert handshake_from(server, "127.0.0.9", {"X-Forwarded-For": "10.0.0.2"})[0] == 200
    # From a peer that is not a trusted proxy the header is ignored: the peer's own address counts.
    for index in range(LIMIT):
        assert handshake_from(server, "127.0.0.4", {"X-Forwarded-For": f"10.0.1.{index}"})[0] == 200
    assert handshake_from(server, "127.0.0.4", {"X-Forwarded-For": "10.0.1.99"})[0] == 429

"""Exact frames and error answers of the Engine.IO / Socket.IO endpoint, over raw HTTP and WebSocket."""
import json
import threading
import time

import pytest
import requests
import websocket

RS = "\x1e"


def url(server, **query):
    params = {"EIO": "4", "transport": "polling", **query}
    return server.url + "/socket.io/?" + "&".join(f"{k}={v}" for k, v in params.items())


def handshake(server):
    response = requests.get(url(server), timeout=5)
    assert response.status_code == 200
    assert response.text[0] == "0"
    return json.loads(response.text[1:])


def poll(server, sid, timeout=5):
    return requests.get(url(server, sid=sid), timeout=timeout)


def post(server, sid, body):
    return requests.post(url(server, sid=sid), data=body.encode(), timeout=5)


def closed_frames(ws):
    """Every frame until the server closes the WebSocket."""
    frames = []
    ws.settimeout(5)
    while True:
        try:
            opcode, data = ws.recv_data(control_frame=True)
        except (websocket.WebSocketConnectionClosedException, ConnectionResetError):
            return frames
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return frames + [("close", int.from_bytes(data[:2], "big") if len(data) >= 2 else None)]
        frames.append(data.decode() if opcode == websocket.ABNF.OPCODE_TEXT else bytes(data))


def test_polling_handshake_has_exactly_the_open_keys(echo_server):
    response = requests.get(url(echo_server), timeout=5)
    assert response.headers["content-type"].startswith("text/plain")
    opened = json.loads(response.text[1:])
    assert list(opened) == ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]
    assert opened["upgrades"] == ["websocket"]
    assert (opened["pingInterval"], opened["pingTimeout"], opened["maxPayload"]) == (25000, 20000, 1000000)
    assert response.text == "0" + json.dumps(opened, separators=(",", ":"))


def test_websocket_handshake_offers_no_upgrades(echo_server):
    ws = websocket.create_connection(echo_server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    try:
        frame = ws.recv()
        assert frame.startswith("0")
        opened = json.loads(frame[1:])
        assert list(opened) == ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]
        assert opened["upgrades"] == []
        ws.send('40/test,{"token":"secret"}')
        reply = ws.recv()
        assert reply.startswith('40/test,{"sid":"') and reply.endswith('"}')
        assert json.loads(reply[len("40/test,"):])["sid"] != opened["sid"]
        assert ws.recv().startswith('42/test,["welcome",')
        ws.send('42/test,7["echo",{"n":1},"two"]')
        assert ws.recv() == '43/test,7[{"n":1},"two"]'
    finally:
        ws.close()


@pytest.mark.parametrize("query,status,body", [
    ({"EIO": "3"}, 400, {"code": 5, "message": "Unsupported protocol version"}),
    ({"transport": "carrier-pigeon"}, 400, {"code": 0, "message": "Transport unknown"}),
    ({"sid": "unknown"}, 400, {"code": 1, "message": "Session ID unknown"}),
    ({"transport": "websocket"}, 400, {"code": 3, "message": "Bad request"}),
])
def test_errors_are_answered_like_the_reference_server(echo_server, query, status, body):
    response = requests.get(url(echo_server, **query), timeout=5)
    assert response.status_code == status
    assert response.json() == body


def test_handshake_must_be_a_get(echo_server):
    response = requests.post(url(echo_server), data=b"40", timeout=5)
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": "Bad handshake method"}


def test_polling_exchange_with_joined_packets(echo_server):
    sid = handshake(echo_server)["sid"]
    assert post(echo_server, sid, '40/test,{"token":"secret"}').text == "ok"
    packets = poll(echo_server, sid).text.split(RS)
    assert packets[0].startswith('40/test,{"sid":"')
    if len(packets) == 1:
        packets += poll(echo_server, sid).text.split(RS)
    assert packets[1].startswith('42/test,["welcome",')
    assert post(echo_server, sid, '42/test,1["echo",1]' + RS + '42/test,2["echo",2]').text == "ok"
    received = []
    while len(received) < 2:
        received += poll(echo_server, sid).text.split(RS)
    assert received == ['43/test,1[1]', '43/test,2[2]']


def test_binary_packets_travel_as_base64_on_polling(echo_server):
    sid = handshake(echo_server)["sid"]
    post(echo_server, sid, '40/test,{"token":"secret"}')
    while "welcome" not in poll(echo_server, sid).text:
        pass
    post(echo_server, sid, '451-/test,3["binary",{"_placeholder":true,"num":0}]' + RS + "bAQID")
    received = []
    while len(received) < 4:
        received += poll(echo_server, sid).text.split(RS)
    assert '451-/test,["binary",{"_placeholder":true,"num":0}]' in received
    assert '461-/test,3[{"_placeholder":true,"num":0}]' in received
    assert received.count("bAQID") == 2


def test_second_concurrent_poll_closes_the_session(echo_server):
    sid = handshake(echo_server)["sid"]
    first = {}
    thread = threading.Thread(target=lambda: first.setdefault("response", poll(echo_server, sid, timeout=10)))
    thread.start()
    time.sleep(0.3)
    second = poll(echo_server, sid)
    thread.join(10)
    assert first["response"].text == "1"
    assert second.status_code == 400
    assert second.json() == {"code": 3, "message": "Bad request"}
    assert poll(echo_server, sid).status_code == 400  # the session is gone


def test_upgrade_releases_the_poll_with_noop_then_rejects_polling(echo_server):
    sid = handshake(echo_server)["sid"]
    post(echo_server, sid, '40/test,{"token":"secret"}')
    while "welcome" not in poll(echo_server, sid).text:
        pass
    pending = {}
    thread = threading.Thread(target=lambda: pending.setdefault("response", poll(echo_server, sid, timeout=10)))
    thread.start()
    time.sleep(0.2)
    ws = websocket.create_connection(f"{echo_server.ws_url}/socket.io/?EIO=4&transport=websocket&sid={sid}", timeout=5)
    try:
        ws.send("2probe")
        assert ws.recv() == "3probe"
        thread.join(5)
        assert pending["response"].text == "6"
        ws.send("5")
        ws.send('42/test,9["echo","over websocket"]')
        assert ws.recv() == '43/test,9["over websocket"]'
        rejected = poll(echo_server, sid)
        assert rejected.status_code == 400
        assert rejected.json() == {"code": 3, "message": "Bad request"}
    finally:
        ws.close()


def test_close_packet_from_client_ends_the_session(echo_server):
    sid = handshake(echo_server)["sid"]
    assert post(echo_server, sid, "1").text == "ok"
    assert poll(echo_server, sid).status_code == 400


def test_invalid_socketio_packet_closes_the_session(echo_server):
    sid = handshake(echo_server)["sid"]
    post(echo_server, sid, '40/test,{"token":"secret"}')
    post(echo_server, sid, "42/test,[not json")
    response = poll(echo_server, sid)
    assert response.status_code == 400 or response.text.endswith("1")


def test_heartbeat_pings_and_closes_without_pong(make_echo_server):
    server = make_echo_server(PING_INTERVAL_MS=200, PING_TIMEOUT_MS=300)
    opened = handshake(server)
    assert (opened["pingInterval"], opened["pingTimeout"]) == (200, 300)
    sid = opened["sid"]
    assert poll(server, sid).text == "2"
    assert post(server, sid, "3").text == "ok"
    assert poll(server, sid).text == "2"  # the pong kept it alive for another round
    time.sleep(0.8)  # no pong this time
    response = poll(server, sid)
    assert response.status_code == 400 or response.text == "1"
    assert poll(server, sid).json() == {"code": 1, "message": "Session ID unknown"}


def test_websocket_heartbeat(make_echo_server):
    server = make_echo_server(PING_INTERVAL_MS=200, PING_TIMEOUT_MS=300)
    ws = websocket.create_connection(server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    try:
        ws.recv()
        assert ws.recv() == "2"
        ws.send("3")
        assert ws.recv() == "2"
        assert ws.recv() == "1"  # no pong: the server closes the session
    finally:
        ws.close()


def test_session_without_connect_is_closed_after_connect_timeout(make_echo_server):
    server = make_echo_server(CONNECT_TIMEOUT_MS=300)
    sid = handshake(server)["sid"]
    time.sleep(0.8)
    response = poll(server, sid)
    assert response.status_code == 400 or response.text == "1"


def test_max_payload_is_enforced(make_echo_server):
    server = make_echo_server(MAX_PAYLOAD=1000)
    opened = handshake(server)
    assert opened["maxPayload"] == 1000
    response = post(server, opened["sid"], "4" + "x" * 2000)
    assert response.status_code == 413
    ws = websocket.create_connection(server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    try:
        ws.recv()
        ws.send("4" + "y" * 2000)
        with pytest.raises(Exception):
            for _ in range(3):
                frame = ws.recv()
                assert frame != ""
    finally:
        ws.close()


def test_cors_allows_configured_origins_with_credentials(make_echo_server):
    server = make_echo_server(CORS_ORIGINS="http://app.example")
    allowed = requests.get(url(server), headers={"Origin": "http://app.example"}, timeout=5)
    assert allowed.headers["access-control-allow-origin"] == "http://app.example"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    preflight = requests.options(url(server), headers={
        "Origin": "http://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"}, timeout=5)
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]
    refused = requests.get(url(server), headers={"Origin": "http://evil.example"}, timeout=5)
    assert refused.status_code == 403
    assert refused.json() == {"code": 4, "message": "Forbidden"}
    assert "access-control-allow-origin" not in refused.headers


def test_websocket_frames_fragments_pings_and_large_messages(echo_server):
    """The WebSocket transport at the frame level: a message split over continuation frames, a WebSocket ping
    answered with a pong of the same data, a message well past one 16 KB frame, and a close answered with a close."""
    ws = websocket.create_connection(echo_server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    try:
        assert ws.recv().startswith("0{")
        ws.send('40/test,{"token":"secret"}')
        assert ws.recv().startswith("40/test,")
        assert ws.recv().startswith('42/test,["welcome",')
        first, second = '42/test,1["echo","frag', 'mented"]'
        ws.send_frame(websocket.ABNF.create_frame(first, websocket.ABNF.OPCODE_TEXT, fin=0))
        ws.send_frame(websocket.ABNF.create_frame(second, websocket.ABNF.OPCODE_CONT, fin=1))
        assert ws.recv() == '43/test,1["fragmented"]'
        ws.ping("are you there")
        opcode, frame = ws.recv_data_frame(control_frame=True)
        assert (opcode, frame.data) == (websocket.ABNF.OPCODE_PONG, b"are you there")
        large = "z" * 100_000
        ws.send('42/test,2["echo","' + large + '"]')
        assert ws.recv() == '43/test,2["' + large + '"]'
        ws.send_close(websocket.STATUS_NORMAL)
        opcode, frame = ws.recv_data_frame(control_frame=True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE
    finally:
        ws.close()


# Behaviours of the reference server (socket.io 4.8 / engine.io 6.6) matched exactly.

@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_handshake_methods_are_a_bad_handshake_method_with_cors_headers(echo_server, method):
    response = requests.request(method, url(echo_server), timeout=5, headers={"Origin": "http://app.example"})
    assert response.status_code == 400
    assert response.json() == {"code": 2, "message": "Bad handshake method"}
    assert response.headers["Access-Control-Allow-Origin"] == "http://app.example"
    # With a session id: unknown, or a bad request for a known session.
    assert requests.request(method, url(echo_server, sid="nope"), timeout=5).json()["code"] == 1
    sid = handshake(echo_server)["sid"]
    assert requests.request(method, url(echo_server, sid=sid), timeout=5).json()["code"] == 3


def test_a_client_close_over_polling_releases_the_pending_get_with_a_noop(echo_server):
    sid = handshake(echo_server)["sid"]
    pending = {}
    thread = threading.Thread(target=lambda: pending.setdefault("response", poll(echo_server, sid, timeout=10)))
    thread.start()
    time.sleep(0.2)
    assert post(echo_server, sid, "1").text == "ok"
    thread.join(5)
    assert pending["response"].status_code == 200 and pending["response"].text == "6"
    assert poll(echo_server, sid).json() == {"code": 1, "message": "Session ID unknown"}


def test_a_websocket_for_a_session_that_already_upgraded_is_accepted_and_closed(echo_server):
    sid = handshake(echo_server)["sid"]
    ws = websocket.create_connection(f"{echo_server.ws_url}/socket.io/?EIO=4&transport=websocket&sid={sid}", timeout=5)
    try:
        ws.send("2probe")
        assert ws.recv() == "3probe"
        ws.send("5")
        time.sleep(0.1)
        second = websocket.create_connection(
            f"{echo_server.ws_url}/socket.io/?EIO=4&transport=websocket&sid={sid}", timeout=5)
        opcode, data = second.recv_data(control_frame=True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE and data[:2] == (1000).to_bytes(2, "big")
        second.close()
        # The upgraded session goes on.
        ws.send('40/test,{"token":"secret"}')
        assert ws.recv().startswith('40/test,{"sid":')
    finally:
        ws.close()


def test_an_event_for_a_namespace_not_connected_closes_the_session(echo_server):
    ws = websocket.create_connection(echo_server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    try:
        assert ws.recv().startswith("0")
        ws.send('40/test,{"token":"secret"}')
        assert ws.recv().startswith('40/test,{"sid":')
        ws.recv()  # welcome
        ws.send('42/other,["echo","x"]')
        frames = closed_frames(ws)
        assert frames and frames[-1][0] == "close"
        assert all(not (isinstance(frame, str) and frame.startswith("43")) for frame in frames)
    finally:
        ws.close()


def test_an_upgrade_socket_that_never_probes_goes_when_its_session_ends(echo_server):
    sid = handshake(echo_server)["sid"]
    ws = websocket.create_connection(f"{echo_server.ws_url}/socket.io/?EIO=4&transport=websocket&sid={sid}", timeout=5)
    try:
        time.sleep(0.1)
        assert post(echo_server, sid, "1").status_code == 200  # the client closes its session over polling
        started = time.time()
        frames = closed_frames(ws)
        # Well before the 10 s upgrade timeout.
        assert frames == [("close", 1000)] and time.time() - started < 5
    finally:
        ws.close()

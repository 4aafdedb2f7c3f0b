"""Behaviours of the official server (engine.io 6.6, socket.io 4.8) that ours matches, frame by frame: heartbeat
timing, the direction of pings, one upgrade at a time, upgrade and connect timeouts, binary packet bounds, and the
Engine.IO layer on its own (the `engineio-echo` example) and the reference test suite's settings."""
import json
import time

import requests
import websocket

from conftest import start_echo_server
from test_engineio_raw import closed_frames, handshake, poll, post, url


def test_a_poll_after_ping_interval_plus_timeout_without_a_pong_finds_the_session_closed(make_echo_server):
    # The reference test suite's settings: ping 300 ms, timeout 200 ms. The ping goes out at 300 ms; without a pong
    # the session is closed at 500 ms, to the millisecond (a timer per session, no shared tick).
    server = make_echo_server(PROFILE="reference")
    opened = handshake(server)
    assert (opened["pingInterval"], opened["pingTimeout"]) == (300, 200)
    time.sleep(0.56)
    assert poll(server, opened["sid"]).json() == {"code": 1, "message": "Session ID unknown"}


def test_each_pong_restarts_the_ping_interval(make_echo_server):
    server = make_echo_server(PROFILE="reference")
    sid = handshake(server)["sid"]
    # Connected to a namespace, or the test suite's connect timeout (1 s) would end the session.
    assert post(server, sid, "40").text == "ok"
    assert poll(server, sid).text.startswith('40{"sid":')
    started = time.monotonic()
    for _ in range(4):
        assert poll(server, sid).text == "2"
        assert post(server, sid, "3").text == "ok"
    # Four rounds of 300 ms: the session outlived one interval plus timeout because each pong counted.
    assert time.monotonic() - started > 0.5
    assert poll(server, sid).text == "2"


def test_a_ping_from_the_client_is_a_protocol_error(echo_server):
    sid = handshake(echo_server)["sid"]
    assert post(echo_server, sid, "2").text == "ok"
    assert poll(echo_server, sid).json() == {"code": 1, "message": "Session ID unknown"}


def test_a_second_websocket_while_one_is_upgrading_is_accepted_and_closed(echo_server):
    sid = handshake(echo_server)["sid"]
    upgrade = f"{echo_server.ws_url}/socket.io/?EIO=4&transport=websocket&sid={sid}"
    first = websocket.create_connection(upgrade, timeout=5)
    try:
        second = websocket.create_connection(upgrade, timeout=5)
        assert closed_frames(second) == [("close", 1000)]
        second.close()
        # The first one still upgrades the session.
        first.send("2probe")
        assert first.recv() == "3probe"
        first.send("5")
        first.send('40/test,{"token":"secret"}')
        assert first.recv().startswith('40/test,{"sid":')
    finally:
        first.close()


def test_a_websocket_that_never_upgrades_is_closed_after_the_upgrade_timeout(make_echo_server):
    server = make_echo_server(UPGRADE_TIMEOUT_MS=300)
    sid = handshake(server)["sid"]
    ws = websocket.create_connection(f"{server.ws_url}/socket.io/?EIO=4&transport=websocket&sid={sid}", timeout=5)
    started = time.monotonic()
    assert closed_frames(ws) == [("close", 1000)]
    assert time.monotonic() - started < 3
    ws.close()
    # The session goes on over polling, and may try again.
    assert post(server, sid, '40/test,{"token":"secret"}').text == "ok"
    assert poll(server, sid).text.startswith('40/test,{"sid":')


def test_a_session_whose_namespaces_all_disconnected_is_closed_after_the_connect_timeout(make_echo_server):
    server = make_echo_server(CONNECT_TIMEOUT_MS=300)
    sid = handshake(server)["sid"]
    assert post(server, sid, '40/test,{"token":"secret"}').text == "ok"
    assert poll(server, sid).text.startswith('40/test,{"sid":')
    time.sleep(0.5)  # connected: the timeout does not apply
    assert post(server, sid, '42/test,1["echo",1]').text == "ok"
    assert poll(server, sid).text == "43/test,1[1]"
    assert post(server, sid, "41/test,").text == "ok"
    time.sleep(0.7)
    response = poll(server, sid)
    assert response.status_code == 400 or response.text.endswith("1")
    assert poll(server, sid).json() == {"code": 1, "message": "Session ID unknown"}


def test_a_binary_packet_for_a_namespace_not_connected_ends_the_session_before_its_attachments(echo_server):
    sid = handshake(echo_server)["sid"]
    assert post(echo_server, sid, '451-/other,["binary",{"_placeholder":true,"num":0}]').text == "ok"
    assert poll(echo_server, sid).json() == {"code": 1, "message": "Session ID unknown"}


def test_the_attachments_of_one_packet_stay_within_max_payload(make_echo_server):
    server = make_echo_server(MAX_PAYLOAD=1000)
    ws = websocket.create_connection(server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    try:
        assert ws.recv().startswith("0")
        ws.send('40/test,{"token":"secret"}')
        assert ws.recv().startswith('40/test,{"sid":')
        ws.recv()  # welcome
        placeholders = ",".join('{"_placeholder":true,"num":%d}' % n for n in range(3))
        ws.send(f'453-/test,1["binary",{placeholders}]')
        try:
            for _ in range(3):
                ws.send_binary(b"x" * 600)  # each within maxPayload, together past it
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server closed the session at the second attachment
        frames = closed_frames(ws)
        assert all(not (isinstance(f, str) and f.startswith("463")) for f in frames)
    finally:
        ws.close()


def test_the_engine_layer_alone_echoes_text_and_binary_over_both_transports(make_echo_server):
    server = make_echo_server(executable="engineio-echo")
    opened = handshake(server)
    sid = opened["sid"]
    assert post(server, sid, "4hello\x1ebAQID").text == "ok"
    assert poll(server, sid).text == "4hello\x1ebAQID"
    ws = websocket.create_connection(server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    try:
        assert json.loads(ws.recv()[1:])["upgrades"] == []
        ws.send("4über")
        assert ws.recv() == "4über"
        ws.send_binary(b"\x00\x01\xff")
        opcode, data = ws.recv_data()
        assert opcode == websocket.ABNF.OPCODE_BINARY and data == b"\x00\x01\xff"
        # No Socket.IO here: a CONNECT is just a message.
        ws.send("40")
        assert ws.recv() == "40"
    finally:
        ws.close()


def test_the_engine_layer_answers_errors_like_the_reference(make_echo_server):
    server = make_echo_server(executable="engineio-echo", PROFILE="reference")
    assert requests.put(url(server), timeout=5).json() == {"code": 2, "message": "Bad handshake method"}
    assert requests.get(url(server, EIO="3"), timeout=5).json() == {"code": 5, "message": "Unsupported protocol version"}
    opened = handshake(server)
    assert (opened["pingInterval"], opened["pingTimeout"]) == (300, 200)


def test_the_reference_test_suite_namespaces(make_echo_server):
    server = make_echo_server(PROFILE="reference")
    ws = websocket.create_connection(server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    try:
        opened = json.loads(ws.recv()[1:])
        assert (opened["pingInterval"], opened["pingTimeout"]) == (300, 200)
        ws.send('40{"token":"123"}')
        assert ws.recv().startswith('40{"sid":')
        assert ws.recv() == '42["auth",{"token":"123"}]'
        ws.send('42["message",1,"2",{"3":[true]}]')
        assert ws.recv() == '42["message-back",1,"2",{"3":[true]}]'
        ws.send('42456["message-with-ack",1,"2"]')
        assert ws.recv() == '43456[1,"2"]'
        ws.send("40/custom,")
        assert ws.recv().startswith('40/custom,{"sid":')
        assert ws.recv() == '42/custom,["auth",{}]'
    finally:
        ws.close()

"""The python-socketio client against the SocketIO engine: default transports (polling, then upgrade) and
websocket-only."""
import json
import threading
import time

import websocket

import pytest
import socketio

TRANSPORTS = {"default": None, "websocket": ["websocket"]}
AUTH = {"token": "secret"}


def connect(server, transports, auth=AUTH, namespaces=("/test",)):
    client = socketio.Client(reconnection=False)
    events = {"welcome": threading.Event(), "broadcast": [], "disconnect": []}

    @client.on("welcome", namespace="/test")
    def welcome(socket_id):
        events["welcome_id"] = socket_id
        events["welcome"].set()

    @client.on("broadcast", namespace="/test")
    def broadcast(*args):
        events["broadcast"].append(args)

    @client.on("question", namespace="/test")
    def question(value):
        return {"answer": value * 2}

    @client.on("disconnect", namespace="/test")
    def disconnected(*args):
        events["disconnect"].append(args)

    client.connect(server.url, namespaces=list(namespaces), auth=auth, transports=transports, wait_timeout=5)
    client.test_events = events
    return client


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_connect_with_auth_and_echo_with_ack(echo_server, transport):
    client = connect(echo_server, TRANSPORTS[transport])
    try:
        assert client.test_events["welcome"].wait(5)
        assert client.get_sid("/test") == client.test_events["welcome_id"]
        assert client.get_sid("/test") != client.sid  # Socket.IO id differs from the Engine.IO id
        assert client.call("echo", {"a": [1, 2.5, None, "é"]}, namespace="/test", timeout=5) == {"a": [1, 2.5, None, "é"]}
        assert client.call("echo", ("x", 2, True), namespace="/test", timeout=5) == ("x", 2, True)
    finally:
        client.disconnect()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_default_transports_end_on_websocket(echo_server, transport):
    client = connect(echo_server, TRANSPORTS[transport])
    try:
        deadline = time.time() + 5
        while client.transport() != "websocket" and time.time() < deadline:
            time.sleep(0.05)
        assert client.transport() == "websocket"
        assert client.call("echo", "after upgrade", namespace="/test", timeout=5) == "after upgrade"
    finally:
        client.disconnect()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_rejected_auth_reaches_connect_error_with_data(echo_server, transport):
    client = socketio.Client(reconnection=False)
    errors = []

    @client.on("connect_error", namespace="/test")
    def connect_error(data):
        errors.append(data)

    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(echo_server.url, namespaces=["/test"], auth={"token": "wrong"},
                       transports=TRANSPORTS[transport], wait_timeout=5)
    assert errors == [{"message": "Not authorized", "data": {"code": "UNAUTHORIZED"}}]
    client.disconnect()


def test_unknown_namespace_is_refused(echo_server):
    client = socketio.Client(reconnection=False)
    errors = []

    @client.on("connect_error", namespace="/nope")
    def connect_error(data):
        errors.append(data)

    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(echo_server.url, namespaces=["/nope"], transports=["websocket"], wait_timeout=5)
    assert errors == [{"message": "Invalid namespace"}]
    client.disconnect()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_rooms_and_broadcast_except_sender(echo_server, transport):
    alice, bob, carol = (connect(echo_server, TRANSPORTS[transport]) for _ in range(3))
    try:
        assert alice.call("join", "room-1", namespace="/test", timeout=5) is True
        assert bob.call("join", "room-1", namespace="/test", timeout=5) is True
        assert alice.call("broadcast", ("room-1", {"text": "hi"}), namespace="/test", timeout=5) is True
        deadline = time.time() + 5
        while not bob.test_events["broadcast"] and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert bob.test_events["broadcast"] == [({"text": "hi"},)]
        assert alice.test_events["broadcast"] == []  # the sender is excluded
        assert carol.test_events["broadcast"] == []  # not in the room
    finally:
        for client in (alice, bob, carol):
            client.disconnect()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_server_emit_with_ack(echo_server, transport):
    client = connect(echo_server, TRANSPORTS[transport])
    try:
        assert client.call("ask", 21, namespace="/test", timeout=5) == {"answer": 42}
    finally:
        client.disconnect()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_server_side_disconnect(echo_server, transport):
    client = connect(echo_server, TRANSPORTS[transport])
    try:
        client.emit("bye", namespace="/test")
        deadline = time.time() + 5
        while not client.test_events["disconnect"] and time.time() < deadline:
            time.sleep(0.02)
        assert client.test_events["disconnect"], "the client saw no disconnect"
        assert client.test_events["disconnect"][0] == (client.reason.SERVER_DISCONNECT,)
    finally:
        client.disconnect()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_binary_event_round_trip(echo_server, transport):
    client = connect(echo_server, TRANSPORTS[transport])
    received = []
    done = threading.Event()

    @client.on("binary", namespace="/test")
    def binary(*args):
        received.append(args)
        done.set()

    try:
        payload = bytes(range(256))
        assert client.call("binary", {"file": payload, "name": "x"}, namespace="/test", timeout=5) == {"file": payload, "name": "x"}
        assert done.wait(5)
        assert received == [({"file": payload, "name": "x"},)]
    finally:
        client.disconnect()


def test_binary_ack_of_a_server_emit(echo_server):
    client = connect(echo_server, ["websocket"])

    @client.on("question", namespace="/test")
    def question(value):
        return {"blob": b"\x00\x01" * value}

    try:
        assert client.call("ask", 3, namespace="/test", timeout=5) == {"blob": b"\x00\x01" * 3}
    finally:
        client.disconnect()


def test_many_events_keep_their_order(echo_server):
    client = connect(echo_server, ["websocket"])
    try:
        answers = [client.call("echo", index, namespace="/test", timeout=5) for index in range(200)]
        assert answers == list(range(200))
    finally:
        client.disconnect()


def test_disconnect_handler_gets_the_reason(echo_server):
    observer = connect(echo_server, ["websocket"])
    left = []
    observer.on("left", lambda socket_id, reason: left.append((socket_id, reason)), namespace="/test")
    try:
        assert observer.call("join", "observers", namespace="/test", timeout=5) is True
        # A namespace DISCONNECT from the client (written raw, so it is not raced by the transport close).
        raw = websocket.create_connection(echo_server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
        raw.recv()
        raw.send('40/test,{"token":"secret"}')
        leaving_id = json.loads(raw.recv()[len("40/test,"):])["sid"]
        raw.send("41/test,")
        kicked = connect(echo_server, None)
        kicked_id = kicked.get_sid("/test")
        kicked.emit("bye", namespace="/test")
        deadline = time.time() + 5
        while len(left) < 2 and time.time() < deadline:
            time.sleep(0.02)
        assert (leaving_id, "client namespace disconnect") in left
        assert (kicked_id, "server namespace disconnect") in left
        kicked.disconnect()
        raw.close()
    finally:
        observer.disconnect()

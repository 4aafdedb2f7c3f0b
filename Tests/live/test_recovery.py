"""Reconnects lose nothing: connection state recovery with the official socket.io-client (Node over WebSocket,
Chromium with polling and the upgrade) against the real server and a real PostgreSQL: a network loss, recovery
twice in a row, a client that had received no event yet, SIGTERM and `kill -9` of a node, a client coming back on
another node; and what never recovers: a session past the window, a forged pid, another user's pid."""
import asyncio
import json
import os
import shutil
import signal
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
import websocket

from conftest import PostgresCluster, free_port, make_token, start_messaging_server
from messaging_helpers import api, provision
from recovery_driver import BUNDLE, NodeClients

HERE = Path(__file__).resolve().parent / "js"


def send(server, user, conversation, content):
    response = api(server, user, "POST", f"/api/messages/conversations/{conversation}/messages",
                   json={"content": content})
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def start_conversation(server, client, contract):
    created = api(server, client, "POST", "/api/messages", json={"contractId": contract, "content": "start"})
    assert created.status_code == 201, created.text
    return created.json()["data"]["conversationId"]


def metric(server, name, **labels):
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    total = 0.0
    for line in requests.get(server.url + "/metrics", timeout=5).text.splitlines():
        if line.startswith(name) and (not wanted or wanted in line):
            total += float(line.rsplit(" ", 1)[1])
    return total


def received(clients, name, event="new_message"):
    return [entry["id"] for entry in clients.events(name, event)]


def wait_until(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def clients():
    assert BUNDLE.exists(), "run scripts/setup.sh to fetch the official client bundle"
    driver = NodeClients()
    yield driver
    driver.close()


def test_a_network_loss_is_recovered_twice_in_a_row_with_nothing_missed(messaging_server, clients):
    ada, grace, _, contract = provision(messaging_server)
    conversation = start_conversation(messaging_server, ada, contract)
    first = clients("connect", name="ada", url=messaging_server.url, token=messaging_server.token(ada))
    assert clients("join", name="ada", conversationId=conversation) == {"success": True}
    expected = [send(messaging_server, grace, conversation, "before")]
    assert wait_until(lambda: received(clients, "ada") == expected)
    recovered_before = metric(messaging_server, "socketio_recoveries_total", outcome="recovered")
    for round_ in range(2):
        clients("drop", name="ada")
        expected.append(send(messaging_server, grace, conversation, f"while away {round_}"))
        back = clients("wait_connect", name="ada")
        assert back["recovered"] is True and back["id"] == first["id"]
        # Still in the conversation room without joining again: a live message arrives.
        expected.append(send(messaging_server, grace, conversation, f"after {round_}"))
        assert wait_until(lambda: received(clients, "ada") == expected), received(clients, "ada")
    time.sleep(0.3)
    assert received(clients, "ada") == expected  # each once, in order
    log = clients("events", name="ada")
    assert [e["reason"] for e in log if e["kind"] == "disconnect"] == ["forced close", "forced close"]
    # Replayed events carry offsets; `connected` never does.
    assert all(e["offset"] for e in log if e["kind"] == "event" and e["event"] == "new_message")
    assert all(e["offset"] is None for e in log if e["kind"] == "event" and e["event"] == "connected")
    assert metric(messaging_server, "socketio_recoveries_total", outcome="recovered") == recovered_before + 2
    assert metric(messaging_server, "socketio_recovery_replayed_events_total") >= 2


def test_a_client_that_had_received_no_event_is_recovered_too(messaging_server, clients):
    ada, grace, _, contract = provision(messaging_server)
    conversation = start_conversation(messaging_server, ada, contract)
    clients("connect", name="ada", url=messaging_server.url, token=messaging_server.token(ada))
    # Only `connected` arrived, which carries no offset: the client reconnects with a pid and no offset.
    clients("drop", name="ada")
    missed = send(messaging_server, grace, conversation, "while away")
    assert clients("wait_connect", name="ada")["recovered"] is True
    notes = wait_until(lambda: [e["id"] for e in clients.events("ada", "message_notification")])
    assert notes == [missed]


def raw_connect(server, token, auth_extra=None):
    """A raw WebSocket Socket.IO client: returns (socket, CONNECT answer) and keeps reading in `received`."""
    ws = websocket.create_connection(server.ws_url + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    assert ws.recv().startswith("0{")
    ws.send("40/messages," + json.dumps({"token": token, **(auth_extra or {})}))
    frames = []
    while True:
        frame = ws.recv()
        if frame.startswith("40/messages,"):
            return ws, json.loads(frame[len("40/messages,"):]), frames
        if frame == "2":
            ws.send("3")
            continue
        frames.append(frame)


def test_what_never_recovers_gets_a_fresh_session_and_no_foreign_events(tmp_path):
    server = start_messaging_server(tmp_path / "data", RECOVERY_WINDOW_S="2")
    try:
        ada, grace, eve, contract = provision(server)
        conversation = start_conversation(server, ada, contract)
        ws, answer, _ = raw_connect(server, server.token(ada))
        pid = answer["pid"]
        assert len(pid) >= 32 and answer["sid"]
        ws.send("42/messages,0" + json.dumps(["join_conversation", {"conversationId": conversation}]))
        ws.close()
        time.sleep(0.3)
        send(server, grace, conversation, "for Ada only")
        # Another user presenting Ada's pid: a fresh session, and none of Ada's events.
        ws, stolen, frames = raw_connect(server, server.token(eve), {"pid": pid})
        assert stolen["pid"] != pid and stolen["sid"] != answer["sid"]
        time.sleep(0.3)
        ws.settimeout(0.5)
        try:
            while True:
                frames.append(ws.recv())
        except websocket.WebSocketTimeoutException:
            pass
        assert not any("for Ada only" in frame for frame in frames), frames
        ws.close()
        # A forged pid: fresh.
        ws, forged, frames = raw_connect(server, server.token(ada), {"pid": "forged" * 6, "offset": "0"})
        assert forged["pid"] != "forged" * 6 and not any("new_message" in f for f in frames)
        ws.close()
        # Past the window: fresh, nothing replayed.
        time.sleep(2.5)
        ws, late, frames = raw_connect(server, server.token(ada), {"pid": pid})
        assert late["pid"] != pid and not any("for Ada only" in frame for frame in frames)
        ws.close()
        # Within the window the same pid comes back with what it missed (the positive control of the above).
        ws, answer, _ = raw_connect(server, server.token(ada))
        ws.close()
        time.sleep(0.3)
        send(server, grace, conversation, "second chance")
        ws, again, frames = raw_connect(server, server.token(ada), {"pid": answer["pid"]})
        assert again == answer
        assert any("second chance" in frame for frame in frames), frames
        ws.close()
        assert metric(server, "socketio_recoveries_total", outcome="other_owner") == 1
        assert metric(server, "socketio_recoveries_total", outcome="unknown_session") == 1
        assert metric(server, "socketio_recoveries_total", outcome="expired") == 1
    finally:
        server.stop()


class SwitchableProxy:
    """A TCP proxy on a loopback port whose upstream can change (a load balancer moving clients between nodes);
    switching closes the open connections, as a load balancer does when its backend dies."""

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.connections = set()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(5)

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)

        async def pipe(reader, writer):
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        async def handle(reader, writer):
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
            except OSError:
                writer.close()
                return
            pair = (writer, upstream_writer)
            self.connections.add(pair)
            await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
            self.connections.discard(pair)

        async def serve():
            self.server = await asyncio.start_server(handle, "127.0.0.1", self.port)
            ready.set()
            await self.server.serve_forever()

        self.loop.run_until_complete(serve())

    def switch(self, upstream_port):
        def close_all():
            self.upstream = upstream_port
            for pair in list(self.connections):
                for writer in pair:
                    writer.close()
        self.loop.call_soon_threadsafe(close_all)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def two_nodes(tmp_path):
    postgres = PostgresCluster()
    common = dict(DATABASE_URL=postgres.url, BROADCAST_ADAPTER="postgres", RATE_LIMIT_SEND="1000/1000",
                  SHUTDOWN_TIMEOUT_MS="2000")
    ports = {"a": free_port(), "b": free_port()}
    nodes = {name: start_messaging_server(tmp_path / name, port=ports[name], NODE_ID=f"node-{name}", **common)
             for name in ports}

    def restart(name):
        nodes[name] = start_messaging_server(tmp_path / name, port=ports[name], NODE_ID=f"node-{name}", **common)
        return nodes[name]

    yield nodes, restart
    for node in nodes.values():
        node.stop()
    postgres.stop()


def chromium_page(server, token, tmp_path, transports=None):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    shutil.copy(HERE / "recovery_browser.html", tmp_path / "recovery_browser.html")
    shutil.copy(BUNDLE, tmp_path / "socket.io.min.js")
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    params = urllib.parse.quote(json.dumps({"server": server.url, "token": token, "transports": transports}))
    driver.get(f"file://{tmp_path}/recovery_browser.html#{params}")
    return driver


def browser_log(driver):
    return driver.execute_script("return window.log")


@pytest.mark.parametrize("stop,transports", [("sigterm", ["polling"]), ("kill", None)],
                         ids=["sigterm-chromium-polling", "kill-chromium-upgraded"])
def test_clients_ride_through_a_restart_of_their_node(two_nodes, clients, tmp_path, stop, transports):
    nodes, restart = two_nodes
    node_a, node_b = nodes["a"], nodes["b"]
    ada, grace, _, contract = provision(node_a)
    conversation = start_conversation(node_a, ada, contract)
    clients("connect", name="ada", url=node_a.url, token=node_a.token(ada))
    assert clients("join", name="ada", conversationId=conversation) == {"success": True}
    browser = chromium_page(node_a, node_a.token(ada), tmp_path, transports)
    try:
        assert wait_until(lambda: any(e["kind"] == "connect" for e in browser_log(browser)))
        expected_transport = "polling" if transports else "websocket"
        assert wait_until(lambda: browser.execute_script("return window.transport()") == expected_transport)
        assert browser.execute_script("return window.join(arguments[0])", conversation) == {"success": True}
        expected = [send(node_b, grace, conversation, "before")]
        assert wait_until(lambda: received(clients, "ada") == expected)
        clients("expect_reconnect", name="ada")
        if stop == "sigterm":
            node_a.process.send_signal(signal.SIGTERM)
            assert node_a.process.wait(timeout=20) == 0
        else:
            node_a.process.kill()
            node_a.process.wait(timeout=10)
        # While node A is down the conversation goes on through node B.
        expected.append(send(node_b, grace, conversation, "while A is down"))
        time.sleep(0.5)
        restart("a")
        back = clients("wait_connect", name="ada", timeout=20000)
        assert back["recovered"] is True and back["active"] is True
        expected.append(send(node_b, grace, conversation, "after A is back"))
        assert wait_until(lambda: received(clients, "ada") == expected, timeout=10), received(clients, "ada")
        log = clients("events", name="ada")
        reasons = [e["reason"] for e in log if e["kind"] == "disconnect"]
        assert reasons and "io server disconnect" not in reasons
        # Chromium on polling (or upgraded): it reconnected by itself, recovered, and got the same messages once.
        assert wait_until(lambda: [e["id"] for e in browser_log(browser) if e["kind"] == "event"] == expected,
                          timeout=15), browser_log(browser)
        connects = [e for e in browser_log(browser) if e["kind"] == "connect"]
        assert len(connects) == 2 and connects[1]["recovered"] is True
        assert all(e["active"] for e in browser_log(browser) if e["kind"] == "disconnect")
    finally:
        browser.quit()


def test_a_client_comes_back_on_another_node_when_its_node_dies(two_nodes, clients):
    nodes, _ = two_nodes
    node_a, node_b = nodes["a"], nodes["b"]
    proxy = SwitchableProxy(node_a.port)
    ada, grace, _, contract = provision(node_a)
    conversation = start_conversation(node_a, ada, contract)
    clients("connect", name="ada", url=proxy.url, token=node_a.token(ada))
    assert clients("join", name="ada", conversationId=conversation) == {"success": True}
    expected = [send(node_b, grace, conversation, "before")]
    assert wait_until(lambda: received(clients, "ada") == expected)
    clients("expect_reconnect", name="ada")
    node_a.process.kill()
    node_a.process.wait(timeout=10)
    expected.append(send(node_b, grace, conversation, "while A is dead"))
    proxy.switch(node_b.port)
    back = clients("wait_connect", name="ada", timeout=20000)
    assert back["recovered"] is True
    expected.append(send(node_b, grace, conversation, "on B now"))
    assert wait_until(lambda: received(clients, "ada") == expected, timeout=10), received(clients, "ada")
    assert metric(node_b, "socketio_recoveries_total", outcome="recovered") >= 1


def test_the_stubs_catch_up_helper_rejoins_and_fetches_what_was_missed_when_not_recovered(tmp_path):
    """With recovery off (RECOVERY_WINDOW_S=0) a reconnect starts afresh; the helper of clients/typescript joins the
    conversation again and fetches the missed messages with `after=`."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    stubs = tmp_path / "stubs"
    compiled = subprocess.run(
        ["tsc", "--outDir", str(stubs), "--module", "commonjs", "--target", "ES2020", "--lib", "ES2020,DOM",
         "--moduleResolution", "node", "--strict", str(root / "clients/typescript/typecheck/socket.io-client.d.ts"),
         str(root / "clients/typescript/src/reconnect.ts"), str(root / "clients/typescript/src/client.ts")],
        capture_output=True, text=True, timeout=120)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    server = start_messaging_server(tmp_path / "data", RECOVERY_WINDOW_S="0", RATE_LIMIT_SEND="1000/1000")
    process = None
    try:
        ada, grace, _, contract = provision(server)
        conversation = start_conversation(server, ada, contract)
        process = subprocess.Popen(
            ["node", "--experimental-websocket", str(HERE / "catch_up.js"), str(BUNDLE), str(stubs), server.url,
             server.token(ada), conversation], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert json.loads(process.stdout.readline()) == {"ready": True}
        first = send(server, grace, conversation, "seen live")
        time.sleep(0.3)
        # The network drops; two messages are sent before the client is back.
        process.stdin.write("drop\n")
        process.stdin.flush()
        missed = [send(server, grace, conversation, "missed 1"), send(server, grace, conversation, "missed 2")]
        report = json.loads(process.stdout.readline())
        assert "recovered" in report, report
        assert report["recovered"] is False
        assert report["live"] == [first]
        assert report["fetched"] == missed
        after = send(server, grace, conversation, "live again")
        final = json.loads(process.stdout.readline())
        assert final["live"] == [first, after]
    finally:
        if process:
            process.kill()
        server.stop()

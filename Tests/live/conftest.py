"""Fixtures that start real servers on free loopback ports and always stop them."""
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SWIFT_BIN_PATH", ROOT / ".build" / "debug"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_echo_server(**env) -> RunningServer:
    port = free_port()
    environment = dict(os.environ, PORT=str(port), LOG_LEVEL="warning", **{k: str(v) for k, v in env.items()})
    process = subprocess.Popen([str(BUILD / "socketio-echo")], env=environment)
    server = RunningServer(process, port)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if requests.get(server.url + "/health", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError("echo server did not start")


@pytest.fixture(scope="module")
def echo_server():
    server = start_echo_server()
    yield server
    server.stop()


@pytest.fixture
def make_echo_server():
    servers = []

    def make(**env):
        server = start_echo_server(**env)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()

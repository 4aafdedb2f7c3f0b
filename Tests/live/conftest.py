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


def start_echo_server(executable="socketio-echo", **env) -> RunningServer:
    """One of the example servers: `socketio-echo` (Socket.IO) or `engineio-echo` (Engine.IO only)."""
    port = free_port()
    environment = dict(os.environ, PORT=str(port), LOG_LEVEL="warning", **{k: str(v) for k, v in env.items()})
    process = subprocess.Popen([str(BUILD / executable)], env=environment)
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


class MessagingServer(RunningServer):
    def token(self, user, **claims):
        return make_token(user, self.secret, **claims)


JWT_SECRET = "test-secret-test-secret-test-secret-0123456789"
SERVICE_KEY = "test-service-key"


def make_token(user, secret=JWT_SECRET, exp_offset=3600, **claims):
    """An HS256 JWT made here, independently of the server's own code."""
    import base64
    import hashlib
    import hmac
    import json as _json

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(_json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(_json.dumps({"sub": user, "exp": int(time.time()) + exp_offset, **claims}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def start_messaging_server(tmp_dir, *, log_file=None, port=None, prefix=(), **env) -> MessagingServer:
    """A server with its own embedded cluster under tmp_dir (a second server on the same tmp_dir reuses the data);
    with log_file, its standard output (the log) goes to that file; with port, on that port (to restart a node
    where its clients reconnect); with prefix, run under that command (faketime, for a node with a skewed clock)."""
    port = port or free_port()
    environment = dict(os.environ, PORT=str(port), LOG_LEVEL="warning", JWT_SECRET=JWT_SECRET,
                       SERVICE_API_KEY=SERVICE_KEY, DATA_DIR=str(tmp_dir))
    environment.pop("DATABASE_URL", None)
    environment.update({k: str(v) for k, v in env.items()})
    output = open(log_file, "w") if log_file else None
    process = subprocess.Popen([*prefix, str(BUILD / "messaging-server"), "serve"], env=environment, stdout=output)
    if output:
        output.close()
    server = MessagingServer(process, port)
    server.secret = JWT_SECRET
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(server.url + "/ready", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise RuntimeError("messaging server exited")
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("messaging server did not become ready")


@pytest.fixture(scope="module")
def messaging_server(tmp_path_factory):
    server = start_messaging_server(tmp_path_factory.mktemp("messaging"))
    yield server
    server.stop()


class PostgresCluster:
    """A PostgreSQL cluster on a loopback TCP port (trust authentication), for servers given a DATABASE_URL."""

    def __init__(self, options="", hba=None, files=()):
        """With options, extra server settings (`-c name=value ...`, `{dir}` standing for the cluster's folder); with hba, the pg_hba.conf to use; files are
        copied into the cluster's folder (readable by the server only) before it starts."""
        import glob
        import shutil
        import tempfile

        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="messaging-pg-"))
        self.prefix = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.directory, "postgres", "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        data = self.directory / "data"
        self.run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync")
        for source in files:
            target = self.directory / Path(source).name
            shutil.copy(source, target)
            os.chmod(target, 0o600)
            if os.geteuid() == 0:
                shutil.chown(target, "postgres", "postgres")
        if hba is not None:
            (data / "pg_hba.conf").write_text(hba)
        self.run("pg_ctl", "-D", str(data), "-l", str(self.directory / "server.log"), "-w", "start", "-o",
                 f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off "
                 + options.format(dir=self.directory))
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "messaging")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/messaging"

    def run(self, tool, *arguments):
        subprocess.run(self.prefix + [str(self.bin / tool), *arguments], check=True, capture_output=True,
                       cwd=self.directory)

    def run_output(self, tool, *arguments):
        completed = subprocess.run(self.prefix + [str(self.bin / tool), *arguments], check=True, capture_output=True,
                                   text=True, cwd=self.directory)
        return completed.stdout + completed.stderr

    def sql_file(self, path, tuples=False, **variables):
        """Runs a SQL file with psql variables; with tuples, returns its rows as 'a b c' lines."""
        options = [f"--variable={name}={value}" for name, value in variables.items()]
        if tuples:
            options += ["-tA", "-F", " "]
        completed = subprocess.run(
            self.prefix + [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                           str(self.port), "-U", "postgres", "-d", "messaging", *options, "-f", str(path)],
            capture_output=True, text=True, cwd=self.directory)
        assert completed.returncode == 0, f"psql -f {path.name} failed: {completed.stderr}"
        return completed.stdout

    def sql(self, statement):
        completed = subprocess.run(
            self.prefix + [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                           "-d", "messaging", "-tAc", statement],
            check=True, capture_output=True, text=True, cwd=self.directory)
        return completed.stdout.strip()

    def stop(self):
        import shutil

        subprocess.run(self.prefix + [str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast",
                                      "-w", "stop"], capture_output=True, cwd=self.directory)
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL cluster of the module's own, for servers given its DATABASE_URL."""
    postgres = PostgresCluster()
    yield postgres
    postgres.stop()


@pytest.fixture
def receiver():
    """A webhook receiver that checks every signature (`webhook_receiver.py`)."""
    from webhook_receiver import WebhookReceiver
    hooks = WebhookReceiver()
    yield hooks
    hooks.close()

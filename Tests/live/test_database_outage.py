"""The database goes away and comes back: REST answers 503 with the envelope, socket events get an error ack,
the process stays up, and everything works again once PostgreSQL is back."""
import os
import subprocess
import time
from pathlib import Path

import requests

from conftest import start_messaging_server
from messaging_helpers import Device, api, provision

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]


def pg_ctl(data_dir, *arguments):
    command = [str(PG_BIN / "pg_ctl"), "-D", str(data_dir), *arguments]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def test_outage_gives_503_and_the_server_recovers(tmp_path):
    server = start_messaging_server(tmp_path / "data")
    cluster = tmp_path / "data" / "postgres"
    try:
        client, _, _, contract = provision(server)
        device = Device(server, client, transports=["websocket"])
        first = device.call("create_message", {"contractId": contract, "content": "before"})
        assert first["success"] is True

        pg_ctl(cluster / "pgdata", "-m", "immediate", "-w", "stop")
        response = api(server, client, "GET", "/api/messages/conversations")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        ack = device.call("send_message", {"conversationId": first["message"]["conversationId"], "content": "during"},
                          timeout=30)
        assert ack == {"success": False, "error": ack["error"], "code": "SERVICE_UNAVAILABLE"}
        assert requests.get(server.url + "/health", timeout=5).status_code == 200
        assert requests.get(server.url + "/ready", timeout=10).status_code == 503

        options = f"-k {cluster / 'socket'} -c listen_addresses='' -p 5432"
        pg_ctl(cluster / "pgdata", "-o", options, "-l", str(cluster / "pgdata" / "server.log"), "-w", "start")
        deadline = time.time() + 30
        while time.time() < deadline:
            response = api(server, client, "GET", "/api/messages/conversations")
            if response.status_code == 200:
                break
            time.sleep(0.5)
        assert response.status_code == 200
        after = device.call("send_message", {"conversationId": first["message"]["conversationId"], "content": "after"})
        assert after["success"] is True
        device.close()
    finally:
        server.stop()

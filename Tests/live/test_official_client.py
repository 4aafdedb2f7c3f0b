"""The official socket.io-client 4.8.1 (the bundle frontends use) against the SocketIO engine: under Node over
WebSocket, and in headless Chromium with its default transports (polling, then the upgrade)."""
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / ".tools" / "socket.io.min.js"
HERE = Path(__file__).resolve().parent / "js"
EXPECTED_CHECKS = {"rejectedAuth", "socketIdDiffersFromEngineId", "echoAck", "joinAck", "broadcastToRoom",
                   "serverEmitWithAck", "serverDisconnect", "welcomeEvent"}


def assert_all_passed(results, extra):
    assert "error" not in results, results.get("error")
    assert set(results) == EXPECTED_CHECKS | extra, results
    failed = {name: value for name, value in results.items() if value is not True}
    assert failed == {}


def test_official_client_under_node_over_websocket(echo_server):
    assert BUNDLE.exists(), "run scripts/setup.sh to fetch the official client bundle"
    completed = subprocess.run(
        ["node", "--experimental-websocket", "node_client.js", str(BUNDLE), echo_server.url],
        cwd=HERE, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert_all_passed(json.loads(completed.stdout.strip().splitlines()[-1]), {"websocketTransport"})


def test_official_client_in_chromium_with_polling_and_upgrade(echo_server, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for name in ("browser_client.html", "scenario.js"):
        shutil.copy(HERE / name, tmp_path / name)
    shutil.copy(BUNDLE, tmp_path / "socket.io.min.js")
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"file://{tmp_path}/browser_client.html?server={echo_server.url}")
        deadline = time.time() + 40
        results = None
        while results is None and time.time() < deadline:
            time.sleep(0.2)
            results = driver.execute_script("return window.scenarioResults")
        assert results is not None, "the scenario did not finish in the browser"
        assert_all_passed(results, {"upgradedToWebsocket", "echoAfterUpgrade"})
    finally:
        driver.quit()

"""The browser test client served at `/`, driven in headless Chromium: a client and a freelancer (two browser
sessions) log in (demo picker and pasted token), see unread badges, open the conversation, load older messages,
chat with typing indicators and read receipts, and see user content as text. Screenshots go to
test-artifacts/web-client/."""
import os
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import BUILD, JWT_SECRET, ROOT, start_messaging_server

BUNDLE = ROOT / ".tools" / "socket.io.min.js"
SHOTS = ROOT / "test-artifacts" / "web-client"


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1200,800"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_until(driver, script, timeout=15, message=""):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    page = driver.execute_script(
        "return {state: document.getElementById('state').textContent,"
        " notice: document.getElementById('notice').textContent}")
    raise AssertionError(f"timed out waiting for {message or script}: page {page}, log {driver.get_log('browser')}")


def text_of(driver, element_id):
    return driver.execute_script(f"return document.getElementById('{element_id}').textContent")


def message_texts(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#messages li .content')].map(e => e.textContent)")


@pytest.fixture
def demo_server(tmp_path):
    environment = dict(os.environ, JWT_SECRET=JWT_SECRET, DATA_DIR=str(tmp_path), LOG_LEVEL="warning")
    environment.pop("DATABASE_URL", None)
    seeded = subprocess.run([str(BUILD / "messaging-server"), "seed-demo"], env=environment, capture_output=True,
                            text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    server = start_messaging_server(tmp_path, DEMO_LOGIN="true", SOCKET_IO_CLIENT_JS=str(BUNDLE),
                                    RATE_LIMIT_SEND="1000/1000")
    yield server
    server.stop()


def test_client_and_freelancer_chat_in_two_browser_sessions(demo_server):
    assert BUNDLE.exists(), "run scripts/setup.sh to fetch the official client bundle"
    SHOTS.mkdir(parents=True, exist_ok=True)
    users = {u["id"]: u for u in requests.get(demo_server.url + "/demo/users", timeout=5).json()["data"]}
    client_token = users["demo-client"]["token"]
    conversations = requests.get(demo_server.url + "/api/messages/conversations", timeout=5,
                                 headers={"Authorization": f"Bearer {client_token}"}).json()["data"]["conversations"]
    conversation = conversations[0]["id"]
    for number in range(25):  # more than one page of history
        sent = requests.post(f"{demo_server.url}/api/messages/conversations/{conversation}/messages", timeout=5,
                             json={"content": f"history {number}"}, headers={"Authorization": f"Bearer {client_token}"})
        assert sent.status_code == 201, sent.text

    ada, grace = browser(), browser()
    try:
        # Ada (client) picks her demo user; Grace (freelancer) pastes a token.
        ada.get(demo_server.url + "/")
        wait_until(ada, "return document.getElementById('demo-users').options.length === 2", message="demo users")
        ada.execute_script("const s = document.getElementById('demo-users');"
                           "s.selectedIndex = [...s.options].findIndex(o => o.text.includes('(client)'))")
        ada.find_element("id", "demo-login").click()
        grace.get(demo_server.url + "/")
        grace.find_element("id", "token").send_keys(users["demo-freelancer"]["token"])
        grace.find_element("id", "connect").click()
        for driver in (ada, grace):
            wait_until(driver, "return document.getElementById('state').textContent.startsWith('connected')",
                       message="connected state")
            wait_until(driver, "return document.querySelectorAll('#conversations li').length === 1",
                       message="conversation list")
        assert text_of(ada, "me") == "demo-client" and text_of(grace, "me") == "demo-freelancer"
        assert grace.execute_script("return document.querySelector('#conversations .badge').textContent") == "26"
        assert ada.execute_script("return document.querySelector('#conversations .badge').textContent") == ""
        grace.save_screenshot(str(SHOTS / "1-freelancer-unread-badge.png"))

        # Opening shows the newest page; older messages load on demand.
        for driver in (ada, grace):
            driver.find_element("css selector", "#conversations li").click()
            wait_until(driver, "return document.querySelectorAll('#messages li').length === 20", message="page")
        assert message_texts(grace)[-1] == "history 24"
        grace.find_element("id", "older").click()
        wait_until(grace, "return document.querySelectorAll('#messages li').length === 26", message="older page")
        assert message_texts(grace)[0] == "Welcome to the demo contract!"
        assert grace.execute_script("return document.getElementById('older').hidden") is True
        # Grace read everything: her badge clears and Ada sees the read receipt.
        wait_until(grace, "return document.querySelector('#conversations .badge').textContent === ''",
                   message="badge cleared")
        wait_until(ada, "return document.querySelectorAll('#messages .receipt.seen').length > 0", message="receipt")

        # Ada types (Grace sees the indicator), then sends markup that must stay text.
        ada.find_element("id", "composer").send_keys("Hello <b>Grace</b> <img src=x onerror=alert(1)>")
        wait_until(grace, "return document.getElementById('typing').textContent.includes('Ada Lovelace is typing')",
                   message="typing indicator")
        grace.save_screenshot(str(SHOTS / "2-freelancer-sees-typing.png"))
        ada.find_element("id", "send").click()
        wait_until(grace, "return document.querySelectorAll('#messages li').length === 27", message="new message")
        assert message_texts(grace)[-1] == "Hello <b>Grace</b> <img src=x onerror=alert(1)>"
        assert grace.execute_script("return document.querySelectorAll('#messages b, #messages img').length") == 0
        assert text_of(grace, "typing") == ""

        # Grace answers; Ada gets it live and, once Grace's page marked it read, the receipt on her own message.
        grace.find_element("id", "composer").send_keys("Hi Ada, the draft is coming.")
        grace.find_element("id", "composer").send_keys("\n")
        wait_until(ada, "return [...document.querySelectorAll('#messages li .content')].pop().textContent"
                        " === 'Hi Ada, the draft is coming.'", message="reply")
        assert len(message_texts(ada)) == 22  # the newest page, her own message and the reply
        # Her own message shows "Sent" until Grace's page reads it, then "Seen".
        assert ada.execute_script("return [...document.querySelectorAll('#messages li.mine')].pop()"
                                  ".querySelector('.receipt').textContent") in ("✓ Sent", "✓✓ Seen")
        wait_until(ada, "return [...document.querySelectorAll('#messages li.mine')].pop()"
                        ".querySelector('.receipt.seen') !== null", message="seen on the newest message")
        ada.save_screenshot(str(SHOTS / "3-client-conversation.png"))
        grace.save_screenshot(str(SHOTS / "4-freelancer-conversation.png"))
        for driver in (ada, grace):
            errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            assert errors == [], errors
    finally:
        ada.quit()
        grace.quit()
    print(f"\nscreenshots in {SHOTS}")


def test_the_page_explains_a_missing_client_bundle(tmp_path):
    server = start_messaging_server(tmp_path, SOCKET_IO_CLIENT_JS=str(tmp_path / "absent.js"))
    driver = browser()
    try:
        assert requests.get(server.url + "/socket.io/socket.io.js", timeout=5).status_code == 404
        assert requests.get(server.url + "/demo/users", timeout=5).status_code == 404  # demo login is off
        driver.get(server.url + "/")
        wait_until(driver, "return document.getElementById('notice').textContent.includes('scripts/setup.sh')",
                   message="missing-bundle notice")
    finally:
        driver.quit()
        server.stop()


def test_the_page_starts_a_conversation_sends_a_file_link_and_shows_reconnecting(demo_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    users = {u["id"]: u for u in requests.get(demo_server.url + "/demo/users", timeout=5).json()["data"]}
    ada, grace = browser(), browser()
    try:
        for driver, user in ((ada, "demo-client"), (grace, "demo-freelancer")):
            driver.get(demo_server.url + "/")
            driver.find_element("id", "token").send_keys(users[user]["token"])
            driver.find_element("id", "connect").click()
            wait_until(driver, "return document.getElementById('state').textContent.startsWith('connected')",
                       message="connected state")
        # Ada starts the conversation of milestone m1 from the form; the page opens it.
        ada.find_element("id", "new-contract").send_keys("demo-contract")
        ada.find_element("id", "new-milestone").send_keys("m1")
        ada.find_element("id", "new-content").send_keys("Let us talk about the first draft")
        ada.find_element("id", "new-start").click()
        wait_until(ada, "return document.getElementById('chat-title').textContent.startsWith('demo-contract / m1')",
                   message="the new conversation open")
        wait_until(ada, "return document.querySelectorAll('#messages li').length === 1", message="first message")
        assert ada.execute_script("return document.querySelector('#messages .receipt').textContent") == "✓ Sent"
        # Grace sees it in her list and opens it; Ada's tick turns to seen.
        wait_until(grace, "return [...document.querySelectorAll('#conversations .title')]"
                          ".some(e => e.textContent === 'demo-contract / m1')", message="conversation listed")
        grace.execute_script("[...document.querySelectorAll('#conversations li')]"
                             ".find(li => li.querySelector('.title').textContent === 'demo-contract / m1').click()")
        wait_until(ada, "return document.querySelector('#messages .receipt.seen') !== null", message="seen")

        # Ada attaches a file link; Grace gets a link to it (an http URL only) and the typed name as text.
        ada.find_element("id", "attach").click()
        ada.find_element("id", "attach-url").send_keys("https://files.example/draft-1.pdf")
        ada.find_element("id", "attach-name").send_keys("draft <1>.pdf")
        ada.find_element("id", "composer").send_keys("Here is the draft")
        ada.find_element("id", "send").click()
        wait_until(grace, "return document.querySelectorAll('#messages a.attachment').length === 1",
                   message="attachment link")
        link = grace.execute_script("const a = document.querySelector('#messages a.attachment');"
                                    "return [a.href, a.textContent]")
        assert link == ["https://files.example/draft-1.pdf", "📎 draft <1>.pdf"]

        # Grace's network drops: the page shows reconnecting, then connected again, and live messages still come.
        grace.execute_script(
            "window.states = []; new MutationObserver(() => window.states.push("
            "document.getElementById('state').textContent)).observe(document.getElementById('state'),"
            " {childList: true, characterData: true, subtree: true}); page.socket.io.engine.close()")
        wait_until(grace, "return window.states.some(s => s.startsWith('reconnecting'))", message="reconnecting")
        wait_until(grace, "return document.getElementById('state').textContent.startsWith('connected')",
                   message="connected again")
        grace.save_screenshot(str(SHOTS / "5-freelancer-after-reconnect.png"))
        ada.find_element("id", "composer").send_keys("Still there?")
        ada.find_element("id", "send").click()
        wait_until(grace, "return [...document.querySelectorAll('#messages li .content')].pop().textContent"
                          " === 'Still there?'", message="live message after the reconnect")
        for driver in (ada, grace):
            errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            assert errors == [], errors
    finally:
        ada.quit()
        grace.quit()


def test_the_page_edits_deletes_and_reacts_live_in_two_sessions(demo_server):
    users = {u["id"]: u for u in requests.get(demo_server.url + "/demo/users", timeout=5).json()["data"]}
    ada, grace = browser(), browser()
    try:
        for driver, user in ((ada, "demo-client"), (grace, "demo-freelancer")):
            driver.get(demo_server.url + "/")
            driver.find_element("id", "token").send_keys(users[user]["token"])
            driver.find_element("id", "connect").click()
            wait_until(driver, "return document.querySelectorAll('#conversations li').length === 1",
                       message="conversation list")
            driver.find_element("css selector", "#conversations li").click()
            wait_until(driver, "return document.querySelectorAll('#messages li').length > 0", message="history")
        ada.find_element("id", "composer").send_keys("The price is 400\n")
        last = "[...document.querySelectorAll('#messages li')].pop()"
        wait_until(grace, f"return {last}.querySelector('.content').textContent === 'The price is 400'",
                   message="message arrives")
        # Ada edits her message; Grace sees the new text marked as edited.
        wait_until(ada, f"return {last}.querySelector('button.edit') !== null", message="edit button")
        ada.execute_script(f"{last}.querySelector('button.edit').click()")
        field = ada.find_element("css selector", "#messages li .edit-input")
        field.clear()
        field.send_keys("The price is 450\n")
        wait_until(grace, f"return {last}.querySelector('.content').textContent === 'The price is 450'",
                   message="edit arrives")
        assert "edited" in grace.execute_script(f"return {last}.querySelector('.meta').textContent")
        assert grace.execute_script(f"return {last}.querySelector('button.edit')") is None
        # Grace reacts; both see the count, only Grace's is hers.
        grace.execute_script(f"{last}.querySelector('button.react-add').click()")
        for driver in (ada, grace):
            wait_until(driver, f"return {last}.querySelector('.reactions button')?.textContent === '👍 1'",
                       message="reaction shown")
        assert grace.execute_script(f"return {last}.querySelector('.reactions button.mine') !== null") is True
        assert ada.execute_script(f"return {last}.querySelector('.reactions button.mine') === null") is True
        SHOTS.mkdir(parents=True, exist_ok=True)
        grace.save_screenshot(str(SHOTS / "5-freelancer-sees-edit-and-reaction.png"))
        # Ada deletes it: a tombstone on both pages, and the conversation list no longer shows the text.
        ada.execute_script(f"{last}.querySelector('button.delete').click()")
        for driver in (ada, grace):
            wait_until(driver, f"return {last}.querySelector('.content.deleted')?.textContent ==="
                               " 'This message was deleted'", message="tombstone")
            wait_until(driver, "return !document.querySelector('#conversations li').textContent.includes('450')",
                       message="list follows the deletion")
        grace.save_screenshot(str(SHOTS / "6-freelancer-sees-tombstone.png"))
        for driver in (ada, grace):
            errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            assert errors == [], errors
    finally:
        ada.quit()
        grace.quit()

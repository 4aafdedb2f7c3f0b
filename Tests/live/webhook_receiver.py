"""A marketplace backend's webhook endpoint for the tests: a real HTTP server on loopback that checks every request's
signature itself (HMAC-SHA256 of "<Webhook-Timestamp>.<body>", as a receiver would write it from the spec), records
what it got, and can be told to fail or to stall the next requests."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "webhook-secret-for-the-tests"


class Delivery:
    def __init__(self, headers, body, status):
        self.headers = headers
        self.body = body
        self.event = json.loads(body)
        self.status = status
        self.at = time.time()

    @property
    def id(self):
        return self.event["id"]

    @property
    def type(self):
        return self.event["type"]

    @property
    def data(self):
        return self.event["data"]


class WebhookReceiver:
    def __init__(self, secret=SECRET):
        self.secret = secret
        self.lock = threading.Lock()
        self.requests = []  # every request, answered or not, in arrival order
        self.failures = []  # statuses to answer the next requests with, first first
        self.stall_seconds = 0.0  # how long each request waits before its answer
        self.always = None  # a status every request gets, when set
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                with receiver.lock:
                    status = receiver.always or (receiver.failures.pop(0) if receiver.failures else 200)
                    stall = receiver.stall_seconds
                delivery = Delivery({k.lower(): v for k, v in self.headers.items()}, body, status)
                if stall:
                    time.sleep(stall)
                with receiver.lock:
                    receiver.requests.append(delivery)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the server that sent it is gone (a test killed it)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def server_env(self, **extra):
        return dict(WEBHOOK_URL=self.url, WEBHOOK_SECRET=self.secret, **extra)

    def signature_ok(self, delivery):
        timestamp = delivery.headers.get("webhook-timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        expected = "v1=" + hmac.new(self.secret.encode(), f"{timestamp}.{delivery.body}".encode(),
                                    hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, delivery.headers.get("webhook-signature", ""))

    def accepted(self):
        """The requests answered 2xx, in arrival order."""
        with self.lock:
            return [d for d in self.requests if 200 <= d.status < 300]

    def all(self):
        with self.lock:
            return list(self.requests)

    def wait_for(self, predicate, timeout=20, what="webhook deliveries"):
        """Waits until predicate(accepted deliveries) is true; returns the accepted deliveries."""
        deadline = time.time() + timeout
        while True:
            accepted = self.accepted()
            if predicate(accepted):
                return accepted
            assert time.time() < deadline, f"timed out waiting for {what}: got {[d.type for d in accepted]}"
            time.sleep(0.05)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

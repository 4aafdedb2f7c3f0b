"""Distributed tracing with `OTEL_TRACES_EXPORTER=otlp`: the server exports its spans over OTLP/HTTP (JSON encoding
here, to a real receiver on loopback): a span per REST request that continues the caller's W3C `traceparent`, a span
per socket event with its database calls as children, and JSON log lines that carry the trace id of the span they
were written in. Off by default: without the setting nothing is exported."""
import base64
import http.server
import json
import threading
import time
import uuid

import pytest
import requests

from conftest import start_messaging_server
from messaging_helpers import Device, api, provision


def hex_id(value):
    """An id as lowercase hex: the OTLP JSON mapping writes ids as hex, protobuf's JSON mapping as base64."""
    if not value or all(c in "0123456789abcdef" for c in value) and len(value) in (16, 32):
        return value
    return base64.b64decode(value).hex()


class Receiver:
    """An OTLP/HTTP collector endpoint that keeps every span it is sent."""

    def __init__(self):
        self.spans = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/v1/traces":
                    document = json.loads(body)
                    with receiver.lock:
                        for resource in document.get("resourceSpans", []):
                            for scope in resource.get("scopeSpans", []):
                                for span in scope.get("spans", []):
                                    span["resource"] = resource.get("resource", {})
                                    for key in ("traceId", "spanId", "parentSpanId"):
                                        span[key] = hex_id(span.get(key, ""))
                                    receiver.spans.append(span)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def wait_for(self, predicate, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                found = [span for span in self.spans if predicate(span)]
            if found:
                return found
            time.sleep(0.1)
        with self.lock:
            names = sorted({span["name"] for span in self.spans})
        raise AssertionError(f"no such span; received: {names}")


def attribute(span, key):
    for item in span.get("attributes", []):
        if item["key"] == key:
            return next(iter(item["value"].values()))
    return None


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    receiver = Receiver()
    directory = tmp_path_factory.mktemp("tracing")
    log_file = directory / "server.log"
    server = start_messaging_server(directory, log_file=log_file, LOG_FORMAT="json", LOG_LEVEL="info",
                                    OTEL_TRACES_EXPORTER="otlp", OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url,
                                    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/json", OTEL_BSP_SCHEDULE_DELAY="100")
    yield server, receiver, log_file
    server.stop()
    receiver.httpd.shutdown()


def test_a_rest_request_gets_a_span_that_continues_the_callers_trace(traced):
    server, receiver, log_file = traced
    client, freelancer, _, contract = provision(server)
    trace_id = uuid.uuid4().hex
    parent = uuid.uuid4().hex[:16]
    response = requests.get(f"{server.url}/api/messages/conversations?contractId={contract}", timeout=10,
                            headers={"Authorization": f"Bearer {server.token(client)}",
                                     "traceparent": f"00-{trace_id}-{parent}-01"})
    assert response.status_code == 200
    spans = receiver.wait_for(lambda span: span["traceId"] == trace_id and span["parentSpanId"] == parent)
    request_span = spans[0]
    assert request_span["name"] == "/api/messages/conversations"
    assert attribute(request_span, "http.response.status_code") in (200, "200")
    assert request_span["resource"] and any(
        item["key"] == "service.name" and item["value"]["stringValue"] == "messaging-server"
        for item in request_span["resource"]["attributes"])
    children = receiver.wait_for(lambda span: span["traceId"] == trace_id
                                 and span["parentSpanId"] == request_span["spanId"])
    assert any(span["name"].startswith("db ") and attribute(span, "db.system.name") == "postgresql"
               for span in children), [span["name"] for span in children]
    # The request's log line was written inside its span and carries its trace id.
    deadline = time.time() + 5
    while time.time() < deadline:
        lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
        logged = [line for line in lines if line.get("trace_id") == trace_id]
        if logged:
            break
        time.sleep(0.1)
    assert logged, "no log line carries the request's trace id"
    assert any(line.get("span_id") == request_span["spanId"] for line in logged)


def test_a_socket_event_gets_a_span_with_its_database_calls_as_children(traced):
    server, receiver, _ = traced
    client, freelancer, _, contract = provision(server)
    device = Device(server, client)
    try:
        ack = device.call("create_message", {"contractId": contract, "content": "traced hello"})
        assert ack["success"], ack
        refused = device.call("mark_as_read", {"conversationId": str(uuid.uuid4())})
        assert refused["success"] is False
    finally:
        device.close()
    events = receiver.wait_for(lambda span: span["name"] == "socket create_message")
    event = events[-1]
    assert attribute(event, "socket.io.event") == "create_message"
    children = receiver.wait_for(lambda span: span["parentSpanId"] == event["spanId"])
    assert all(span["traceId"] == event["traceId"] for span in children)
    assert any(span["name"].startswith("db ") for span in children), [span["name"] for span in children]
    failed = receiver.wait_for(lambda span: span["name"] == "socket mark_as_read")[-1]
    assert attribute(failed, "socket.io.ack.error") == "NOT_FOUND"


def test_tracing_is_off_by_default(tmp_path):
    receiver = Receiver()
    server = start_messaging_server(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url,
                                    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/json", OTEL_BSP_SCHEDULE_DELAY="100")
    try:
        client, _, _, contract = provision(server)
        assert api(server, client, "GET", f"/api/messages/conversations?contractId={contract}").status_code == 200
        time.sleep(1.0)
        assert receiver.spans == []
    finally:
        server.stop()
        receiver.httpd.shutdown()

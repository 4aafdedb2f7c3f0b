"""HTTP connection handling as pooled clients (node-fetch, undici, requests) see it."""
import socket

import requests


def exchange(server, request: bytes) -> bytes:
    """Sends one raw request and reads until the server closes the connection (at most 5 s)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
        conn.sendall(request)
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk


def test_a_request_with_connection_close_is_answered_with_it_and_the_connection_closes(messaging_server):
    for path in ["/health", "/api/conversations", "/socket.io/?EIO=4&transport=polling"]:
        response = exchange(messaging_server, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        head = response.split(b"\r\n\r\n", 1)[0].decode().lower()
        assert head.startswith("http/1.1 "), path
        assert "\r\nconnection: close" in head, (path, head)


def test_a_kept_alive_connection_is_not_told_to_close(messaging_server):
    with socket.create_connection(("127.0.0.1", messaging_server.port), timeout=5) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        head = conn.recv(65536).split(b"\r\n\r\n", 1)[0].decode().lower()
        assert "connection: close" not in head
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")


def closed_within(conn, seconds):
    """True when the server closes `conn` (EOF or reset) within `seconds`."""
    conn.settimeout(seconds)
    try:
        while conn.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_slow_request_heads_and_idle_connections_are_closed_but_long_polls_are_not(tmp_path_factory):
    from conftest import start_messaging_server
    from test_engineio_raw import handshake, poll

    server = start_messaging_server(tmp_path_factory.mktemp("http-timeouts"), HTTP_HEADER_TIMEOUT_S="1",
                                    HTTP_IDLE_TIMEOUT_S="1", PING_INTERVAL_MS="2500", PING_TIMEOUT_MS="5000")
    try:
        # Nothing sent, then half a request head: closed after the head timeout.
        silent = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        partial = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        partial.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        assert closed_within(silent, 4) and closed_within(partial, 4)
        silent.close()
        partial.close()
        # A kept-alive connection after its response: closed after the idle timeout.
        kept = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        kept.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert kept.recv(65536).startswith(b"HTTP/1.1 200")
        assert closed_within(kept, 4)
        kept.close()
        # A long-poll is a request in progress: it outlives the idle timeout and gets its ping.
        sid = handshake(server)["sid"]
        assert poll(server, sid, timeout=10).text == "2"
    finally:
        server.stop()


def test_a_polling_body_that_does_not_arrive_in_time_closes_its_connection_and_session(tmp_path_factory):
    from conftest import start_messaging_server
    from test_engineio_raw import handshake, poll

    server = start_messaging_server(tmp_path_factory.mktemp("body-timeout"), HTTP_BODY_TIMEOUT_S="1",
                                    PING_INTERVAL_MS="25000")
    try:
        sid = handshake(server)["sid"]
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        slow.sendall(f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n"
                     f"Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n40".encode())
        assert closed_within(slow, 5)
        slow.close()
        assert poll(server, sid, timeout=5).status_code == 400, "the session went with its connection"
        metrics = requests.get(server.url + "/metrics", timeout=5).text
        assert 'engineio_limits_hit_total{limit="http_body_timeout"} 1' in metrics
        # A body that arrives in time is delivered as before.
        other = handshake(server)["sid"]
        on_time = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        on_time.sendall(f"POST /socket.io/?EIO=4&transport=polling&sid={other} HTTP/1.1\r\nHost: x\r\n"
                        f"Content-Type: text/plain\r\nContent-Length: 1\r\n\r\n".encode())
        on_time.sendall(b"6")
        assert on_time.recv(65536).startswith(b"HTTP/1.1 200")
        on_time.close()
    finally:
        server.stop()

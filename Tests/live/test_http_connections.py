"""HTTP connection handling as pooled clients (node-fetch, undici, requests) see it."""
import socket


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

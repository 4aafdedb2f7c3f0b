"""schemathesis against the running server: every operation of api-spec/openapi.yaml with generated input, a valid
bearer token and the service key. No 5xx, no response outside the spec, 405 for undeclared methods, and no
schema-valid request refused."""
import os
import subprocess
from pathlib import Path

from conftest import SERVICE_KEY, start_messaging_server
from messaging_helpers import provision

ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_finds_no_failures(tmp_path):
    # Generous budgets: schemathesis sends hundreds of requests with one token (429 is documented, but would hide
    # the operations' behaviour).
    server = start_messaging_server(tmp_path / "data", RATE_LIMIT_REST="1000/100000", RATE_LIMIT_SEND="1000/100000")
    try:
        client, _, _, _ = provision(server)
        completed = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "schemathesis"), "run", str(ROOT / "api-spec" / "openapi.yaml"),
             "--url", server.url, "-H", f"Authorization: Bearer {server.token(client)}",
             "-H", f"X-Service-Key: {SERVICE_KEY}", "--max-examples", "15", "--seed", "20261125",
             # Every check, positive_data_acceptance included: the spec states every rule the server enforces (a text
             # message is not blank, a file message has an attachment, attachment links are http(s), no text holds
             # a NUL character, a reaction is one emoji), so no schema-valid request may be rejected with 400 or 422.
             "--no-color"],
            # The hooks module tells schemathesis how to generate the spec's own formats (emoji).
            env={**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "PYTHONPATH": str(Path(__file__).parent)},
            cwd=tmp_path, capture_output=True, text=True, timeout=600,
        )
        summary = completed.stdout[-4000:]
        assert completed.returncode == 0, summary
    finally:
        server.stop()

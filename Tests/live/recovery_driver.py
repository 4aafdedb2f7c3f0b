"""Drives Tests/live/js/recovery_client.js: the official socket.io-client under Node, one command at a time."""
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / ".tools" / "socket.io.min.js"
SCRIPT = Path(__file__).resolve().parent / "js" / "recovery_client.js"


class NodeClients:
    def __init__(self):
        self.process = subprocess.Popen(["node", "--experimental-websocket", str(SCRIPT), str(BUNDLE)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __call__(self, cmd, **arguments):
        self.process.stdin.write(json.dumps({"cmd": cmd, **arguments}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the Node client exited"
        answer = json.loads(line)
        assert answer["ok"], answer["error"]
        return answer["value"]

    def events(self, name, event="new_message"):
        return [entry for entry in self("events", name=name) if entry["kind"] == "event" and entry["event"] == event]

    def close(self):
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except Exception:
            self.process.kill()

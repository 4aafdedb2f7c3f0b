#!/usr/bin/env bash
# Fetches the official socket.io JS client 4.8.1 (the bundle frontends use) into .tools/socket.io.min.js, taken from
# the nicegui wheel on PyPI; not committed. The live tests and the server's test page (/) use it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -s .tools/socket.io.min.js ] && exit 0
echo "fetching the official socket.io client bundle"
[ -x .venv/bin/pip ] || python3 -m venv .venv
mkdir -p .tools
download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
.venv/bin/pip download -q --disable-pip-version-check --no-deps nicegui==3.18.0 -d "$download"
.venv/bin/python - "$download" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/nicegui-*.whl")[0]
with zipfile.ZipFile(wheel) as archive:
    data = archive.read("nicegui/static/socket.io.min.js")
assert b"Socket.IO v4.8.1" in data[:200]
open(".tools/socket.io.min.js", "wb").write(data)
PY

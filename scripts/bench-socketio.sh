#!/usr/bin/env bash
# Benchmark (not a test): echo-with-ack over WebSocket against the release build of the SocketIO echo server,
# driven by the official socket.io-client under Node. Prints JSON figures per client count and the server's RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product socketio-echo
port=${PORT:-3950}
PORT=$port LOG_LEVEL=warning .build/release/socketio-echo &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024) " MiB"}' /proc/meminfo), $(uname -sr)"
for clients in ${CLIENTS:-1 10 50 200}; do
    node --experimental-websocket Benchmarks/socketio-echo-ack.js "$PWD/.tools/socket.io.min.js" \
        "http://127.0.0.1:$port" "$clients" "${SECONDS_PER_RUN:-8}" 100
    echo "server RSS: $(awk '/VmRSS/ {print $2 " kB"}' /proc/$server/status)"
done

#!/usr/bin/env bash
# Benchmark (not a test): the Socket.IO engine side by side with the reference servers in ../shared/peers (the
# official Node.js socket.io 4.8.3 and python-socketio), serving the same three handlers on /messages, measured by
# siobench in one run with alternating order (the peers' compare.py). Writes Benchmarks/peers.md (the section of
# BENCHMARKS.md, with the targets) and splices it into BENCHMARKS.md.
#   scripts/bench-peers.sh                 # about 15 minutes after the release build
#   ONLY=echo-c50,echo-c1 scripts/bench-peers.sh
# Knobs: PEERS (../shared/peers), REPS (1), ONLY (scenario names), PYTHON_PEER (1: include python-socketio, installed
# from PyPI into .bench/peers-venv), OURS_ENV (extra environment for our server, e.g. NIO_GLOBAL_EXECUTOR=1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
peers=$(cd "${PEERS:-../shared/peers}" && pwd)
work=$root/.bench
out=$work/peers-$(date +%Y%m%d-%H%M%S)
mkdir -p "$work"

swift build -c release --product socketio-echo
cc -O2 -o "$work/siobench" "$peers/siobench/siobench.c" -lm

servers=(
    --server "ours=3004=env PORT=3004 LOG_LEVEL=warning ${OURS_ENV:-} $root/.build/release/socketio-echo"
    --server "node=3003=env NODE_PATH=$peers/node-socketio/node_modules node $peers/node-socketio/server.js --port 3003"
)
if [ "${PYTHON_PEER:-1}" = 1 ]; then
    if [ ! -x "$work/peers-venv/bin/python" ]; then
        python3 -m venv "$work/peers-venv"
        "$work/peers-venv/bin/pip" install -q --disable-pip-version-check python-socketio aiohttp uvloop || true
    fi
    if "$work/peers-venv/bin/python" -c "import socketio, aiohttp" 2>/dev/null; then
        servers+=(--server "python=3002=$work/peers-venv/bin/python $peers/python-socketio-server.py --port 3002")
    fi
fi

scenarios=(
    "echo-c50:echo -c 50 -d 20 --warmup 3 --payload 32"
    "echo-c1:echo -c 1 -d 20 --warmup 3 --payload 32"
    "fanout-100x2:fanout --rooms 100 --room-size 2 -d 20 --warmup 3 --payload 32"
    "fanout-1x1000:fanout --rooms 1 --room-size 1000 -d 20 --warmup 3 --payload 32"
    "hold-19.9k:hold -c 19900 --ramp 1000 -d 30 --src-ips 4"
)
args=()
for scenario in "${scenarios[@]}"; do
    name=${scenario%%:*}
    if [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$name,"* ]]; then args+=(--scenario "$scenario"); fi
done

ulimit -n "$(ulimit -Hn)"
SIOBENCH=$work/siobench python3 "$peers/siobench/compare.py" "${servers[@]}" "${args[@]}" \
    --reps "${REPS:-1}" --out "$out"
python3 Benchmarks/peers_report.py "$out/results.jsonl" > Benchmarks/peers.md
python3 Benchmarks/peers_report.py --splice Benchmarks/peers.md BENCHMARKS.md
echo "results: $out; Benchmarks/peers.md and BENCHMARKS.md updated"

#!/usr/bin/env bash
# The benchmark suite (not a test): starts a private PostgreSQL and the release build of the server, runs the
# scenarios with the project's load generator (Benchmarks/LoadGenerator) and pgbench, and writes BENCHMARKS.md.
#   scripts/bench.sh                  # all scenarios (about 7 minutes after the release build)
#   SCENARIOS="sends idle" scripts/bench.sh
# Knobs: PAIRS (32), SECONDS_PER_PHASE (10), IDLE_TARGET (open-file limit), IDLE_HOLD (30), SERVER_THREADS (the
# server's EVENT_LOOP_THREADS; unset: the server's default, one per core),
# HISTORY_CONVERSATIONS (1000) × HISTORY_PER_CONVERSATION (1000), HISTORY_CONNECTIONS (1,4), BENCH_PORT (8100),
# BENCH_PG_PORT (55433; the control run's cluster, WAL in /dev/shm, takes the next port), REPORT (BENCHMARKS.md),
# STORM_CONNECTIONS (5000), BENCH_LABEL (a line for the report), BENCH_SERVER (another messaging-server binary to
# measure, for an A/B of two builds in one sitting; the reconnect storm always runs this checkout's), BENCH_PREBUILT
# (1: no release build first, the binaries already built are used, so the tree can change during a long A/B chain).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scenarios=${SCENARIOS:-sends idle history storm}
pairs=${PAIRS:-32}
phase_seconds=${SECONDS_PER_PHASE:-10}
export BENCH_SERVER_THREADS=${SERVER_THREADS:-}
port=${BENCH_PORT:-8100}
pg_port=${BENCH_PG_PORT:-55433}
work=$root/.bench
results=$work/results
log() { printf '\n== %s\n' "$*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1; then
    log "installing PostgreSQL (Debian package postgresql)"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")

if [ "${BENCH_PREBUILT:-0}" != 1 ]; then
    log "release build"
    swift build -c release --product messaging-server
    swift build -c release --product loadgen
fi
bin=$(swift build -c release --show-bin-path)
server_bin=${BENCH_SERVER:-$bin/messaging-server}

# PostgreSQL refuses to run as root: as root the cluster belongs to the postgres user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# Clusters left running by an interrupted run are stopped first.
for data in "$work/pg/data" "$work/pg-memory/data"; do
    [ -f "$data/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
done
rm -rf "$work/pg" "$work/pg-memory" "$results"
mkdir -p "$results"
memory_wal=""
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    for data in "$work/pg/data" "$work/pg-memory/data"; do
        [ -d "$data" ] && as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1
    done
    [ -n "$memory_wal" ] && rm -rf "$memory_wal"
    true
}
trap cleanup EXIT

# A private cluster in $1 on port $2 (default durability, shared_buffers 512MB, min_wal_size 1GB) with the database
# `messaging`; with $3 = memory its WAL lives in /dev/shm, for the control run that takes the disk out of a commit.
start_cluster() {
    local dir=$1 port=$2 waldir=()
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir" && chmod 755 "$work"
    if [ "${3:-}" = memory ]; then
        memory_wal=$(mktemp -d /dev/shm/bench-wal.XXXXXX)
        [ "$(id -u)" -eq 0 ] && chown postgres "$memory_wal"
        waldir=(--waldir "$memory_wal/pg_wal")
    fi
    log "PostgreSQL cluster in $dir (port $port${3:+, WAL in $memory_wal})"
    as_pg "$pg_bin/initdb" -D "$dir/data" "${waldir[@]}" -U postgres --auth=trust --encoding=UTF8 >/dev/null
    as_pg "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 \
        -c max_connections=300 -c shared_buffers=512MB -c min_wal_size=1GB -c max_wal_size=2GB" start >/dev/null
    use_cluster "$port"
    "${psql[@]}" -c "CREATE DATABASE messaging" postgres
    # A new cluster has no WAL files to reuse: every 16 MB of WAL, a commit waits while PostgreSQL creates and
    # zero-fills the next file (20–40 ms here). A server that has run for a while recycles old files instead, so
    # ~400 MB of WAL are written and checkpointed first, and min_wal_size keeps those files for reuse.
    log "WAL warm-up"
    "${psql[@]}" -c "CREATE TABLE wal_warmup AS SELECT g, repeat('x', 200) AS filler FROM generate_series(1, 1500000) g" \
        -c "DROP TABLE wal_warmup" -c "CHECKPOINT" postgres
}
stop_cluster() { as_pg "$pg_bin/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null; }
# psql and the server (started from now on) talk to the cluster on port $1.
use_cluster() {
    psql=("$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres)
    db_port=$1
}
start_cluster "$work/pg" "$pg_port"

# Generous limits: the benchmark measures the server, not its per-user protections.
export JWT_SECRET=${JWT_SECRET:-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=' | head -c 48)}
ulimit -n "$(ulimit -Hn)"
start_server() {
    DATABASE_URL="postgres://postgres@127.0.0.1:$db_port/messaging" PORT=$port LOG_LEVEL=warning \
        RATE_LIMIT_SEND=1000000/1000000 RATE_LIMIT_EVENTS=1000000/1000000 RATE_LIMIT_REST=1000000/1000000 \
        MAX_CONNECTIONS=1000000 MAX_CONNECTIONS_PER_USER=1000000 MAX_PENDING_SESSIONS_PER_ADDRESS=1000000 PING_INTERVAL_MS=10000 PING_TIMEOUT_MS=20000 \
        env ${BENCH_SERVER_THREADS:+EVENT_LOOP_THREADS=$BENCH_SERVER_THREADS} "$server_bin" serve > "$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && return; sleep 0.1; done
    echo "bench: the server did not become ready"; cat "$work/server.log"; exit 1
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
start_server

if [[ " $scenarios " == *" sends "* ]]; then
    log "sends: $pairs pairs, $((pairs * 2)) sockets"
    "${psql[@]}" -v pairs="$pairs" -f Benchmarks/sql/seed-pairs.sql messaging
    python3 Benchmarks/fsync-probe.py "$work/pg/fsync-probe" "$results/fsync-slow.tsv" > "$results/fsync.json" &
    probe=$!
    # Half the maximum three times over: one slow flush of the disk can decide a phase's p99.
    "$bin/loadgen" sends --port "$port" --server-pid "$server" --pairs "$pairs" --seconds "$phase_seconds" \
        --rates 0.25,0.5,0.5,0.5,0.75 --timeline "$results/sends-timeline.tsv" > "$results/sends.json"
    kill -TERM "$probe" && wait "$probe"
    for mode in prepared extended; do
        log "pgbench -M $mode: the same statements at the same concurrency ($((pairs * 2)) clients)"
        as_pg "$pg_bin/pgbench" -n -h 127.0.0.1 -p "$pg_port" -U postgres -M "$mode" -c $((pairs * 2)) -j 2 \
            -T "$phase_seconds" -D pairs="$pairs" -f "$root/Benchmarks/pgbench/send.sql" messaging \
            > "$results/pgbench-$mode.txt" 2>&1
        grep -E '^(tps|latency average)' "$results/pgbench-$mode.txt" >&2
    done

    # Control, not durable: the same sends against a cluster whose WAL is in memory, so no commit waits for the
    # disk. What is left of the latency is the server's, PostgreSQL's CPU and the load generator's.
    log "sends, control: the WAL in memory"
    stop_server
    start_cluster "$work/pg-memory" $((pg_port + 1)) memory
    start_server
    "${psql[@]}" -v pairs="$pairs" -f Benchmarks/sql/seed-pairs.sql messaging
    "$bin/loadgen" sends --port "$port" --server-pid "$server" --pairs "$pairs" --seconds "$phase_seconds" \
        --rates 0.5 > "$results/sends-memory-wal.json"
    stop_server
    stop_cluster "$work/pg-memory"
    rm -rf "$memory_wal" "$work/pg-memory"
    memory_wal=""
    use_cluster "$pg_port"
    start_server
fi

if [[ " $scenarios " == *" idle "* ]]; then
    log "idle connections (open-file limit $(ulimit -n))"
    stop_server
    start_server
    "$bin/loadgen" idle --port "$port" --server-pid "$server" --hold "${IDLE_HOLD:-30}" \
        ${IDLE_TARGET:+--target "$IDLE_TARGET"} > "$results/idle.json"
fi

if [[ " $scenarios " == *" history "* ]]; then
    conversations=${HISTORY_CONVERSATIONS:-1000}
    per=${HISTORY_PER_CONVERSATION:-1000}
    log "history: loading $conversations conversations × $per messages"
    started=$(date +%s)
    "${psql[@]}" -v conversations="$conversations" -v per="$per" -f Benchmarks/sql/seed-history.sql messaging
    echo "loaded in $(( $(date +%s) - started )) s; $("${psql[@]}" -tAc 'SELECT count(*) FROM messages' messaging) messages stored" >&2
    "${psql[@]}" -tA -F ' ' -f Benchmarks/sql/history-samples.sql messaging > "$work/history-samples.txt"
    "${psql[@]}" -tA -F ' ' -f Benchmarks/sql/search-samples.sql messaging > "$work/search-samples.txt"
    stop_server
    start_server
    "$bin/loadgen" history --port "$port" --server-pid "$server" --samples "$work/history-samples.txt" \
        --search-samples "$work/search-samples.txt" \
        --connections "${HISTORY_CONNECTIONS:-1,4}" --seconds "$phase_seconds" > "$results/history.json"
    "${psql[@]}" -tAc "SELECT count(*) FROM messages" messaging > "$results/messages-stored.txt"
fi

if [[ " $scenarios " == *" storm "* ]]; then
    stop_server
    log "reconnect storm: ${STORM_CONNECTIONS:-5000} connections come back at once after a restart"
    [ -x .venv/bin/python ] || scripts/setup.sh
    SWIFT_BIN_PATH="$bin" .venv/bin/python Benchmarks/reconnect-storm.py \
        --connections "${STORM_CONNECTIONS:-5000}" > "$results/storm.json"
fi

stop_server
log "report"
python3 Benchmarks/report.py "$results" > "${REPORT:-BENCHMARKS.md}"
echo "bench: wrote ${REPORT:-BENCHMARKS.md}" >&2

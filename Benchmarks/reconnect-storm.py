#!/usr/bin/env python3
"""Benchmark (not a test): the reconnect storm after a restart, and the idle cost of keeping recovery on.

Starts a private PostgreSQL cluster and the release server on it, opens CONNECTIONS sockets with `loadgen storm`,
restarts the server (SIGTERM, then a new process on the same port), and lets every socket come back at once and
claim its session; then the same storm with recovery off, for comparison. Prints one JSON report: sessions
recovered, seconds until all connections were back, each socket's wait, the database's work during the storm
(transactions, rows written, PostgreSQL CPU), and server RSS per idle connection with RECOVERY_WINDOW_S=120
against 0 (recovery off).

    Benchmarks/reconnect-storm.py [--connections 5000]   (after `swift build -c release`)
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "live"))
os.environ.setdefault("SWIFT_BIN_PATH", str(ROOT / ".build" / "release"))

from conftest import BUILD, JWT_SECRET, PostgresCluster, free_port, start_messaging_server  # noqa: E402


def postgres_cpu_seconds():
    """User + system CPU of every postgres process (server and backends), from /proc."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        if name.startswith("postgres"):
            fields = stat[stat.rindex(")") + 2:].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def database_counters(cluster):
    row = cluster.sql("SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, tup_fetched "
                      "FROM pg_stat_database WHERE datname = 'messaging'")
    return dict(zip(["transactions", "inserted", "updated", "deleted", "fetched"], map(int, row.split("|"))))


def resident_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def storm(cluster, tmp, connections, window=120):
    port = free_port()
    env = dict(DATABASE_URL=cluster.url, RATE_LIMIT_REST="100000/100000", MAX_CONNECTIONS_PER_USER="1000",
               MAX_CONNECTIONS=str(connections + 1000), SHUTDOWN_TIMEOUT_MS="3000", LOG_LEVEL="error",
               RECOVERY_WINDOW_S=str(window))
    server = start_messaging_server(tmp / f"storm-{window}", port=port, **env)
    loadgen = subprocess.Popen([str(BUILD / "loadgen"), "storm", "--port", str(port), "--target", str(connections)],
                               env=dict(os.environ, JWT_SECRET=JWT_SECRET), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = loadgen.stderr.readline()
    assert line.startswith("storm: holding"), line
    time.sleep(2)
    before_counters, before_cpu = database_counters(cluster), postgres_cpu_seconds()
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=30)
    restarted = start_messaging_server(tmp / f"storm-{window}", port=port, **env)
    output, errors = loadgen.communicate(timeout=300)
    after_counters, after_cpu = database_counters(cluster), postgres_cpu_seconds()
    restarted.stop()
    report = json.loads(output)
    report["database"] = {key: after_counters[key] - before_counters[key] for key in after_counters}
    report["database"]["postgresCpuSeconds"] = round(after_cpu - before_cpu, 2)
    return report


def idle_cost(cluster, tmp, connections, window):
    port = free_port()
    env = dict(DATABASE_URL=cluster.url, MAX_CONNECTIONS_PER_USER="1000", MAX_CONNECTIONS=str(connections + 1000),
               RECOVERY_WINDOW_S=str(window), LOG_LEVEL="error")
    server = start_messaging_server(tmp / f"idle-{window}", port=port, **env)
    rows_before = int(cluster.sql("SELECT count(*) FROM socket_sessions"))
    try:
        completed = subprocess.run(
            [str(BUILD / "loadgen"), "idle", "--port", str(port), "--target", str(connections), "--hold", "5",
             "--server-pid", str(server.process.pid)],
            env=dict(os.environ, JWT_SECRET=JWT_SECRET), capture_output=True, text=True, timeout=300)
        report = json.loads(completed.stdout)
        rows = int(cluster.sql("SELECT count(*) FROM socket_sessions")) - rows_before
        return {"recoveryWindowSeconds": window, "connected": report["connected"],
                "bytesPerConnection": report["bytesPerConnection"], "sessionRowsWritten": rows}
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=5000)
    arguments = parser.parse_args()
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="storm-"))
    cluster = PostgresCluster()
    try:
        # The same storm with recovery off: what reconnecting costs without it (every session starts afresh).
        result = {"storm": storm(cluster, tmp, arguments.connections),
                  "stormWithoutRecovery": storm(cluster, tmp, arguments.connections, window=0),
                  "idle": [idle_cost(cluster, tmp, arguments.connections, window) for window in (0, 120)]}
        print(json.dumps(result, indent=2))
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()

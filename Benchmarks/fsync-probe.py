"""Storage latency beside the sends scenario: every 20 ms, writes 8 KB into a file next to the PostgreSQL cluster and
times its fdatasync (what a commit waits for), until SIGTERM; then prints a JSON summary. A commit that waits tens of
milliseconds for the disk holds up every send behind it, so the report puts these figures beside the ack latencies.
With SLOW_LOG, each flush over 5 ms is also written there as `unix ms at its start<TAB>ms`, to line up with the load
generator's timeline.
    python3 Benchmarks/fsync-probe.py FILE [SLOW_LOG] > summary.json"""
import json
import os
import signal
import sys
import time

stop = False


def on_term(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
path = sys.argv[1]
slow_log = open(sys.argv[2], "w") if len(sys.argv) > 2 else None
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
block = b"x" * 8192
latencies = []
try:
    while not stop:
        os.pwrite(fd, block, (len(latencies) % 64) * 8192)
        wall = time.time()
        started = time.perf_counter()
        os.fdatasync(fd)
        latencies.append((time.perf_counter() - started) * 1000)
        if slow_log and latencies[-1] > 5:
            slow_log.write(f"{int(wall * 1000)}\t{latencies[-1]:.2f}\n")
        time.sleep(0.02)
finally:
    os.close(fd)
    os.unlink(path)
    if slow_log:
        slow_log.close()

latencies.sort()


def quantile(q):
    return round(latencies[min(len(latencies) - 1, int(len(latencies) * q))], 2) if latencies else None


json.dump({
    "count": len(latencies),
    "p50": quantile(0.5),
    "p99": quantile(0.99),
    "p999": quantile(0.999),
    "max": round(latencies[-1], 2) if latencies else None,
    "over10ms": sum(1 for value in latencies if value > 10),
}, sys.stdout)

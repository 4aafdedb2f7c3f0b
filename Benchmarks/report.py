#!/usr/bin/env python3
"""Renders BENCHMARKS.md from the JSON and text results of scripts/bench.sh (argument: the results folder).
Appends Benchmarks/optimizations.md, the hand-kept record of before/after figures."""
import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone

results = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))


def load(name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle) if name.endswith(".json") else handle.read()


def command(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=20).stdout.strip()
    except OSError:
        return "?"


def cpu_model():
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def mem_total():
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) // 1024 // 1024} GiB"
    return "?"


def ms(value):
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def pgbench(mode):
    text = load(f"pgbench-{mode}.txt")
    if not text:
        return None
    tps = re.search(r"tps = ([\d.]+)", text)
    latency = re.search(r"latency average = ([\d.]+) ms", text)
    return (float(tps.group(1)) if tps else None, float(latency.group(1)) if latency else None)


def verdict(ok):
    return "met" if ok else "**not met**"


out = []
line = out.append
line("# Benchmarks")
line("")
line("Written by `scripts/bench.sh` (see the README); the optimisation record at the end is kept by hand in")
line("`Benchmarks/optimizations.md`. Everything runs on one machine over loopback: PostgreSQL (default")
line("durability: fsync and synchronous commit on; shared_buffers 512 MB; WAL files written once before the runs, so")
threads = os.environ.get("BENCH_SERVER_THREADS")
line("that they are recycled as on a server that has been running), the release build of the server"
     + (f" (`EVENT_LOOP_THREADS={threads}`)," if threads else " (one event-loop thread per core),"))
line("and the load generator (`Benchmarks/LoadGenerator`, one event-loop thread) share the cores.")
line("")
line("## Machine")
line("")
swift_version = command("swift", "--version").splitlines()
line(f"- {os.cpu_count()} cores ({cpu_model()}), {mem_total()} memory, {platform.system()} {platform.release()}")
line(f"- {swift_version[0] if swift_version else 'swift ?'}; {command('psql', '--version')}")
line(f"- run at {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}"
     + (f"; {os.environ['BENCH_LABEL']}" if os.environ.get("BENCH_LABEL") else ""))
line("")

targets = []
sends = load("sends.json")
if sends:
    phases = sends["phases"]
    top = phases[0]
    line("## 1–2. Persisted `send_message` with ack, and delivery of `new_message`")
    line("")
    line(f"{sends['pairs']} user pairs, each in its own conversation, both users connected over WebSocket and joined"
         f" ({sends['sockets']} sockets); {sends['contentBytes']}-byte messages with a `clientMessageId`. An ack"
         " means the row is committed. Ack latency: event written → ack read. Delivery: the sender's timestamp"
         " (in the content) → `new_message` read by the other participant. Latencies in ms.")
    line("")
    line("| phase | sends/s | ack p50 | ack p99 | ack p99.9 | ack max | delivery p50 | delivery p99 | delivery p99.9 | errors | server CPU |")
    line("|---|---|---|---|---|---|---|---|---|---|---|")
    for phase in phases:
        ack, delivery = phase["ack"], phase["delivery"]
        errors = ", ".join(f"{k}: {v}" for k, v in phase["errors"].items()) or "0"
        cpu = f"{phase['serverCPU'] * 100:.0f}%" if phase.get("serverCPU") is not None else "?"
        line(f"| {phase['mode']} | {phase['throughput']:.0f} | {ms(ack['p50'])} | {ms(ack['p99'])} | {ms(ack['p999'])}"
             f" | {ms(ack['max'])} | {ms(delivery['p50'])} | {ms(delivery['p99'])} | {ms(delivery['p999'])}"
             f" | {errors} | {cpu} |")
    line("")
    fsync = load("fsync.json")
    if fsync and fsync.get("count"):
        line(f"The disk under these phases (`Benchmarks/fsync-probe.py`: an 8 KB write and `fdatasync` every 20 ms beside"
             f" PostgreSQL's files, {fsync['count']} samples): p50 {fsync['p50']} ms, p99 {fsync['p99']} ms, p99.9"
             f" {fsync['p999']} ms, max {fsync['max']} ms; {fsync['over10ms']} took over 10 ms. Every commit waits for"
             " such a flush, so a slow one holds up each send behind it.")
        line("")
    prepared, extended = pgbench("prepared"), pgbench("extended")
    if prepared or extended:
        line(f"pgbench running the statement of a send written alone (`Benchmarks/pgbench/send.sql`) at the same concurrency"
             f" ({sends['sockets']} clients):")
        line("")
        line("| pgbench protocol | transactions/s | latency average (ms) | server sends/s ÷ pgbench |")
        line("|---|---|---|---|")
        for name, figures in (("prepared statements (`-M prepared`)", prepared),
                              ("extended, unprepared (`-M extended`)", extended)):
            if figures and figures[0]:
                line(f"| {name} | {figures[0]:.0f} | {figures[1]:.2f} | **{top['throughput'] / figures[0]:.2f}** |")
        line("")
        if prepared and prepared[0]:
            targets.append(("persisted sends ≥ pgbench rate of the same statement (prepared)",
                            f"{top['throughput']:.0f}/s vs {prepared[0]:.0f}/s", top["throughput"] >= prepared[0]))
    half = next((p for p in phases if "50%" in p["mode"]), None)
    if half:
        targets.append(("p99 ack ≤ 10 ms at half the maximum rate", f"{ms(half['ack']['p99'])} ms",
                        half["ack"]["p99"] <= 10))

idle = load("idle.json")
if idle:
    line("## 3. Idle connections")
    line("")
    per = idle.get("bytesPerConnection")
    line(f"Ramp to {idle['target']} Socket.IO connections over WebSocket (open-file limit {idle['openFileLimit']},"
         f" {idle['connected']} connected, failures: {idle['failures'] or 'none'}), {idle['rampSeconds']:.1f} s with"
         f" 64 handshakes in flight; held {idle['holdSeconds']:.0f} s with a 10 s heartbeat"
         f" ({idle['heartbeatsAnswered']} pings answered, {idle['closedDuringHold']} closed during the hold,"
         f" {idle['openAfterHold']} open after it).")
    line("")
    line("| server RSS before | after ramp | after hold | per connection | connect p50 | connect p99 | connect p99.9 | connect max |")
    line("|---|---|---|---|---|---|---|---|")
    mib = lambda b: f"{b / 1048576:.1f} MiB" if b is not None else "?"
    connect = idle["connect"]
    line(f"| {mib(idle.get('serverResidentBefore'))} | {mib(idle.get('serverResidentAfterRamp'))}"
         f" | {mib(idle.get('serverResidentAfterHold'))} | {per / 1024:.1f} KiB | {ms(connect['p50'])} ms"
         f" | {ms(connect['p99'])} ms | {ms(connect['p999'])} ms | {ms(connect['max'])} ms |")
    line("")
    if idle.get("samples"):
        line("Server RSS during the ramp: " + ", ".join(
            f"{s['connections']}: {mib(s['serverResidentBytes'])}" for s in idle["samples"][:: max(1, len(idle['samples']) // 10)]))
        line("")
    if per is not None:
        targets.append(("≤ 10 KB RSS per idle connection", f"{per / 1000:.1f} KB", per <= 10_000))

history = load("history.json")
if history:
    stored = (load("messages-stored.txt") or "?").strip()
    line("## 4. History with many messages stored")
    line("")
    first = history["results"][0]
    line(f"{stored} messages stored (1,000 conversations × 1,000 messages, plus the send benchmark's), read over REST"
         f" by keep-alive connections with one request in flight each, {first['seconds']:.0f} s per kind and"
         " connection count; random conversations and cursors. Latencies in ms.")
    line("")
    line("| request | connections | requests/s | p50 | p90 | p99 | p99.9 | max | bytes/answer | failures |")
    line("|---|---|---|---|---|---|---|---|---|---|")
    for result in history["results"]:
        lat = result["latency"]
        failures = ", ".join(f"{k}: {v}" for k, v in result["failures"].items()) or "0"
        line(f"| {result['name']} | {result['connections']} | {result['throughput']:.0f} | {ms(lat['p50'])}"
             f" | {ms(lat['p90'])} | {ms(lat['p99'])} | {ms(lat['p999'])} | {ms(lat['max'])}"
             f" | {result['responseBytes']} | {failures} |")
        if "messages" in result["name"]:
            targets.append((f"p99 ≤ 5 ms: {result['name']}, {result['connections']} connection(s)",
                            f"{ms(lat['p99'])} ms", lat["p99"] <= 5))
    line("")

if targets:
    line("## Targets")
    line("")
    line("| target | measured | |")
    line("|---|---|---|")
    for name, figure, ok in targets:
        line(f"| {name} | {figure} | {verdict(ok)} |")
    line("")

record = os.path.join(here, "optimizations.md")
if os.path.exists(record):
    with open(record) as handle:
        out.append(handle.read().rstrip())
print("\n".join(out))

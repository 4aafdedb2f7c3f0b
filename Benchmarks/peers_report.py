#!/usr/bin/env python3
"""Renders the side-by-side section of BENCHMARKS.md from compare.py's results.jsonl (scripts/bench-peers.sh).

  peers_report.py RESULTS.jsonl > Benchmarks/peers.md
  peers_report.py --splice Benchmarks/peers.md BENCHMARKS.md   # replaces the section between its markers
"""
import json
import statistics
import sys

BEGIN, END = "<!-- peers:begin -->", "<!-- peers:end -->"
TITLES = {
    "echo-c50": "echo with ack, 50 connections, 32 B",
    "echo-c1": "echo with ack, 1 connection",
    "fanout-100x2": "fan-out, 100 rooms × 2",
    "fanout-1x1000": "fan-out, 1 room of 1,000 sockets",
    "hold-19.9k": "19,900 idle WebSocket connections",
}


def cpu_us(r):
    """Server CPU per operation in µs (server_cpu_pct is % of one core over the measured seconds)."""
    return r["server_cpu_pct"] * 10_000 / r["rate_per_s"] if r.get("rate_per_s") else None


def median(rows, key):
    values = [key(r) for r in rows if key(r) is not None]
    return statistics.median(values) if values else None


def render(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    by = {}
    for r in rows:
        by.setdefault(r["run_name"], {}).setdefault(r["server"], []).append(r)
    out = [BEGIN, "## 6. The engine side by side with the reference servers", ""]
    first = rows[0]
    out.append(
        f"`scripts/bench-peers.sh`, {first['ts'][:10]}: `socketio-echo` (release build; handlers on the connections'"
        " event loops, Swift's default global executor) against the official Node.js socket.io 4.8.3 and"
        " python-socketio from `../shared/peers`, the same three handlers on `/messages`, driven by siobench (C, one"
        " thread, WebSocket) on the same 2 cores, each server started fresh per run, in alternating order."
        " Node and python-socketio use one core; ours may use both, so CPU per operation is the fair"
        " comparison. Server CPU per operation = server CPU ÷ operations/s.")
    out.append("")
    for name, servers in by.items():
        out.append(f"### {TITLES.get(name, name)} (`{next(iter(servers.values()))[0]['run_args']}`)")
        out.append("")
        if name.startswith("hold"):
            out.append("| server | held / target | RSS per connection | connect p99 | server CPU while holding |")
            out.append("|---|---|---|---|---|")
            for server, rs in servers.items():
                for r in rs:
                    out.append(f"| {server} | {r['still_connected']:,} / {r['conns']:,} | "
                               f"{r['server_kb_per_conn']:.1f} KB | {r['connect_ms']['p99']:.1f} ms | "
                               f"{r['server_cpu_pct']:.1f} % |")
        else:
            what = "deliveries/s" if name.startswith("fanout") else "acks/s"
            out.append(f"| server | {what} | p50 | p99 | p99.9 | server CPU | CPU per operation |")
            out.append("|---|---|---|---|---|---|---|")
            for server, rs in servers.items():
                for r in rs:
                    lat = r["lat_us"]
                    out.append(f"| {server} | {r['rate_per_s']:,.0f} | {lat['p50']:,.0f} µs | {lat['p99']:,.0f} µs |"
                               f" {lat['p999']:,.0f} µs | {r['server_cpu_pct']:.0f} % | {cpu_us(r):.1f} µs |")
        out.append("")

    def get(name, server, key):
        return median(by.get(name, {}).get(server, []), key)

    targets = []

    def ratio_target(label, name, key, bound, better):
        ours, node = get(name, "ours", key), get(name, "node", key)
        if ours is None or node is None:
            return
        ratio = ours / node
        ok = ratio >= bound if better == "higher" else ratio <= bound
        targets.append((label, f"{ratio:.2f}× (ours {ours:,.1f}, node {node:,.1f})", ok))

    rate = lambda r: r["rate_per_s"]
    ratio_target("echo, 50 connections: rate ≥ 2× the official server's", "echo-c50", rate, 2.0, "higher")
    ratio_target("echo, 50 connections: server CPU per ack ≤ 0.5× its", "echo-c50", cpu_us, 0.5, "lower")
    ratio_target("echo, 1 connection: p50 ≤ 0.8× its", "echo-c1", lambda r: r["lat_us"]["p50"], 0.8, "lower")
    ratio_target("fan-out 100×2: deliveries/s ≥ 2× its", "fanout-100x2", rate, 2.0, "higher")
    ratio_target("fan-out 100×2: p99 ≤ its p99", "fanout-100x2", lambda r: r["lat_us"]["p99"], 1.0, "lower")
    ratio_target("fan-out to one room of 1,000: deliveries/s ≥ 2× its", "fanout-1x1000", rate, 2.0, "higher")
    idle = get("hold-19.9k", "ours", lambda r: r["server_kb_per_conn"])
    if idle is not None:
        targets.append(("idle: ≤ 6 KB RSS per connection", f"{idle:.1f} KB", idle <= 6.0))
    if targets:
        out.append("### Targets")
        out.append("")
        out.append("| target | measured | |")
        out.append("|---|---|---|")
        for label, figure, ok in targets:
            out.append(f"| {label} | {figure} | {'met' if ok else '**not met**'} |")
        out.append("")
    out.append(END)
    return "\n".join(out)


def splice(section_path, document_path):
    section = open(section_path).read().strip()
    document = open(document_path).read()
    if BEGIN in document:
        head, rest = document.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        document = head + section + tail
    else:
        # Before the optimisation record, after the targets of the messaging server.
        marker = "## Optimisation record"
        head, tail = document.split(marker, 1) if marker in document else (document, "")
        document = head + section + "\n\n" + (marker + tail if tail else "")
    open(document_path, "w").write(document)


if __name__ == "__main__":
    if sys.argv[1] == "--splice":
        splice(sys.argv[2], sys.argv[3])
    else:
        print(render(sys.argv[1]))

#!/usr/bin/env python3
"""Turns bench/work/results.tsv (lines: tunnel, workload.metric, value) into the markdown table of bench/run.

usage: report.py RESULTS_TSV TUNNEL...                      (tunnels in column order): the main table
       report.py --scale POINT[,POINT...] RESULTS_TSV TUNNEL...  the scaling table, a row per metric and point

Rows are the metrics below, columns the tunnels, then for each ITT tunnel its ratio to the references RATIOS names
(the tunnel's figure divided by the other's, whatever the direction of "better"): a TLS tunnel is set against
relay2-tls, the relays with TLS between them, and against ssh, whose connection is always encrypted. A workload recorded as
`failed:WORKLOAD` shows FAILED in all of its cells, even those it recorded before failing (`failed:scale.1000`
only those of that point); a metric a tunnel does not have (idle and startup outside ITT, RSS of processes that
are not JVMs) shows an em dash.
"""
import sys

# key, label with unit, which way is better
METRICS = [
    ("bulk.mbps", "bulk: download of /big.bin, median of runs (MB/s, 10^6 B)", "higher"),
    ("1conn.rps", "1conn: requests/s, 1 connection", "higher"),
    ("1conn.p50", "1conn: latency p50 (ms)", "lower"),
    ("1conn.p99", "1conn: latency p99 (ms)", "lower"),
    ("50conn.rps", "50conn: requests/s, 50 connections", "higher"),
    ("50conn.p99", "50conn: latency p99 (ms)", "lower"),
    ("50conn.cpu_us", "50conn: CPU of the tunnel's processes per request (µs)", "lower"),
    ("50conn.server_rss", "50conn: server end max RSS (MB)", "lower"),
    ("50conn.client_rss", "50conn: agent max RSS (MB)", "lower"),
    ("newconn.cps", "newconn: connections/s (one request each)", "higher"),
    ("newconn.errors", "newconn: errors (socket errors + non-2xx/3xx)", "lower"),
    ("idle.streams", "idle: streams held open", "higher"),
    ("idle.errors", "idle: errors (failed to open + dropped while held)", "lower"),
    ("idle.server_heap_per_stream", "idle: server end heap per idle stream (bytes)", "lower"),
    ("idle.client_heap_per_stream", "idle: agent heap per idle stream (bytes)", "lower"),
    ("idle.server_heap", "idle: server end heap after GC, baseline / held / closed (MB)", "lower"),
    ("idle.client_heap", "idle: agent heap after GC, baseline / held / closed (MB)", "lower"),
    ("idle.server_rss_per_stream", "idle: server end RSS per idle stream (bytes)", "lower"),
    ("idle.client_rss_per_stream", "idle: agent RSS per idle stream (bytes)", "lower"),
    ("idle.server_rss", "idle: server end RSS, baseline / held / closed (MB)", "lower"),
    ("idle.client_rss", "idle: agent RSS, baseline / held / closed (MB)", "lower"),
    ("rtt50.ttfb", "rtt50: first byte of /small, fresh connection, median of 5 (ms)", "lower"),
    ("rtt50.mbps", "rtt50: download of /big.bin across 50 ms RTT, median of 3 after 3 (MB/s)", "higher"),
    ("startup.listen_ms", "startup: launch to server end listening (ms, median)", "lower"),
    ("startup.ms", "startup: launch of both ends to first request (ms, median)", "lower"),
    ("startup.floor_quarkus_ms",
     "startup floor: two minimal Quarkus apps launched at once, to both listening (ms, median)", "lower"),
    ("startup.floor_vertx_ms",
     "startup floor: the same with Vert.x, listening with a NetServer on epoll (ms, median)", "lower"),
    ("startup.floor_quarkus_rss_mb",
     "startup floor: the larger VmRSS of the two minimal Quarkus apps, idle (MB, median)", "lower"),
    ("startup.floor_vertx_rss_mb", "startup floor: the same with Vert.x (MB, median)", "lower"),
]

# The scaling table's metrics, each with a row per point (a number of connections): key, label, better.
SCALE_METRICS = [
    ("rps", "requests/s", "higher"),
    ("p99", "latency p99 (ms)", "lower"),
    ("errors", "errors (socket errors + non-2xx/3xx)", "lower"),
    ("established", "connections seen established at once (most)", "higher"),
    ("server_rss", "server end peak RSS (MB)", "lower"),
    ("client_rss", "agent peak RSS (MB)", "lower"),
]

# tunnel: (short name in the ratio headers, the references it is divided by)
RATIOS = {
    "itt": ("itt", ["relay2", "ssh"]),
    "itt-jdk17": ("jdk17", ["relay2", "ssh"]),
    "itt-legacy": ("legacy", ["relay2", "ssh"]),
    "itt-tls": ("itt-tls", ["relay2-tls", "ssh"]),
    "itt-tls-jdk": ("tls-jdk", ["relay2-tls"]),
    "itt-tls-openssl": ("tls-openssl", ["relay2-tls"]),
}


def read(path):
    """results.tsv as {(tunnel, key): value} and the set of (tunnel, workload) that failed."""
    values, failed = {}, set()
    with open(path) as f:
        for line in f:
            tunnel, key, value = line.rstrip("\n").split("\t")
            if key.startswith("failed:"):
                failed.add((tunnel, key[len("failed:"):]))
            else:
                values[(tunnel, key)] = value
    return values, failed


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def scale_metrics(points):
    return [(f"scale.{n}.{key}", f"{n:,} conn: {label}", better)
            for key, label, better in SCALE_METRICS for n in points]


def main():
    args = sys.argv[1:]
    metrics = METRICS
    if args and args[0] == "--scale":
        metrics = scale_metrics([int(n) for n in args[1].split(",")])
        args = args[2:]
    path, tunnels = args[0], args[1:]
    values, failed = read(path)

    columns = []  # (header, function of metric key -> cell text)
    for t in tunnels:
        columns.append((t, lambda key, t=t: cell(values, failed, t, key)))
        if t in RATIOS:
            short, references = RATIOS[t]
            for other in references:
                if other in tunnels:
                    columns.append((f"{short}/{other}",
                                    lambda key, t=t, o=other: ratio(values, failed, t, o, key)))

    rows = []
    for key, label, better in metrics:
        cells = [fn(key) for _, fn in columns]
        if all(c == "—" for c in cells):
            continue  # a workload no selected tunnel ran
        rows.append(f"| {label} | {better} | " + " | ".join(cells) + " |")
    if not rows:
        return  # no part of this table ran: no table
    print("| metric | better | " + " | ".join(h for h, _ in columns) + " |")
    print("|---|---|" + "---:|" * len(columns))
    print("\n".join(rows))


def is_failed(failed, tunnel, key):
    """A failure of the workload (scale) or of its point (scale.1000) covers the key (scale.1000.rps)."""
    parts = key.split(".")
    return any((tunnel, ".".join(parts[:i])) in failed for i in range(1, len(parts)))


def cell(values, failed, tunnel, key):
    # A failed workload's partial figures would mislead (e.g. CPU of a process that died): FAILED it is.
    if is_failed(failed, tunnel, key):
        return "FAILED"
    return values.get((tunnel, key), "—")


def ratio(values, failed, tunnel, other, key):
    if is_failed(failed, tunnel, key) or is_failed(failed, other, key):
        return "—"
    a, b = number(values.get((tunnel, key))), number(values.get((other, key)))
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}"


if __name__ == "__main__":
    main()

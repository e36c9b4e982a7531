#!/usr/bin/env python3
"""Small measurements for bench/run, each printing plain `key=value` words for the shell to read.

  heap PID              heap in use after full GCs, in bytes: `jcmd PID GC.run` twice (the second catches what
                        the first only made unreachable, e.g. objects behind cleaners), then `jcmd PID
                        GC.heap_info`, adding the `used` figure of each generation (Serial, Parallel), of the
                        whole heap (G1), or the ZGC/Shenandoah equivalent. Metaspace is not heap and is left out.
                        Needs explicit GC to be enabled (no -XX:+DisableExplicitGC in the JVM options).
                        jcmd is the one of the JDK the process runs (beside /proc/PID/exe), else the PATH's.
  rss PID...            resident set size (VmRSS) of each process, in bytes
  rss-max SECONDS PID...  samples VmRSS every 200 ms for SECONDS, prints the maximum of each, in bytes
  rss-max-tree SECONDS PID...  the same for the process tree rooted at each PID (VmRSS of its processes summed,
                        e.g. an nginx master and its workers), in bytes
  cpu PID...            CPU time (user + system) used so far by the process trees rooted at PIDs, in seconds
  wrk FILE              parses `wrk --latency` output: rps, p50_ms, p99_ms, errors (socket errors of every kind
                        plus non-2xx/3xx responses), requests
"""
import os
import re
import subprocess
import sys
import time


def jcmd_of(pid):
    """The jcmd of the JDK that process pid runs: a JDK's tools speak its own attach protocol best."""
    try:
        beside = os.path.join(os.path.dirname(os.readlink(f"/proc/{pid}/exe")), "jcmd")
    except OSError:
        return "jcmd"
    return beside if os.access(beside, os.X_OK) else "jcmd"


def jcmd(pid, command):
    out = subprocess.run([jcmd_of(pid), str(pid), command], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"jcmd {pid} {command} failed: {out.stdout}{out.stderr}")
    return out.stdout


UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def heap_used(pid):
    jcmd(pid, "GC.run")
    jcmd(pid, "GC.run")
    info = jcmd(pid, "GC.heap_info")
    used = 0
    found = False
    for line in info.splitlines():
        text = line.strip()
        if text.startswith(("Metaspace", "class space")):
            continue
        m = (re.search(r"total \d+[KMG], used (\d+)([KMG])", text)      # Serial, Parallel, G1
             or re.search(r"^ZHeap\s+used (\d+)([KMG])", text)          # ZGC
             or re.search(r"(\d+)([KMG]) used$", text))                 # Shenandoah
        if m:
            used += int(m.group(1)) * UNITS[m.group(2)]
            found = True
    if not found:
        raise SystemExit(f"no heap figure in GC.heap_info of {pid}:\n{info}")
    return used


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise SystemExit(f"no VmRSS for {pid}")


def rss_max(seconds, pids, tree=False):
    peak = {pid: 0 for pid in pids}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        # The tree is read afresh at every sample: sshd forks its session process after it started.
        members = descendants(pids) if tree else {pid: [pid] for pid in pids}
        for pid in pids:
            total = 0
            for member in members[pid]:
                try:
                    total += rss(member)
                except (OSError, SystemExit):
                    pass  # a process that died shows as its last peak; the caller checks liveness
            peak[pid] = max(peak[pid], total)
        time.sleep(0.2)
    return peak


def process_table():
    """pid -> (ppid, utime + stime in ticks) of every live process."""
    stats = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15
        stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return stats


def descendants(roots, stats=None):
    """root -> the live pids of the tree rooted at it, root included."""
    stats = process_table() if stats is None else stats
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    trees = {}
    for root in roots:
        todo, seen = [root], []
        while todo:
            pid = todo.pop()
            if pid in seen or pid not in stats:
                continue
            seen.append(pid)
            todo.extend(children.get(pid, []))
        trees[root] = seen
    return trees


def cpu_seconds(roots):
    """utime + stime of every live process descending from roots (nginx workers, sshd's session children)."""
    stats = process_table()
    members = set(pid for tree in descendants(roots, stats).values() for pid in tree)
    return sum(stats[pid][1] for pid in members) / os.sysconf("SC_CLK_TCK")


TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise SystemExit(f"unreadable wrk duration {text!r}")
    return float(m.group(1)) * TIME_UNITS_MS[m.group(2)]


def parse_wrk(path):
    text = open(path).read()
    result = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not m:
        raise SystemExit(f"no Requests/sec in {path}")
    result["rps"] = float(m.group(1))
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", text, re.M)
        if m:
            result[f"p{pct}_ms"] = to_ms(m.group(1))
    m = re.search(r"(\d+) requests in", text)
    result["requests"] = int(m.group(1)) if m else 0
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(g) for g in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errors += int(m.group(1))
    result["errors"] = errors
    return result


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    what, args = argv[1], argv[2:]
    if what == "heap":
        print(f"heap={heap_used(int(args[0]))}")
    elif what == "rss":
        print(" ".join(f"{pid}={rss(int(pid))}" for pid in args))
    elif what in ("rss-max", "rss-max-tree"):
        peak = rss_max(float(args[0]), [int(p) for p in args[1:]], tree=what == "rss-max-tree")
        print(" ".join(f"{pid}={v}" for pid, v in peak.items()))
    elif what == "cpu":
        print(f"cpu_s={cpu_seconds([int(p) for p in args]):.3f}")
    elif what == "wrk":
        print(" ".join(f"{k}={v}" for k, v in parse_wrk(args[0]).items()))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

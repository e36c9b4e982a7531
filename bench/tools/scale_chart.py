#!/usr/bin/env python3
"""Draws bench/run's scaling results as an SVG chart with gnuplot: requests/s and latency p99 against the number
of concurrent keep-alive connections (log scale), a line per tunnel.

usage: scale_chart.py RESULTS_TSV OUT.svg TITLE POINT[,POINT...] TUNNEL...

A point that failed, or that a tunnel did not record, is left out of its line; a point where wrk counted errors
is circled in red, one where fewer connections were seen established than asked is marked with a black triangle
(the table has the counts).
"""
import math
import subprocess
import sys

from report import read  # the same results.tsv reader as the report's

# gnuplot's colours by tunnel, so that a tunnel keeps its colour whatever --only selects.
COLOURS = {
    "direct": "#7f7f7f",
    "relay2": "#1f77b4",
    "relay2-tls": "#17becf",
    "ssh": "#ff7f0e",
    "itt": "#2ca02c",
    "itt-jdk17": "#9467bd",
    "itt-legacy": "#8c564b",
    "itt-tls": "#d62728",
    "itt-tls-jdk": "#e377c2",
    "itt-tls-openssl": "#bcbd22",
}


def figure(values, failed, tunnel, n, metric):
    if (tunnel, "scale") in failed or (tunnel, f"scale.{n}") in failed:
        return math.nan
    try:
        return float(values[(tunnel, f"scale.{n}.{metric}")])
    except (KeyError, ValueError):
        return math.nan


def script(values, failed, out, title, points, tunnels):
    lines = []
    drawn = []
    for i, t in enumerate(tunnels):
        rows = [(n, figure(values, failed, t, n, "rps"), figure(values, failed, t, n, "p99"),
                 figure(values, failed, t, n, "errors"), figure(values, failed, t, n, "established"))
                for n in points]
        if all(math.isnan(r[1]) for r in rows):
            continue
        lines.append(f"$d{i} << EOD")
        lines += [" ".join("NaN" if math.isnan(v) else repr(v) for v in row) for row in rows]
        lines.append("EOD")
        drawn.append((i, t))
    if not drawn:
        raise SystemExit("scale_chart: no scaling figure to draw")

    def plot(column):
        series = [f"$d{i} using 1:{column} with linespoints lw 2 pt 7 ps 0.6 lc rgb '{COLOURS.get(t, 'black')}'"
                  f"{' dt 2' if t == 'direct' else ''} title '{t}'" for i, t in drawn]
        # Points with errors, or with connections missing: a mark around them, once in the key.
        series += [f"$d{i} using 1:($4 > 0 ? ${column} : NaN) with points pt 6 ps 2 lw 1.5 lc rgb 'red' "
                   + ("title 'wrk counted errors'" if k == 0 else "notitle") for k, (i, _) in enumerate(drawn)]
        series += [f"$d{i} using 1:($5 < $1 ? ${column} : NaN) with points pt 8 ps 2.2 lw 1.5 lc rgb 'black' "
                   + ("title 'not all connections established'" if k == 0 else "notitle")
                   for k, (i, _) in enumerate(drawn)]
        return "plot " + ", \\\n     ".join(series)

    xtics = ", ".join(f'"{n:,}" {n}' for n in points)
    lines += [
        "set terminal svg size 1200,500 dynamic enhanced font 'sans,12' background rgb 'white'",
        f"set output '{out}'",
        f"set multiplot layout 1,2 title '{title}'",
        "set logscale x 10",
        f"set xrange [{points[0] / 1.5}:{points[-1] * 1.5}]",
        f"set xtics ({xtics})",
        "set xlabel 'concurrent keep-alive connections'",
        "set grid",
        # One key, for both panels, where latency leaves room: low at few connections, high at many.
        "unset key",
        "set ylabel 'requests/s'",
        "set yrange [0:*]",
        plot(2),
        "set key top left box opaque",
        "set logscale y 10",
        "set yrange [*:*]",
        "set ylabel 'latency p99 (ms)'",
        plot(3),
        "unset multiplot",
    ]
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) < 6:
        raise SystemExit(__doc__)
    path, out, title, points, tunnels = argv[1], argv[2], argv[3], argv[4], argv[5:]
    values, failed = read(path)
    text = script(values, failed, out, title.replace("'", "’"), [int(n) for n in points.split(",")], tunnels)
    done = subprocess.run(["gnuplot"], input=text, text=True, capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"gnuplot failed:\n{done.stderr}\nscript:\n{text}")


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""make bench's report (tools/bench.sh): build/bench.md with every table and build/bench.png.

  bench_report.py --out bench.md --plot bench.png --revision REV
                  --section 'TITLE|LOG|INTRO' ... [--linux LINUX.md]

Each --section is a table of the "[guest] BENCH name value unit" lines of one serial log
(TITLE a markdown heading, INTRO a file of prose put under it, or empty). Rows measured in
both interrupt modes ("exitless-X" and "injected-X", the same guest image booted both ways
in the same run) also get a table of their own, exitless against injected, the baseline;
so do rows measured with both virtio modes ("sidecore-X" against "baseline-X").
--linux is the Linux section as tools/linux_bench.py's rows made it (its boot rows are already
exitless against the same kernel booted natively). The plot has one panel per kind of pair:
exits per 10k events, latencies in cycles, and the Linux boot against native.
Fails (exit 1, with a message) when a log has no BENCH line: a report never shows a table
that was not measured."""
import argparse
import os
import re
import subprocess
import sys

BENCH = re.compile(r"^\[([a-z0-9-]+)\] BENCH (\S+) (\d+) (.*)$")
LINUX_ROW = re.compile(r"^\| (linux-\S+) \| ([0-9.]+) \| (.*) \|$")
MODES = (("exitless", "injected"), ("sidecore", "baseline"))  # (mode, its baseline)


class ReportError(Exception):
    pass


def bench_rows(path):
    """[(name, value, unit)] of a serial log's BENCH lines, sorted by name."""
    rows = []
    with open(path, "rb") as f:
        for raw in f:
            m = BENCH.match(raw.decode("utf-8", "replace").rstrip("\r\n").replace("\r", ""))
            if m:
                rows.append((m.group(2), int(m.group(3)), m.group(4).strip()))
    if not rows:
        raise ReportError(f"{path}: no BENCH lines")
    return sorted(rows)


def pairs(rows, modes=MODES[0]):
    """[(measurement, mode value, baseline value, unit)] for names measured both ways."""
    mode, base = modes
    by = {name: (value, unit) for name, value, unit in rows}
    out = []
    for name, value, unit in rows:
        if not name.startswith(mode + "-"):
            continue
        rest = name[len(mode) + 1:]
        other = by.get(base + "-" + rest)
        if other and other[1] == unit:
            out.append((rest, value, other[0], unit))
    return out


def ratio(exitless, injected, mode="exitless"):
    if exitless == 0:
        return f"{mode} 0" if injected else "both 0"
    return f"{injected / exitless:.2f}"


SCALE_ROW = re.compile(r"^scale-(\d+)g-rx-per-s$")


def jain(values):
    """Jain's fairness index (sum x)^2 / (n * sum x^2) of measured per-guest rates: 1 when
    all are equal, 1/n when one guest gets everything. Raises on no values or all zero."""
    if not values or not any(values):
        raise ReportError("jain: no nonzero per-guest rates")
    return sum(values) ** 2 / (len(values) * sum(v * v for v in values))


def scaling_rows(rows):
    """{guests: [per-guest frames/s]} from "scale-<n>g-rx-per-s" BENCH rows (one per guest)."""
    out = {}
    for name, value, _unit in rows:
        m = SCALE_ROW.match(name)
        if m:
            out.setdefault(int(m.group(1)), []).append(value)
    return out


def table(rows):
    out = ["| measurement | value | unit |", "|---|---:|---|"]
    out += [f"| {n} | {v} | {u} |" for n, v, u in rows]
    return out


def pair_table(ps, modes=MODES[0]):
    mode, base = modes
    label = base if base == "baseline" else f"{base} (baseline)"
    out = [f"| measurement | {mode} | {label} | unit | {base} / {mode} |",
           "|---|---:|---:|---|---:|"]
    out += [f"| {m} | {e} | {i} | {u} | {ratio(e, i, mode)} |" for m, e, i, u in ps]
    return out


def linux_rows(path):
    rows = []
    with open(path) as f:
        for l in f:
            m = LINUX_ROW.match(l.rstrip("\n"))
            if m:
                rows.append((m.group(1), float(m.group(2)), m.group(3)))
    return rows


def parse_section(spec):
    parts = spec.split("|")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise ReportError(f"--section {spec!r}: expected 'TITLE|LOG|INTRO' (INTRO may be empty)")
    return parts


def report(sections, linux, revision):
    """(markdown text, plot data) for the sections [(title, log, intro path)] and the Linux
    section's file (or None). Plot data: {panel: [(label, exitless or hypervisor, baseline)]}."""
    md = ["# Exitless benchmarks", "",
          f"Revision: {revision}. Made by `make bench` (tools/bench.sh, tools/bench_report.py).",
          "Each mode is measured against its baseline in the same run: exitless interrupts",
          "against the same guest with injected interrupts, the Linux guest against the same",
          "kernel booted natively in the same emulator.", ""]
    plot = {"exits": [], "latency": [], "linux": []}
    for title, log, intro in sections:
        rows = bench_rows(log)
        md += [title, ""]
        if intro:
            with open(intro) as f:
                md += [f.read().rstrip("\n"), ""]
        ps = pairs(rows)
        short = title.lstrip("# ").split(" (")[0].split(",")[0]
        vs = pairs(rows, MODES[1])
        if vs:
            md += ["Sidecore against baseline (virtio_mode):", ""] + pair_table(vs, MODES[1]) + [""]
        if ps:
            md += ["Exitless against injected:", ""] + pair_table(ps) + ["", "All rows:", ""]
        elif vs:
            md += ["All rows:", ""]
        for m, e, i, u in ps:
            if u == "exits":
                plot["exits"].append((f"{short}: {m}", e, i))
            elif u == "cycles" and m.endswith("-avg"):
                plot["latency"].append((f"{short}: {m}", e, i))
        md += table(rows) + [""]
    if linux:
        with open(linux) as f:
            text = f.read().rstrip("\n")
        if not text:
            raise ReportError(f"{linux}: empty Linux section")
        md += [text, ""]
        lr = {n: v for n, v, _ in linux_rows(linux)}
        if "linux-boot-native-cycles" in lr and "linux-boot-exitless-cycles" in lr:
            plot["linux"].append(("Linux boot (Mcycles)", lr["linux-boot-exitless-cycles"] / 1e6,
                                  lr["linux-boot-native-cycles"] / 1e6))
    return "\n".join(md) + "\n", plot


def gnuplot_script(plot, png, datdir):
    """The gnuplot program for the panels that have data (and writes their data files)."""
    panels = [(k, t) for k, t in (("exits", "exits per 10k events"),
                                  ("latency", "average latency (cycles)"),
                                  ("linux", "Linux boot, Mcycles (baseline: native)"))
              if plot[k]]
    if not panels:
        raise ReportError("nothing to plot")
    lines = [f"set terminal pngcairo size 1200,{380 * len(panels)} font ',9'",
             f"set output '{png}'", "set style data histograms",
             "set style histogram clustered gap 1", "set style fill solid 0.8 border -1",
             "set boxwidth 0.9", "set grid ytics", "set key top left", "set yrange [0:*]",
             "set xtics rotate by -25 left", f"set multiplot layout {len(panels)},1"]
    for k, title in panels:
        dat = os.path.join(datdir, f"bench-{k}.dat")
        with open(dat, "w") as f:
            for label, a, b in plot[k]:
                f.write(f'"{label}" {a} {b}\n')
        first, second = ("under the hypervisor", "native") if k == "linux" else ("exitless", "injected")
        lines += [f"set title '{title}'",
                  f"plot '{dat}' using 2:xtic(1) title '{first}', '' using 3 title '{second}'"]
    lines.append("unset multiplot")
    return "\n".join(lines) + "\n"


def run_gnuplot(script, png):
    """Runs gnuplot on script, which must write png; raises ReportError when it does not."""
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0 or not os.path.getsize(png):
        raise ReportError(f"gnuplot failed: {r.stderr.strip()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--plot")
    ap.add_argument("--revision", required=True)
    ap.add_argument("--section", action="append", default=[])
    ap.add_argument("--linux")
    a = ap.parse_args()
    try:
        text, plot = report([parse_section(s) for s in a.section], a.linux, a.revision)
        with open(a.out, "w") as f:
            f.write(text)
        if a.plot:
            run_gnuplot(gnuplot_script(plot, a.plot, os.path.dirname(os.path.abspath(a.out))), a.plot)
    except (ReportError, OSError) as e:
        print(f"bench_report: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

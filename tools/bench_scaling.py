#!/usr/bin/env python3
"""make bench's scaling section (tools/bench.sh): the sidecore serving 1, 2, 4 and 8 guests.

  bench_scaling.py --out scaling.md --plot scaling.png --intro INTRO LOG...

Each LOG is the serial log of one run of tests/manifests/pvnet-scale-<n>.toml: one
"[scaleK] BENCH scale-<n>g-rx-per-s V frames/s" line per guest, and the sidecore's
utilisation lines ("utilisation over T TSC cycles: busy B%, polling idle I%, halted H%"),
of which the last one (written when the last guest stopped) covers the whole run. Writes a
table (guests, per-guest min and max, total, Jain's fairness index, the sidecore's busy,
polling and halted shares) and a plot of total and mean per-guest throughput against the
number of guests. Fails when a run's row count is not its number of guests."""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import ReportError, bench_rows, jain, run_gnuplot, scaling_rows  # noqa: E402

UTIL = re.compile(r"sidecore: CPU \d+: utilisation over (\d+) TSC cycles: busy ([0-9.]+)%, "
                  r"polling idle ([0-9.]+)%, halted ([0-9.]+)%")


def utilisation(path):
    """(busy, polling idle, halted) percentages of the log's last utilisation line."""
    last = None
    with open(path, "rb") as f:
        for raw in f:
            m = UTIL.search(raw.decode("utf-8", "replace"))
            if m:
                last = (m.group(2), m.group(3), m.group(4))
    if not last:
        raise ReportError(f"{path}: no sidecore utilisation line")
    return last


def runs(logs):
    """[(guests, [per-guest frames/s], (busy, idle, halted))] by number of guests."""
    out = []
    for log in logs:
        by = scaling_rows(bench_rows(log))
        if len(by) != 1:
            raise ReportError(f"{log}: expected the rows of one run, found guest counts {sorted(by)}")
        (n, rates), = by.items()
        if len(rates) != n:
            raise ReportError(f"{log}: {len(rates)} scale rows for a run of {n} guests")
        out.append((n, rates, utilisation(log)))
    return sorted(out)


def section(rs, intro):
    md = ["## The polling sidecore: 1 to 8 guests (QEMU/SVM)", ""]
    if intro:
        md += [intro.rstrip("\n"), ""]
    md += ["| guests | per-guest frames/s (min-max) | total frames/s | Jain index | sidecore busy | polling idle | halted |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    for n, rates, (busy, idle, halted) in rs:
        md.append(f"| {n} | {min(rates)}-{max(rates)} | {sum(rates)} | {jain(rates):.3f} | "
                  f"{busy}% | {idle}% | {halted}% |")
    return "\n".join(md) + "\n"


def gnuplot_script(rs, png, dat):
    with open(dat, "w") as f:
        for n, rates, _ in rs:
            f.write(f"{n} {sum(rates)} {sum(rates) / n:.1f}\n")
    return "\n".join([
        "set terminal pngcairo size 900,500 font ',10'", f"set output '{png}'",
        "set title 'virtio-net through one sidecore (QEMU -icount: the whole machine shares one instruction stream)'",
        "set xlabel 'guests on the sidecore'", "set ylabel 'frames per second (virtual time)'",
        "set logscale x 2", "set xrange [0.8:10]", "set xtics (1, 2, 4, 8)", "set yrange [0:*]", "set grid",
        f"plot '{dat}' using 1:2 with linespoints title 'total', '' using 1:3 with linespoints title 'per guest (mean)'",
    ]) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--plot")
    ap.add_argument("--intro")
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    try:
        rs = runs(a.logs)
        intro = open(a.intro).read() if a.intro else ""
        with open(a.out, "w") as f:
            f.write(section(rs, intro))
        if a.plot:
            dat = os.path.splitext(a.out)[0] + ".dat"
            run_gnuplot(gnuplot_script(rs, a.plot, dat), a.plot)
    except (ReportError, OSError) as e:
        print(f"bench_scaling: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

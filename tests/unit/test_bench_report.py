#!/usr/bin/env python3
"""Host tests for tools/bench_report.py (make bench's report) on synthetic serial logs.
Prints "PASS: name" or "FAIL: name: why" per check, then "bench_report: N passed, M failed"."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "tools", "bench_report.py")
sys.path.insert(0, os.path.dirname(TOOL))
sys.path.insert(0, HERE)
import bench_report  # noqa: E402
from pass_fail import check, finish  # noqa: E402


VMX = """[cpu0] boot: Exitless\r
[bench] BENCH cpuid-roundtrip 1200 cycles\r
[exitless] BENCH exitless-timer-exits-per-10k 0 exits\r
[injected] BENCH injected-timer-exits-per-10k 20000 exits\r
[exitless] BENCH exitless-ipi-latency-avg 400 cycles\r
[injected] BENCH injected-ipi-latency-avg 1000 cycles\r
[exitless] BENCH exitless-ipi-only 5 exits\r
[nicguest] BENCH nic-only-row 1 exits\r
"""
LINUX = """## Linux (Bochs/VMX)

| measurement | value | unit |
|---|---:|---|
| linux-boot-native-cycles | 300000000 | cycles (x) |
| linux-boot-exitless-cycles | 450000000 | cycles (y) |
| linux-idle-exits-per-second | 17.0 | exits/s |
"""


def write(d, name, text):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def main():
    with tempfile.TemporaryDirectory() as d:
        log = write(d, "vmx.log", VMX)
        intro = write(d, "intro.md", "Bochs, sync=none.\n")
        linux = write(d, "linux.md", LINUX)
        rows = bench_report.bench_rows(log)
        names = [r[0] for r in rows]
        check("BENCH rows: every guest's line, sorted by name",
              names == sorted(names) and "cpuid-roundtrip" in names and len(rows) == 7, repr(rows))
        ps = bench_report.pairs(rows)
        check("pairs: the names measured in both modes with the same unit, nothing else",
              ps == [("ipi-latency-avg", 400, 1000, "cycles"), ("timer-exits-per-10k", 0, 20000, "exits")],
              repr(ps))
        check("ratio: injected over exitless, and a zero exitless figure said in words",
              bench_report.ratio(400, 1000) == "2.50" and bench_report.ratio(0, 20000) == "exitless 0"
              and bench_report.ratio(0, 0) == "both 0", "")
        text, plot = bench_report.report([("## VMX (Bochs)", log, intro)], linux, "abc1234")
        check("report: revision, section, intro, pair table and full table",
              "Revision: abc1234" in text and "## VMX (Bochs)" in text and "Bochs, sync=none." in text
              and "| timer-exits-per-10k | 0 | 20000 | exits | exitless 0 |" in text
              and "| cpuid-roundtrip | 1200 | cycles |" in text, text)
        check("report: the Linux section as given", "| linux-idle-exits-per-second | 17.0 | exits/s |" in text, text)
        check("plot data: exits, latency and the Linux boot panels",
              plot["exits"] == [("VMX: timer-exits-per-10k", 0, 20000)]
              and plot["latency"] == [("VMX: ipi-latency-avg", 400, 1000)]
              and plot["linux"] == [("Linux boot (Mcycles)", 450.0, 300.0)], repr(plot))
        side = write(d, "side.log", "[pvblk-side] BENCH sidecore-blk-exits-per-1000-requests 0 exits\r\n"
                     "[pvblk-base] BENCH baseline-blk-exits-per-1000-requests 3000 exits\r\n"
                     "[pvnet-a] BENCH sidecore-net-exits-per-1000-frames 0 exits\r\n")
        srows = bench_report.bench_rows(side)
        check("BENCH rows: guest names with hyphens", len(srows) == 3, repr(srows))
        vs = bench_report.pairs(srows, bench_report.MODES[1])
        check("pairs: sidecore against baseline", vs == [("blk-exits-per-1000-requests", 0, 3000, "exits")],
              repr(vs))
        text, _ = bench_report.report([("## Sidecore (Bochs)", side, "")], None, "r")
        check("report: a sidecore against baseline table",
              "| measurement | sidecore | baseline | unit | baseline / sidecore |" in text
              and "| blk-exits-per-1000-requests | 0 | 3000 | exits | sidecore 0 |" in text, text)
        empty = write(d, "empty.log", "[cpu0] boot: nothing measured\n")
        try:
            bench_report.report([("## X", empty, "")], None, "r")
            check("a log without BENCH lines fails", False, "accepted")
        except bench_report.ReportError as e:
            check("a log without BENCH lines fails, naming it", "empty.log" in str(e), str(e))
        try:
            bench_report.parse_section("## only a title")
            check("a malformed --section fails", False, "accepted")
        except bench_report.ReportError as e:
            check("a malformed --section fails", "TITLE|LOG|INTRO" in str(e), str(e))
        script = bench_report.gnuplot_script(plot, os.path.join(d, "b.png"), d)
        check("gnuplot program: three panels, each with its data file",
              script.count("plot '") == 3 and os.path.exists(os.path.join(d, "bench-linux.dat"))
              and "multiplot layout 3,1" in script, script)
        # The command line end to end; the plot only where gnuplot is installed (make deps-bench).
        out, png = os.path.join(d, "bench.md"), os.path.join(d, "bench.png")
        args = [sys.executable, TOOL, "--out", out, "--revision", "r1",
                "--section", f"## VMX (Bochs)|{log}|", "--linux", linux]
        if shutil.which("gnuplot"):
            args += ["--plot", png]
        r = subprocess.run(args, capture_output=True, text=True)
        check("command line: writes the report" + (" and a PNG" if "--plot" in args else " (gnuplot absent: no plot)"),
              r.returncode == 0 and os.path.getsize(out) > 0 and
              ("--plot" not in args or open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"), r.stderr)
        r = subprocess.run([sys.executable, TOOL, "--out", out, "--revision", "r1",
                            "--section", f"## X|{empty}|"], capture_output=True, text=True)
        check("command line: exit 1 with a message when a table was not measured",
              r.returncode == 1 and "no BENCH lines" in r.stderr, r.stderr)
    # Scaling rows (issue 15's bench): grouped by guest count, Jain from the measured rates.
    srows = [("scale-2g-rx-per-s", 100, "frames/s"), ("scale-2g-rx-per-s", 300, "frames/s"),
             ("scale-1g-rx-per-s", 50, "frames/s"), ("other-row", 1, "x")]
    by = bench_report.scaling_rows(srows)
    check("scaling: rows grouped by guest count", by == {1: [50], 2: [100, 300]}, by)
    check("scaling: Jain of equal rates is 1", bench_report.jain([7, 7, 7, 7]) == 1.0)
    check("scaling: Jain of one guest taking all is 1/n", bench_report.jain([9, 0, 0, 0]) == 0.25)
    check("scaling: Jain of 100 and 300 is 0.8", abs(bench_report.jain(by[2]) - 0.8) < 1e-12)
    try:
        bench_report.jain([0, 0])
        check("scaling: Jain refuses all-zero rates", False)
    except bench_report.ReportError:
        check("scaling: Jain refuses all-zero rates", True)
    # The scaling section (tools/bench_scaling.py) from synthetic run logs.
    import bench_scaling
    util = "[cpu1] sidecore: CPU 1: utilisation over 99 TSC cycles: busy {}%, polling idle 10.0%, halted 5.0%; 1 halts\r\n"
    with tempfile.TemporaryDirectory() as d:
        one = write(d, "s1.log", "[scale1] BENCH scale-1g-rx-per-s 300 frames/s\r\n" + util.format("80.0")
                    + util.format("85.0"))
        two = write(d, "s2.log", "[scale1] BENCH scale-2g-rx-per-s 100 frames/s\r\n"
                    "[scale2] BENCH scale-2g-rx-per-s 300 frames/s\r\n" + util.format("70.5"))
        short = write(d, "s4.log", "[scale1] BENCH scale-4g-rx-per-s 10 frames/s\r\n" + util.format("1.0"))
        rs = bench_scaling.runs([two, one])
        check("scaling section: runs sorted by guests, last utilisation line",
              rs == [(1, [300], ("85.0", "10.0", "5.0")), (2, [100, 300], ("70.5", "10.0", "5.0"))], rs)
        md = bench_scaling.section(rs, "")
        check("scaling section: a row per run with total and Jain",
              "| 1 | 300-300 | 300 | 1.000 | 85.0% |" in md and "| 2 | 100-300 | 400 | 0.800 | 70.5% |" in md, md)
        try:
            bench_scaling.runs([short])
            check("scaling section: a run missing guests' rows is refused", False)
        except bench_report.ReportError as e:
            check("scaling section: a run missing guests' rows is refused", "1 scale rows for a run of 4" in str(e), e)
    finish("bench_report")


if __name__ == "__main__":
    main()

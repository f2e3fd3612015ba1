#!/usr/bin/env python3
"""Host tests for tools/linux_bench.py (make bench's Linux rows) on synthetic serial logs.
Prints "PASS: name" or "FAIL: name: why" per check, then "linux_bench: N passed, M failed"."""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import linux_bench  # noqa: E402

sys.path.insert(0, HERE)
from pass_fail import check, finish  # noqa: E402


NATIVE = """GRUB: loading Linux natively\r
exitless-init: dmesg: [    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org)\r
exitless-init: dmesg: [    0.000000] Kernel command line: exitless.dmesg=Linux.version|tsc:|Run./init\r
exitless-init: dmesg: [    0.000000] tsc: Detected 3500.000 MHz processor\r
exitless-init: dmesg: [    0.100000] Run /init as init process\r
PASS: idle (slept 0 s: uptime 0.20 to 0.20 s)\r
exitless-init: done 4 passed 0 failed\r
"""


MARKS = """[cpu1] stats: linux0: mark 1 (value 0xe8): 44763 exits since the guest started: I/O instruction 41803, CPUID 1803\r
[cpu1] stats: linux0: mark 2 (value 0xe9): 170 exits since the previous mark: I/O instruction 101, watchdog 60, CPUID 9\r
"""


def hv(exits, slept, up0, up1, tsc="tsc: Detected 50.000 MHz processor", marks=""):
    return f"""[linux0] exitless-init: dmesg: [    0.000000] Linux version 6.1.0-57-amd64\r
[linux0] exitless-init: dmesg: [    0.000000] {tsc}\r
[linux0] exitless-init: dmesg: [    8.000000] Run /init as init process\r
{marks}[linux0] PASS: idle (slept {slept} s: uptime {up0} to {up1} s)\r
[cpu1] stats: linux0: {exits} exits, 40072 unclaimed port accesses
[cpu1] stats: linux0:   I/O instruction         41883 exits,      390 cycles/exit
[cpu1] stats: linux0:   CPUID                    1858 exits,      438 cycles/exit
[cpu1] stats: linux0:   guest-physical fault      494 exits,      722 cycles/exit
[cpu1] stats: linux0:   hot rip 0xffffffff8107e59f: 964 exits
[cpu1] stats: linux0:   hot rip 0xffffffff8107e948: 246 exits
"""


def write(d, name, text):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def error(fn, *args):
    try:
        fn(*args)
    except linux_bench.BenchError as e:
        return str(e)
    return None


def main():
    with tempfile.TemporaryDirectory() as d:
        n = write(d, "native.log", NATIVE)
        h = write(d, "hv0.log", hv(44932, 0, "8.79", "8.79"))
        i = write(d, "idle.log", hv(45932, 10, "8.80", "18.80", marks=MARKS))
        syms = write(d, "System.map", "ffffffff8107e500 T native_io_delay\nffffffff8107e900 t serial_out\n")
        rows = {r[0]: r for r in linux_bench.rows(n, h, i, syms=syms)}
        check("boot cycles: (t_init - t_first) x the believed Hz, each run by its own",
              rows["linux-boot-native-cycles"][1] == "350000000" and rows["linux-boot-exitless-cycles"][1] == "400000000",
              repr(rows.get("linux-boot-native-cycles")))
        check("boot ratio: exitless over native", rows["linux-boot-ratio"][1] == "1.143", repr(rows["linux-boot-ratio"]))
        check("exits: total and reasons by count, with cycles/exit",
              rows["linux-boot-exits"][1] == "44932" and rows["linux-boot-exits-i/o-instruction"][1] == "41883"
              and "390 cycles/exit" in rows["linux-boot-exits-i/o-instruction"][2], repr(sorted(rows)))
        check("hot RIPs resolved through a System.map",
              "(native_io_delay+0x9f)" in rows["linux-boot-hot-rip-0xffffffff8107e59f"][2], repr(rows))
        check("idle: the exits between the idle marks over the guest's idle seconds",
              rows["linux-idle-exits-per-second"][1] == "17.0", repr(rows["linux-idle-exits-per-second"]))
        check("idle: by reason, most first",
              rows["linux-idle-exits-per-second-i/o-instruction"][1] == "10.1"
              and rows["linux-idle-exits-per-second-watchdog"][1] == "6.0"
              and rows["linux-idle-exits-per-second-cpuid"][1] == "0.9", repr(sorted(rows)))
        msg = error(linux_bench.rows, n, h, write(d, "nomarks.log", hv(45932, 10, "8.80", "18.80")))
        check("idle run without the idle marks: fails, naming them", msg is not None and "idle window" in msg, repr(msg))
        swapped = MARKS.replace("0xe8", "0xzz").replace("0xe9", "0xe8").replace("0xzz", "0xe9")
        msg = error(linux_bench.rows, n, h, write(d, "swapped.log", hv(45932, 10, "8.80", "18.80", marks=swapped)))
        check("marks in the wrong order are no window", msg is not None and "idle window" in msg, repr(msg))
        refined = NATIVE.replace("[    0.100000] Run", "[    0.050000] tsc: Refined TSC clocksource calibration: 50.000 MHz\r\n"
                                 "exitless-init: dmesg: [    1.050000] Run")
        got = linux_bench.boot_cycles(write(d, "r.log", refined))[0]
        check("a refined TSC frequency counts from its line on (piecewise)", got == 175000000 + 50000000, repr(got))
        msg = error(linux_bench.boot_cycles, write(d, "noinit.log", NATIVE.replace("Run /init", "Run /sbin/init")))
        check("no Run /init line: fails, naming it", msg is not None and "Run /init" in msg, repr(msg))
        msg = error(linux_bench.boot_cycles, write(d, "notsc.log", NATIVE.replace("tsc: Detected", "tsc: Fast")))
        check("no believed TSC frequency: fails", msg is not None and "tsc" in msg, repr(msg))
        msg = error(linux_bench.exit_stats, n, "linux0")
        check("no stop report: fails", msg is not None and "stats" in msg, repr(msg))
        msg = error(linux_bench.rows, n, h, h)
        check("idle run that did not idle: fails", msg is not None and "nothing to divide" in msg, repr(msg))
    finish("linux_bench")


if __name__ == "__main__":
    main()

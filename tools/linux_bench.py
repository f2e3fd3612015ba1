#!/usr/bin/env python3
"""make bench's Linux rows (tools/bench.sh), computed from serial logs only.

  linux_bench.py --native NATIVE.log --hv HV.log --idle IDLE.log [--guest linux0] [--syms MAP]

NATIVE.log: the bzImage booted natively by GRUB; HV.log: the PVH vmlinux under the hypervisor,
idling 0 s; IDLE.log: the same guest idling N s (exitless.idle=N exitless.marks=1): its init brackets
the sleep with two exit-count marks (values 0xe8 and 0xe9), and the idle row is the exits the
hypervisor logged between them ("stats: G: mark K (value 0xe9): N exits since the previous
mark: reason n, ..."), divided by the idle time the guest's /proc/uptime saw. Each init prints the kernel's
"Linux version", "tsc:" and "Run /init" lines from dmesg (exitless.dmesg=...) with their printk
timestamps, which are sched_clock, i.e. the TSC scaled by the frequency the kernel believes.
Boot cycles = (t_run_init - t_linux_version) * believed Hz, the believed Hz being the
"tsc: Detected" frequency of that same run (piecewise if a "tsc: Refined" line rescales it).
Prints markdown table rows "| measurement | value | unit |"; exits 1 with a message when a
number cannot be computed (never prints a guess)."""
import argparse
import re
import sys

DMESG = re.compile(r"exitless-init: dmesg: \[ *(\d+\.\d+)\] (.*)$")
TSC = re.compile(r"tsc: (?:Detected|Refined TSC clocksource calibration:) (\d+\.\d+) MHz")
EXITS = re.compile(r"stats: (\S+): (\d+) exits")
REASON = re.compile(r"stats: (\S+):   (\S.*?) +(\d+) exits, +(\d+) cycles/exit")
HOT = re.compile(r"stats: (\S+):   hot rip (0x[0-9a-f]+): (\d+) exits")
IDLE = re.compile(r"PASS: idle \(slept (\d+) s: uptime (\d+\.\d+) to (\d+\.\d+) s\)")
MARK = re.compile(r"stats: (\S+): mark \d+ \(value (0x[0-9a-f]+)\): (\d+) exits since [^:]*(?:: (.*))?$")
IDLE_MARK_START, IDLE_MARK_END = 0xe8, 0xe9   # guests/linux/init.sh check_idle


class BenchError(Exception):
    pass


def lines(path):
    with open(path, "rb") as f:
        return [l.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "") for l in f]


def boot_cycles(path):
    """(cycles, t_first, t_init, believed_hz) of the kernel's first line to Run /init.
    A "tsc: Refined" frequency rescales sched_clock from that line on (continuously), so the
    time after it counts at the refined frequency: cycles are summed piecewise."""
    t_first = t_init = hz = None
    pieces = []  # (from t, Hz) in order
    for l in lines(path):
        m = DMESG.search(l)
        if not m:
            continue
        t, text = float(m.group(1)), m.group(2)
        if text.startswith("Linux version ") and t_first is None:
            t_first = t
        elif text.startswith("Run /init as init process") and t_init is None:
            t_init = t
        elif t_init is None:
            f = TSC.search(text)
            if f:
                hz = float(f.group(1)) * 1e6
                pieces.append((t, hz))
    for what, v in (("the kernel's 'Linux version' line", t_first), ("'Run /init'", t_init),
                    ("'tsc: Detected X MHz'", hz)):
        if v is None:
            raise BenchError(f"{path}: no {what} among the init's dmesg lines")
    if t_init <= t_first:
        raise BenchError(f"{path}: Run /init at {t_init} s is not after the first line at {t_first} s")
    cycles = 0.0
    for k, (t, f) in enumerate(pieces):
        start = t_first if k == 0 else max(t, t_first)
        end = pieces[k + 1][0] if k + 1 < len(pieces) else t_init
        cycles += max(0.0, end - start) * f
    return round(cycles), t_first, t_init, hz


def exit_stats(path, guest):
    """(total exits, [(reason, exits, cycles/exit)], [(rip, exits)]) of the guest's stop report."""
    total, reasons, hot = None, [], []
    for l in lines(path):
        m = EXITS.search(l)
        if m and m.group(1) == guest:
            total = int(m.group(2))
        m = REASON.search(l)
        if m and m.group(1) == guest and not m.group(2).startswith("hot rip"):
            reasons.append((m.group(2), int(m.group(3)), int(m.group(4))))
        m = HOT.search(l)
        if m and m.group(1) == guest:
            hot.append((m.group(2), int(m.group(3))))
    if total is None or not reasons:
        raise BenchError(f"{path}: no 'stats: {guest}: N exits' report with reasons")
    return total, reasons, hot


def idle_window(path, guest):
    """(exits, [(reason, exits)]) between the idle check's two marks: the end mark's line,
    provided the start mark came just before it."""
    prev = None
    for l in lines(path):
        m = MARK.search(l)
        if not m or m.group(1) != guest:
            continue
        value = int(m.group(2), 16)
        if value == IDLE_MARK_END and prev == IDLE_MARK_START:
            reasons = []
            for part in (m.group(4) or "").split(", "):
                r = re.fullmatch(r"(.*\S) (\d+)", part.strip())
                if r:
                    reasons.append((r.group(1), int(r.group(2))))
            return int(m.group(3)), reasons
        prev = value
    raise BenchError(f"{path}: no idle window (marks {IDLE_MARK_START:#x} then {IDLE_MARK_END:#x} "
                     f"of {guest}; exitless.marks=1 on its command line?)")


def idle_seconds(path):
    for l in lines(path):
        m = IDLE.search(l)
        if m:
            return int(m.group(1)), float(m.group(3)) - float(m.group(2))
    raise BenchError(f"{path}: no 'PASS: idle (slept N s: uptime A to B s)' line")


SYM = re.compile(r"exitless-init: sym: [0-9a-f]+ ([0-9a-f]+) ([tTwW]) (\S+)")


def load_syms(path):
    """Text symbols of a System.map, or of the init's "exitless-init: sym:" lines (its syms
    check: a native boot of the same kernel reading /proc/kallsyms)."""
    syms = []
    for l in lines(path):
        m = SYM.search(l)
        p = (m.group(1), m.group(2), m.group(3)) if m else tuple(l.split()[:3])
        if len(p) == 3 and p[1] in "tTwW" and re.fullmatch(r"[0-9a-f]{16}", p[0]):
            syms.append((int(p[0], 16), p[2]))
    syms.sort()
    return syms


def symbolize(rip, syms):
    import bisect
    a = int(rip, 16)
    i = bisect.bisect_right([s for s, _ in syms], a) - 1
    return f" ({syms[i][1]}+{a - syms[i][0]:#x})" if i >= 0 else ""


def rows(native, hv, idle, guest="linux0", syms=None, top=5):
    out = []
    n_cyc, n_first, n_init, n_hz = boot_cycles(native)
    h_cyc, h_first, h_init, h_hz = boot_cycles(hv)
    out.append(("linux-boot-native-cycles", f"{n_cyc}", f"cycles ({n_init - n_first:.6f} s x {n_hz / 1e6:.3f} MHz believed)"))
    out.append(("linux-boot-exitless-cycles", f"{h_cyc}", f"cycles ({h_init - h_first:.6f} s x {h_hz / 1e6:.3f} MHz believed)"))
    out.append(("linux-boot-ratio", f"{h_cyc / n_cyc:.3f}", "exitless / native"))
    total, reasons, hot = exit_stats(hv, guest)
    out.append(("linux-boot-exits", f"{total}", "exits (whole run: boot, init, power-off)"))
    for reason, n, cpe in sorted(reasons, key=lambda r: -r[1])[:top]:
        out.append((f"linux-boot-exits-{reason.replace(' ', '-').lower()}", f"{n}", f"exits, {cpe} cycles/exit"))
    if not hot:
        raise BenchError(f"{hv}: no hot RIPs in the stop report")
    sy = load_syms(syms) if syms else None
    for rip, n in hot[:top]:
        out.append((f"linux-boot-hot-rip-{rip}", f"{n}", "exits" + (symbolize(rip, sy) if sy else "")))
    slept, seconds = idle_seconds(idle)
    if slept <= 0 or seconds <= 0:
        raise BenchError(f"{idle}: slept {slept} s ({seconds:.2f} s by uptime): nothing to divide")
    n, reasons_idle = idle_window(idle, guest)
    out.append(("linux-idle-exits-per-second", f"{n / seconds:.1f}",
                f"exits/s ({n} exits between the idle marks / {seconds:.2f} s idle by the guest's uptime)"))
    for reason, k in sorted(reasons_idle, key=lambda r: -r[1]):
        out.append((f"linux-idle-exits-per-second-{reason.replace(' ', '-').lower()}",
                    f"{k / seconds:.1f}", f"exits/s ({k} exits)"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--native", required=True)
    ap.add_argument("--hv", required=True)
    ap.add_argument("--idle", required=True)
    ap.add_argument("--guest", default="linux0")
    ap.add_argument("--syms")
    a = ap.parse_args()
    try:
        for name, value, unit in rows(a.native, a.hv, a.idle, a.guest, a.syms):
            print(f"| {name} | {value} | {unit} |")
    except (BenchError, OSError) as e:
        print(f"linux_bench: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The wire side of the igb integration cases (tests/integration.sh).

  igb_wire.py inject --port P --qemu-port Q --seconds N
      Stands in for the rest of the LAN on QEMU's `-netdev dgram` socket: sends unicast
      frames for VF0 (EXL-EXT-0), VF3 (EXL-EXT-3) and an unknown MAC (EXL-EXT-X) every
      100 ms and reads (discards) what the NIC sends.
  igb_wire.py check PCAP [--present M] [--absent M] [--tagged M:TCI] ...
      Reads the filter-dump capture and prints one PASS/FAIL line per expectation about the
      frames whose payload carries marker M. These checks add to the in-system ones; the
      capture is proven to work by the --present expectations of the same run.
"""
import argparse
import socket
import struct
import sys
import time

SRC = bytes.fromhex("0200000000e0")
FRAMES = [(bytes.fromhex("020000000010"), b"EXL-EXT-0"),
          (bytes.fromhex("020000000013"), b"EXL-EXT-3"),
          (bytes.fromhex("020000000077"), b"EXL-EXT-X")]


def frame(dst, marker):
    f = dst + SRC + b"\x88\xb5" + marker
    return f + b"\0" * (60 - len(f))


def inject(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", a.port))
    s.setblocking(False)
    end = time.time() + a.seconds
    while time.time() < end:
        for dst, marker in FRAMES:
            s.sendto(frame(dst, marker), ("127.0.0.1", a.qemu_port))
        t = time.time() + 0.1
        while time.time() < t:
            try:
                s.recv(65536)
            except BlockingIOError:
                time.sleep(0.01)
    return 0


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def check(a):
    try:
        frames = read_pcap(a.pcap)
    except OSError as e:
        print(f"FAIL: wire/capture: cannot read {a.pcap}: {e}")
        return 1
    bad = 0

    def report(name, ok, why):
        nonlocal bad
        print(f"PASS: wire/{name}" if ok else f"FAIL: wire/{name}: {why}")
        bad += not ok

    with_marker = lambda m: [f for f in frames if m.encode() in f]
    for m in a.present:
        report(f"{m}-on-the-wire", with_marker(m), f"no frame with {m} in {len(frames)} captured")
    for m in a.absent:
        n = len(with_marker(m))
        report(f"{m}-not-on-the-wire", n == 0, f"{n} frame(s) with {m} captured")
    for spec in a.tagged:
        m, tci = spec.split(":")
        want = int(tci, 0)
        fs = with_marker(m)
        tags = [(f[12:14], struct.unpack(">H", f[14:16])[0]) for f in fs if len(f) >= 16]
        ok = bool(tags) and all(t == (b"\x81\x00", want) for t in tags)
        report(f"{m}-tagged-{want:#06x}", ok, f"tags seen: {[(t.hex(), hex(c)) for t, c in tags]}")
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("inject")
    i.add_argument("--port", type=int, required=True)
    i.add_argument("--qemu-port", type=int, required=True)
    i.add_argument("--seconds", type=float, default=120)
    c = sub.add_parser("check")
    c.add_argument("pcap")
    c.add_argument("--present", action="append", default=[])
    c.add_argument("--absent", action="append", default=[])
    c.add_argument("--tagged", action="append", default=[])
    a = p.parse_args()
    return inject(a) if a.cmd == "inject" else check(a)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The wire side of the igb integration cases (tests/integration.sh).

  igb_wire.py inject --port P --qemu-port Q --seconds N
      Stands in for the rest of the LAN on QEMU's `-netdev dgram` socket: sends unicast
      frames for VF0 (EXL-EXT-0), VF3 (EXL-EXT-3) and an unknown MAC (EXL-EXT-X) every
      100 ms and reads (discards) what the NIC sends.
  igb_wire.py inject ... --uplink
      Instead, the station behind the virtio switch's uplink (guests/pvnet/wire.c): answers
      every ping (ethertype 0x88b5, kind 1) addressed to it with the same frame, addresses
      swapped, kind 2, tag kept; every 100 ms sends broadcasts untagged, on VLAN 20 and on
      VLAN 30, and a frame to each uplinked port from the other port's segment.
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


UPLINK_PORTS = [bytes.fromhex("020000000c01"), bytes.fromhex("020000000c02")]  # untagged, VLAN 20
BCAST = b"\xff" * 6
ETHERTYPE = b"\x88\xb5"


def tag(vid):
    return b"\x81\x00" + struct.pack(">H", vid) if vid else b""


def uplink_frames():
    """The uplink station's periodic frames: kinds 0x21-0x23 broadcasts (untagged, VLAN 20,
    VLAN 30), 0x24 to each port from the wrong segment."""
    out = []
    for vid, kind in ((0, 0x21), (20, 0x22), (30, 0x23)):
        out.append(BCAST + SRC + tag(vid) + ETHERTYPE + bytes([kind]))
    out.append(UPLINK_PORTS[0] + SRC + tag(20) + ETHERTYPE + b"\x24")
    out.append(UPLINK_PORTS[1] + SRC + ETHERTYPE + b"\x24")
    return [f + b"\0" * (60 - len(f)) for f in out]


def echo(f):
    """The answer to a ping addressed to the station, or None."""
    if len(f) < 15 or f[:6] != SRC:
        return None
    o = 16 if f[12:14] == b"\x81\x00" else 12
    if f[o:o + 2] != ETHERTYPE or len(f) <= o + 2 or f[o + 2] != 1:
        return None
    return f[6:12] + SRC + f[12:o + 2] + b"\x02" + f[o + 3:]


def inject(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", a.port))
    s.setblocking(False)
    end = time.time() + a.seconds
    periodic = uplink_frames() if a.uplink else [frame(dst, marker) for dst, marker in FRAMES]
    while time.time() < end:
        for f in periodic:
            s.sendto(f, ("127.0.0.1", a.qemu_port))
        t = time.time() + 0.1
        while time.time() < t:
            try:
                f = s.recv(65536)
            except BlockingIOError:
                time.sleep(0.002)
                continue
            r = echo(f) if a.uplink else None
            if r:
                s.sendto(r, ("127.0.0.1", a.qemu_port))
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
    for m in a.untagged:
        fs = with_marker(m)
        n = sum(1 for f in fs if f[12:14] == b"\x81\x00")
        report(f"{m}-untagged", fs and n == 0, f"{n} of {len(fs)} frames with {m} tagged")
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
    i.add_argument("--uplink", action="store_true")
    c = sub.add_parser("check")
    c.add_argument("pcap")
    c.add_argument("--present", action="append", default=[])
    c.add_argument("--absent", action="append", default=[])
    c.add_argument("--tagged", action="append", default=[])
    c.add_argument("--untagged", action="append", default=[])
    a = p.parse_args()
    return inject(a) if a.cmd == "inject" else check(a)


if __name__ == "__main__":
    sys.exit(main())

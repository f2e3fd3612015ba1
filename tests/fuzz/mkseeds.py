#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/): small
inputs in each harness's input format that reach the interesting paths, from which libFuzzer
mutates. Run it after changing an input format: python3 tests/fuzz/mkseeds.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def put32(buf, off, v):
    buf[off:off + 4] = struct.pack("<I", v)


# ---- vpci: cfg byte, six BAR size codes, 256 bytes of host space, steps of 8 bytes
STEP_READ, STEP_WRITE, STEP_TABLE, STEP_FAIL_NEXT = range(4)


def vpci_step(kind, a, b, val):
    return struct.pack("<BBHI", kind, a, b, val)


def vf_space():
    """An 82576-style VF: MSI (hidden), MSI-X with 3 entries in BAR3, a vendor capability
    (hidden), PCI Express."""
    s = bytearray(256)
    put32(s, 0x00, 0x10ca8086)
    put32(s, 0x04, 0x00100000)
    put32(s, 0x08, 0x02000001)
    put32(s, 0x0c, 0x00800010)
    put32(s, 0x2c, 0x10ca8086)
    put32(s, 0x34, 0x50)
    put32(s, 0x50, 0x00807005)
    put32(s, 0x70, 0x00029011)
    put32(s, 0x74, 0x00000003)
    put32(s, 0x78, 0x00002003)
    put32(s, 0x90, 0x0008a009)
    put32(s, 0xa0, 0x00020010)
    put32(s, 0xa4, 0x10008000)
    put32(s, 0x3c, 0x0000010b)
    return s


def vpci_seeds():
    # cfg: exitless, two cores (APIC ids 0 and 5); BAR0 and BAR3 16 KiB, 64-bit.
    head = bytes([0x03]) + bytes([0x42, 0, 0, 0x42, 0, 0])
    msix_on = vpci_step(STEP_WRITE, 2, 0x72, 0x8000)
    entry = [vpci_step(STEP_TABLE, 0, 0, 0xfee05000), vpci_step(STEP_TABLE, 0, 2, 0x41),
             vpci_step(STEP_TABLE, 0, 3, 0)]
    write("vpci", "vf-msix", head + vf_space() + msix_on + b"".join(entry))
    sizing = [vpci_step(STEP_WRITE, 4, 0x10, 0xffffffff), vpci_step(STEP_WRITE, 4, 0x14, 0xffffffff),
              vpci_step(STEP_READ, 4, 0x10, 0), vpci_step(STEP_WRITE, 4, 0x10, 0xd0000000),
              vpci_step(STEP_WRITE, 2, 0x04, 0xffff), vpci_step(STEP_READ, 1, 0x71, 0)]
    write("vpci", "vf-bars", head + vf_space() + b"".join(sizing))
    bad = [vpci_step(STEP_WRITE, 2, 0x72, 0xc000), vpci_step(STEP_TABLE, 1, 0, 0xfee01004),
           vpci_step(STEP_TABLE, 1, 2, 0x8010), vpci_step(STEP_TABLE, 1, 3, 0),
           vpci_step(STEP_FAIL_NEXT, 0, 0, 0), vpci_step(STEP_WRITE, 2, 0x72, 0x8000),
           vpci_step(STEP_TABLE, 2, 0, 0xfee00000), vpci_step(STEP_TABLE, 2, 2, 0x30),
           vpci_step(STEP_TABLE, 2, 3, 0), vpci_step(STEP_READ, 3, 0x101, 0)]
    write("vpci", "vf-refused", bytes([0x02]) + head[1:] + vf_space() + b"".join(bad))
    # An ordinary function: PM then PCIe, INTx pin A, one 32-bit BAR.
    s = bytearray(256)
    put32(s, 0x00, 0x100e8086)
    put32(s, 0x04, 0x00100000)
    put32(s, 0x08, 0x02000003)
    put32(s, 0x34, 0x40)
    put32(s, 0x40, 0x00024801)
    put32(s, 0x48, 0x00000010)
    put32(s, 0x3c, 0x0000010a)
    write("vpci", "intx-pm", bytes([0x00, 0x25, 0, 0, 0, 0, 0]) + s +
          vpci_step(STEP_WRITE, 1, 0x3c, 0x0b) + vpci_step(STEP_READ, 2, 0x3c, 0))


# ---- hypercall: steps; POKE (odd kind): gpa16, len8, bytes; CALL (even kind): flags, selector,
# nr8 (selector bit 3 clear), three 64-bit arguments (selector bits 0-2: reduced near RAM)
def poke(gpa, data):
    return struct.pack("<BHB", 1, gpa, len(data)) + data


def hcall(nr, a=0, b=0, c=0, flags=0, sel=7):
    return struct.pack("<BBBB", 0, flags, sel, nr) + struct.pack("<QQQ", a, b, c)


def hypercall_seeds():
    text = b"hello from the guest\n"
    write("hypercall", "console", poke(0x100, text) + hcall(1, 0x100, len(text)) +
          hcall(1, 0x2ff0, 0x20) + hcall(1, 0x100, 5000))
    write("hypercall", "test-result", poke(0x200, b"check-one\0") + poke(0x280, b"why\0") +
          hcall(2, 0x200, 1, 0) + hcall(2, 0x200, 0, 0x280) + poke(0x300, b"bad\x01\0") +
          hcall(2, 0x300, 1, 0) + hcall(2, 0x3ffc, 1, 0))
    ops = struct.pack("<HBBI", 0x3f8, 1, 1, 0x41) + struct.pack("<HBBI", 0x3fd, 1, 0, 0)
    write("hypercall", "port-batch", poke(0x400, ops) + hcall(4, 0x400, 2) +
          hcall(4, 0x3000, 2) + hcall(4, 0x400, 65) + poke(0x500, struct.pack("<HBBI", 0x80, 3, 1, 0)) +
          hcall(4, 0x500, 1))
    req = struct.pack("<IIIiQQ", 1, 0x41, 5, 0, 0, 0)
    write("hypercall", "notify", poke(0x600, req) + hcall(8, 0x600) + hcall(8, 0x604) +
          poke(0x640, struct.pack("<IIIiQQ", 2, 0, 0, 0, 0, 0)) + hcall(8, 0x640) +
          hcall(8, 0x600, flags=4))
    write("hypercall", "misc", hcall(3, 0x800, 0x400) + hcall(3, 0x3f00, 0x400) + hcall(3, 0x800, 8) +
          hcall(7, 0x41) + hcall(7, 0xec, flags=4) + hcall(6) + hcall(5, 0) + hcall(99) +
          hcall(1, 0x100, 4, flags=1) + hcall(6, flags=2 | 8))


SEEDS = {"vpci": vpci_seeds, "hypercall": hypercall_seeds}

if __name__ == "__main__":
    for gen in SEEDS.values():
        gen()

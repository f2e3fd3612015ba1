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


# ---- loader: memory selector u16 (2 MiB + n * 64 KiB), flags, initrd size u32, command line
# length u16, then the image
def loader_prefix(mem_mib=64, flags=0, initrd=0x20000, cmdline=200):
    return struct.pack("<HBIH", ((mem_mib - 2) << 20) >> 16, flags, initrd, cmdline)


def elf(cls, segs, entry, notes=None):
    """A little-endian x86 ELF with the given (paddr, vaddr, data) segments and, for ELF64,
    PT_NOTE segments holding `notes`."""
    is64 = cls == 2
    eh, ph = (64, 56) if is64 else (52, 32)
    phs = len(segs) + (1 if notes else 0)
    off = eh + ph * phs
    body = b""
    hdrs = b""
    for paddr, vaddr, data in segs:
        if is64:
            hdrs += struct.pack("<IIQQQQQQ", 1, 7, off + len(body), vaddr, paddr, len(data),
                                len(data) + 0x100, 0x1000)
        else:
            hdrs += struct.pack("<IIIIIIII", 1, off + len(body), vaddr, paddr, len(data),
                                len(data) + 0x100, 7, 0x1000)
        body += data
    if notes:
        hdrs += struct.pack("<IIQQQQQQ", 4, 4, off + len(body), 0, 0, len(notes), len(notes), 4)
        body += notes
    ident = b"\x7fELF" + bytes([cls, 1, 1]) + bytes(9)
    if is64:
        h = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, eh, 0, 0, eh, ph, phs, 64, 0, 0)
    else:
        h = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, eh, 0, 0, eh, ph, phs, 40, 0, 0)
    return h + hdrs + body


def note(name, ntype, desc):
    pad = lambda b: b + bytes((-len(b)) % 4)
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


def mb1_image():
    hdr = struct.pack("<III", 0x1badb002, 0x10003, (-(0x1badb002 + 0x10003)) & 0xffffffff)
    hdr += struct.pack("<IIIII", 0x100000, 0x100000, 0, 0x104000, 0x100040)
    return hdr + bytes(0x40 - len(hdr)) + b"\xf4" * 0x40


def mb2_image():
    tags = struct.pack("<HHIIIII", 2, 0, 24, 0x100000, 0x100000, 0, 0)
    tags += struct.pack("<HHII", 3, 0, 12, 0x100040) + bytes(4)
    tags += struct.pack("<HHII", 1, 0, 12, 6) + bytes(4)
    tags += struct.pack("<HHI", 0, 0, 8)
    length = 16 + len(tags)
    hdr = struct.pack("<IIII", 0xe85250d6, 0, length, (-(0xe85250d6 + length)) & 0xffffffff)
    img = hdr + tags
    return img + bytes(0x80 - len(img)) + b"\xf4" * 0x40


def bzimage(kernel_len=0x400, relocatable=1):
    img = bytearray(1024 + kernel_len)
    img[0x1f1] = 1                                      # setup_sects: kernel at 1024
    struct.pack_into("<I", img, 0x1f4, kernel_len // 16)
    struct.pack_into("<H", img, 0x1fe, 0xaa55)
    img[0x200] = 0xeb
    img[0x201] = 0x66                                   # header ends at 0x268
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, 0x020f)
    img[0x211] = 0x01                                   # LOADED_HIGH
    struct.pack_into("<I", img, 0x22c, 0x7fffffff)      # initrd_addr_max
    struct.pack_into("<I", img, 0x230, 0x200000)        # kernel_alignment
    img[0x234] = relocatable
    img[0x235] = 21
    struct.pack_into("<H", img, 0x236, 0x1)             # XLF_KERNEL_64
    struct.pack_into("<I", img, 0x238, 2047)            # cmdline_size
    struct.pack_into("<Q", img, 0x258, 0x1000000)       # pref_address
    struct.pack_into("<I", img, 0x260, 0x400000)        # init_size
    return bytes(img)


def loader_seeds():
    code = b"\xf4" * 0x80
    write("loader", "elf64", loader_prefix(4) + elf(2, [(0x100000, 0x100000, code)], 0x100010))
    write("loader", "elf32", loader_prefix(4) + elf(1, [(0x200000, 0xc0200000, code)], 0xc0200004))
    pvh = note(b"Xen\0", 18, struct.pack("<I", 0x1000010))
    write("loader", "pvh", loader_prefix(64, 2, 0x100000, 100) +
          elf(2, [(0x1000000, 0xffffffff81000000, code)], 0xffffffff81000000, pvh))
    write("loader", "multiboot1", loader_prefix(8) + mb1_image())
    write("loader", "multiboot2", loader_prefix(8) + mb2_image())
    write("loader", "bzimage", loader_prefix(64, 0, 0x200000, 300) + bzimage())
    write("loader", "bzimage-fixed", loader_prefix(32, 2, 0x10000, 5000) + bzimage(0x600, 0))


# ---- acpi: flags, core count, PCI window base and end (u64), buffer size (u16), base (u64),
# eight APIC ids (u8, or u32 with flag 32)
def acpi_cfg(flags, ncpus, mbase, mend, bufsize, base, ids):
    fmt = "<8I" if flags & 32 else "<8B"
    return struct.pack("<BBQQHQ", flags, ncpus, mbase, mend, bufsize, base) + struct.pack(fmt, *ids)


def acpi_seeds():
    ids = [2 * i + 1 for i in range(8)]
    write("acpi", "linux-guest", acpi_cfg(3, 2, 0xc0000000, 0xfec00000, 0xffff, 0xe0000, ids))
    write("acpi", "eight-cores", acpi_cfg(3 | 32, 8, 0xc0000000, 0xfec00000, 0x400, 0xe0000,
                                          [0x100 + i for i in range(8)]))
    write("acpi", "no-devices", acpi_cfg(0, 1, 0, 0, 0x200, 0x1000, ids))
    write("acpi", "high-window", acpi_cfg(1, 1, 0x100000000, 0x200000000, 0x1000, 0xe0000, ids))
    write("acpi", "small-buffer", acpi_cfg(3, 4, 0xc0000000, 0xd0000000, 0x100, 0xe0000, ids))
    write("acpi", "refused", acpi_cfg(3, 3, 0xd0000000, 0xc0000000, 0x1000, 0xe0008,
                                      [5, 5, 7, 0, 0, 0, 0, 0]))


# ---- insn: mode bits (CR0.PE 1, RFLAGS.VM 2, EFER.LMA 4, CS.L 8, CS.D 16), fetch bits, 15
# bytes, then registers and segment bases for the linear address
M16, M32, M64 = 0x01, 0x11, 0x0d


def insn(mode, code, fetch=64):
    regs = struct.pack("<16Q", *[(0x1111111111111111 * (i + 1)) & (2**64 - 1) for i in range(16)])
    segs = struct.pack("<7Q", 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x401000)
    return bytes([mode, fetch]) + code.ljust(15, b"\x90") + regs + segs


def insn_seeds():
    cases = {
        "mov-cr": (M64, b"\x44\x0f\x22\xc0"), "lock-cr8": (M32, b"\xf0\x0f\x20\xc0"),
        "lgdt": (M64, b"\x0f\x01\x15\x10\x00\x00\x00"), "lidt16": (M16, b"\x0f\x01\x1e\x34\x12"),
        "cpuid": (M32, b"\x0f\xa2"), "vmcall": (M64, b"\x0f\x01\xc1"), "vmmcall": (M64, b"\x0f\x01\xd9"),
        "rep-outsb": (M64, b"\xf3\x64\x6e"), "in-imm": (M32, b"\x66\xe5\x60"),
        "ins16": (M16, b"\x67\x6d"), "pause": (M64, b"\xf3\x90"), "xsetbv": (M64, b"\x0f\x01\xd1"),
        "mov-load-sib": (M64, b"\x48\x8b\x84\xc8\x00\x10\x00\x00"),
        "mov-rip": (M64, b"\x8b\x05\xf0\xff\xff\xff"), "movzx": (M32, b"\x0f\xb6\x46\x04"),
        "movsxd": (M64, b"\x4c\x63\x0c\x24"), "moffs64": (M64, b"\x48\xa1" + bytes(range(8))),
        "moffs16": (M16, b"\xa1\x34\x12"), "mov-store": (M64, b"\x4c\x89\x47\x08"),
        "mov-store-imm": (M64, b"\x48\xc7\x47\x08\x00\x00\x00\x80"),
        "mov-store-imm8": (M32, b"\xc6\x44\x24\x04\x7f"), "moffs-store": (M64, b"\xa3" + bytes(8)), "mov-bp16": (M16, b"\x8b\x46\xfe"),
        "invlpg": (M64, b"\x0f\x01\x38"), "sldt": (M64, b"\x0f\x00\xc0"), "lmsw": (M32, b"\x0f\x01\xf0"),
        "rdtscp": (M64, b"\x0f\x01\xf9"), "wbinvd": (M64, b"\x0f\x09"), "hlt-vm86": (0x03, b"\xf4"),
        "prefixes": (M64, b"\x26\x2e\x36\x3e\x64\x65\x66\x67\xf2\xf3\x40\x0f\xa2"),
    }
    for name, (mode, code) in cases.items():
        write("insn", name, insn(mode, code))
    write("insn", "page-end", insn(M64, b"\x0f\x01\xd9", fetch=128 | 2))
    write("insn", "cut", insn(M64, b"\x48\x8b\x84\xc8\x00\x10", fetch=5))


# ---- virtq: config (low nibble: size code 0-8 = 1 << n entries, 0x10 indirect, 0x20 event idx, 0x80
# racing), budget, max_bytes u32, push mask u32, 0x1400 bytes of guest memory from 0x100000
# (descriptor table at +0, avail ring at +0x1000; room for indirect tables in the table's
# unused entries), then race bytes (offset u16, value).
VQ_BASE = 0x100000
VQ_NEXT, VQ_WRITE, VQ_INDIRECT = 1, 2, 4


def vq_desc(mem, table_off, i, addr, length, flags, nxt):
    mem[table_off + 16 * i:table_off + 16 * i + 16] = struct.pack("<QIHH", addr, length, flags, nxt)


def vq_input(size_code, flags, heads, descs, budget=8, max_bytes=0x10000, push=0xffffffff,
             race=b"", used_event=None, avail_flags=0):
    mem = bytearray(0x1400)
    for table_off, i, addr, length, fl, nxt in descs:
        vq_desc(mem, table_off, i, addr, length, fl, nxt)
    size = 1 << size_code
    mem[0x1000:0x1004] = struct.pack("<HH", avail_flags, len(heads))
    for k, h in enumerate(heads):
        mem[0x1004 + 2 * (k % size):0x1006 + 2 * (k % size)] = struct.pack("<H", h)
    if used_event is not None:
        mem[0x1004 + 2 * size:0x1006 + 2 * size] = struct.pack("<H", used_event)
    return bytes([size_code | flags, budget]) + struct.pack("<II", max_bytes, push) + bytes(mem) + race


def virtq_seeds():
    data = VQ_BASE + 0x8000
    blk = [(0, 0, data, 16, VQ_NEXT, 1), (0, 1, data + 0x100, 512, VQ_NEXT | VQ_WRITE, 2),
           (0, 2, data + 0x400, 1, VQ_WRITE, 0)]
    write("virtq", "blk-read", vq_input(3, 0, [0], blk))
    write("virtq", "two-chains", vq_input(3, 0, [0, 3], blk + [(0, 3, data, 64, 0, 0)], budget=1))
    write("virtq", "loop", vq_input(2, 0, [0], [(0, 0, data, 8, VQ_NEXT, 1), (0, 1, data, 8, VQ_NEXT, 0)]))
    # An indirect table of three descriptors at +0x800 (entries 128.. of a 256-entry table).
    ind = VQ_BASE + 0x800
    write("virtq", "indirect", vq_input(3, 0x10, [0], [
        (0, 0, ind, 48, VQ_INDIRECT, 0), (0x800, 0, data, 16, VQ_NEXT, 1),
        (0x800, 1, data + 0x100, 4096, VQ_NEXT | VQ_WRITE, 2), (0x800, 2, data + 0x2000, 1, VQ_WRITE, 0)]))
    write("virtq", "event-idx", vq_input(4, 0x20, [0, 1, 2], [(0, i, data + 64 * i, 64, VQ_WRITE, 0)
                                                            for i in range(3)], used_event=1))
    write("virtq", "no-interrupt", vq_input(1, 0, [1], [(0, 1, data, 8, 0, 0)], avail_flags=1))
    write("virtq", "full-ring", vq_input(8, 0x30, list(range(256)), [(0, i, data + 8 * i, 8, 0, 0)
                                                                    for i in range(256)], budget=15))
    # Racing: reads are avail idx, the ring entry, then each descriptor; after each descriptor
    # is copied its guest copy is ruined (the walk must not notice), then avail idx jumps.
    race = b"".join(struct.pack("<HB", off, v) for off, v in
                    ((0x1300, 0), (0x1300, 0), (0x07, 0xff), (0x1f, 0xff), (0x2c, 0xff), (0x1003, 0x80)))
    write("virtq", "racing", vq_input(3, 0x80, [0], blk, race=race))
    write("virtq", "racing-free", vq_input(3, 0x80, [0], blk, race=race[9:]))


# ---- vpci_virtio: flags (1: read-only disk), then steps of 8 bytes (kind, a, off u16, val u32)
VV_CFG_READ, VV_CFG_WRITE, VV_MMIO_READ, VV_MMIO_WRITE, VV_POKE, VV_TURN, VV_ROUTE, VV_INIT = range(8)


def vv(kind, a=0, off=0, val=0):
    return struct.pack("<BBHI", kind, a, off, val)


def vv_poke(at, val):
    return vv(VV_POKE, at >> 16, at & 0xffff, val)


def vv_desc(i, addr, length, flags, nxt):
    d = struct.pack("<QIHH", addr, length, flags, nxt)
    return b"".join(vv_poke(16 * i + k, struct.unpack_from("<I", d, k)[0]) for k in range(0, 16, 4))


def vv_request(rtype, sector, write_data):
    hdr, data, status = VQ_BASE + 0x3000, VQ_BASE + 0x4000, VQ_BASE + 0x3100
    steps = vv_poke(0x3000, rtype) + vv_poke(0x3004, 0) + vv_poke(0x3008, sector) + vv_poke(0x300c, 0)
    steps += vv_desc(0, hdr, 16, VQ_NEXT, 1)
    steps += vv_desc(1, data, 512, VQ_NEXT | (VQ_WRITE if not write_data else 0), 2)
    steps += vv_desc(2, status, 1, VQ_WRITE, 0)
    steps += vv_poke(0x1000, 1 << 16) + vv_poke(0x1004, 0)      # avail idx 1, ring[0] = 0
    return steps


def vpci_virtio_seeds():
    init = vv(VV_INIT, 3, 0, 1 << 9)                             # FLUSH, queue of 8
    write("vpci_virtio", "read", b"\0" + init + vv_request(0, 3, False) + vv(VV_TURN, 4))
    write("vpci_virtio", "write", b"\0" + init + vv_request(1, 5, True) + vv(VV_TURN, 4))
    write("vpci_virtio", "write-read-only", b"\1" + init + vv_request(1, 5, True) + vv(VV_TURN, 4))
    msix = (vv(VV_CFG_WRITE, 1, 0x04, 6) + vv(VV_CFG_WRITE, 1, 0x9a, 0x8000) +
            vv(VV_MMIO_WRITE, 2, 0x4010, 0xfee01000) + vv(VV_MMIO_WRITE, 2, 0x4018, 0x41) +
            vv(VV_MMIO_WRITE, 2, 0x401c, 0) + vv(VV_ROUTE, 1, 1))
    write("vpci_virtio", "msix", b"\0" + init + msix)
    walk = b"".join(vv(VV_CFG_READ, 2, off) for off in range(0, 0xa4, 4))
    sizing = vv(VV_CFG_WRITE, 2, 0x10, 0xffffffff) + vv(VV_CFG_WRITE, 2, 0x14, 0xffffffff)
    write("vpci_virtio", "config", b"\0" + walk[:8 * 20] + sizing + vv(VV_CFG_READ, 2, 0x10))



# ---- vswitch: port count, ports (number, MAC byte, flags, rate), mirror byte, steps of 8 bytes
# (source, destination, source-MAC and tag selectors, length u16, time step u16)
def vsw_port(num, mac, vlan_sel=0, uplink_sel=3, spoof_off=0, egress=0, ingress=0, rate=0):
    flags = vlan_sel | uplink_sel << 2 | spoof_off << 4 | egress << 5 | ingress << 6
    return bytes([num, mac, flags, rate])


def vsw_step(src, dst, smac=0, tag=0, length=100, dt=10):
    return bytes([src, dst, smac, tag]) + struct.pack("<HH", length, dt)


def vswitch_seeds():
    four = bytes([3]) + vsw_port(1, 1) + vsw_port(2, 2) + vsw_port(3, 3, vlan_sel=1, uplink_sel=0) + \
        vsw_port(4, 4, vlan_sel=1, uplink_sel=0)
    write("vswitch", "unicast", four + b"\x00" + vsw_step(0, 2) + vsw_step(1, 1) + vsw_step(2, 4))
    write("vswitch", "flood", four + b"\x00" + vsw_step(0, 0xff) + vsw_step(2, 0xe1) + vsw_step(3, 0x99))
    write("vswitch", "spoof-tag", four + b"\x00" + vsw_step(0, 2, smac=0x85) + vsw_step(1, 1, tag=1) +
          vsw_step(2, 4, tag=3) + vsw_step(0, 2, smac=0x7f))
    write("vswitch", "wire", four + b"\x00" + vsw_step(0x80, 3, smac=0x90, tag=3, length=104) +
          vsw_step(0x80, 0xff, smac=0x91, tag=3) + vsw_step(0x80, 3, smac=3, tag=3))
    write("vswitch", "mirror", four + bytes([0x80 | 0x40 | 0x08 | 1]) + vsw_step(0, 2) + vsw_step(2, 4) +
          vsw_step(1, 0xff))
    limited = bytes([2]) + vsw_port(1, 1, egress=1, rate=0) + vsw_port(2, 2, ingress=1, rate=3)
    write("vswitch", "buckets", limited + b"\x00" + b"".join(vsw_step(0, 2, length=1514, dt=50) for _ in range(40)))
    write("vswitch", "malformed", four + b"\x00" + vsw_step(0, 2, length=13) + vsw_step(0, 2, length=1515) +
          vsw_step(0, 2, tag=0x81, length=100))



SEEDS = {"vswitch": vswitch_seeds, "vpci": vpci_seeds, "hypercall": hypercall_seeds,
         "loader": loader_seeds, "acpi": acpi_seeds, "insn": insn_seeds, "virtq": virtq_seeds,
         "vpci_virtio": vpci_virtio_seeds}

if __name__ == "__main__":
    for gen in SEEDS.values():
        gen()

#!/usr/bin/env python3
"""Host tests for the Linux guest recipe's tools (guests/linux/*.py) on synthetic inputs:
the cpio writer, the bzImage payload extractor and the module dependency resolver.
Prints "PASS: name" or "FAIL: name: why" per check, then "linux_guest_tools: N passed, M failed"."""
import gzip
import lzma
import os
import stat
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "..", "guests", "linux")
sys.path.insert(0, TOOLS)
import extract_vmlinux  # noqa: E402
import moddeps  # noqa: E402

sys.path.insert(0, HERE)
from pass_fail import check, finish  # noqa: E402


def raises(fn, *args):
    """The message of the ExtractError/ValueError fn raises, or None."""
    try:
        fn(*args)
    except (extract_vmlinux.ExtractError, ValueError) as e:
        return str(e)
    return None


# ---------------------------------------------------------------- ELF builder
def make_elf(sections=(), segment=b""):
    """A little-endian ELF64 with one PT_LOAD of `segment` and the named sections."""
    names = b"\0.shstrtab\0" + b"".join(n.encode() + b"\0" for n, _, _ in sections)
    body = bytearray(b"\0" * 0x40)
    seg_off = len(body)
    body += segment
    placed = []
    for n, t, data in sections:
        placed.append((names.index(n.encode() + b"\0"), t, len(body), len(data)))
        body += data
    strtab_off = len(body)
    body += names
    phoff = len(body)
    body += struct.pack("<IIQQQQQQ", 1, 5, seg_off, 0x1000000, 0x1000000, len(segment), len(segment), 0x1000)
    shoff = len(body)
    shdrs = [(0, 0, 0, 0)] + placed + [(1, 3, strtab_off, len(names))]
    for name, t, off, size in shdrs:
        body += struct.pack("<IIQQQQIIQQ", name, t, 0, 0, off, size, 0, 0, 1, 0)
    struct.pack_into("<4sBBBB8xHHIQQQIHHHHHH", body, 0, b"\x7fELF", 2, 1, 1, 0, 2, 62, 1,
                     0x1000000, phoff, shoff, 0, 0x40, 56, 1, 64, len(shdrs), len(shdrs) - 1)
    return bytes(body)


# ---------------------------------------------------------------- cpio
def parse_newc(data):
    """[(name, mode, rdevmajor, rdevminor, payload)] of a newc archive, up to the trailer."""
    out, pos = [], 0
    while True:
        if data[pos:pos + 6] != b"070701":
            raise ValueError(f"bad magic at {pos}")
        f = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, maj, minr, namesize = f[1], f[6], f[9], f[10], f[11]
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        pos += 110 + namesize
        pos += -pos % 4
        payload = data[pos:pos + size]
        pos += size
        pos += -pos % 4
        if name == "TRAILER!!!":
            return out, pos
        out.append((name, mode, maj, minr, payload))


def test_cpio():
    tool = os.path.join(TOOLS, "mkcpio.py")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        os.makedirs(os.path.join(root, "bin"))
        os.makedirs(os.path.join(root, "dev"))
        with open(os.path.join(root, "init"), "w") as f:
            f.write("#!/bin/sh\necho hi\n")
        os.chmod(os.path.join(root, "init"), 0o755)
        with open(os.path.join(root, "bin", "busybox"), "wb") as f:
            f.write(b"\x7fELF" + b"x" * 1001)
        os.symlink("/bin/busybox", os.path.join(root, "bin", "sh"))
        out1, out2 = os.path.join(d, "a.cpio"), os.path.join(d, "b.cpio")
        for out in (out1, out2):
            subprocess.run([sys.executable, tool, root, out, "--node", "dev/console:c:5:1:600"], check=True)
        data = open(out1, "rb").read()
        check("cpio: same tree, same bytes", data == open(out2, "rb").read(), "two runs differ")
        try:
            entries, end = parse_newc(data)
        except ValueError as e:
            check("cpio: parses back", False, str(e))
            return
        names = [e[0] for e in entries]
        check("cpio: every entry, parents first",
              names == ["bin", "bin/busybox", "bin/sh", "dev", "init", "dev/console"], repr(names))
        byname = {e[0]: e for e in entries}
        check("cpio: file contents and mode",
              byname["init"][4] == b"#!/bin/sh\necho hi\n" and byname["init"][1] == stat.S_IFREG | 0o755
              and len(byname["bin/busybox"][4]) == 1005, repr(byname["init"][:2]))
        check("cpio: symlink target", stat.S_ISLNK(byname["bin/sh"][1]) and byname["bin/sh"][4] == b"/bin/busybox",
              repr(byname["bin/sh"]))
        c = byname["dev/console"]
        check("cpio: device node from --node", c[1] == stat.S_IFCHR | 0o600 and c[2:4] == (5, 1), repr(c[:4]))
        check("cpio: ends at the trailer", end == len(data), f"{len(data) - end} bytes after the trailer")
        bad = subprocess.run([sys.executable, tool, root, out1, "--node", "dev/x:q:1:2:600"],
                             stderr=subprocess.PIPE)
        check("cpio: bad --node refused", bad.returncode != 0 and b"bad --node" in bad.stderr, bad.stderr.decode())
        bad = subprocess.run([sys.executable, tool, root, out1, "--node", "nodir/x:c:1:2:600"],
                             stderr=subprocess.PIPE)
        check("cpio: --node outside the tree refused", bad.returncode != 0 and b"not in the tree" in bad.stderr,
              bad.stderr.decode())


# ---------------------------------------------------------------- bzImage
def make_bzimage(payload, version=0x20F, setup_sects=1):
    image = bytearray(b"\0" * ((setup_sects + 1) * 512))
    image[0x1F1] = setup_sects
    image[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", image, 0x206, version)
    struct.pack_into("<II", image, 0x248, 0x40, len(payload))
    return bytes(image) + b"\x90" * 0x40 + payload + b"\0" * 100


def test_extract():
    elf = make_elf([(".notes", 7, b"note" * 4)], segment=b"\xcc" * 300)
    blob = elf + b"RELOCS" * 10  # what a relocatable kernel appends after the ELF
    size = struct.pack("<I", len(blob))
    for name, comp in (("xz", lzma.compress(blob, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32)),
                       ("gzip", gzip.compress(blob, mtime=0))):
        image = make_bzimage(comp + size)
        try:
            start, length = extract_vmlinux.locate_payload(image)
            fmt, data = extract_vmlinux.decompress(image[start:start + length])
            end = extract_vmlinux.elf64_extent(data)
            check(f"extract: {name} payload gives the ELF without what follows it",
                  fmt == name and data[:end] == elf, f"format {fmt}, {end} of {len(elf)} bytes")
        except extract_vmlinux.ExtractError as e:
            check(f"extract: {name} payload", False, str(e))
    good = lzma.compress(blob, format=lzma.FORMAT_XZ)
    cases = [
        ("not a bzImage", b"\0" * 4096, "HdrS"),
        ("protocol 2.07 refused", make_bzimage(good + size, version=0x207), "older than 2.08"),
        ("payload past the end refused", make_bzimage(good + size)[:-len(good)], "outside"),
    ]
    for name, image, want in cases:
        msg = raises(extract_vmlinux.locate_payload, image)
        check(f"extract: {name}", msg is not None and want in msg, repr(msg))
    msg = raises(extract_vmlinux.decompress, b"\x12\x34\x56\x78" * 4)
    check("extract: unknown format refused", msg is not None and "unknown payload format" in msg, repr(msg))
    msg = raises(extract_vmlinux.decompress, good + struct.pack("<I", len(blob) + 1))
    check("extract: size field disagreeing refused", msg is not None and "the image says" in msg, repr(msg))
    msg = raises(extract_vmlinux.elf64_extent, b"\x7fELF\x01\x01" + b"\0" * 64)
    check("extract: a 32-bit ELF refused", msg is not None and "ELF64" in msg, repr(msg))


# ---------------------------------------------------------------- modules
def test_moddeps():
    with tempfile.TemporaryDirectory() as d:
        mods = {  # name: (file name, depends)
            "top": ("top.ko", "mid,i2c-algo-bit"),
            "mid": ("mid.ko.xz", "base"),
            "base": ("base.ko", ""),
            "i2c_algo_bit": ("i2c-algo-bit.ko", "base"),
            "loop_a": ("loop_a.ko", "loop_b"),
            "loop_b": ("loop_b.ko", "loop_a"),
            "needs_gone": ("needs_gone.ko", "gone"),
            "uses_builtin": ("uses_builtin.ko", "inkernel"),
        }
        kdir = os.path.join(d, "kernel", "drivers")
        os.makedirs(kdir)
        for name, (fname, deps) in mods.items():
            ko = make_elf([(".modinfo", 1, b"license=GPL\0depends=" + deps.encode() + b"\0name=" + name.encode() + b"\0")])
            if fname.endswith(".xz"):
                ko = lzma.compress(ko)
            with open(os.path.join(kdir, fname), "wb") as f:
                f.write(ko)
        with open(os.path.join(d, "modules.builtin"), "w") as f:
            f.write("kernel/lib/inkernel.ko\n")
        index, builtin = moddeps.index_modules(d), moddeps.builtin_names(d)
        order = [n for n, _ in moddeps.resolve(d, ["top"], index, builtin)]
        check("moddeps: dependencies first, each once, '-' as '_', compressed read",
              order == ["base", "mid", "i2c_algo_bit", "top"], repr(order))
        order = [n for n, _ in moddeps.resolve(d, ["uses_builtin", "inkernel"], index, builtin)]
        check("moddeps: built-in modules need nothing", order == ["uses_builtin"], repr(order))
        msg = raises(moddeps.resolve, d, ["needs_gone"], index, builtin)
        check("moddeps: a missing dependency is named with its chain",
              msg is not None and "module gone (needed by needs_gone)" in msg, repr(msg))
        msg = raises(moddeps.resolve, d, ["loop_a"], index, builtin)
        check("moddeps: a cycle is refused", msg is not None and "cycle" in msg, repr(msg))
        msg = raises(moddeps.modinfo_depends, make_elf([(".text", 1, b"\x90")]))
        check("moddeps: a module without .modinfo is refused", msg is not None and ".modinfo" in msg, repr(msg))


if __name__ == "__main__":
    test_cpio()
    test_extract()
    test_moddeps()
    finish("linux_guest_tools")

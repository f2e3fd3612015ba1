#!/usr/bin/env python3
"""Extracts the ELF vmlinux from an x86 bzImage, for PVH entry (which skips the decompressor).

The setup header (boot protocol 2.08+) says where the compressed payload lies inside the
protected-mode part (payload_offset, payload_length); the payload's first bytes name its format,
and the matching Debian tool decompresses it. The kernel build appends the uncompressed size as
four little-endian bytes to the payload: the result must have exactly that size and be an ELF64
file. Whatever follows the ELF (the relocation table a relocatable kernel carries) is cut off.

Usage: extract_vmlinux.py BZIMAGE OUT_VMLINUX
"""
import shutil
import struct
import subprocess
import sys

# Setup header offsets (Linux Documentation/arch/x86/boot.rst, "The real-mode kernel header").
SETUP_SECTS = 0x1F1
HEADER_MAGIC = 0x202
PROTOCOL_VERSION = 0x206
PAYLOAD_OFFSET = 0x248
PAYLOAD_LENGTH = 0x24C
MIN_PROTOCOL = 0x208  # the first version with payload_offset/payload_length

# Compressed formats the kernel build can use, by their leading magic, with a tool that reads
# the format from stdin and writes the data to stdout.
FORMATS = [
    (b"\xfd7zXZ\x00", "xz", ["xz", "-dc"]),
    (b"\x28\xb5\x2f\xfd", "zstd", ["zstd", "-dcq"]),
    (b"\x1f\x8b", "gzip", ["gzip", "-dc"]),
    (b"BZh", "bzip2", ["bzip2", "-dc"]),
    (b"\x5d\x00\x00", "lzma", ["xz", "--format=lzma", "-dc"]),
    (b"\x02\x21\x4c\x18", "lz4 (legacy frame)", ["lz4", "-dc"]),
    (b"\x89LZO", "lzo", ["lzop", "-dc"]),
]


class ExtractError(Exception):
    pass


def locate_payload(image):
    """Returns (offset, length) of the compressed payload inside the whole bzImage."""
    if len(image) < 0x250 or image[HEADER_MAGIC:HEADER_MAGIC + 4] != b"HdrS":
        raise ExtractError("not a bzImage: no 'HdrS' setup header at 0x202")
    version = struct.unpack_from("<H", image, PROTOCOL_VERSION)[0]
    if version < MIN_PROTOCOL:
        raise ExtractError(f"boot protocol {version >> 8}.{version & 0xff:02d} is older than 2.08: "
                           "the header does not locate the payload")
    setup_sects = image[SETUP_SECTS] or 4  # 0 means 4 (boot.rst)
    pm_start = (setup_sects + 1) * 512
    offset, length = struct.unpack_from("<II", image, PAYLOAD_OFFSET)
    start = pm_start + offset
    if length < 8 or start + length > len(image):
        raise ExtractError(f"payload ({length} bytes at {start:#x}) lies outside the "
                           f"{len(image)}-byte image")
    return start, length


def decompress(payload):
    """Decompresses a payload by its magic; returns (format name, data)."""
    for magic, name, cmd in FORMATS:
        if payload.startswith(magic):
            break
    else:
        raise ExtractError(f"unknown payload format (first bytes {payload[:6].hex()})")
    if shutil.which(cmd[0]) is None:
        raise ExtractError(f"the payload is {name}; '{cmd[0]}' is needed to decompress it")
    body, expected = payload[:-4], struct.unpack("<I", payload[-4:])[0]
    run = subprocess.run(cmd, input=body, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if run.returncode != 0:
        raise ExtractError(f"{' '.join(cmd)} failed: {run.stderr.decode(errors='replace').strip()}")
    if len(run.stdout) != expected:
        raise ExtractError(f"{name} payload gave {len(run.stdout)} bytes, the image says {expected}")
    return name, run.stdout


def elf64_extent(data):
    """The length of the ELF64 file at the start of data: the end of its last header or part."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ExtractError("the payload is not a little-endian ELF64 file")
    (phoff, shoff) = struct.unpack_from("<QQ", data, 0x20)
    (phentsize, phnum, shentsize, shnum) = struct.unpack_from("<HHHH", data, 0x36)
    end = max(0x40, phoff + phentsize * phnum, shoff + shentsize * shnum)
    for i in range(phnum):
        _, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        end = max(end, off + filesz)
    SHT_NOBITS = 8
    for i in range(shnum):
        _, sh_type, _, _, off, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        if sh_type != SHT_NOBITS:
            end = max(end, off + size)
    if end > len(data):
        raise ExtractError(f"the ELF claims {end} bytes but only {len(data)} were decompressed")
    return end


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    src, dst = argv[1], argv[2]
    try:
        with open(src, "rb") as f:
            image = f.read()
        start, length = locate_payload(image)
        name, data = decompress(image[start:start + length])
        end = elf64_extent(data)
    except (ExtractError, OSError) as e:
        print(f"extract_vmlinux: {src}: {e}", file=sys.stderr)
        return 1
    with open(dst, "wb") as f:
        f.write(data[:end])
    print(f"extract_vmlinux: {src}: {name} payload of {length} bytes at {start:#x} -> "
          f"{end}-byte ELF ({len(data) - end} trailing bytes dropped)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Compares the decoder's instruction lengths with objdump's (binutils, a decoder that is
not ours) for the lines tests/fuzz/insn_list prints: "mode length hexbytes op". Prefixes
objdump shows as instructions of their own count toward the instruction after them.
Prints one PASS or FAIL line; exits 1 on any difference.
Usage: insn_list FILE... | insn_objdump.py NAME"""
import re
import subprocess
import sys
import tempfile

ARCH = {2: "i8086", 4: "i386", 8: "i386:x86-64"}
PREFIX_ONLY = re.compile(r"^((rex(\.\w+)?|data16|data32|addr16|addr32|lock|repz|repnz|rep|"
                         r"cs|ds|es|ss|fs|gs|bnd|notrack)\s*)+$")


def objdump_length(mode, code):
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(code)
        f.flush()
        out = subprocess.run(["objdump", "-D", "-b", "binary", "-m", ARCH[mode], f.name],
                             capture_output=True, text=True, check=True).stdout
    insns = []
    for line in out.splitlines():
        m = re.match(r"^\s+([0-9a-f]+):\t([0-9a-f ]+)\t?(.*)$", line)
        if not m:
            continue
        addr, nbytes, text = int(m.group(1), 16), len(m.group(2).split()), m.group(3).strip()
        if not text and insns:
            insns[-1][1] += nbytes          # a long instruction's bytes continue on this line
        else:
            insns.append([addr, nbytes, text])
    for addr, nbytes, text in insns:
        if not PREFIX_ONLY.match(text):
            return addr + nbytes, text
    return None, ""


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "insn-objdump"
    checked, bad = 0, 0
    for line in sys.stdin:
        mode, length, hexbytes, _op = line.split()
        mode, length = int(mode), int(length)
        theirs, text = objdump_length(mode, bytes.fromhex(hexbytes))
        checked += 1
        if theirs != length:
            bad += 1
            print(f"  mode {mode * 8}: {hexbytes[:2 * length]}: ours {length} bytes, "
                  f"objdump {theirs} ({text})")
    if bad or not checked:
        print(f"FAIL: {name}: {bad} of {checked} instruction lengths differ from objdump")
        return 1
    print(f"PASS: {name}: {checked} instruction lengths agree with objdump")
    return 0


if __name__ == "__main__":
    sys.exit(main())

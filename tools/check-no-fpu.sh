#!/bin/sh
# Link guard: the hypervisor never touches x87/SSE/AVX state (guests own it). Fails if the
# image contains any instruction that uses x87, MMX, XMM or YMM registers.
set -eu
elf=$1
bad=$(objdump -d --no-show-raw-insn "$elf" | grep -E '%(x|y|z)mm[0-9]|%st(\(|\b)|%mm[0-9]|\b(fld|fst|fist|fild|fxsave|fxrstor|fninit|fwait)\b' || true)
if [ -n "$bad" ]; then
    echo "$elf: floating-point/SIMD instructions in the hypervisor image:" >&2
    echo "$bad" | head -20 >&2
    exit 1
fi

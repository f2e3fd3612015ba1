#!/bin/sh
# Newlib target compiler: builds every file without SSE (-mgeneral-regs-only); a file
# whose double-returning ABI needs SSE registers is rebuilt with SSE and logged, and the
# hypervisor's link guard (tools/check-no-fpu.sh) proves no such object reaches the image.
log=${NEWLIB_FALLBACK_LOG:-/dev/null}
if gcc -mgeneral-regs-only "$@" 2>/dev/null; then
    exit 0
fi
for a in "$@"; do case "$a" in *.c|*.S) src=$a ;; esac; done
echo "${src:-?}" >> "$log"
exec gcc "$@"

#!/bin/sh
# Builds Newlib's libc once for a freestanding x86-64 hypervisor target.
# Usage: build.sh OUTDIR CFLAGS...  (OUTDIR gets include/ and lib/libc.a)
set -eu
out=$(realpath -m "$1"); shift
cflags="$*"
tarball=/usr/src/newlib/newlib-3.3.0.tar.xz
[ -f "$tarball" ] || { echo "build.sh: $tarball missing: apt-get install newlib-source" >&2; exit 1; }
here=$(dirname "$(realpath "$0")")
work="$out.work"
rm -rf "$work" "$out"
mkdir -p "$work/src" "$work/obj"
tar -xJf "$tarball" -C "$work/src" --strip-components=1
export NEWLIB_FALLBACK_LOG="$work/sse-fallback.txt"
: > "$NEWLIB_FALLBACK_LOG"
cd "$work/obj"
"$work/src/configure" --target=x86_64-elf --prefix="$out" \
    --disable-multilib --disable-newlib-supplied-syscalls --disable-newlib-io-float \
    --enable-newlib-io-c99-formats --enable-newlib-io-long-long \
    --disable-newlib-multithread --enable-newlib-nano-malloc=no --disable-nls \
    CC_FOR_TARGET="$here/cc-wrapper.sh" AS_FOR_TARGET=as LD_FOR_TARGET=ld \
    AR_FOR_TARGET=ar RANLIB_FOR_TARGET=ranlib NM_FOR_TARGET=nm \
    CFLAGS_FOR_TARGET="$cflags" > configure.log 2>&1 || { tail -30 configure.log; exit 1; }
make -j"$(nproc)" all-target-newlib > make.log 2>&1 || { tail -40 make.log; exit 1; }
make install-target-newlib > install.log 2>&1 || { tail -30 install.log; exit 1; }
# Flatten the target-triplet layout.
mv "$out/x86_64-elf/include" "$out/include"
mv "$out/x86_64-elf/lib" "$out/lib"
rm -rf "$out/x86_64-elf" "$out/share"
# Newlib's <stdatomic.h> does not work with gcc 12; the compiler's own is used instead.
rm -f "$out/include/stdatomic.h"
cp "$NEWLIB_FALLBACK_LOG" "$out/sse-fallback.txt"
echo "newlib: built into $out ($(wc -l < "$out/sse-fallback.txt") files needed SSE, see sse-fallback.txt)"
rm -rf "$work"

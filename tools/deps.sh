#!/bin/bash
# Installs (as root) or lists (otherwise) the Debian packages that building, running and
# testing Exitless need; with --bench also what `make bench` needs (gnuplot-nox for its plot).
# Quick and silent when everything is present.
set -euo pipefail
bench=0
for arg in "$@"; do
    case "$arg" in
    --bench) bench=1 ;;
    *) echo "deps: unknown argument '$arg' (known: --bench)" >&2; exit 2 ;;
    esac
done

packages=(
    gcc make binutils xz-utils git          # build
    newlib-source                           # the C library, built from source
    grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools   # the hybrid BIOS+UEFI ISO
    bochs bochs-term bochsbios vgabios      # VMX tests (bochs-term avoids pulling a GTK GUI)
    ovmf                                    # UEFI firmware for QEMU
    clang libclang-rt-14-dev                # libFuzzer and sanitizers for the fuzz targets
    python3                                 # test helper scripts
    acpica-tools                            # iasl: checks the guest ACPI tables we generate
    zstd lz4                                # Linux guest (guests/linux): besides xz-utils and gzip,
                                            # for kernels and modules compressed with zstd or lz4
)
[ $bench = 0 ] || packages+=(gnuplot-nox)         # make bench: build/bench.png
# QEMU >= 8 for the igb device: bookworm ships 7.2, bookworm-backports ships 10.
QEMU_MIN_MAJOR=8

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
qemu_major=0
if command -v qemu-system-x86_64 > /dev/null; then
    qemu_major=$(qemu-system-x86_64 --version | sed -nE 's/.*version ([0-9]+)\..*/\1/p')
fi
need_qemu=0
[ "${qemu_major:-0}" -ge $QEMU_MIN_MAJOR ] || need_qemu=1

if [ ${#missing[@]} -eq 0 ] && [ $need_qemu = 0 ]; then
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "deps: missing Debian packages: ${missing[*]}$([ $need_qemu = 1 ] && echo " qemu-system-x86 (>= $QEMU_MIN_MAJOR, from bookworm-backports)")" >&2
    echo "deps: run 'sudo make deps' (or install them with apt-get) and try again" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ $need_qemu = 1 ] && . /etc/os-release && [ "${VERSION_CODENAME:-}" = bookworm ]; then
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "deps: enabling bookworm-backports for QEMU >= $QEMU_MIN_MAJOR"
        echo 'deb http://deb.debian.org/debian bookworm-backports main' \
            > /etc/apt/sources.list.d/exitless-backports.list
    fi
fi
echo "deps: installing ${missing[*]}$([ $need_qemu = 1 ] && echo ' qemu-system-x86')"
apt-get update -qq
[ ${#missing[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
if [ $need_qemu = 1 ]; then
    if [ "${VERSION_CODENAME:-}" = bookworm ]; then
        apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 > /dev/null
    else
        apt-get install -y -qq --no-install-recommends qemu-system-x86 > /dev/null
    fi
fi
qemu_major=$(qemu-system-x86_64 --version | sed -nE 's/.*version ([0-9]+)\..*/\1/p')
[ "${qemu_major:-0}" -ge $QEMU_MIN_MAJOR ] || { echo "deps: QEMU $qemu_major is too old (need >= $QEMU_MIN_MAJOR for igb)" >&2; exit 1; }
echo "deps: all present"

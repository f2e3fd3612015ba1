#!/bin/bash
# Makes the Linux test guest from Debian packages: the bookworm kernel that linux-image-amd64
# depends on (its bzImage as is, and a vmlinux extracted from it for PVH entry) and an initramfs
# of busybox-static, the kernel's own modules the tests need and guests/linux/init.sh.
# Everything is cached under build/guests/linux/<kernel package version>/, with a stable link
# build/guests/linux/current; a second run with the same inputs does nothing and says so.
# Usage: guests/linux/mkguest.sh [BUILD_DIR]     (default: build)
# Environment: LINUX_KERNEL_PKG=name=version picks the kernel package instead of the metapackage;
#              LINUX_MODULES="a b" the modules to carry (default below).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
top=$build/guests/linux
# igb only for the native check of igbvf on an emulated 82576 (guests see no PF).
modules=${LINUX_MODULES:-igbvf virtio_pci virtio_net virtio_blk igb}

die() { echo "mkguest: $*" >&2; exit 1; }
for tool in apt-cache apt-get dpkg-deb python3 gzip readelf; do
    command -v $tool > /dev/null || die "'$tool' is missing (see tools/deps.sh)"
done

# apt-cache prints "Depends: linux-image-6.1.0-57-amd64 (= 6.1.192-3)" for the metapackage.
resolve_kernel() {
    if [ -n "${LINUX_KERNEL_PKG:-}" ]; then
        echo "${LINUX_KERNEL_PKG%%=*} ${LINUX_KERNEL_PKG#*=}"
        return
    fi
    local meta
    meta=$(apt-cache policy linux-image-amd64 2>/dev/null | sed -n 's/^ *Candidate: //p')
    [ -n "$meta" ] && [ "$meta" != "(none)" ] || return 1
    apt-cache show "linux-image-amd64=$meta" 2>/dev/null |
        sed -nE 's/^Depends:.*(linux-image-[0-9][^ ,]*-amd64) \(= ([^)]+)\).*/\1 \2/p' | head -n 1
}

candidate() { apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p'; }

read -r kpkg kver < <(resolve_kernel || true) || true
bver=$(candidate busybox-static)
if [ -z "${kpkg:-}" ] || [ -z "${kver:-}" ] || [ -z "$bver" ] || [ "$bver" = "(none)" ]; then
    if [ -e "$top/current/.done" ]; then
        echo "mkguest: apt cannot name the packages (no package lists?); keeping $top/current ($(readlink "$top/current"))"
        exit 0
    fi
    die "apt knows no linux-image-amd64 or busybox-static: run 'apt-get update' (Debian bookworm sources)"
fi

key=${kver//:/_}
dir=$top/$key
# The derived files depend on both packages, our scripts and the module list.
inputs=$(printf '%s\n' "$kpkg=$kver" "busybox-static=$bver" "modules=$modules" |
         cat - "$here"/mkguest.sh "$here"/init.sh "$here"/*.py | sha1sum | cut -c1-16)
if [ -e "$dir/.done" ] && [ "$(cat "$dir/.done")" = "$inputs" ]; then
    ln -sfn "$key" "$top/current"
    echo "mkguest: $dir is up to date ($kpkg $kver, busybox-static $bver): nothing to do"
    exit 0
fi
echo "mkguest: building $dir from $kpkg $kver and busybox-static $bver"
mkdir -p "$dir/debs"
rm -f "$dir/.done"

# apt-get download needs no root; as root, apt's sandbox user could not write here.
sandbox=()
[ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
fetch() {
    local pkg=$1 ver=$2 deb
    deb=$(ls "$dir/debs/${pkg}_"*"_amd64.deb" 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        (cd "$dir/debs" && apt-get "${sandbox[@]}" -q download "$pkg=$ver" > /dev/null) ||
            die "apt-get download $pkg=$ver failed"
        deb=$(ls "$dir/debs/${pkg}_"*"_amd64.deb" | head -n 1)
    fi
    echo "$deb"
}
kdeb=$(fetch "$kpkg" "$kver")
bdeb=$(fetch busybox-static "$bver")

work=$dir/work
rm -rf "$work"
mkdir -p "$work/kernel" "$work/busybox" "$work/root"
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$kdeb" "$work/kernel"
dpkg-deb -x "$bdeb" "$work/busybox"

vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || die "$kdeb has no /boot/vmlinuz-*"
release=${vmlinuz##*/vmlinuz-}
moddir=$work/kernel/lib/modules/$release
[ -d "$moddir" ] || die "$kdeb has no lib/modules/$release"

# bzImage as shipped; vmlinux extracted, and it must carry the PVH entry note.
cp "$vmlinuz" "$dir/bzImage"
python3 "$here/extract_vmlinux.py" "$dir/bzImage" "$dir/vmlinux.tmp"
# readelf shows the Xen notes as "Xen ... Unknown note type: (0x00000012)" then the entry.
pvh=$(readelf -n --wide "$dir/vmlinux.tmp" | grep -E '^ *Xen .*\(0x00000012\)' || true)
[ -n "$pvh" ] || die "the vmlinux extracted from $kpkg has no XEN_ELFNOTE_PHYS32_ENTRY note (type 18): no PVH entry"
pvh_entry=$(echo "$pvh" | sed -nE 's/.*description data: (([0-9a-f]{2} ){3}[0-9a-f]{2}).*/\1/p' |
            awk '{ printf "0x%s%s%s%s", $4, $3, $2, $1 }')
mv "$dir/vmlinux.tmp" "$dir/vmlinux"

# The initramfs tree.
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc/exitless}
install -m 0755 "$work/busybox/bin/busybox" "$root/bin/busybox"
"$root/bin/busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] || [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
install -m 0755 "$here/init.sh" "$root/init"

python3 "$here/moddeps.py" "$moddir" $modules > "$work/modules.list" ||
    die "cannot resolve the modules ($modules) in $kpkg"
: > "$root/etc/exitless/modules"
while read -r name rel; do
    src=$moddir/$rel
    dst_rel=${rel%.xz}; dst_rel=${dst_rel%.zst}; dst_rel=${dst_rel%.gz}
    mkdir -p "$root/lib/modules/$release/$(dirname "$dst_rel")"
    case "$rel" in                       # insmod wants a plain .ko: decompress at build time
    *.xz) xz -dc "$src" ;;
    *.zst) zstd -dcq "$src" ;;
    *.gz) gzip -dc "$src" ;;
    *) cat "$src" ;;
    esac > "$root/lib/modules/$release/$dst_rel"
    echo "$name $dst_rel" >> "$root/etc/exitless/modules"
done < "$work/modules.list"

python3 "$here/mkcpio.py" "$root" "$work/initrd.cpio" --node dev/console:c:5:1:600
gzip -9 -n < "$work/initrd.cpio" > "$dir/initrd.cpio.gz"

size() { stat -c %s "$1"; }
{
    echo "kernel_package=$kpkg"
    echo "kernel_version=$kver"
    echo "kernel_release=$release"
    echo "busybox_version=$bver"
    echo "pvh_entry=$pvh_entry"
    echo "modules=$(cut -d' ' -f1 "$root/etc/exitless/modules" | tr '\n' ' ' | sed 's/ $//')"
    echo "bzImage_bytes=$(size "$dir/bzImage")"
    echo "vmlinux_bytes=$(size "$dir/vmlinux")"
    echo "initrd_bytes=$(size "$dir/initrd.cpio.gz")"
} > "$dir/info.txt"
echo "$inputs" > "$dir/.done"
ln -sfn "$key" "$top/current"
echo "mkguest: $dir ready (current -> $key): bzImage $(size "$dir/bzImage"), vmlinux $(size "$dir/vmlinux") (PVH entry $pvh_entry), initrd.cpio.gz $(size "$dir/initrd.cpio.gz") bytes"

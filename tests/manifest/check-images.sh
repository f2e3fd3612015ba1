#!/bin/sh
# exitless-manifest --check-files detects each guest's image kind from its file and checks it
# against the guest: synthetic bzImages (good, old protocol, too big for its guest), a file
# that is no kernel, a test guest ELF, a Linux guest asking for virtio-blk. One PASS/FAIL line per check; non-zero on failure.
tool=$1
elf=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0

# A bzImage setup header (Linux boot.rst) followed by `kernel` bytes: version, init_size.
bzimage() {
    python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
out, version, init_size = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
img = bytearray(1024 + 4096)
struct.pack_into('<B', img, 0x1f1, 1)                      # setup_sects
struct.pack_into('<I', img, 0x1f4, 4096 // 16)              # syssize
struct.pack_into('<H', img, 0x1fe, 0xaa55)
img[0x200:0x202] = bytes([0xeb, 0x6a])                      # header to 0x26c
img[0x202:0x206] = b'HdrS'
struct.pack_into('<H', img, 0x206, version)
img[0x211] = 1                                              # LOADED_HIGH
struct.pack_into('<IIBBHI', img, 0x22c, 0x7fffffff, 0x200000, 1, 21, 0x7f, 2047)
struct.pack_into('<QI', img, 0x258, 0x1000000, init_size)
open(out, 'wb').write(img)
PY
}

bzimage "$dir/good" 0x020f 0x400000
bzimage "$dir/old" 0x020b 0x400000
bzimage "$dir/big" 0x020f 0x8000000
printf 'no kernel here' > "$dir/junk"
cp "$elf" "$dir/hello.elf"
cat > "$dir/m.toml" <<TOML
[modules]
good = "good"
old = "old"
big = "big"
junk = "junk"
hello = "hello.elf"

[[guest]]
name = "linux"
cpus = [1]
memory = "64M"
image = "good"
cmdline = "console=ttyS0"

[[guest]]
name = "injected"
cpus = [6]
memory = "64M"
image = "good"
interrupts = "injected"

[[guest]]
name = "oldproto"
cpus = [2]
memory = "64M"
image = "old"

[[guest]]
name = "toobig"
cpus = [3]
memory = "64M"
image = "big"

[[guest]]
name = "junk"
cpus = [4]
memory = "64M"
image = "junk"

[[guest]]
name = "hello"
cpus = [5]
memory = "8M"
image = "hello"

[[guest]]
name = "linuxdisk"
cpus = [7]
memory = "64M"
image = "good"

[[guest.virtio_blk]]
module = "junk"
read_only = true

[hypervisor]
sidecores = [8]
TOML

"$tool" --check-files "$dir/m.toml" > "$dir/out" 2> "$dir/err"
rc=$?
expect() {
    if grep -q -- "$2" "$dir/$1"; then
        echo "PASS: check-images: $3"
    else
        echo "FAIL: check-images: $3 (no '$2' in $1)"
        sed 's/^/    /' "$dir/out" "$dir/err"
        status=1
    fi
}
expect out "guest 'linux': image 'good': Linux bzImage, boot protocol 2.15, 64-bit entry at 0x1000200" \
    "bzImage detected"
expect out "guest 'hello': image 'hello': ELF64" "test guest ELF64 detected"
expect err "m.toml:26:9: error: guest 'oldproto'.*boot protocol 2.11 is older than 2.12" \
    "old protocol refused at its image line"
expect err "guest 'toobig'.*kernel does not fit" "kernel too big for the guest"
expect err "guest 'junk'.*unknown image format" "no kernel"
expect err "guest 'injected'.*a Linux guest needs interrupts = \"exitless\"" \
    "Linux guest in injected mode refused"
expect out "guest 'linuxdisk': image 'good': Linux bzImage" \
    "Linux guest with virtio-blk accepted (BAR0 served by memory access)"
expect err "m.toml: 4 errors" "error count"
if [ "$rc" -ne 1 ]; then
    echo "FAIL: check-images: exit status $rc, want 1"
    status=1
fi
exit $status

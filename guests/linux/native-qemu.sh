#!/bin/bash
# Boots the Linux test guest natively under QEMU TCG, with no hypervisor, to prove the image:
# once as a bzImage (64-bit boot protocol through the decompressor) and once as the PVH vmlinux.
# A run passes only if the guest printed "PASS: x" for every requested check, no "FAIL:" line,
# and "exitless-init: done N passed 0 failed". Further runs drive the network checks on a
# virtio-net device behind QEMU's user network (they must ping QEMU's gateway), and make every
# check that can fail print its FAIL line: no device, wrong CPU count, wrong MAC, and so on.
# Usage: guests/linux/native-qemu.sh [--build DIR] [--only bzimage|pvh|virtio|nonet|wrong|wrongmac|igbvf]
#                                    [--timeout S]
set -uo pipefail
cd "$(dirname "$0")/../.."
build=build only= timeout=600
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) echo "native-qemu: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
guest=$build/guests/linux/current
logs=$build/guests/linux/logs
for f in bzImage vmlinux initrd.cpio.gz; do
    [ -e "$guest/$f" ] || { echo "native-qemu: $guest/$f is missing: run 'make linux-guest'" >&2; exit 1; }
done
mkdir -p "$logs"
base_cmdline="console=ttyS0,115200 quiet cryptomgr.notests mitigations=off nokaslr no_timer_check"
failures=0
# igbvf on QEMU's emulated 82576 with Linux's own igb as PF: the VF binds but its reset
# handshake with the PF times out ("PF still in reset state"), so it never gets link. Not
# our hypervisor's PF, only a baseline for it; run with --only igbvf.
optional="igbvf"

# run NAME KERNEL CPUS "GUEST KEYS" "CHECKS THAT MUST FAIL" "REGEX THE LOG MUST HOLD" [QEMU ARGS...]
# Every check named in exitless.checks must print PASS, except those listed to FAIL.
run() {
    local name=$1 kernel=$2 cpus=$3 keys=$4 must_fail=$5 must_match=$6
    shift 6
    if [ -n "$only" ] && [ "$only" != "$name" ]; then return; fi
    # Runs that do not pass yet run only when asked for by name.
    if [ -z "$only" ] && [[ " $optional " == *" $name "* ]]; then return; fi
    local log=$logs/native-$name.log t0 t1
    t0=$(date +%s.%N)
    timeout "$timeout" qemu-system-x86_64 -accel tcg -cpu max -m 512 -smp "$cpus" \
        -nographic -no-reboot -kernel "$kernel" -initrd "$guest/initrd.cpio.gz" \
        -append "$base_cmdline $keys" "$@" < /dev/null > "$log" 2>&1
    local rc=$?
    t1=$(date +%s.%N)
    tr -d '\r' < "$log" > "$log.txt" && mv "$log.txt" "$log"
    local ok=1 why= checks check n_checks n_fail
    checks=$(echo "$keys" | sed -nE 's/.*exitless\.checks=([^ ]+).*/\1/p' | tr ',' ' ')
    n_checks=$(echo $checks | wc -w)
    n_fail=$(echo $must_fail | wc -w)
    for check in $checks; do
        if [[ " $must_fail " == *" $check "* ]]; then
            grep -qE "^FAIL: $check: " "$log" || { ok=0; why=${why:-"no 'FAIL: $check' line"}; }
        else
            grep -qE "^PASS: $check( |$)" "$log" || { ok=0; why=${why:-"no 'PASS: $check' line"}; }
        fi
    done
    [ "$(grep -c '^FAIL: ' "$log")" = "$n_fail" ] || { ok=0; why=${why:-"FAIL lines other than for: ${must_fail:-none}"}; }
    [ -z "$must_match" ] || grep -qE "$must_match" "$log" || { ok=0; why=${why:-"no line matching '$must_match'"}; }
    grep -qE "^exitless-init: done $((n_checks - n_fail)) passed $n_fail failed" "$log" ||
        { ok=0; why=${why:-"init did not report 'done $((n_checks - n_fail)) passed $n_fail failed'"}; }
    [ $rc = 0 ] || { ok=0; why=${why:-"QEMU ended with status $rc (124: timed out after ${timeout} s)"}; }
    grep -E '^(PASS|FAIL): ' "$log" | sed "s/^/  [$name] /"
    local secs
    secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
    if [ $ok = 1 ]; then
        echo "PASS: native-$name ($cpus CPUs, $secs s wall, log $log)"
    else
        echo "FAIL: native-$name: $why (log $log)"
        tail -n 15 "$log" | sed 's/^/  | /'
        failures=$((failures + 1))
    fi
}

virtio_nic="-nic user,model=virtio-net-pci,mac=02:00:00:00:00:01"
run bzimage "$guest/bzImage" 2 "exitless.checks=boot,cpus,modules,dmesg exitless.cpus=2" "" ""
run pvh "$guest/vmlinux" 2 "exitless.checks=boot,cpus,modules,dmesg exitless.cpus=2" "" ""
# QEMU's user network: the guest is 10.0.2.15, the gateway 10.0.2.2 answers pings.
run virtio "$guest/vmlinux" 1 "exitless.checks=boot,modules,net,unreachable exitless.netdrv=virtio_net exitless.mac=02:00:00:00:00:01 exitless.ip=10.0.2.15/24 exitless.peer=10.0.2.2 exitless.pings=20 exitless.unreachable=10.0.2.77" "" "" \
    $virtio_nic
# The checks can fail: no igbvf interface; a wrong CPU count, an "unreachable" address that
# answers, a peer that never pings us; a MAC other than the manifest's.
run nonet "$guest/vmlinux" 1 "exitless.checks=boot,net exitless.linkwait=2 exitless.mac=02:00:00:00:00:01" \
    "net" '^FAIL: net: no interface driven by igbvf after 2 s' -nic none
run wrong "$guest/vmlinux" 1 "exitless.checks=cpus,net,unreachable,serve exitless.cpus=3 exitless.netdrv=virtio_net exitless.ip=10.0.2.15/24 exitless.peer=10.0.2.2 exitless.pings=3 exitless.unreachable=10.0.2.2 exitless.serve=1 exitless.servewait=2" \
    "cpus unreachable serve" '^FAIL: unreachable: 10\.0\.2\.2 answered' $virtio_nic
run wrongmac "$guest/vmlinux" 1 "exitless.checks=net exitless.netdrv=virtio_net exitless.mac=02:00:00:00:00:99 exitless.ip=10.0.2.15/24 exitless.peer=10.0.2.2" \
    "net" '^FAIL: net: eth0 \(virtio_net\) has MAC 02:00:00:00:00:01, expected 02:00:00:00:00:99' $virtio_nic
run igbvf "$guest/vmlinux" 1 "exitless.checks=modules,pfvfs,net exitless.pfvfs=1 exitless.ip=10.0.2.15/24 exitless.peer=10.0.2.2 exitless.pings=20" "" "" \
    -M q35 -netdev user,id=n0 -device igb,netdev=n0,mac=52:54:00:12:34:56
[ $failures = 0 ]

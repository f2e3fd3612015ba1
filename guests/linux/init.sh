#!/bin/sh
# /init of the Linux test guest: mounts the basics, loads the modules the image carries, runs
# the checks the kernel command line names (exitless.checks=a,b,...) and prints exactly one
# line per check, "PASS: name (details)" or "FAIL: name: why", each with a single echo so no
# line is ever split; then powers off. Keys are listed in guests/linux/README.md.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

echo "exitless-init: start"

# exitless.KEY=VALUE words of the command line become arg_KEY (KEY of [a-z0-9_] only).
for word in $(cat /proc/cmdline); do
    case "$word" in
    exitless.*=*)
        key=${word%%=*}
        key=${key#exitless.}
        case "$key" in
        *[!a-z0-9_]* | "") echo "exitless-init: ignoring malformed key in '$word'" ;;
        *) eval "arg_$key=\${word#*=}" ;;
        esac
        ;;
    esac
done

# Kernel messages would land in the middle of our lines: keep them off the console.
[ "${arg_verbose:-0}" = 1 ] || echo 1 > /proc/sys/kernel/printk

echo "exitless-init: kernel $(uname -r), $(cut -d' ' -f1 /proc/uptime) s since boot, checks ${arg_checks:=boot}"

passed=0
failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# Counts and waits must be numbers: a bad one is reported and dropped (checks needing it fail).
for key in cpus pings linkwait peerwait serve servewait pfvfs probes idle; do
    eval "value=\${arg_$key:-}"
    case "$value" in
    "" | [0-9] | [1-9] | [1-9][0-9] | [1-9][0-9][0-9] | [1-9][0-9][0-9][0-9] | [1-9][0-9][0-9][0-9][0-9]) ;;
    *) fail "cmdline: exitless.$key must be a number below 100000, not '$value'"; unset "arg_$key" ;;
    esac
done

# Modules, dependencies first (written by mkguest.sh as "NAME PATH" lines).
moddir=/lib/modules/$(uname -r)
load_errors=
if [ -r /etc/exitless/modules ]; then
    while read -r name path; do
        [ -d "/sys/module/$name" ] && continue
        err=$(insmod "$moddir/$path" 2>&1) || load_errors="$load_errors $name(${err##*: })"
    done < /etc/exitless/modules
fi

# Counts the CPUs in a list like "0-3,5".
count_cpus() {
    n=0
    for part in $(echo "$1" | tr ',' ' '); do
        case "$part" in
        *-*) n=$((n + ${part#*-} - ${part%-*} + 1)) ;;
        *) n=$((n + 1)) ;;
        esac
    done
    echo $n
}

check_boot() {
    pass "boot (init ran, kernel $(uname -r))"
}

check_cpus() {
    if [ -z "${arg_cpus:-}" ]; then
        fail "cpus: exitless.cpus is not on the command line"
        return
    fi
    online=$(cat /sys/devices/system/cpu/online)
    n_online=$(count_cpus "$online")
    n_info=$(grep -c '^processor' /proc/cpuinfo)
    if [ "$n_online" = "$arg_cpus" ] && [ "$n_info" = "$arg_cpus" ]; then
        pass "cpus ($n_online online: $online)"
    else
        fail "cpus: expected $arg_cpus, $n_online online ($online), $n_info in /proc/cpuinfo"
    fi
}

check_modules() {
    if [ ! -r /etc/exitless/modules ]; then
        fail "modules: the image lists no modules (/etc/exitless/modules)"
        return
    fi
    loaded= missing=
    while read -r name path; do
        if [ -d "/sys/module/$name" ]; then loaded="$loaded $name"; else missing="$missing $name"; fi
    done < /etc/exitless/modules
    if [ -z "$missing" ]; then
        pass "modules ($(echo $loaded | wc -w) loaded:$loaded)"
    else
        fail "modules: not loaded:$missing; insmod said:${load_errors:- nothing}"
    fi
}

# The first interface whose driver is $1, waiting up to $2 seconds for it to appear.
find_iface() {
    t=0
    while :; do
        for dev in /sys/class/net/*; do
            drv=$(readlink "$dev/device/driver" 2>/dev/null) || continue
            [ "${drv##*/}" = "$1" ] && { echo "${dev##*/}"; return 0; }
        done
        [ $t -ge "$2" ] && return 1
        sleep 1
        t=$((t + 1))
    done
}

# Waits up to $2 seconds for interface $1's carrier.
wait_link() {
    t=0
    until [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]; do
        [ $t -ge "$2" ] && return 1
        sleep 1
        t=$((t + 1))
    done
}

# Brings up the interface driven by exitless.netdrv: it must appear, have exitless.mac, get
# link and exitless.ip. Sets ifc, drv, mac; returns 1 after printing a FAIL line for check $1.
iface_up() {
    drv=${arg_netdrv:-igbvf}
    wait=${arg_linkwait:-30}
    if ! ifc=$(find_iface "$drv" "$wait"); then
        fail "$1: no interface driven by $drv after ${wait} s (interfaces: $(ls /sys/class/net | tr '\n' ' '))"
        return 1
    fi
    mac=$(cat "/sys/class/net/$ifc/address")
    want=$(echo "${arg_mac:-$mac}" | tr 'A-F' 'a-f')
    if [ "$mac" != "$want" ]; then
        fail "$1: $ifc ($drv) has MAC $mac, expected $want"
        return 1
    fi
    ip link set dev "$ifc" up
    if ! wait_link "$ifc" "$wait"; then
        fail "$1: $ifc ($drv, $mac) has no link after ${wait} s"
        return 1
    fi
    if [ -z "${arg_ip:-}" ]; then
        fail "$1: exitless.ip is needed ($ifc $drv $mac has link)"
        return 1
    fi
    if ! err=$(ip addr add "$arg_ip" dev "$ifc" 2>&1); then
        fail "$1: ip addr add $arg_ip dev $ifc: $err"
        return 1
    fi
}

# The interface alone, for a guest nobody can reach (one alone in its VLAN).
check_ifup() {
    iface_up ifup || return
    pass "ifup ($ifc $drv $mac $arg_ip, link up)"
}

# The VF's MAC is the manifest's: a change to exitless.newmac must be refused (by the PF, through
# the driver) and leave the address as it was. Run it before ifup: igbvf changes its address
# only while the interface is down.
check_macfixed() {
    drv=${arg_netdrv:-igbvf}
    if [ -z "${arg_newmac:-}" ]; then
        fail "macfixed: exitless.newmac is not on the command line"
        return
    fi
    if ! ifc=$(find_iface "$drv" "${arg_linkwait:-30}"); then
        fail "macfixed: no interface driven by $drv"
        return
    fi
    before=$(cat "/sys/class/net/$ifc/address")
    if err=$(ip link set dev "$ifc" address "$arg_newmac" 2>&1); then
        fail "macfixed: $ifc ($drv) took MAC $arg_newmac (now $(cat "/sys/class/net/$ifc/address"))"
        return
    fi
    after=$(cat "/sys/class/net/$ifc/address")
    if [ "$after" = "$before" ]; then
        pass "macfixed ($ifc kept $after; setting $arg_newmac: ${err##*: })"
    else
        fail "macfixed: $ifc changed from $before to $after although the change failed (${err##*: })"
    fi
}

# exitless.marks=1: writes byte $1 to the UART's scratch register (port 0x3ff) through
# /dev/port; the hypervisor then logs this guest's exits since its previous mark, by reason
# (a guest without hypercalls has no other way to bracket a stretch of work).
mark() {
    [ "${arg_marks:-0}" = 1 ] || return 0
    printf "\\$(printf %o "$1")" | dd of=/dev/port bs=1 seek=1023 count=1 2> /dev/null ||
        echo "exitless-init: mark $1: cannot write /dev/port"
}

check_net() {
    iface_up net || return
    if [ -z "${arg_peer:-}" ]; then
        fail "net: exitless.peer is needed ($ifc $drv $mac $arg_ip has link)"
        return
    fi
    # The peer may still be booting: wait for its first answer, then count.
    t=0 peerwait=${arg_peerwait:-60}
    until ping -c 1 -W 1 "$arg_peer" > /dev/null 2>&1; do
        t=$((t + 1))
        if [ $t -ge "$peerwait" ]; then
            fail "net: $arg_peer never answered within ${peerwait} tries ($ifc $drv $mac $arg_ip, link up)"
            return
        fi
    done
    n=${arg_pings:-10}
    # Marks 224 and 225 bracket nothing (what a mark costs), 225 and 226 the pings.
    mark 224
    mark 225
    t0=$(cut -d. -f1 /proc/uptime)
    summary=$(ping -q -A -c "$n" -W 5 "$arg_peer" 2>&1 | grep 'packets transmitted')
    mark 226
    secs=$(($(cut -d. -f1 /proc/uptime) - t0))
    sent=$(echo "$summary" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
    got=$(echo "$summary" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
    # Busybox's adaptive ping can transmit one request past -c (a timer race at the end):
    # the check wants n answers, and says how many were sent.
    if [ -n "$got" ] && [ "$got" -ge "$n" ] 2>/dev/null; then
        pass "net ($ifc $drv $mac $arg_ip, $n of $n pings to $arg_peer answered in about $secs s: $got replies to $sent requests)"
    else
        fail "net: $ifc $drv $arg_ip: ${got:-?} of ${sent:-?} pings to $arg_peer answered (wanted $n)"
    fi
}

# Natively only (a guest under the hypervisor sees no PF): enables exitless.pfvfs VFs on every
# igb PF, so igbvf can be tried on an emulated 82576 without the hypervisor.
check_pfvfs() {
    done_pfs=
    for dev in /sys/class/net/*; do
        drv=$(readlink "$dev/device/driver" 2>/dev/null) || continue
        [ "${drv##*/}" = igb ] || continue
        ifc=${dev##*/}
        ip link set dev "$ifc" up
        # A VF reset while its PF is still resetting leaves the VF without link.
        if ! wait_link "$ifc" "${arg_linkwait:-30}"; then
            fail "pfvfs: the igb PF $ifc has no link after ${arg_linkwait:-30} s"
            return
        fi
        # Enabling VFs resets the PF once more: probe the VFs only after its link is back.
        echo 0 > "$dev/device/sriov_drivers_autoprobe"
        if ! err=$(echo "${arg_pfvfs:-1}" 2>&1 > "$dev/device/sriov_numvfs"); then
            fail "pfvfs: $ifc: cannot enable ${arg_pfvfs:-1} VFs: $err"
            return
        fi
        sleep 1
        if ! wait_link "$ifc" "${arg_linkwait:-30}"; then
            fail "pfvfs: the igb PF $ifc lost its link enabling VFs"
            return
        fi
        echo 1 > "$dev/device/sriov_drivers_autoprobe"
        for vf in "$dev"/device/virtfn*; do
            vf=$(readlink "$vf")
            echo "${vf##*/}" > /sys/bus/pci/drivers_probe
        done
        done_pfs="$done_pfs $ifc:$(cat "$dev/device/sriov_numvfs")"
    done
    if [ -z "$done_pfs" ]; then
        fail "pfvfs: no interface driven by igb"
    else
        pass "pfvfs (VFs enabled on$done_pfs)"
    fi
}

check_unreachable() {
    if [ -z "${arg_unreachable:-}" ]; then
        fail "unreachable: exitless.unreachable is not on the command line"
        return
    fi
    # The line marks the probe's start, so a test can check from the console's order that
    # the target was up all along.
    n=${arg_probes:-3}
    echo "exitless-init: unreachable: probing $arg_unreachable with $n pings"
    if ping -c "$n" -W 2 "$arg_unreachable" > /dev/null 2>&1; then
        fail "unreachable: $arg_unreachable answered a ping"
    else
        pass "unreachable (no answer from $arg_unreachable to $n pings)"
    fi
}

# ICMP echo requests this guest has answered so far (the "InEchos" column of /proc/net/snmp).
echos_in() {
    awk '$1 == "Icmp:" { if (!col) { for (i = 2; i <= NF; i++) if ($i == "InEchos") col = i }
                         else { print $col; exit } }' /proc/net/snmp
}

# Stays up until the peer has pinged us exitless.serve times, so it can finish counting.
check_serve() {
    want=${arg_serve:-}
    case "$want" in
    "" | *[!0-9]*) fail "serve: exitless.serve must be a count of echo requests, not '$want'"; return ;;
    esac
    t=0 wait=${arg_servewait:-300}
    while :; do
        got=$(echos_in)
        case "$got" in "" | *[!0-9]*) fail "serve: no ICMP counters in /proc/net/snmp"; return ;; esac
        [ "$got" -ge "$want" ] && break
        if [ $t -ge "$wait" ]; then
            fail "serve: $got of $want echo requests arrived within ${wait} s"
            return
        fi
        sleep 1
        t=$((t + 1))
    done
    pass "serve ($got echo requests answered)"
}

# Sleeps exitless.idle seconds doing nothing (0 is allowed). With exitless.marks=1 two marks
# bracket the sleep, and make bench's idle row counts the exits between them.
check_idle() {
    if [ -z "${arg_idle:-}" ]; then
        fail "idle: exitless.idle is not on the command line"
        return
    fi
    # Marks 232 and 233 bracket the sleep (the idle window: make bench counts its exits there).
    mark 232
    before=$(cut -d' ' -f1 /proc/uptime)
    sleep "$arg_idle"
    after=$(cut -d' ' -f1 /proc/uptime)
    mark 233
    pass "idle (slept $arg_idle s: uptime $before to $after s)"
}

# exitless.syms=ADDR,...: prints, per address, the kernel text symbol at or below it from
# /proc/kallsyms as "exitless-init: sym: ADDR SYMADDR TYPE NAME" (make bench names its hot RIPs
# with a native boot of the same kernel: Debian's package ships no System.map). Addresses are
# compared as 16-digit hex strings (awk's numbers cannot hold 64 bits).
check_syms() {
    if [ -z "${arg_syms:-}" ]; then
        fail "syms: exitless.syms is not on the command line"
        return
    fi
    found=$(awk -v want="$arg_syms" '
        BEGIN { n = split(want, w, ",")
                for (i = 1; i <= n; i++) { x = tolower(w[i]) ""; sub(/^0x/, "", x)
                                           while (length(x) < 16) x = "0" x; w[i] = x; b[i] = "" } }
        $2 ~ /^[tTwW]$/ { a = $1 ""
                          for (i = 1; i <= n; i++) if (a <= w[i] && a > b[i]) { b[i] = a; s[i] = $2 " " $3 } }
        END { for (i = 1; i <= n; i++) if (b[i] != "") { print w[i] " " b[i] " " s[i]; k++ }
              exit k == n ? 0 : 1 }' /proc/kallsyms)
    rc=$?
    echo "$found" | while read -r line; do [ -n "$line" ] && echo "exitless-init: sym: $line"; done
    if [ $rc = 0 ]; then
        pass "syms ($(echo "$found" | wc -l) addresses named from /proc/kallsyms)"
    else
        fail "syms: not every address of '$arg_syms' is in /proc/kallsyms's text"
    fi
}

# The net interface with its MAC changed to exitless.newmac (after net: its address is set):
# exitless.probes pings to the peer must all go unanswered, since the port drops frames whose
# source is not its MAC (the hypervisor counts them); then the MAC is put back.
check_spoof() {
    drv=${arg_netdrv:-igbvf}
    if [ -z "${arg_newmac:-}" ] || [ -z "${arg_peer:-}" ]; then
        fail "spoof: exitless.newmac and exitless.peer are needed"
        return
    fi
    if ! ifc=$(find_iface "$drv" "${arg_linkwait:-30}"); then
        fail "spoof: no interface driven by $drv"
        return
    fi
    real=$(cat "/sys/class/net/$ifc/address")
    if ! err=$(ip link set dev "$ifc" address "$arg_newmac" 2>&1); then
        fail "spoof: $ifc ($drv) would not take MAC $arg_newmac: ${err##*: }"
        return
    fi
    ip neigh flush dev "$ifc" 2> /dev/null
    n=${arg_probes:-3}
    got=$(ping -c "$n" -W 1 "$arg_peer" 2>&1 | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
    ip link set dev "$ifc" address "$real"
    if [ "$got" = 0 ]; then
        pass "spoof ($ifc $drv as $arg_newmac: 0 of $n pings to $arg_peer answered; $real put back)"
    else
        fail "spoof: $ifc $drv as $arg_newmac: ${got:-?} of $n pings to $arg_peer answered"
    fi
}

# Waits up to 30 s for block device $1 (a name under /sys/block).
wait_blockdev() {
    t=0
    until [ -b "/dev/$1" ] && [ -r "/sys/block/$1/size" ]; do
        [ $t -ge 30 ] && return 1
        sleep 1
        t=$((t + 1))
    done
}

# The disk exitless.blk (default vda): 256 KiB of random bytes written at 64 KiB with an fsync
# (a flush), the kernel's caches of the disk dropped, read back and compared. A read-only disk
# exitless.blkro, when named, must be flagged read-only and refuse a write.
check_blk() {
    dev=${arg_blk:-vda}
    if ! wait_blockdev "$dev"; then
        fail "blk: no /dev/$dev after 30 s (block devices: $(ls /sys/block | tr '\n' ' '))"
        return
    fi
    drv=$(readlink "/sys/block/$dev/device/driver" 2>/dev/null)
    sectors=$(cat "/sys/block/$dev/size")
    if [ "$sectors" -lt 640 ]; then
        fail "blk: /dev/$dev (${drv##*/}) has $sectors sectors, 640 needed"
        return
    fi
    dd if=/dev/urandom of=/tmp/blk.pat bs=4096 count=64 2> /dev/null
    want=$(md5sum < /tmp/blk.pat)
    if ! err=$(dd if=/tmp/blk.pat of="/dev/$dev" bs=4096 seek=16 count=64 conv=fsync 2>&1); then
        fail "blk: writing /dev/$dev (${drv##*/}): $(echo "$err" | head -n 1)"
        return
    fi
    blockdev --flushbufs "/dev/$dev"
    echo 3 > /proc/sys/vm/drop_caches
    got=$(dd if="/dev/$dev" bs=4096 skip=16 count=64 2> /dev/null | md5sum)
    if [ "$got" != "$want" ]; then
        fail "blk: /dev/$dev (${drv##*/}) read back ${got%% *}, wrote ${want%% *}"
        return
    fi
    ro=
    if [ -n "${arg_blkro:-}" ]; then
        if ! wait_blockdev "$arg_blkro"; then
            fail "blk: no read-only disk /dev/$arg_blkro after 30 s"
            return
        fi
        if [ "$(cat "/sys/block/$arg_blkro/ro")" != 1 ]; then
            fail "blk: /dev/$arg_blkro is not flagged read-only"
            return
        fi
        if dd if=/tmp/blk.pat of="/dev/$arg_blkro" bs=4096 count=1 conv=fsync 2> /dev/null; then
            fail "blk: a write to read-only /dev/$arg_blkro succeeded"
            return
        fi
        ro="; /dev/$arg_blkro read-only ($(cat "/sys/block/$arg_blkro/size") sectors), a write refused"
    fi
    pass "blk (/dev/$dev ${drv##*/} $sectors sectors: 256 KiB written, flushed, read back, md5 ${got%% *}$ro)"
}

check_dmesg() {
    # exitless.dmesg=REGEX shows the matching kernel lines (a debugging hook, not a check).
    if [ -n "${arg_dmesg:-}" ]; then
        dmesg | grep -E "$arg_dmesg" | while read -r line; do echo "exitless-init: dmesg: $line"; done
    fi
    bad=$(dmesg | grep -E 'BUG:|WARNING:|Oops|Call Trace|Kernel panic|general protection' | head -n 1)
    if [ -z "$bad" ]; then
        pass "dmesg (no BUG, WARNING or Oops in $(dmesg | wc -l) lines)"
    else
        fail "dmesg: $bad"
    fi
}

for check in $(echo "$arg_checks" | tr ',' ' '); do
    case "$check" in
    boot | cpus | modules | pfvfs | macfixed | ifup | net | spoof | unreachable | serve | idle | syms | blk | dmesg) "check_$check" ;;
    *) fail "$check: unknown check (known: boot cpus modules pfvfs macfixed ifup net spoof unreachable serve idle syms blk dmesg)" ;;
    esac
done

echo "exitless-init: done $passed passed $failed failed"

# A tty setting applied with TCSADRAIN returns only once the UART has sent every byte:
# the last line must not be lost to the power-off.
stty -F /dev/console -echo 2>/dev/null
case "${arg_end:-poweroff}" in
reboot) reboot -f ;;
hold) ;;
*) poweroff -f ;;
esac
echo "exitless-init: holding (exitless.end=${arg_end:-poweroff})"
while :; do sleep 3600; done

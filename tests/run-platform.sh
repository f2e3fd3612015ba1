#!/bin/bash
# Boots an Exitless ISO on one platform and follows its serial console.
# Decides the run by the lines the system prints: it passes only on "RESULT: PASS"
# (and no "RESULT: FAIL"/"PANIC"), cross-checked with the emulator's exit device status.
#
# Usage: run-platform.sh --iso ISO [--platform auto|kvm|bochs|qemu] [--firmware bios|uefi]
#          [--cpus N] [--megs N] [--timeout S] [--log FILE] [--quiet] [--qemu-args "..."]
#          [--elf FILE]  (the hypervisor ELF: names the functions a timed-out Bochs run stood in)
#          [--bochs-args "line; line"]  (extra bochsrc lines, e.g. a PCI device)
#          [--pass-exit CODE]   (the run must end with this emulator status, e.g. 0 after an
#                                ACPI power-off; being killed after RESULT then does not count)
#          [--pass-line REGEX]  (the line that passes the run instead of "RESULT: PASS", for a
#                                system other than Exitless, e.g. Linux booted natively)
# Exit: 0 pass, 1 fail, 2 timeout or the emulator could not run.
set -uo pipefail
here=$(dirname "$(realpath "$0")")
platform=auto firmware=bios cpus=4 megs=512 timeout=600 log= quiet=0 iso= elf= qemu_args= bochs_args= pass_exit= pass_line='^RESULT: PASS'
kvm_nested_vmx() {
    [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qw vmx /proc/cpuinfo
}
if [ "${1:-}" = --detect ]; then
    if kvm_nested_vmx; then echo kvm; else echo bochs; fi
    exit 0
fi
while [ $# -gt 0 ]; do
    case "$1" in
    --iso) iso=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    --firmware) firmware=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --megs) megs=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --elf) elf=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --quiet) quiet=1; shift ;;
    --qemu-args) qemu_args=$2; shift 2 ;;
    --bochs-args) bochs_args=$2; shift 2 ;;
    --pass-exit) pass_exit=$2; shift 2 ;;
    --pass-line) pass_line=$2; shift 2 ;;
    *) echo "run-platform.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -f "$iso" ] || { echo "run-platform.sh: no ISO '$iso'" >&2; exit 2; }
if [ "$platform" = auto ]; then
    if kvm_nested_vmx; then platform=kvm; else platform=bochs; fi
    echo "run: platform auto -> $platform ($([ $platform = kvm ] && echo "KVM with VMX present" || echo "no usable VMX in KVM here, using Bochs"))"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/exitless-run.XXXXXX")
trap 'kill -- -$emu_pid 2>/dev/null; rm -rf "$work"' EXIT
serial=${log:-$work/serial.log}
: > "$serial"
emu_log=$work/emulator.log

case "$platform" in
bochs)
    sed -e "s|@MEGS@|$megs|; s|@CPUS@|$cpus|; s|@ISO@|$(realpath "$iso")|; s|@SERIAL@|$serial|; s|@LOG@|$work/bochs.log|" \
        "$here/bochs/bochsrc.in" > "$work/bochsrc"
    [ -n "$bochs_args" ] && tr ';' '\n' <<< "$bochs_args" | sed 's/^ *//' >> "$work/bochsrc"
    printf 'c\nq\n' > "$work/bochs.rc"
    cmd=(bochs -q -f "$work/bochsrc" -rc "$work/bochs.rc")
    pass_codes="0" fail_codes="1"
    ;;
qemu|kvm)
    cmd=(qemu-system-x86_64 -machine q35 -m "$megs" -smp "$cpus" -display none -no-reboot
         -serial "file:$serial" -cdrom "$iso" -device isa-debug-exit,iobase=0x501,iosize=1)
    if [ "$platform" = kvm ]; then
        cmd+=(-accel kvm -cpu host,+vmx -machine kernel-irqchip=split)
        # The devices the KVM demo assigns: a VT-d unit and an igb with SR-IOV.
        [ -n "$qemu_args" ] || qemu_args="-device intel-iommu,intremap=on -netdev user,id=n0 -device igb,netdev=n0"
    else
        cmd+=(-accel tcg -cpu max)
    fi
    if [ "$firmware" = uefi ]; then
        cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
        cmd+=(-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
              -drive if=pflash,format=raw,file="$work/vars.fd")
    fi
    # shellcheck disable=SC2206
    [ -n "$qemu_args" ] && cmd+=($qemu_args)
    pass_codes="1" fail_codes="3"
    ;;
*) echo "run-platform.sh: unknown platform '$platform'" >&2; exit 2 ;;
esac

if [ -n "$pass_exit" ]; then
    pass_codes=$pass_exit
fi
[ "$quiet" = 1 ] || echo "run: ${cmd[*]}"
setsid "${cmd[@]}" > "$emu_log" 2>&1 < /dev/null &
emu_pid=$!
if [ "$quiet" = 0 ]; then
    tail -n +1 -f --pid=$emu_pid "$serial" &
fi

start=$(date +%s) result= emu_rc=
while :; do
    if ! kill -0 $emu_pid 2>/dev/null; then
        wait $emu_pid; emu_rc=$?
        break
    fi
    if [ -z "$result" ] && grep -qE '^(RESULT: (PASS|FAIL)|PANIC)' "$serial"; then
        result=seen
        result_time=$(date +%s)
    fi
    # After the result line the system ends the run itself; give it a few seconds.
    if [ -n "$result" ] && [ $(( $(date +%s) - result_time )) -ge 10 ]; then
        kill -- -$emu_pid 2>/dev/null; wait $emu_pid 2>/dev/null
        emu_rc=killed
        break
    fi
    if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
        # Bochs quits on SIGINT printing each CPU's next instruction ("Next at t=..."): where
        # every core stood when the run hung. The group is killed if it has not quit in 10 s.
        [ "$platform" = bochs ] && kill -INT -- -$emu_pid 2>/dev/null
        for _ in $(seq 50); do kill -0 $emu_pid 2>/dev/null || break; sleep 0.2; done
        kill -- -$emu_pid 2>/dev/null; wait $emu_pid 2>/dev/null
        sleep 0.2
        echo "run: TIMEOUT after ${timeout}s on $platform (no RESULT line)" >&2
        [ -f "$work/bochs.log" ] && cp "$work/bochs.log" "${serial%.log}.bochs.log"
        cp "$emu_log" "${serial%.log}.emulator.log" 2>/dev/null
        if [ "$platform" = bochs ] && grep -q '^Next at t=' "$emu_log"; then
            echo "run: where each CPU was (its next instruction):" >&2
            awk '/^Next at t=/ { n = NR } { l[NR] = $0 } END { for (i = n + 1; i <= NR; i++) print l[i] }' \
                "$emu_log" | grep -E '^\([0-9]+\) ' | head -n "$cpus" |
            while read -r cpu _ addr _; do
                rip=${addr#*:}
                where=
                [ -n "$elf" ] && where=$(addr2line -f -e "$elf" "0x$rip" 2>/dev/null | paste -sd' ')
                echo "run:   CPU $cpu at $rip ${where:+($where)}" >&2
            done
        fi
        exit 2
    fi
    sleep 0.2
done
sleep 0.3
[ -f "$work/bochs.log" ] && cp "$work/bochs.log" "${serial%.log}.bochs.log" 2>/dev/null
# Bochs ends an ACPI S5 power-off with status 1 (its ACPI model "panics" to quit): accept it
# only together with that log line, so a failure shutdown (also 1) is never taken for it.
if [ "$platform" = bochs ] && [ "$emu_rc" = 1 ] && grep -aq 'ACPI control: soft power off' "$work/bochs.log" 2>/dev/null; then
    emu_rc=poweroff
    pass_codes="$pass_codes poweroff"
fi
# Bochs 2.7 now and then crashes (SIGSEGV, 139) in its own teardown after it has logged that
# power-off and decided to quit with status 1 (seen once in a few dozen runs on a busy host).
# The run itself had ended: accept it only with both of Bochs's lines, and say so.
if [ "$platform" = bochs ] && [ "$emu_rc" = 139 ] &&
   grep -aq 'ACPI control: soft power off' "$work/bochs.log" 2>/dev/null &&
   grep -aq 'quit_sim called with exit code 1' "$work/bochs.log" 2>/dev/null; then
    echo "run: note: Bochs crashed in its teardown after the guest's ACPI power-off (status 139); taken as the power-off" >&2
    emu_rc=poweroff
    pass_codes="$pass_codes poweroff"
fi
# The same teardown crash after Bochs quit with status 0 (the debug-exit port's pass): taken as
# that 0 only with Bochs's own quit line.
if [ "$platform" = bochs ] && [ "$emu_rc" = 139 ] &&
   grep -aq 'quit_sim called with exit code 0' "$work/bochs.log" 2>/dev/null; then
    echo "run: note: Bochs crashed in its teardown after quitting with status 0 (status 139); taken as 0" >&2
    emu_rc=0
fi
# QEMU quits with status 0 when the system powers off through ACPI S5 (a manifest's
# on_all_stopped = "poweroff"): accepted only with the hypervisor's own power-off line.
if [ "$platform" != bochs ] && [ "$emu_rc" = 0 ] && grep -aq 'acpi: power-off: S5' "$serial"; then
    pass_codes="$pass_codes 0"
fi
cp "$emu_log" "${serial%.log}.emulator.log" 2>/dev/null

if grep -aqE "$pass_line" "$serial" && ! grep -qE '^(RESULT: FAIL|PANIC)' "$serial"; then
    if { [ "$emu_rc" = killed ] && [ -z "$pass_exit" ]; } || [[ " $pass_codes " == *" $emu_rc "* ]]; then
        [ "$quiet" = 1 ] || echo "run: PASS ($platform, emulator exit $emu_rc)"
        exit 0
    fi
    echo "run: FAIL: RESULT: PASS printed but the emulator exited with $emu_rc" >&2
    exit 1
fi
if grep -qE '^(RESULT: FAIL|PANIC)' "$serial"; then
    [ "$quiet" = 1 ] || echo "run: FAIL ($platform, emulator exit $emu_rc)"
    exit 1
fi
echo "run: FAIL: the emulator stopped (exit $emu_rc) without a RESULT line" >&2
tail -5 "$emu_log" >&2
exit 1

#!/bin/bash
# Integration tests: each case boots an ISO (hypervisor + command line + manifest) on one
# platform and is judged by the lines printed from inside: every "PASS: x" counts as a
# passed check, every "FAIL: x: why" as a failed one, and the case itself passes only if
# the run ended with "RESULT: PASS" and every expected line appeared.
# Usage: integration.sh bochs|qemu RESULTS_FILE
set -uo pipefail
cd "$(dirname "$0")/.."
tier=$1 results=$2
BUILD=${BUILD:-build}
elf=$BUILD/exitless.elf
logs=$BUILD/test-results/logs
mkdir -p "$logs" "$BUILD/test-iso" "$(dirname "$results")"
: > "$results"

# boot_case NAME PLATFORM FIRMWARE CPUS "CMDLINE" MANIFEST [EXPECTED-REGEX...]
boot_case() {
    local name=$1 platform=$2 firmware=$3 cpus=$4 cmdline=$5 manifest=$6
    shift 6
    local iso=$BUILD/test-iso/$name.iso log=$logs/$name.log
    local t0=$SECONDS
    if ! tools/mkiso.sh --out "$iso" --elf "$elf" --cmdline "$cmdline" \
            ${manifest:+--manifest "$manifest"} > /dev/null; then
        echo "fail $name could-not-build-iso" >> "$results"
        echo "FAIL: $name: could not build the ISO"
        return
    fi
    local timeout=${CASE_TIMEOUT:-300}
    tests/run-platform.sh --iso "$iso" --platform "$platform" --firmware "$firmware" \
        --cpus "$cpus" --megs "${MEGS:-512}" --timeout "$timeout" --log "$log" --quiet ${QEMU_ARGS:+--qemu-args "$QEMU_ARGS"}
    local rc=$?
    local ok=1 why=
    # Every check the system reported.
    while IFS= read -r line; do
        case "$line" in
        PASS:*) echo "pass $name/${line#PASS: }" >> "$results" ;;
        FAIL:*) echo "fail $name/${line#FAIL: }" >> "$results"; ok=0; why="a check failed" ;;
        esac
    done < <(grep -aE '^(PASS|FAIL): ' "$log" | tr -d '\r')
    for re in "$@"; do
        if ! grep -aqE "$re" "$log"; then
            ok=0 why="expected line missing: $re"
            echo "fail $name/expect: missing line matching '$re'" >> "$results"
        fi
    done
    [ $rc -eq 0 ] || { ok=0; why=${why:-"run ended badly (runner status $rc)"}; }
    if [ $ok = 1 ]; then
        echo "pass $name" >> "$results"
        echo "PASS: $name ($platform, $firmware, $cpus CPUs, $((SECONDS - t0))s)"
    else
        echo "fail $name $why" >> "$results"
        echo "FAIL: $name ($platform, $firmware, $cpus CPUs): $why"
        echo "---- last lines of $log ----"
        tail -n 25 "$log" | tr -d '\r'
        echo "---- full log: $log ----"
    fi
}

case "$tier" in
bochs)
    MEGS=128 boot_case bochs-selftest bochs bios 1 "selftest" "" \
        '^\[cpu0\] boot: firmware: BIOS' 'platform: Bochs' 'features: VMX yes, EPT yes'
    ;;
qemu)
    MEGS=128 boot_case qemu-seabios-selftest qemu bios 2 "selftest" "" \
        '^\[cpu0\] boot: firmware: BIOS' 'platform: QEMU'
    MEGS=256 boot_case qemu-ovmf-selftest qemu uefi 2 "selftest" "" \
        '^\[cpu0\] boot: firmware: UEFI' 'platform: QEMU'
    ;;
*) echo "integration.sh: unknown tier $tier" >&2; exit 2 ;;
esac
! grep -q '^fail' "$results"

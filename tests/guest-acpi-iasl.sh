#!/bin/bash
# The guest ACPI tables through ACPICA's own tools: the unit-test binary writes a two-core
# guest's tables (GUEST_ACPI_DUMP), iasl disassembles each without an error or warning, and
# the disassembled DSDT compiles back to the same AML bytes we emitted. Skipped, with a line
# saying so, where iasl (Debian's acpica-tools) is not installed.
# Usage: guest-acpi-iasl.sh RESULTS_FILE UNIT_BINARY
set -uo pipefail
results=$1 bin=$2
mkdir -p "$(dirname "$results")"
: > "$results"
if ! command -v iasl > /dev/null; then
    echo "SKIP: guest ACPI tables not checked by iasl: it is not installed (package acpica-tools)"
    exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
result() {   # result pass|fail NAME [WHY]
    echo "$1 guest-acpi-iasl/$2" >> "$results"
    if [ "$1" = pass ]; then echo "PASS: guest-acpi-iasl/$2"; else echo "FAIL: guest-acpi-iasl/$2: $3"; fi
}
if ! GUEST_ACPI_DUMP=$dir "$bin" > "$dir/dump.log" 2>&1; then
    result fail dump "$(tail -3 "$dir/dump.log")"
    exit 1
fi
status=0
for t in xsdt facp apic dsdt; do
    log=$dir/$t.log
    if (cd "$dir" && iasl -d "$t.dat") > "$log" 2>&1 && ! grep -qiE '(error|warning)[^s]' "$log" &&
            grep -q 'Signature' "$dir/$t.dsl"; then
        result pass "disassemble-$t"
    else
        result fail "disassemble-$t" "$(grep -iE 'error|warning' "$log" | head -3)"; status=1
    fi
done
# The DSDT as ASL, compiled again: the same AML after the 36-byte header (whose compiler id
# and checksum iasl writes its own way).
if (cd "$dir" && iasl -p recompiled dsdt.dsl) > "$dir/re.log" 2>&1 &&
        cmp -s <(tail -c +37 "$dir/recompiled.aml") <(tail -c +37 "$dir/dsdt.dat"); then
    result pass dsdt-recompiles-to-same-aml
else
    result fail dsdt-recompiles-to-same-aml "$(grep -iE 'error|warning' "$dir/re.log" | head -3)"; status=1
fi
exit $status

# Attack cases (sourced by tests/integration.sh; run inside guest_cases, so each runs on Bochs
# under VMX and on QEMU under SVM): hostile guests beside a heartbeat neighbour
# (guests/heartbeat); each attack is judged by the attacker's PASS lines, the hypervisor's
# log line saying why it stopped it, and the neighbour's beats between the attack's "begin"
# and "end" lines (docs/security.md lists them).
attack_cases() {
    local P=$1
    CASE_TIMEOUT=600 guest_case $P-attack 4 tests/manifests/attack.toml \
        '^PASS: heartbeat/beats' '^PASS: heartbeat/no-stray-interrupts'
}

# Proposed for tests/integration.sh (issue 13, "End to end with igb VFs"): guests drive their
# assigned igb VFs under SVM (QEMU TCG, -cpu max). The helpers go with the other helpers
# near the top; the vf_* cases go in the `qemu)` section after the igb cases. Every case is
# decided by the guests' own PASS lines (each checks exact counts and frame contents), the
# hypervisor's lines, and, where the claim is about order, the order of those lines.

# vf_order NAME RE1 RE2 ...: in NAME's log each RE matches a line after the previous RE's
# first match (the log says "A, then B").
vf_order() {
    local name=$1 log=$logs/$1.log at=0 n re
    shift
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi
    for re in "$@"; do
        n=$(tail -n +$((at + 1)) "$log" | grep -anE "$re" | head -1 | cut -d: -f1)
        if [ -z "$n" ]; then
            echo "fail $name/order: no line matching '$re' after line $at" >> "$results"
            echo "FAIL: $name: no line matching '$re' after line $at"
            return
        fi
        at=$((at + n))
    done
    echo "pass $name/order" >> "$results"
}

# vf_count NAME N RE: exactly N lines of NAME's log match RE.
vf_count() {
    local name=$1 want=$2 re=$3 got
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi
    got=$(grep -acE "$re" "$logs/$name.log")
    if [ "$got" = "$want" ]; then
        echo "pass $name/count" >> "$results"
    else
        echo "fail $name/count: $got lines match '$re', want $want" >> "$results"
        echo "FAIL: $name: $got lines match '$re', want $want"
    fi
}

vf_qemu="$q35_iommu -netdev user,id=n0 -device igb,netdev=n0"
vf_checks=(vf-found vf-bar0 vf-enabled vf-msix-capability vf-msix-table)

    # VF interrupts (issue 13): two guests take their own VF's MSI-X with no exit; entries
    # aimed at another core or at a hypervisor vector stay masked on the VF (checked once).
    irq_lines=()
    for g in irq-a irq-b; do
        for c in "${vf_checks[@]}" msix-table-reads-back vf-interrupts vf-interrupts-no-exits \
                 msix-other-core-refused msix-hypervisor-vector-refused \
                 msix-held-message-delivered-when-allowed; do
            irq_lines+=("^PASS: $g/$c")
        done
        irq_lines+=("guest: $g: stopped \\(stopped itself \\(hypercall\\)\\), 11 checks passed, 0 failed")
    done
    QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-vf-irq qemu bios 4 "" tests/manifests/qemu-vf-irq.toml \
        'vcpu: backend: SVM' \
        'vpci: irq-a: 0000:00:12.0 8086:10ca \(VF\) at guest 00:01.0: BAR0 0xc0000000\+0x4000 BAR3 0xc0004000\+0x4000; .*MSI-X shadowed' \
        'vpci: irq-b: 0000:00:12.2 8086:10ca \(VF\) at guest 00:01.0: BAR0 0xc0000000\+0x4000 BAR3 0xc0004000\+0x4000; .*MSI-X shadowed' \
        "vpci: warning: irq-a: 0000:00:12.0 MSI-X entry 1 refused \\(address 0:fee02000 data 0x51\\): destination is not one of the guest's cores; left masked" \
        "vpci: warning: irq-a: 0000:00:12.0 MSI-X entry 2 refused \\(address 0:fee01000 data 0xe1\\): vector outside the guests' range 0x30-0xdf; left masked" \
        "vpci: warning: irq-b: 0000:00:12.2 MSI-X entry 1 refused \\(address 0:fee03000 data 0x51\\): destination is not one of the guest's cores; left masked" \
        "vpci: warning: irq-b: 0000:00:12.2 MSI-X entry 2 refused \\(address 0:fee02000 data 0xe1\\): vector outside the guests' range 0x30-0xdf; left masked" \
        "${irq_lines[@]}"
    vf_count qemu-vf-irq 4 'MSI-X entry [12] refused'

    # VF DMA (issue 13): frames between guests' VFs from rings in their own memory; dma-a's
    # descriptors outside its memory fault (blocked, logged with BDF and owner) until it is
    # stopped; dma-b and dma-c keep trading frames afterwards.
    dma_lines=()
    for g in dma-a dma-b dma-c; do
        for c in peer-addresses "${vf_checks[@]}" mailbox-reset-handshake; do dma_lines+=("^PASS: $g/$c"); done
    done
    QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-vf-dma qemu bios 4 "" tests/manifests/qemu-vf-dma.toml \
        'igb: igb0 VF0 \(dma-a\): reset handshake: MAC 02:00:00:00:0d:0a handed over' \
        'igb: igb0 VF1 \(dma-b\): reset handshake: MAC 02:00:00:00:0d:0b handed over' \
        'igb: igb0 VF2 \(dma-c\): reset handshake: MAC 02:00:00:00:0d:0c handed over' \
        'vtd: warning: fault: DMA read of 0x2000000 by 0000:00:12.0 \(guest dma-a\) blocked: read of a page without read permission \(not mapped\) \(reason 0x6\)' \
        'guest: error: dma-a stopped: its assigned device keeps faulting: 8 VT-d faults in this run' \
        'vpci: dma-a: 0000:00:12.0 reset \(FLR\) after the guest stopped' \
        'guest: dma-a: failed \(its assigned device keeps faulting: .*\), 8 checks passed, 0 failed' \
        'guest: dma-b: stopped \(stopped itself \(hypercall\)\), 10 checks passed, 0 failed' \
        'guest: dma-c: stopped \(stopped itself \(hypercall\)\), 8 checks passed, 0 failed' \
        "${dma_lines[@]}" \
        '^PASS: dma-a/frame-sent-and-received' '^PASS: dma-b/frame-from-faulting-neighbour' \
        '^PASS: dma-b/neighbour-fault-announced' '^PASS: dma-b/traffic-after-neighbour-fault' \
        '^PASS: dma-c/served-neighbour'
    vf_order qemu-vf-dma '^PASS: dma-a/frame-sent-and-received' \
        'fault: DMA read of 0x2000000 by 0000:00:12.0 \(guest dma-a\)' 'guest: error: dma-a stopped' \
        'vpci: dma-a: 0000:00:12.0 reset \(FLR\) after the guest stopped' '^PASS: dma-b/traffic-after-neighbour-fault'
    vf_count qemu-vf-dma 0 'fault: .* by 0000:00:12\.[24] '

    # FLR around a restart (issue 13): rst faults the same way, its VF is reset before the
    # restart, and the second run (CPUID 0x40000001 EDX = 1) finds its queues off, brings the
    # VF up again, trades a frame with echo and ends well.
    rst_lines=()
    for r in run0 run1; do
        for c in peer-addresses "${vf_checks[@]}" vf-queues-off-at-start mailbox-reset-handshake \
                 frame-sent-and-received; do
            rst_lines+=("^PASS: rst/$r-$c")
        done
    done
    QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-vf-restart qemu bios 3 "" tests/manifests/qemu-vf-restart.toml \
        'vtd: warning: fault: DMA read of 0x2000000 by 0000:00:12.0 \(guest rst\) blocked' \
        'guest: warning: rst: restarting \(1 of 1\) after: its assigned device keeps faulting' \
        'vpci: rst: 0000:00:12.0 reset \(FLR\) after the guest stopped' \
        '^PASS: rst/run1-restarted-once' '^PASS: echo/served-both-runs' \
        "${rst_lines[@]}" \
        'guest: rst: stopped \(stopped itself \(hypercall\)\), 19 checks passed, 0 failed' \
        'guest: echo: stopped \(stopped itself \(hypercall\)\), 8 checks passed, 0 failed'
    vf_order qemu-vf-restart '^PASS: rst/run0-frame-sent-and-received' \
        'guest: warning: rst: restarting \(1 of 1\)' 'vpci: rst: 0000:00:12.0 reset \(FLR\) after the guest stopped' \
        '^PASS: rst/run1-vf-queues-off-at-start' \
        'igb: igb0 VF0 \(rst\): reset handshake: MAC 02:00:00:00:0e:0a handed over' \
        '^PASS: rst/run1-frame-sent-and-received'
    vf_count qemu-vf-restart 2 'igb: igb0 VF0 \(rst\): reset handshake: MAC 02:00:00:00:0e:0a handed over'

    # VEB and VLANs (issue 13): the trunk guest's frames reach each port-VLAN guest through
    # the NIC only in that guest's VLAN (tag stripped); the same address in the other VLAN
    # gets nothing.
    veb_lines=()
    for g in veb-trunk veb-10 veb-20; do
        for c in peer-addresses "${vf_checks[@]}" mailbox-reset-handshake; do veb_lines+=("^PASS: $g/$c"); done
        veb_lines+=("guest: $g: stopped \\(stopped itself \\(hypercall\\)\\), 9 checks passed, 0 failed")
    done
    QEMU_ARGS=$vf_qemu CASE_MEGS=512 boot_case qemu-vf-veb qemu bios 4 "" tests/manifests/qemu-vf-veb.toml \
        'igb: igb0: switching veb: VF-to-VF frames are switched inside the NIC' \
        'igb:   0   veb-trunk    02:00:00:00:0f:01  tagged 10,20 ' \
        'igb:   1   veb-10       02:00:00:00:0f:0a  port 10 prio 0 ' \
        'igb:   2   veb-20       02:00:00:00:0f:14  port 20 prio 0 ' \
        '^PASS: veb-trunk/port-vlan-tag-inserted' '^PASS: veb-trunk/receivers-confirmed' \
        '^PASS: veb-10/frame-from-trunk-in-own-vlan' '^PASS: veb-10/frame-in-other-vlan-not-delivered' \
        '^PASS: veb-20/frame-from-trunk-in-own-vlan' '^PASS: veb-20/frame-in-other-vlan-not-delivered' \
        "${veb_lines[@]}"

# Host unit tests. Each test declares its name and the sources it links:
#   UNIT_TESTS += foo
#   unit_foo_SRCS := tests/unit/test_foo.c kernel/foo.c
# Built with the host gcc, ASan and UBSan; see the top-level Makefile.

UNIT_TESTS += mb2
unit_mb2_SRCS := tests/unit/test_mb2.c kernel/mb2.c

UNIT_TESTS += frame
unit_frame_SRCS := tests/unit/test_frame.c kernel/frame.c

UNIT_TESTS += paging
unit_paging_SRCS := tests/unit/test_paging.c kernel/paging.c

UNIT_TESTS += cmdline
unit_cmdline_SRCS := tests/unit/test_cmdline.c kernel/cmdline.c

UNIT_TESTS += acpi
unit_acpi_SRCS := tests/unit/test_acpi.c $(wildcard drivers/acpi/*.c)


# Manifest parser (kernel/manifest/); MANIFEST_SRCS comes from mk/manifest.mk, hence '='.
UNIT_TESTS += manifest
unit_manifest_SRCS = tests/unit/test_manifest.c tests/unit/test_manifest_good.c $(MANIFEST_SRCS)
# The same cases in a build without the sidecore's services (exitless/built.h at 0): each of
# their keys refused with file, line and column.
UNIT_TESTS += manifest_unbuilt
unit_manifest_unbuilt_SRCS = $(unit_manifest_SRCS)
unit_manifest_unbuilt_CFLAGS := -DSIDECORE_BUILT=0 -DVIRTIO_NET_BUILT=0 -DVIRTIO_NET_UPLINK_BUILT=0 \
    -DVIRTIO_BLK_BUILT=0

UNIT_TESTS += tsc_calc
unit_tsc_calc_SRCS := tests/unit/test_tsc_calc.c kernel/tsc_calc.c

UNIT_TESTS += vectors
unit_vectors_SRCS := tests/unit/test_vectors.c kernel/vectors.c

UNIT_TESTS += vmx_caps
unit_vmx_caps_SRCS := tests/unit/test_vmx_caps.c vmm/vmx/vmx_caps.c

UNIT_TESTS += vpci_uart
unit_vpci_uart_SRCS := tests/unit/test_vpci_uart.c vmm/vpci/vpci_uart.c

UNIT_TESTS += stats
unit_stats_SRCS := tests/unit/test_stats.c vmm/stats.c

UNIT_TESTS += vtd
unit_vtd_SRCS := tests/unit/test_vtd.c drivers/vtd/vtd_format.c kernel/paging.c

UNIT_TESTS += bar_place
unit_bar_place_SRCS := tests/unit/test_bar_place.c drivers/pci/bar_place.c

UNIT_TESTS += vpci
unit_vpci_SRCS := tests/unit/test_vpci.c vmm/vpci/vpci_cfg.c vmm/vpci/vpci_msix_check.c kernel/vectors.c \
                  vmm/intr/vector_policy.c

UNIT_TESTS += igb_calc
unit_igb_calc_SRCS := tests/unit/test_igb_calc.c drivers/nic/igb_calc.c

UNIT_TESTS += x2apic_check
unit_x2apic_check_SRCS := tests/unit/test_x2apic_check.c vmm/intr/x2apic_check.c vmm/intr/vector_policy.c \
                          kernel/vectors.c

UNIT_TESTS += loader
unit_loader_SRCS := tests/unit/test_loader.c vmm/loader/loader_fail.c vmm/loader/loader_elf_check.c \
                    vmm/loader/loader_mb_check.c

UNIT_TESTS += census
unit_census_SRCS := tests/unit/test_census.c vmm/census_text.c

UNIT_TESTS += console_budget
unit_console_budget_SRCS := tests/unit/test_console_budget.c vmm/console_budget.c

UNIT_TESTS += notify_slot
unit_notify_slot_SRCS := tests/unit/test_notify_slot.c vmm/intr/notify_slot.c kernel/vectors.c \
                         vmm/intr/vector_policy.c

UNIT_TESTS += insn_decode
unit_insn_decode_SRCS := tests/unit/test_insn_decode.c vmm/insn/decode.c

# SVM backend, pure parts (vmm/svm/).
UNIT_TESTS += svm_vmcb
unit_svm_vmcb_SRCS := tests/unit/test_svm_vmcb.c vmm/svm/svm_caps.c vmm/svm/svm_names.c

UNIT_TESTS += svm_controls
unit_svm_controls_SRCS := tests/unit/test_svm_controls.c vmm/svm/svm_caps.c

UNIT_TESTS += svm_pm
unit_svm_pm_SRCS := tests/unit/test_svm_pm.c vmm/svm/svm_pm.c

UNIT_TESTS += svm_npt
unit_svm_npt_SRCS := tests/unit/test_svm_npt.c vmm/svm/npt_format.c kernel/paging.c


UNIT_TESTS += cpuid_policy
unit_cpuid_policy_SRCS := tests/unit/test_cpuid_policy.c vmm/cpuid_policy.c vmm/cpuid_topo.c

UNIT_TESTS += access_census
unit_access_census_SRCS := tests/unit/test_access_census.c vmm/access_census.c

UNIT_TESTS += unbacked
unit_unbacked_SRCS := tests/unit/test_unbacked.c vmm/unbacked_calc.c vmm/msr_refused.c
# Guest platform (vmm/platform/): the guest's ACPI tables, read back by drivers/acpi too.
UNIT_TESTS += guest_acpi
unit_guest_acpi_SRCS := tests/unit/test_guest_acpi.c vmm/platform/acpi_tables.c \
                        vmm/platform/acpi_dsdt.c vmm/platform/aml.c $(wildcard drivers/acpi/*.c)

UNIT_TESTS += pit
unit_pit_SRCS := tests/unit/test_pit.c vmm/platform/pit_counter.c
UNIT_TESTS += linux_boot
unit_linux_boot_SRCS := tests/unit/test_linux_boot.c vmm/loader/loader_fail.c \
                        vmm/loader/loader_elf_check.c vmm/loader/linux_bzimage_check.c \
                        vmm/loader/linux_pvh_check.c vmm/loader/linux_boot_check.c \
                        vmm/loader/linux_memmap.c
# The loader tests also follow the loader's headers (the rule above tracks tests/unit/*.h).
$(BUILD)/unit/test_loader $(BUILD)/unit/test_linux_boot: $(wildcard vmm/loader/*.h)

# Virtio core (vmm/virtio/): the split-ring walker, the device model and virtio-blk.
UNIT_TESTS += virtq
unit_virtq_SRCS := tests/unit/test_virtq.c vmm/virtio/virtq.c

UNIT_TESTS += vblk
unit_vblk_SRCS := tests/unit/test_vblk.c vmm/virtio/vblk.c vmm/virtio/vdev.c vmm/virtio/virtq.c

UNIT_TESTS += vnet
unit_vnet_SRCS := tests/unit/test_vnet.c vmm/virtio/vnet.c vmm/virtio/vdev.c vmm/virtio/virtq.c \
                  vmm/virtio/vswitch_forward.c vmm/virtio/vswitch_ports.c vmm/virtio/vswitch_bucket.c

UNIT_TESTS += vpci_virtio
unit_vpci_virtio_SRCS := tests/unit/test_vpci_virtio.c vmm/vpci/vpci_virtio_cfg.c \
                         vmm/vpci/vpci_virtio_bar.c vmm/vpci/vpci_msix_check.c vmm/virtio/vblk.c \
                         vmm/virtio/vdev.c vmm/virtio/virtq.c vmm/intr/vector_policy.c kernel/vectors.c
# The virtio tests also follow the headers they test (the rule above tracks tests/unit/*.h).
$(BUILD)/unit/test_virtq $(BUILD)/unit/test_vblk $(BUILD)/unit/test_vnet $(BUILD)/unit/test_vpci_virtio: \
    $(wildcard vmm/virtio/*.h vmm/vpci/*.h) include/exitless/virtio.h
$(BUILD)/unit/test_manifest $(BUILD)/unit/test_manifest_built: include/exitless/built.h

# The software switch of the virtio-net ports (vmm/virtio/vswitch*), and its manifest keys.
VSWITCH_SRCS := vmm/virtio/vswitch_ports.c vmm/virtio/vswitch_forward.c vmm/virtio/vswitch_bucket.c \
                vmm/virtio/vswitch_build.c
UNIT_TESTS += vswitch
unit_vswitch_SRCS = tests/unit/test_vswitch.c $(VSWITCH_SRCS) $(MANIFEST_SRCS)
UNIT_TESTS += vswitch_bucket
unit_vswitch_bucket_SRCS := tests/unit/test_vswitch_bucket.c $(VSWITCH_SRCS)
$(BUILD)/unit/test_vswitch $(BUILD)/unit/test_vswitch_bucket: $(wildcard vmm/virtio/vswitch*.h)
UNIT_TESTS += manifest_switch
unit_manifest_switch_SRCS = tests/unit/test_manifest_switch.c $(MANIFEST_SRCS)
# These parse manifests with virtio-net ports and sidecores, so they define the switches that
# say those services are built (the manifest check refuses them until they are).
VSWITCH_BUILT_CFLAGS := -DSIDECORE_BUILT=1 -DVIRTIO_NET_BUILT=1 -DVIRTIO_NET_UPLINK_BUILT=1
unit_vswitch_CFLAGS := $(VSWITCH_BUILT_CFLAGS)
unit_manifest_switch_CFLAGS := $(VSWITCH_BUILT_CFLAGS)

# Python host tests, run by the Makefile's test-unit recipe: test_linux_guest_tools.py,
# test_linux_bench.py, test_bench_report.py (its PASS/FAIL helper: pass_fail.py).

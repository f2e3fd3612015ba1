# Host libFuzzer targets for the guest-facing parsers (tests/fuzz/, docs/fuzzing.md): built
# with clang, ASan and UBSan (a UBSan report aborts). Included by the top-level Makefile after
# mk/manifest.mk, which provides MANIFEST_SRCS.
#
#   make fuzz                       every target for its share of FUZZ_SECONDS (default 600)
#   make fuzz FUZZ_RUNS=1000000     every target for that many executions instead
#   make fuzz FUZZ_TARGETS=vpci     only the targets named
#   make test-fuzz-short            (part of make test-unit) each target over its committed
#                                   seed corpus, then FUZZ_SHORT_RUNS mutations from seed 1
#   make fuzz-insn-objdump          the decoder's instruction lengths against objdump's

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_RUNS ?=
FUZZ_SHORT_RUNS ?= 3000
FUZZ_CORPUS := corpus
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_CFLAGS := -std=gnu11 -g -O1 -I. -Iinclude -Ikernel -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_HDRS := $(wildcard tests/fuzz/*.h tests/unit/*.h include/exitless/*.h kernel/*.h \
    kernel/manifest/*.h drivers/*/*.h vmm/*.h vmm/*/*.h)

FUZZ_ALL := manifest vpci hypercall loader acpi insn virtq vpci_virtio vswitch
FUZZ_TARGETS ?= $(FUZZ_ALL)

# Each target: its sources, the largest input it takes, and optionally a dictionary.
fuzz_manifest_SRCS = tests/fuzz/fuzz_manifest.c $(MANIFEST_SRCS) vmm/virtio/vswitch_ports.c \
    vmm/virtio/vswitch_forward.c vmm/virtio/vswitch_bucket.c vmm/virtio/vswitch_build.c
fuzz_manifest_MAXLEN := 4096
fuzz_manifest_DICT := tests/fuzz/manifest.dict
fuzz_vpci_SRCS := tests/fuzz/fuzz_vpci.c vmm/vpci/vpci_cfg.c vmm/vpci/vpci_msix_apply.c \
    vmm/vpci/vpci_msix_check.c vmm/intr/vector_policy.c kernel/vectors.c
fuzz_vpci_MAXLEN := 700
fuzz_hypercall_SRCS := tests/fuzz/fuzz_hypercall.c vmm/hypercall_args.c vmm/intr/notify_slot.c \
    vmm/intr/vector_policy.c kernel/vectors.c
fuzz_hypercall_MAXLEN := 2048
fuzz_loader_SRCS := tests/fuzz/fuzz_loader.c vmm/loader/loader_fail.c vmm/loader/loader_elf_check.c \
    vmm/loader/loader_mb_check.c vmm/loader/linux_bzimage_check.c vmm/loader/linux_pvh_check.c \
    vmm/loader/linux_boot_check.c vmm/loader/linux_memmap.c
fuzz_loader_MAXLEN := 8300
fuzz_loader_DICT := tests/fuzz/loader.dict
fuzz_acpi_SRCS = tests/fuzz/fuzz_acpi.c vmm/platform/acpi_tables.c vmm/platform/acpi_dsdt.c \
    vmm/platform/aml.c $(wildcard drivers/acpi/*.c)
fuzz_acpi_MAXLEN := 64
fuzz_insn_SRCS := tests/fuzz/fuzz_insn.c vmm/insn/decode.c
fuzz_insn_MAXLEN := 240
fuzz_virtq_SRCS := tests/fuzz/fuzz_virtq.c vmm/virtio/virtq.c
fuzz_virtq_MAXLEN := 6000
fuzz_vpci_virtio_SRCS := tests/fuzz/fuzz_vpci_virtio.c vmm/vpci/vpci_virtio_cfg.c \
    vmm/vpci/vpci_virtio_bar.c vmm/vpci/vpci_msix_check.c vmm/virtio/vblk.c vmm/virtio/vdev.c \
    vmm/virtio/virtq.c vmm/intr/vector_policy.c kernel/vectors.c
fuzz_vpci_virtio_MAXLEN := 520
fuzz_vswitch_SRCS := tests/fuzz/fuzz_vswitch.c vmm/virtio/vswitch_ports.c vmm/virtio/vswitch_forward.c \
    vmm/virtio/vswitch_bucket.c
fuzz_vswitch_MAXLEN := 2048

FUZZ_BINS := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_ALL))

define fuzz_rule
$(FUZZ_DIR)/fuzz_$(1): $$(fuzz_$(1)_SRCS) $(FUZZ_HDRS)
	@mkdir -p $$(@D)
	@echo "  FUZZCC  $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$(fuzz_$(1)_SRCS)
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_rule,$(t))))

fuzz_flags = -max_len=$(fuzz_$(1)_MAXLEN) -timeout=10 -artifact_prefix=$(FUZZ_DIR)/$(1)- \
    $(if $(fuzz_$(1)_DICT),-dict=$(fuzz_$(1)_DICT))

# The committed seeds stay clean: libFuzzer adds what it finds to the first corpus directory,
# one under $(BUILD) (kept between runs of make fuzz, made anew for the short pass), which
# also gets a target's extra seeds (the example manifests for the manifest parser).
fuzz_extra_seeds_manifest = guests/*.toml

fuzz: $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
	$(Q)n=$(words $(FUZZ_TARGETS)); share=$$(( $(FUZZ_SECONDS) / n )); [ $$share -ge 1 ] || share=1; \
	rc=0; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus-$$t; \
	    if [ -n "$(FUZZ_RUNS)" ]; then limit="-runs=$(FUZZ_RUNS)"; else limit="-max_total_time=$$share"; fi; \
	    echo "  FUZZ    $$t ($${limit#-})"; \
	    start=$$(date +%s); \
	    $(MAKE) --no-print-directory fuzz-run-$$t FUZZ_LIMIT="$$limit" >$(FUZZ_DIR)/$$t.log 2>&1; st=$$?; \
	    secs=$$(( $$(date +%s) - start )); \
	    runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_DIR)/$$t.log | tail -1); \
	    if [ $$st -eq 0 ]; then echo "PASS: fuzz-$$t $${runs:-?} executions in $$secs s, no finding"; \
	    else tail -n 30 $(FUZZ_DIR)/$$t.log; echo "FAIL: fuzz-$$t after $${runs:-?} executions (log $(FUZZ_DIR)/$$t.log, artifact $(FUZZ_DIR)/$$t-*)"; rc=1; fi; \
	done; \
	if echo " $(FUZZ_TARGETS) " | grep -q " insn "; then \
	    $(MAKE) --no-print-directory fuzz-insn-objdump INSN_CORPUS="tests/fuzz/corpus/insn $(FUZZ_DIR)/corpus-insn" || rc=1; fi; \
	exit $$rc

define fuzz_run_rule
fuzz-run-$(1): $(FUZZ_DIR)/fuzz_$(1)
	@mkdir -p $(FUZZ_DIR)/$$(FUZZ_CORPUS)-$(1)
	$$(if $$(fuzz_extra_seeds_$(1)),cp $$(wildcard $$(fuzz_extra_seeds_$(1))) $(FUZZ_DIR)/$$(FUZZ_CORPUS)-$(1)/)
	$(FUZZ_DIR)/fuzz_$(1) $$(FUZZ_LIMIT) -print_final_stats=1 $(call fuzz_flags,$(1)) \
	    $(FUZZ_DIR)/$$(FUZZ_CORPUS)-$(1) tests/fuzz/corpus/$(1)
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_run_rule,$(t))))

# Bounded by the number of runs and a fixed seed, so a busy host makes it slower, never flaky.
test-fuzz-short: $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
	$(Q)rc=0; for t in $(FUZZ_TARGETS); do \
	    rm -rf $(FUZZ_DIR)/short-$$t; mkdir -p $(FUZZ_DIR)/short-$$t; \
	    seeds=$$(ls tests/fuzz/corpus/$$t | wc -l); \
	    if $(MAKE) --no-print-directory fuzz-run-$$t FUZZ_LIMIT="-runs=$(FUZZ_SHORT_RUNS) -seed=1" \
	        FUZZ_CORPUS=short >$(FUZZ_DIR)/short-$$t.log 2>&1; then \
	        echo "PASS: fuzz-$$t ($$seeds seeds, then $$(grep -o 'Done [0-9]* runs' $(FUZZ_DIR)/short-$$t.log | tail -1 | tr -dc 0-9) runs)"; \
	    else tail -n 30 $(FUZZ_DIR)/short-$$t.log; echo "FAIL: fuzz-$$t (log: $(FUZZ_DIR)/short-$$t.log)"; rc=1; fi; \
	done; \
	if echo " $(FUZZ_TARGETS) " | grep -q " insn "; then $(MAKE) --no-print-directory fuzz-insn-objdump || rc=1; fi; \
	exit $$rc

# The decoder's lengths against objdump's, for the insn inputs in INSN_CORPUS (the committed
# seeds in the short pass; make fuzz adds what it grew).
INSN_LIST := $(FUZZ_DIR)/insn_list
INSN_CORPUS ?= tests/fuzz/corpus/insn
$(INSN_LIST): tests/fuzz/insn_list.c vmm/insn/decode.c vmm/insn/decode.h
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(HOST_LDFLAGS)

fuzz-insn-objdump: $(INSN_LIST)
	$(Q)find $(INSN_CORPUS) -type f -print0 | xargs -0 $(INSN_LIST) | \
	    python3 tests/fuzz/insn_objdump.py fuzz-insn-objdump

.PHONY: fuzz test-fuzz-short fuzz-insn-objdump $(patsubst %,fuzz-run-%,$(FUZZ_ALL))

# Exitless build, run and test. `make help` lists the targets.
.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD      ?= build
# The demo for the platform `make run` will use (nested KVM when it offers VMX, else Bochs).
RUN_PLATFORM := $(if $(filter auto,$(or $(PLATFORM),auto)),$(shell tests/run-platform.sh --detect),$(PLATFORM))
MANIFEST   ?= $(if $(filter kvm,$(RUN_PLATFORM)),guests/kvm-demo.toml,guests/bochs-demo.toml)
PLATFORM   ?= auto
TIMEOUT    ?= 1500
CPUS       ?= 6
V          ?= 0
Q          := $(if $(filter 1,$(V)),,@)

GIT_REV    := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
CC         := gcc
LD         := ld
GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

# The manifest parser, its host tool and example checks; the fuzz targets.
include mk/manifest.mk
include mk/fuzz.mk

# ---------------------------------------------------------------- Newlib
# Built once per set of flags: the directory name carries a hash of the flags and script.
NEWLIB_CFLAGS := -O2 -g -ffreestanding -fno-pic -mcmodel=kernel -mno-red-zone \
                 -fno-omit-frame-pointer -fno-stack-protector -nostdinc -isystem $(GCC_INCLUDE)
NEWLIB_KEY := $(shell echo '$(NEWLIB_CFLAGS)' | cat - tools/newlib/build.sh tools/newlib/cc-wrapper.sh | sha1sum | cut -c1-12)
NEWLIB_DIR := $(BUILD)/newlib-$(NEWLIB_KEY)
NEWLIB_LIBC := $(NEWLIB_DIR)/lib/libc.a

$(NEWLIB_LIBC):
	@echo "  NEWLIB  $(NEWLIB_DIR) (one-time build, about a minute)"
	$(Q)tools/newlib/build.sh $(NEWLIB_DIR) $(NEWLIB_CFLAGS)

# ---------------------------------------------------------------- hypervisor
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wcast-qual -Wvla -Wformat=2 -Wno-format-nonliteral
KERNEL_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -fno-pic -fno-pie \
                 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer \
                 -fno-stack-protector -fno-builtin-malloc -fno-asynchronous-unwind-tables \
                 --param=min-pagesize=0 -nostdinc -isystem $(GCC_INCLUDE) \
                 -isystem $(NEWLIB_DIR)/include -I. -Iinclude \
                 -DEXITLESS_GIT_REV='"$(GIT_REV)"' -MMD -MP
KERNEL_ASFLAGS := -I. -I$(BUILD)/include -D__ASSEMBLER__ -MMD -MP
KERNEL_LDFLAGS := --fatal-warnings -nostdlib -static -z noexecstack -z max-page-size=4096 --build-id=none

# Per-directory object lists.
boot-y    := boot/multiboot2.S boot/entry32.S boot/trampoline.S
kernel-y  := kernel/main.c kernel/log.c kernel/percpu.c kernel/gdt.c kernel/trap.c \
             kernel/isr.S kernel/panic.c kernel/platform.c kernel/mb2.c kernel/frame.c \
             kernel/paging.c kernel/mm.c kernel/libc_glue.c kernel/cmdline.c \
             kernel/cpuinfo.c kernel/vectors.c kernel/acpi_glue.c \
             kernel/intc.c kernel/lapic.c kernel/tsc_calc.c kernel/tsc.c kernel/timer.c \
             kernel/smp.c kernel/xcall.c kernel/manifest_boot.c kernel/devices.c
# selftest/: code that exists only to test the hypervisor from inside. The boot self-checks
# (the `selftest` word) and the names of the device checks are in every image, so that a
# production image can refuse those words by name; the device checks themselves are test-y.
selftest-y := selftest/selftest.c selftest/smptest.c selftest/devtest_words.c selftest/soak_words.c
drivers-y := drivers/uart/uart16550.c $(wildcard drivers/acpi/*.c) drivers/irq/pic8259.c \
             drivers/irq/ioapic.c $(wildcard drivers/pci/*.c) $(wildcard drivers/vtd/*.c) \
             $(wildcard drivers/nic/*.c)
# vmm/: the generic hypervisor at the top, concerns in folders, one folder per CPU vendor.
vmm-y     := $(sort $(wildcard vmm/*.c vmm/*/*.c vmm/*/*.S))

# The test build adds the device checks (the hypervisor acting as a VF driver); production
# images never carry them.
test-y    := selftest/devtest_run.c selftest/devtest.c selftest/devtest_vf.c selftest/devtest_igb.c \
             selftest/soak.c selftest/hvframes.c

ASM_OFFSETS := $(BUILD)/include/generated/asm-offsets.h
KERNEL_SRCS = $(boot-y) $(kernel-y) $(selftest-y) $(drivers-y) $(vmm-y) $(MANIFEST_SRCS)
KERNEL_OBJS = $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_SRCS))
TEST_OBJS   = $(patsubst %,$(BUILD)/obj/%.o,$(test-y))
ELF := $(BUILD)/exitless.elf
TEST_ELF := $(BUILD)/exitless-test.elf

$(BUILD)/obj/%.c.o: %.c $(NEWLIB_LIBC)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S $(ASM_OFFSETS)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

# Structure offsets for assembly, generated from C (tools/asm-offsets.c).
$(ASM_OFFSETS): tools/asm-offsets.c vmm/guest.h $(wildcard vmm/*/*.h) $(NEWLIB_LIBC)
	@mkdir -p $(@D)
	$(Q)$(CC) $(filter-out -MMD -MP,$(KERNEL_CFLAGS)) -S $< -o $(BUILD)/asm-offsets.s
	$(Q){ echo "/* Generated from tools/asm-offsets.c: do not edit. */"; \
	   sed -nE 's/^->([A-Z0-9_]+) \$$?([0-9-]+).*/#define \1 \2/p' $(BUILD)/asm-offsets.s; } > $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/linker.ld: linker.ld kernel/layout.h
	@mkdir -p $(@D)
	$(Q)$(CC) -E -P -x c -I. -D__ASSEMBLER__ $< -o $@

# The git revision is compiled into main.c; refresh it only when it changes.
$(BUILD)/git-rev: FORCE
	@mkdir -p $(@D)
	@echo '$(GIT_REV)' | cmp -s - $@ || echo '$(GIT_REV)' > $@
$(BUILD)/obj/kernel/main.c.o: $(BUILD)/git-rev

define link_image
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -T $(BUILD)/linker.ld -o $@.tmp $(1) $(NEWLIB_LIBC)
	$(Q)tools/check-no-fpu.sh $@.tmp
	$(Q)grub-file --is-x86-multiboot2 $@.tmp || { echo "$@: not a multiboot2 image" >&2; exit 1; }
	$(Q)mv $@.tmp $@
endef
$(ELF): $(KERNEL_OBJS) $(BUILD)/linker.ld $(NEWLIB_LIBC) tools/check-no-fpu.sh
	$(call link_image,$(KERNEL_OBJS))
	$(Q)! nm --defined-only $@ | grep -qE ' (devtest_run|soak_arm|hv_frames_test)$$' || { echo "$@: test-only code leaked into the production image" >&2; rm -f $@; exit 1; }
$(TEST_ELF): $(KERNEL_OBJS) $(TEST_OBJS) $(BUILD)/linker.ld $(NEWLIB_LIBC) tools/check-no-fpu.sh
	$(call link_image,$(KERNEL_OBJS) $(TEST_OBJS))

# ---------------------------------------------------------------- test guests
# Freestanding ELF64 guests on the runtime in guests/lib (no SSE: the loader leaves it off).
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -fno-pic -fno-pie -mno-red-zone \
                -mgeneral-regs-only -fno-stack-protector -fno-builtin -Iinclude -Iguests/lib
GUEST_LIB := guests/lib/start.S guests/lib/isr.S guests/lib/runtime.c guests/lib/idt.c guests/lib/virtio_pci.c guests/lib/virtio_blk.c
GUESTS := hello cpuid-msr portio isolation crash bench eli devirq hostile vf platform smpboot heartbeat attack pvblk pvnet pvhostile
GUEST_ELFS := $(patsubst %,$(BUILD)/guests/%.elf,$(GUESTS)) \
              $(BUILD)/guests/multiboot1.elf $(BUILD)/guests/multiboot2.elf

# A guest is every .c and .S file in its folder.
.SECONDEXPANSION:
$(BUILD)/guests/%.elf: $$(wildcard guests/$$*/*.c) $$(wildcard guests/$$*/*.S) $$(wildcard guests/$$*/*.h) $(GUEST_LIB) guests/lib/guest.h guests/lib/virtio_pci.h guests/lib/virtio_blk.h guests/lib/guest.ld \
                       include/exitless/hypercall.h include/exitless/bootinfo.h
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(CC) $(GUEST_CFLAGS) -nostdlib -static -Wl,-T,guests/lib/guest.ld -Wl,--build-id=none \
		-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -o $@ $(GUEST_LIB) $(filter guests/$*/%.c guests/$*/%.S,$^)

# 32-bit multiboot kernels from one source: MB_VERSION picks the header and the checks.
GUEST32_CFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -m32 -ffreestanding -fno-pic -fno-pie \
                  -mgeneral-regs-only -fno-stack-protector -fno-builtin -Iinclude
$(BUILD)/guests/multiboot%.elf: guests/multiboot/main.c guests/multiboot/entry.S guests/multiboot/mb.ld
	@mkdir -p $(@D)
	@echo "  GUEST32 $@"
	$(Q)$(CC) $(GUEST32_CFLAGS) -DMB_VERSION=$* -nostdlib -static -Wl,-m,elf_i386 \
		-Wl,-T,guests/multiboot/mb.ld -Wl,--build-id=none -Wl,-z,noexecstack \
		-Wl,--no-warn-rwx-segments -o $@ guests/multiboot/entry.S $<

guests: $(GUEST_ELFS)

# The stock Linux guest, made from Debian packages at first use and cached under
# $(BUILD)/guests/linux/<kernel package version>/ (current/ names the latest); see
# guests/linux/README.md. The script itself does nothing when the cache is up to date.
LINUX_GUEST := $(BUILD)/guests/linux/current
linux-guest:
	$(Q)guests/linux/mkguest.sh $(BUILD)

# Boots that guest natively (no hypervisor) under QEMU TCG, as bzImage and as PVH vmlinux.
linux-native-qemu: linux-guest
	$(Q)tests/record.sh $(RESULTS)/linux-native.txt guests/linux/native-qemu.sh --build $(BUILD)

# ---------------------------------------------------------------- ISO
ISO := $(BUILD)/exitless.iso
CMDLINE ?=
ISO_CONFIG := $(BUILD)/iso-config

# Rebuild the ISO when what goes into it changes, not on every make.
$(ISO_CONFIG): FORCE
	@mkdir -p $(@D)
	@echo 'cmdline=$(CMDLINE) manifest=$(MANIFEST)' | cmp -s - $@ || \
		echo 'cmdline=$(CMDLINE) manifest=$(MANIFEST)' > $@

# The ISO carries the hypervisor, the manifest (module "manifest") and the modules it names;
# mkiso.sh records those module files in $(ISO).d so a changed guest image rebuilds the ISO.
# A manifest that names the Linux test guest gets it made first (downloaded once, cached).
LINUX_FILES := $(LINUX_GUEST)/vmlinux $(LINUX_GUEST)/bzImage $(LINUX_GUEST)/initrd.cpio.gz
$(LINUX_FILES): linux-guest ;
ISO_LINUX := $(if $(findstring guests/linux/,$(shell cat $(MANIFEST) 2>/dev/null)),linux-guest)
$(ISO): $(ELF) tools/mkiso.sh $(MANIFEST) $(ISO_CONFIG) $(GUEST_ELFS) $(MANIFEST_TOOL) $(ISO_LINUX)
	$(Q)tools/mkiso.sh --out $@ --elf $(ELF) --cmdline "$(CMDLINE)" $(if $(MANIFEST),--manifest $(MANIFEST)) --depfile $@.d
-include $(ISO).d

all: $(ELF) $(ISO) $(GUEST_ELFS)
iso: $(ISO)
elf: $(ELF)
test-elf: $(TEST_ELF)

# ---------------------------------------------------------------- host unit tests
HOST_CC      := gcc
HOST_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow -I. -Iinclude \
                -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_LDFLAGS := -fsanitize=address,undefined
UNIT_TESTS :=
include tests/unit/unit.mk
UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

define unit_rule
$(BUILD)/unit/test_$(1): $$(unit_$(1)_SRCS) $$(wildcard tests/unit/*.h)
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	$$(Q)$$(HOST_CC) $$(HOST_CFLAGS) $$(unit_$(1)_CFLAGS) $$(unit_$(1)_SRCS) $$(HOST_LDFLAGS) -o $$@
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# ---------------------------------------------------------------- tests
RESULTS := $(BUILD)/test-results

test-unit: $(UNIT_BINS) $(MANIFEST_TOOL) $(FUZZ_BINS) $(BUILD)/guests/hello.elf
	$(Q)rc=0; tests/run-unit.sh $(RESULTS)/unit.txt $(UNIT_BINS) || rc=1; \
	tests/record.sh $(RESULTS)/unit-examples.txt $(MAKE) --no-print-directory test-examples || rc=1; \
	tests/record.sh $(RESULTS)/unit-images.txt tests/manifest/check-images.sh $(MANIFEST_TOOL) \
	    $(BUILD)/guests/hello.elf || rc=1; \
	tests/record.sh $(RESULTS)/unit-fuzz.txt $(MAKE) --no-print-directory test-fuzz-short || rc=1; \
	tests/guest-acpi-iasl.sh $(RESULTS)/unit-guest-acpi-iasl.txt $(BUILD)/unit/test_guest_acpi || rc=1; \
	tests/record.sh $(RESULTS)/unit-linux-guest.txt python3 tests/unit/test_linux_guest_tools.py || rc=1; \
	tests/record.sh $(RESULTS)/unit-linux-bench.txt python3 tests/unit/test_linux_bench.py || rc=1; \
	tests/record.sh $(RESULTS)/unit-bench-report.txt python3 tests/unit/test_bench_report.py || rc=1; \
	exit $$rc

test-bochs: $(ELF) $(TEST_ELF) $(GUEST_ELFS) $(MANIFEST_TOOL) linux-guest
	$(Q)tests/integration.sh bochs $(RESULTS)/bochs.txt

test-qemu: $(ELF) $(TEST_ELF) $(GUEST_ELFS) $(MANIFEST_TOOL) linux-guest
	$(Q)tests/integration.sh qemu $(RESULTS)/qemu.txt

# All three tiers run even when one fails; the summary line adds them up.
test: deps
	$(Q)rm -rf $(RESULTS); mkdir -p $(RESULTS)
	$(Q)rc=0; \
	$(MAKE) --no-print-directory test-unit || rc=1; \
	$(MAKE) --no-print-directory test-bochs || rc=1; \
	$(MAKE) --no-print-directory test-qemu || rc=1; \
	tests/summary.sh $(RESULTS) || rc=1; \
	exit $$rc

# A long restart soak (docs/soak.md): the QEMU soak case with SOAK_CYCLES restarts.
SOAK_CYCLES ?= 1000
soak: deps $(TEST_ELF) $(GUEST_ELFS) $(MANIFEST_TOOL)
	$(Q)SOAK_QEMU_CYCLES=$(SOAK_CYCLES) CASE_TIMEOUT=$$(( $(SOAK_CYCLES) * 10 + 600 )) ONLY='^qemu-soak$$' \
	    tests/integration.sh qemu $(RESULTS)/soak.txt

# ---------------------------------------------------------------- run
run: deps $(ISO)
	$(Q)tests/run-platform.sh --platform $(PLATFORM) --iso $(ISO) --timeout $(TIMEOUT) --cpus $(CPUS)

deps:
	$(Q)tools/deps.sh

deps-bench:
	$(Q)tools/deps.sh --bench

bench: deps-bench $(ELF) $(GUEST_ELFS) $(MANIFEST_TOOL) linux-guest
	$(Q)tools/bench.sh

size: $(ELF)
	$(Q)size $(ELF)
	$(Q)echo "trusted code base (lines of C and assembly, no tests or tools):"
	$(Q)cat $(KERNEL_SRCS) $$(find boot kernel drivers vmm -name '*.h') | grep -cv '^\s*$$'

clean:
	rm -rf $(BUILD)/obj $(BUILD)/unit $(BUILD)/iso* $(BUILD)/*.elf $(BUILD)/*.iso $(BUILD)/test*

distclean:
	rm -rf $(BUILD)

help:
	@echo "make            build $(ELF) and $(ISO)"
	@echo "make iso MANIFEST=file [CMDLINE=...]   ISO for a manifest"
	@echo "make run [PLATFORM=auto|kvm|bochs|qemu] [MANIFEST=file] [TIMEOUT=s]"
	@echo "make test       unit tests, Bochs tests, QEMU tests; ends with 'N passed, N failed'"
	@echo "make test-unit | test-bochs | test-qemu"
	@echo "make deps       install the Debian packages everything needs"
	@echo "make deps-bench also gnuplot-nox, for make bench's plot (make bench runs it)"
	@echo "make size       image size and trusted-code line count"
	@echo "make linux-guest          the stock Debian Linux test guest (downloaded, cached under $(BUILD)/guests/linux)"
	@echo "make linux-native-qemu    boot it natively under QEMU TCG (bzImage and PVH), no hypervisor"
	@echo "make soak [SOAK_CYCLES=n]   restart soak in QEMU (default 1000 restarts), a resource census after each"
	@echo "make bench      exit and interrupt costs under VMX (Bochs) and SVM (QEMU -icount), Linux boot and idle exits (Bochs), the sidecore with 1-8 guests (QEMU), written to $(BUILD)/bench.md"

.PHONY: bench deps-bench soak guests linux-guest linux-native-qemu all iso elf test test-unit test-bochs test-qemu run deps size clean distclean help FORCE
FORCE:

-include $(KERNEL_OBJS:.o=.d) $(TEST_OBJS:.o=.d)

# Manifest parser, host tool and example checks (its fuzzer: mk/fuzz.mk). Included by the top-level Makefile,
# which provides BUILD, HOST_CC, HOST_CFLAGS and HOST_LDFLAGS.

# Sources compiled into the hypervisor and into every host binary that reads manifests.
MANIFEST_SRCS := $(addprefix kernel/manifest/,toml_lex.c toml.c diag.c units.c schema.c \
                   model.c model_guest.c check.c check_devices.c platform.c manifest.c \
                   virtio_switch.c)
MANIFEST_HDRS := $(wildcard include/exitless/*.h kernel/manifest/*.h)

# The loader's pure image checks, so --check-files judges images as the hypervisor will.
MANIFEST_TOOL_SRCS := tools/exitless-manifest.c tools/manifest_image.c vmm/loader/loader_fail.c \
    vmm/loader/loader_elf_check.c vmm/loader/loader_mb_check.c vmm/loader/linux_bzimage_check.c \
    vmm/loader/linux_pvh_check.c vmm/loader/linux_boot_check.c vmm/loader/linux_memmap.c
MANIFEST_TOOL_HDRS := tools/manifest_image.h $(wildcard vmm/loader/*.h)

MANIFEST_TOOL := $(BUILD)/tools/exitless-manifest
MANIFEST_TOOL_RELEASE := $(BUILD)/tools/release/exitless-manifest
PREFIX ?= /usr/local

# The exact flags the kernel uses, to prove the shared sources stay freestanding-clean.
MANIFEST_KERNEL_CFLAGS := -std=gnu11 -O2 -ffreestanding -mgeneral-regs-only -mno-red-zone \
    -fno-pic -mcmodel=kernel -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
    -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wvla -Iinclude -Ikernel

.PHONY: check-manifest install-tools test-examples manifest-kernel-check

$(MANIFEST_TOOL): $(MANIFEST_TOOL_SRCS) $(MANIFEST_SRCS) $(MANIFEST_HDRS) $(MANIFEST_TOOL_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(MANIFEST_TOOL_SRCS) $(MANIFEST_SRCS) $(HOST_LDFLAGS)

# The installed tool: optimised, no sanitizer runtime.
$(MANIFEST_TOOL_RELEASE): $(MANIFEST_TOOL_SRCS) $(MANIFEST_SRCS) $(MANIFEST_HDRS) $(MANIFEST_TOOL_HDRS)
	@mkdir -p $(@D)
	$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. -Iinclude -Ikernel -o $@ \
	    $(MANIFEST_TOOL_SRCS) $(MANIFEST_SRCS)

check-manifest: $(MANIFEST_TOOL)
	@test -n "$(M)" || { echo "usage: make check-manifest M=path/to/manifest.toml" >&2; exit 2; }
	$(MANIFEST_TOOL) $(M)

install-tools: $(MANIFEST_TOOL_RELEASE)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(MANIFEST_TOOL_RELEASE) $(DESTDIR)$(PREFIX)/bin/exitless-manifest

test-examples: $(MANIFEST_TOOL)
	@sh tests/manifest/check-examples.sh $(MANIFEST_TOOL) guests/*.toml tests/manifests/*.toml

# Compiles every shared source with gcc and clang under the kernel's flags (objects discarded).
manifest-kernel-check: $(MANIFEST_SRCS) $(MANIFEST_HDRS)
	@mkdir -p $(BUILD)/manifest-kcheck
	@for cc in gcc clang; do for f in $(MANIFEST_SRCS); do \
	    $$cc $(MANIFEST_KERNEL_CFLAGS) -c $$f -o $(BUILD)/manifest-kcheck/$$(basename $$f .c).$$cc.o \
	    || exit 1; done; done
	@if objdump -d $(BUILD)/manifest-kcheck/*.o | grep -qE '%[xy]mm|%st\(|\sf(ld|st|ild|ist)[a-z]*\s'; then \
	    echo "FAIL: manifest-kernel-check: floating point in manifest objects"; exit 1; fi
	@echo "PASS: manifest-kernel-check (gcc, clang, freestanding kernel flags, no FP)"

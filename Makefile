# TEMPORARY stand-in for the lead's top-level Makefile (replaced at merge): variables, includes, unit tests.
BUILD := build
HOST_CC := gcc
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow -Iinclude -Ikernel -fsanitize=address,undefined -fno-omit-frame-pointer
HOST_LDFLAGS := -fsanitize=address,undefined

.PHONY: all test unit
all: $(BUILD)/tools/exitless-manifest

include mk/manifest.mk
include tests/unit/unit.mk

define unit_rule
$(BUILD)/tests/unit_$(1): $$(unit_$(1)_SRCS) $(MANIFEST_HDRS) tests/unit/check.h
	@mkdir -p $$(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $$@ $$(unit_$(1)_SRCS) $(HOST_LDFLAGS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

unit: $(foreach t,$(UNIT_TESTS),$(BUILD)/tests/unit_$(t))
	@for t in $^; do $$t || exit 1; done

test: unit test-examples manifest-kernel-check test-fuzz-short

# Host unit tests. Each test declares its name and the sources it links:
#   UNIT_TESTS += foo
#   unit_foo_SRCS := tests/unit/test_foo.c kernel/foo.c
# Built with the host gcc, ASan and UBSan; see the top-level Makefile.

# Manifest parser (kernel/manifest/); MANIFEST_SRCS comes from mk/manifest.mk, hence '='.
UNIT_TESTS += manifest
unit_manifest_SRCS = tests/unit/test_manifest.c tests/unit/test_manifest_good.c $(MANIFEST_SRCS)

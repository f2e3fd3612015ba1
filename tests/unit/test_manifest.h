/* Shared helpers of the manifest unit tests (two files, one binary). */
#ifndef EXITLESS_TEST_MANIFEST_H
#define EXITLESS_TEST_MANIFEST_H

#include <stdio.h>
#include <string.h>

#include <exitless/built.h>
#include <exitless/manifest.h>

/* A valid NIC (lines 1-4) for cases that need one. */
#define NIC0 "[[nic]]\nname = \"n\"\npci = \"0000:01:00.0\"\nvfs = 2\n"

/*
 * The refusal of a service that is not built yet (exitless/built.h), as the error line it is at
 * line l, column c of t.toml while its switch is off, and nothing once it is on. Each ends in
 * '\n'; want_errors() drops the last one. The binary test_manifest_unbuilt runs the same cases
 * with every switch off.
 */
#define NB_LINE_(l, c, msg) "t.toml:" #l ":" #c ": error: " msg "\n"
#if SIDECORE_BUILT
#define NB_SIDECORES(l, c) ""
#else
#define NB_SIDECORES(l, c) \
    NB_LINE_(l, c, "'sidecores': the polling sidecore is not built yet in this hypervisor: expected no sidecores")
#endif
#if VIRTIO_NET_BUILT
#define NB_VNET(l, c, g) ""
#else
#define NB_VNET(l, c, g) NB_LINE_(l, c, "[[guest.virtio_net]] of guest '" g "': virtio-net is not " \
                                  "built yet in this hypervisor: expected no virtio_net entry")
#endif
#if VIRTIO_NET_UPLINK_BUILT
#define NB_UPLINK(l, c, g) ""
#else
#define NB_UPLINK(l, c, g) NB_LINE_(l, c, "'uplink' of guest '" g "': the switch's uplink to a " \
                                    "NIC's wire is not built yet in this hypervisor: expected no uplink")
#endif
#if VIRTIO_BLK_BUILT
#define NB_VBLK(l, c, g) ""
#else
#define NB_VBLK(l, c, g) NB_LINE_(l, c, "[[guest.virtio_blk]] of guest '" g "': virtio-blk is not " \
                                  "built yet in this hypervisor: expected no virtio_blk entry")
#endif

/* The expected error text: s without its last '\n'. */
static inline const char *want_errors(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s);
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[n - 1] = '\0';
    return buf;
}

extern struct mf_workspace test_ws;

/* Parses text as "t.toml" (then checks pf if given); joins every error line into buf. */
int parse_errors_n(const char *text, size_t len, char *buf, size_t size);
int parse_errors_pf(const char *text, const struct mf_platform *pf, char *buf, size_t size);
static inline int parse_errors(const char *text, const struct mf_platform *pf, char *buf, size_t size)
{
    return parse_errors_pf(text, pf, buf, size);
}

/* test_manifest_good.c: its own check counters, added to main's at the end. */
void run_platform_cases(void);
void run_good_cases(void);
void run_unit_cases(void);
void good_counts(int *passed, int *failed);

#endif

/* Token buckets of the software switch: exact integer arithmetic on a caller-supplied clock. */
#ifndef EXITLESS_VMM_VSWITCH_BUCKET_H
#define EXITLESS_VMM_VSWITCH_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Credit is kept in units of 1/hz bit, so a rate of R bit/s earns exactly R units per tick of
 * a clock running at hz ticks per second and a frame of L bytes costs exactly 8 * L * hz
 * units: no division, no remainder, no floating point (the hypervisor has no SSE). The bounds
 * below keep every product inside 64 bits: the full bucket is at most 2^20 bytes * 8 * 2^40
 * = 2^63 units, and a refill multiplies the rate only by the ticks that fill the bucket.
 */
#define VSW_HZ_MAX          (1ull << 40)   /* clock rate: ns (1e9) and TSC cycles both fit */
#define VSW_RATE_MAX        (1ull << 44)   /* bit/s: about 17.6 Tbit/s */
#define VSW_BURST_MAX       (1ull << 20)   /* bytes */

/* A bucket; rate 0 means unlimited (every take succeeds, nothing is counted). */
struct vsw_bucket {
    uint64_t rate_bps;
    uint64_t hz;
    uint64_t cap;       /* credit of a full bucket: burst bytes * 8 * hz */
    uint64_t credit;    /* current credit, at most cap */
    uint64_t last;      /* clock value of the last refill */
};

/* The burst the switch gives a rate: 1 ms of traffic, at least two largest frames, at most
 * VSW_BURST_MAX. */
uint64_t vsw_burst_for(uint64_t rate_bps, uint32_t max_frame);

/* Sets up a full bucket at time now. -1 (bucket left unlimited) when a bound is exceeded or
 * hz is 0 for a limited rate. */
__attribute__((warn_unused_result))
int vsw_bucket_init(struct vsw_bucket *b, uint64_t rate_bps, uint64_t hz, uint64_t burst_bytes,
                    uint64_t now);

static inline bool vsw_bucket_limited(const struct vsw_bucket *b)
{
    return b->rate_bps != 0;
}

/* Adds the credit earned since the last refill, capped at a full bucket. A clock that went
 * backwards earns nothing (and does not move last back). */
void vsw_bucket_refill(struct vsw_bucket *b, uint64_t now);

/* Refills, then takes the cost of `bytes` if the credit covers it. */
bool vsw_bucket_take(struct vsw_bucket *b, uint64_t now, uint32_t bytes);

/* After a refill: the earliest clock value at which `bytes` will be affordable (now if it is
 * already); UINT64_MAX if never (a frame larger than the bucket). */
uint64_t vsw_bucket_ready_at(const struct vsw_bucket *b, uint32_t bytes);

#endif

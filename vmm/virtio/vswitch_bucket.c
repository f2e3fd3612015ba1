/* Token buckets of the software switch (see vswitch_bucket.h for the units and bounds). */
#include "vmm/virtio/vswitch_bucket.h"

#define MS_PER_S 1000u

uint64_t vsw_burst_for(uint64_t rate_bps, uint32_t max_frame)
{
    uint64_t burst = rate_bps / 8 / MS_PER_S;
    uint64_t floor = 2ull * max_frame;
    if (burst < floor)
        burst = floor;
    return burst > VSW_BURST_MAX ? VSW_BURST_MAX : burst;
}

int vsw_bucket_init(struct vsw_bucket *b, uint64_t rate_bps, uint64_t hz, uint64_t burst_bytes,
                    uint64_t now)
{
    *b = (struct vsw_bucket){ .last = now };
    if (!rate_bps)
        return 0;
    if (rate_bps > VSW_RATE_MAX || !hz || hz > VSW_HZ_MAX || !burst_bytes || burst_bytes > VSW_BURST_MAX)
        return -1;
    b->rate_bps = rate_bps;
    b->hz = hz;
    b->cap = burst_bytes * 8 * hz;
    b->credit = b->cap;
    return 0;
}

void vsw_bucket_refill(struct vsw_bucket *b, uint64_t now)
{
    if (!b->rate_bps || now <= b->last)
        return;
    uint64_t dt = now - b->last;
    uint64_t room = b->cap - b->credit;
    b->last = now;
    /* dt >= ceil(room / rate) fills the bucket; below that rate * dt < room + rate < 2^64. */
    if (dt >= room / b->rate_bps + 1)
        b->credit = b->cap;
    else
        b->credit += b->rate_bps * dt;
    if (b->credit > b->cap)
        b->credit = b->cap;
}

static uint64_t cost_of(const struct vsw_bucket *b, uint32_t bytes)
{
    /* Callers pass bytes <= VSW_BURST_MAX: at most 2^20 * 8 * 2^40 = 2^63. */
    return (uint64_t)bytes * 8 * b->hz;
}

bool vsw_bucket_take(struct vsw_bucket *b, uint64_t now, uint32_t bytes)
{
    if (!b->rate_bps)
        return true;
    vsw_bucket_refill(b, now);
    if ((uint64_t)bytes > VSW_BURST_MAX)
        return false;
    uint64_t cost = cost_of(b, bytes);
    if (cost > b->credit)
        return false;
    b->credit -= cost;
    return true;
}

uint64_t vsw_bucket_ready_at(const struct vsw_bucket *b, uint32_t bytes)
{
    if (!b->rate_bps)
        return b->last;
    if ((uint64_t)bytes > VSW_BURST_MAX)
        return UINT64_MAX;
    uint64_t cost = cost_of(b, bytes);
    if (cost > b->cap)
        return UINT64_MAX;
    if (cost <= b->credit)
        return b->last;
    uint64_t need = cost - b->credit;
    uint64_t dt = need / b->rate_bps + (need % b->rate_bps != 0);
    return b->last > UINT64_MAX - dt ? UINT64_MAX : b->last + dt;
}

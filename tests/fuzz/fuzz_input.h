/* The fuzz targets' input reader and assertion: bytes taken from the front of libFuzzer's
 * input, zeros once it runs out (so every input decodes to something), and a check that
 * names the property that failed before it aborts. */
#ifndef EXITLESS_TESTS_FUZZ_INPUT_H
#define EXITLESS_TESTS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_in {
    const uint8_t *p;
    size_t n, at;
};

static inline struct fuzz_in fuzz_in(const uint8_t *data, size_t size)
{
    return (struct fuzz_in){ data, size, 0 };
}

static inline size_t fuzz_left(const struct fuzz_in *in) { return in->n - in->at; }

/* Up to `len` bytes into buf, zero-filled past the end of the input. */
static inline void fuzz_bytes(struct fuzz_in *in, void *buf, size_t len)
{
    size_t take = fuzz_left(in) < len ? fuzz_left(in) : len;
    memcpy(buf, in->p + in->at, take);
    memset((uint8_t *)buf + take, 0, len - take);
    in->at += take;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
    uint8_t v;
    fuzz_bytes(in, &v, 1);
    return v;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
    uint8_t b[2];
    fuzz_bytes(in, b, 2);
    return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
    uint32_t lo = fuzz_u16(in);
    return lo | (uint32_t)fuzz_u16(in) << 16;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
    uint64_t lo = fuzz_u32(in);
    return lo | (uint64_t)fuzz_u32(in) << 32;
}

/* A property of the code under test: on failure, says which and where, then aborts (the
 * input is kept by libFuzzer as a crash artifact). */
#define FUZZ_ASSERT(cond, ...)                                                          \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "FUZZ PROPERTY FAILED: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                               \
            fputc('\n', stderr);                                                        \
            abort();                                                                    \
        }                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

/* Multiboot 1 (0.6.96, 3.1) and multiboot2 (3.1) header checks before loading: the header,
 * every multiboot2 header tag, and the load range the address fields describe. The image is
 * guest-controlled: each length is checked against the tag, the header and the image before
 * the bytes it covers are read. Pure, host unit-tested. */
#include <string.h>

#include "exitless/bootinfo.h"
#include "vmm/loader/loader_check.h"

#define MB1_HEADER_MAGIC 0x1badb002u
#define MB1_SEARCH 8192
#define MB1_HEADER_MIN 12               /* magic, flags, checksum */
#define MB1_HEADER_ADDRESS 32           /* ... header_addr .. entry_addr (flag 16) */
#define MB1_FLAG_PAGE_ALIGN (1u << 0)
#define MB1_FLAG_MEMINFO (1u << 1)
#define MB1_FLAG_VIDEO (1u << 2)
#define MB1_FLAG_ADDRESS (1u << 16)
#define MB1_REQUIRED_MASK 0xffffu       /* bits 0-15: the kernel cannot boot without them */
#define MB1_SUPPORTED (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO | MB1_FLAG_VIDEO | MB1_FLAG_ADDRESS)

#define MB2_HEADER_MAGIC 0xe85250d6u
#define MB2_SEARCH 32768
#define MB2_HEADER_MIN 16               /* magic, architecture, header_length, checksum */
#define MB2_ARCH_I386 0u
#define MB2_TAG_MIN 8                   /* type, flags, size */
#define MB2_TAG_OPTIONAL 1u

/* Header tag types (multiboot2 3.1.3 - 3.1.13). */
enum {
    MB2_HTAG_END = 0,
    MB2_HTAG_INFO_REQUEST = 1,
    MB2_HTAG_ADDRESS = 2,
    MB2_HTAG_ENTRY = 3,
    MB2_HTAG_CONSOLE = 4,
    MB2_HTAG_FRAMEBUFFER = 5,
    MB2_HTAG_MODULE_ALIGN = 6,
    MB2_HTAG_EFI_BS = 7,
    MB2_HTAG_ENTRY_EFI32 = 8,
    MB2_HTAG_ENTRY_EFI64 = 9,
    MB2_HTAG_RELOCATABLE = 10,
    MB2_HTAG_COUNT
};

/* The size of each tag's fixed part: a tag is not read unless its size covers it. */
static const uint32_t mb2_tag_min[MB2_HTAG_COUNT] = {
    [MB2_HTAG_END] = 8,          [MB2_HTAG_INFO_REQUEST] = 8, [MB2_HTAG_ADDRESS] = 24,
    [MB2_HTAG_ENTRY] = 12,       [MB2_HTAG_CONSOLE] = 12,     [MB2_HTAG_FRAMEBUFFER] = 20,
    [MB2_HTAG_MODULE_ALIGN] = 8, [MB2_HTAG_EFI_BS] = 8,       [MB2_HTAG_ENTRY_EFI32] = 12,
    [MB2_HTAG_ENTRY_EFI64] = 12, [MB2_HTAG_RELOCATABLE] = 24,
};

/* Information types (multiboot2 3.6) the multiboot2 loader writes: command line, boot loader
 * name, basic memory, memory map (and the module tag, which needs no request). */
static bool mb2_info_provided(uint32_t type)
{
    return type == 1 || type == 2 || type == 4 || type == 6;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint16_t rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* Offset of the first signature (magic and checksum over the first three words) in the
 * search area, or -1. Only the 12 signature bytes are known to be in the image. */
static int64_t find_mb1(const uint8_t *img, size_t size)
{
    for (size_t off = 0; off < MB1_SEARCH && off + MB1_HEADER_MIN <= size; off += 4) {
        uint32_t m = rd32(img + off), f = rd32(img + off + 4), c = rd32(img + off + 8);
        if (m == MB1_HEADER_MAGIC && m + f + c == 0)
            return (int64_t)off;
    }
    return -1;
}

/* Same for multiboot2: magic and checksum over the first 16 bytes. */
static int64_t find_mb2(const uint8_t *img, size_t size)
{
    for (size_t off = 0; off < MB2_SEARCH && off + MB2_HEADER_MIN <= size; off += 8) {
        uint32_t m = rd32(img + off), a = rd32(img + off + 4), l = rd32(img + off + 8);
        uint32_t c = rd32(img + off + 12);
        if (m == MB2_HEADER_MAGIC && m + a + l + c == 0)
            return (int64_t)off;
    }
    return -1;
}

bool multiboot_present(const uint8_t *img, size_t size)
{
    return find_mb2(img, size) >= 0 || find_mb1(img, size) >= 0;
}

static int mb1_check(const uint8_t *img, size_t size, struct mb_header *h, char *err, size_t len)
{
    const uint8_t *p = img + h->offset;
    uint32_t flags = rd32(p + 4);
    if (flags & MB1_REQUIRED_MASK & ~MB1_SUPPORTED)
        return loader_fail(err, len, "multiboot: required feature flags %#x not supported",
                           flags & MB1_REQUIRED_MASK & ~MB1_SUPPORTED);
    if (!(flags & MB1_FLAG_ADDRESS))
        return 0;
    if (size - h->offset < MB1_HEADER_ADDRESS)
        return loader_fail(err, len, "multiboot: header at %#lx has the address flag but its "
                                     "address fields end past the image (%zu bytes)",
                           h->offset, size);
    h->have_address = true;
    h->header_addr = rd32(p + 12);
    h->load_addr = rd32(p + 16);
    h->load_end = rd32(p + 20);
    h->bss_end = rd32(p + 24);
    h->have_entry = true;
    h->entry = rd32(p + 28);
    return 0;
}

/* One header tag at `off` whose size the caller checked against the header; `t` its start. */
static int mb2_tag(struct mb_header *h, const uint8_t *t, uint32_t off, uint16_t type,
                   uint16_t flags, uint32_t tsize, char *err, size_t len)
{
    if (type < MB2_HTAG_COUNT && tsize < mb2_tag_min[type])
        return loader_fail(err, len, "multiboot2 header tag %u at %u has size %u, below its "
                                     "%u bytes", type, off, tsize, mb2_tag_min[type]);
    switch (type) {
    case MB2_HTAG_INFO_REQUEST:
        for (uint32_t i = MB2_TAG_MIN; tsize - i >= 4; i += 4) {
            uint32_t want = rd32(t + i);
            if (!mb2_info_provided(want) && !(flags & MB2_TAG_OPTIONAL))
                return loader_fail(err, len, "multiboot2: required information type %u is not "
                                             "provided", want);
        }
        return 0;
    case MB2_HTAG_ADDRESS:
        h->have_address = true;
        h->header_addr = rd32(t + 8);
        h->load_addr = rd32(t + 12);
        h->load_end = rd32(t + 16);
        h->bss_end = rd32(t + 20);
        return 0;
    case MB2_HTAG_ENTRY:
        h->have_entry = true;
        h->entry = rd32(t + 8);
        return 0;
    case MB2_HTAG_CONSOLE:
    case MB2_HTAG_MODULE_ALIGN:
        return 0;  /* console flags, module alignment: nothing to do */
    default:
        if (flags & MB2_TAG_OPTIONAL)
            return 0;
        return loader_fail(err, len, "multiboot2: required header tag %u is not supported",
                           type);
    }
}

static int mb2_check(const uint8_t *img, size_t size, struct mb_header *h, char *err, size_t len)
{
    const uint8_t *p = img + h->offset;
    uint32_t arch = rd32(p + 4), hlen = rd32(p + 8);
    if (arch != MB2_ARCH_I386)
        return loader_fail(err, len, "multiboot2 header is for architecture %u, not i386 (0)",
                           arch);
    if (hlen < MB2_HEADER_MIN)
        return loader_fail(err, len, "multiboot2 header length %u is below %u", hlen,
                           MB2_HEADER_MIN);
    if (hlen > size - h->offset)
        return loader_fail(err, len, "multiboot2 header length %u runs past the image end "
                                     "(%zu bytes after the header's start)", hlen,
                           size - (size_t)h->offset);
    /* Tags start 8-byte aligned after the 16-byte header and are each padded to 8. */
    uint64_t off = MB2_HEADER_MIN;
    while (off < hlen) {
        if (hlen - off < MB2_TAG_MIN)
            return loader_fail(err, len, "multiboot2 header tag at %lu is cut off by the "
                                         "header length %u", off, hlen);
        const uint8_t *t = p + off;
        uint16_t type = rd16(t), flags = rd16(t + 2);
        uint32_t tsize = rd32(t + 4);
        if (tsize < MB2_TAG_MIN || tsize > hlen - off)
            return loader_fail(err, len, "multiboot2 header tag at %lu has a bad size %u "
                                         "(header length %u)", off, tsize, hlen);
        if (type == MB2_HTAG_END)
            break;
        if (mb2_tag(h, t, (uint32_t)off, type, flags, tsize, err, len))
            return -1;
        off += ((uint64_t)tsize + 7) & ~7ull;
    }
    if (h->have_address && !h->have_entry)
        return loader_fail(err, len, "multiboot2: address tag without an entry tag");
    return 0;
}

int mb_header_check(const uint8_t *img, size_t size, struct mb_header *h, char *err, size_t len)
{
    memset(h, 0, sizeof(*h));
    int64_t off2 = find_mb2(img, size), off1 = find_mb1(img, size);
    if (off2 >= 0) {
        h->version = 2;
        h->offset = (uint64_t)off2;
        return mb2_check(img, size, h, err, len);
    }
    if (off1 >= 0) {
        h->version = 1;
        h->offset = (uint64_t)off1;
        return mb1_check(img, size, h, err, len);
    }
    return loader_fail(err, len, "no multiboot header in the first %u bytes", MB2_SEARCH);
}

int mb_load_range(const struct mb_header *h, size_t size, uint64_t mem_size, struct mb_range *r,
                  char *err, size_t len)
{
    /* header_addr is where the header lands: the load address is that many bytes earlier. */
    if (h->load_addr > h->header_addr)
        return loader_fail(err, len, "multiboot: load address %#x is after the header "
                                     "address %#x", h->load_addr, h->header_addr);
    uint64_t before = h->header_addr - h->load_addr;
    if (before > h->offset)
        return loader_fail(err, len, "multiboot: load address %#x starts %#lx bytes before the "
                                     "header, which is %#lx bytes into the image",
                           h->load_addr, before, h->offset);
    r->file_off = h->offset - before;
    if (h->load_end && h->load_end < h->load_addr)
        return loader_fail(err, len, "multiboot: load end %#x before load address %#x",
                           h->load_end, h->load_addr);
    r->file_len = h->load_end ? (uint64_t)h->load_end - h->load_addr : size - r->file_off;
    if (r->file_len > size - r->file_off)
        return loader_fail(err, len, "multiboot: load range outside the image");
    r->load_addr = h->load_addr;
    r->mem_end = h->bss_end ? h->bss_end : r->load_addr + r->file_len;
    if (r->mem_end < r->load_addr + r->file_len)
        return loader_fail(err, len, "multiboot: bss end %#lx is before the load end %#lx",
                           r->mem_end, r->load_addr + r->file_len);
    if (r->load_addr < EXITLESS_GPA_IMAGE_MIN || r->mem_end > mem_size)
        return loader_fail(err, len, "multiboot: kernel at %#lx-%#lx is outside guest RAM "
                                     "[%#llx, %#lx)", r->load_addr, r->mem_end,
                           EXITLESS_GPA_IMAGE_MIN, mem_size);
    if (h->have_entry && (h->entry < r->load_addr || h->entry - r->load_addr >= r->file_len))
        return loader_fail(err, len, "multiboot: entry %#x is outside the loaded kernel "
                                     "%#lx-%#lx", h->entry, r->load_addr,
                           r->load_addr + r->file_len);
    return 0;
}

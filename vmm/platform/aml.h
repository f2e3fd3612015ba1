/* A small AML byte emitter (ACPI 6.4 chapter 20, "ACPI Machine Language Specification") for
 * the guest DSDT: names, integers, packages, scopes, devices and resource templates. Pure:
 * it writes into a caller's buffer and remembers an overflow instead of writing past it. */
#ifndef EXITLESS_VMM_PLATFORM_AML_H
#define EXITLESS_VMM_PLATFORM_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 8

/* AML opcodes (ACPI 6.4 section 20.3). */
#define AML_ZERO_OP        0x00
#define AML_ONE_OP         0x01
#define AML_NAME_OP        0x08
#define AML_BYTE_PREFIX    0x0a
#define AML_WORD_PREFIX    0x0b
#define AML_DWORD_PREFIX   0x0c
#define AML_QWORD_PREFIX   0x0e
#define AML_SCOPE_OP       0x10
#define AML_BUFFER_OP      0x11
#define AML_PACKAGE_OP     0x12
#define AML_EXT_OP_PREFIX  0x5b
#define AML_EXT_DEVICE_OP  0x82    /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR      '\\'
#define AML_PKGLEN_MAX     0x0fffffffu  /* 28 bits: a lead byte's 4 and three bytes of 8 */

struct aml {
    uint8_t *buf;
    size_t cap, len;
    bool overflow;              /* something did not fit: the output is unusable */
    unsigned depth;
    size_t open[AML_MAX_DEPTH]; /* where each open PkgLength goes */
    bool open_buffer[AML_MAX_DEPTH]; /* that object is a Buffer: its size follows the length */
};

void aml_init(struct aml *a, void *buf, size_t cap);
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);
/* An integer in its shortest encoding (ZeroOp, OneOp, Byte/Word/DWord/QWord prefix). */
void aml_integer(struct aml *a, uint64_t v);
/* A NameString: "\\_SB_", "PCI0", "_HID" (each segment exactly 4 characters). */
void aml_name_string(struct aml *a, const char *name);
/* Name(name, ...): the caller emits the value next. */
void aml_name(struct aml *a, const char *name);
void aml_name_integer(struct aml *a, const char *name, uint64_t v);
/* EisaId("PNP0A03"): the compressed 32-bit id as an integer; false if id is malformed. */
bool aml_eisaid(uint32_t *out, const char *id);

/* Opening an object with a PkgLength; aml_close fixes up the length (shortest encoding). */
void aml_scope_open(struct aml *a, const char *name);
void aml_device_open(struct aml *a, const char *name);
void aml_package_open(struct aml *a, uint8_t nelements);
/* Buffer(){...}: the byte count is written at close, as a ByteConst or WordConst. */
void aml_buffer_open(struct aml *a);
void aml_close(struct aml *a);

/* Resource descriptors inside a ResourceTemplate buffer (ACPI 6.4 section 6.4). */
void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
void aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max);
void aml_res_word_io(struct aml *a, uint16_t min, uint16_t max);
/* A memory window [min, max] (inclusive): DWord when it and its length fit 32 bits, else
 * QWord. */
void aml_res_memory(struct aml *a, uint64_t min, uint64_t max);
void aml_res_end(struct aml *a);

#endif

/* Minimal AML scan for the \_S5 sleep-type package (ACPI 6.5 sections 7.4.2 and 20.2).
 *
 * We do not interpret AML. The _S5 object is, on every firmware we know, a static
 * `Name (_S5, Package () { SLP_TYPa, SLP_TYPb, ... })` in the DSDT, encoded as
 *   NameOp 0x08, NameString "_S5_" (optionally preceded by '\'), PackageOp 0x12, PkgLength,
 *   NumElements, then integer constants (ZeroOp, OneOp, BytePrefix, WordPrefix, ...).
 * We find that byte pattern and read the first two constants; anything else (a method, a
 * computed package) is reported as not found and power-off falls back to halting. */
#include "acpi_priv.h"

#define AML_NAME_OP 0x08
#define AML_ROOT_CHAR '\\'
#define AML_PACKAGE_OP 0x12
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_ONES_OP 0xff
#define AML_PKGLEN_FOLLOW_SHIFT 6 /* PkgLength lead byte bits 7:6: count of extra bytes */

/* One integer constant at aml[*pos]; returns false if it is not one we read. */
static bool aml_const(const uint8_t *aml, size_t len, size_t *pos, uint8_t *val)
{
    if (*pos >= len)
        return false;
    uint8_t op = aml[(*pos)++];
    size_t width;
    switch (op) {
    case AML_ZERO_OP:
        *val = 0;
        return true;
    case AML_ONE_OP:
        *val = 1;
        return true;
    case AML_ONES_OP:
        *val = 0xff;
        return true;
    case AML_BYTE_PREFIX:
        width = 1;
        break;
    case AML_WORD_PREFIX:
        width = 2;
        break;
    case AML_DWORD_PREFIX:
        width = 4;
        break;
    default:
        return false;
    }
    if (len - *pos < width)
        return false;
    *val = aml[*pos]; /* SLP_TYP is 3 bits: the low byte carries it */
    *pos += width;
    return true;
}

int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
    for (size_t i = 1; i + 4 <= len; i++) {
        if (memcmp(aml + i, "_S5_", 4) != 0)
            continue;
        size_t op = i - 1;
        if (aml[op] == AML_ROOT_CHAR && op > 0)
            op--;
        if (aml[op] != AML_NAME_OP)
            continue;
        size_t pos = i + 4;
        if (pos >= len || aml[pos++] != AML_PACKAGE_OP || pos >= len)
            continue;
        pos += 1u + (aml[pos] >> AML_PKGLEN_FOLLOW_SHIFT); /* skip PkgLength */
        if (pos >= len)
            continue;
        uint8_t nelem = aml[pos++];
        if (nelem < 2)
            continue;
        if (aml_const(aml, len, &pos, slp_typa) && aml_const(aml, len, &pos, slp_typb))
            return 0;
    }
    return -ACPI_E_NOTFOUND;
}

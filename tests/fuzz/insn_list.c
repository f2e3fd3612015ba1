/* Lists what the decoder (vmm/insn/decode.c) makes of inputs in the insn fuzz target's format
 * (mode bits, fetch bits, 15 bytes, ...): one line per accepted instruction, "mode length
 * bytes op", for tests/fuzz/insn_objdump.py to compare against objdump's lengths.
 * Usage: insn_list FILE... */
#include <stdio.h>

#include "vmm/insn/decode.h"

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        uint8_t d[17] = { 0 };
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        size_t got = fread(d, 1, sizeof(d), f);
        fclose(f);
        if (got < 3)
            continue;
        uint8_t m = d[0];
        enum insn_mode mode = insn_mode_of(m & 1, m & 2 ? 1ull << 17 : 0, m & 4 ? 1ull << 10 : 0,
                                           m & 8, m & 16);
        struct insn in;
        if (insn_decode(d + 2, 15, mode, &in))
            continue;
        printf("%d %u ", mode, in.len);
        for (unsigned k = 0; k < 15; k++)
            printf("%02x", d[2 + k]);
        printf(" %d\n", in.op);
    }
    return 0;
}

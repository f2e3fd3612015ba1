/* vf: the assigned-VF test guest; `case=` on the command line picks what it proves (see
 * vf.h and the file of each case). */
#include "vf.h"

int guest_main(const struct exitless_boot_info *bi)
{
    char which[16] = "";
    arg_word(bi->cmdline, "case", which, sizeof(which));
    if (str_same(which, "irq"))
        return case_irq(bi);
    if (str_same(which, "dma"))
        return case_dma(bi);
    if (str_same(which, "restart"))
        return case_restart(bi);
    if (str_same(which, "veb"))
        return case_veb(bi);
    if (str_same(which, "soak"))
        return case_soak(bi);
    if (str_same(which, "cfgattack"))
        return case_cfgattack(bi);
    check("case", false, "case=%s: want irq, dma, restart, veb, soak or cfgattack", which);
    return 1;
}

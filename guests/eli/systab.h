/* LTR/LLDT/STR/SLDT checks (guests/eli/systab.c). */
#ifndef EXITLESS_GUEST_ELI_SYSTAB_H
#define EXITLESS_GUEST_ELI_SYSTAB_H

void systab_phase(void);

#endif

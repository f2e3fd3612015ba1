/* The attack guest's shared pieces: the boot info, phase markers, statistics, probes. */
#ifndef EXITLESS_GUEST_ATTACK_H
#define EXITLESS_GUEST_ATTACK_H

#include "guest.h"

#define VEC_GP 13
#define VEC_UD 6
#define VEC_OWN 0x41        /* the attacker's own vector (self IPIs, stray counting) */
#define VEC_FOREIGN 0x42    /* the vector its IPIs at other cores carry */
#define PAGE 4096ull
#define X2APIC_TPR 0x808
#define X2APIC_EOI 0x80b
#define X2APIC_SVR 0x80f
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_LVT_LINT0 0x835
#define X2APIC_LVT_ERROR 0x837
#define X2APIC_TIMER_INIT 0x838

extern const struct exitless_boot_info *bi;
extern volatile uint64_t irq_count[256];
/* "attack: NAME: begin" now; "attack: NAME: end" once at least min-ms= (default 200) of the
 * guest's TSC has gone by since, so the neighbour's beats can be seen between the two. */
void phase_begin(const char *name);
void phase_end(const char *name);

/* The attacks. */
void memory_reads(void);
__attribute__((noreturn)) void memory_write(unsigned which);
unsigned memory_writes(void);       /* how many memory_write() knows */
void cpu_ports(void);
void cpu_msrs(void);
void cpu_cpuid(void);
void cpu_xsetbv(void);
void cpu_virt_insns(void);
void irq_ipis(void);
void irq_lapic(void);
void idt_alias(void);
__attribute__((noreturn)) void irq_spin(void);
void hc_fuzz(uint64_t calls);

/* probes.S: 0, or the vector that stopped the instruction. */
int attack_inb(uint16_t port, uint8_t *out);
int attack_outb(uint16_t port, uint8_t v);
int attack_inl(uint16_t port, uint32_t *out);
int attack_outl(uint16_t port, uint32_t v);
int attack_xgetbv(uint32_t xcr, uint64_t *out);
int attack_vmxoff(void *s), attack_vmptrld(void *s), attack_vmclear(void *s), attack_vmptrst(void *s);
int attack_vmread(void *s), attack_vmwrite(void *s), attack_vmlaunch(void *s), attack_vmresume(void *s);
int attack_invept(void *s), attack_invvpid(void *s), attack_vmfunc(void *s);
int attack_vmload(void *s), attack_vmsave(void *s), attack_stgi(void *s), attack_clgi(void *s);
int attack_skinit(void *s), attack_invlpga(void *s), attack_getsec(void *s);

#endif

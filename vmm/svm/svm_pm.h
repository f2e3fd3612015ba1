/* The SVM permission maps (APM vol. 2, 15.10 and 15.11): the MSRPM (8 KiB, two bits per MSR:
 * read, write) and the IOPM (12 KiB, one bit per port), generated from the generic MSR and
 * port policy (vmm/msr.c, vmm/io.c) like the VMX bitmaps. A set bit intercepts. */
#ifndef EXITLESS_VMM_SVM_PM_H
#define EXITLESS_VMM_SVM_PM_H

#include <stdbool.h>
#include <stdint.h>

#define SVM_MSRPM_PAGES 2
#define SVM_MSRPM_BYTES 0x2000u
#define SVM_IOPM_PAGES  3
#define SVM_IOPM_BYTES  0x3000u

/* Where the two bits of an MSR live: byte offset and the read bit (write = read + 1), or -1
 * for an MSR outside the three ranges the map covers (0-0x1fff, 0xc0000000-0xc0001fff,
 * 0xc0010000-0xc0011fff), which always exits. */
int svm_msrpm_pos(uint32_t msr, uint32_t *byte, unsigned *read_bit);
/* Intercept (true) or pass one direction of one MSR. No effect outside the covered ranges. */
void svm_msrpm_set(uint8_t *pm, uint32_t msr, bool write, bool intercept);
bool svm_msrpm_intercepts(const uint8_t *pm, uint32_t msr, bool write);

/* vendor_ops: everything intercepted but the policy's MSR_PASS directions (msr_pass_each);
 * exitless guests also write the x2APIC EOI directly (the policy's rule). */
void svm_msrpm_build(uint8_t *pm, bool exitless);
void svm_msrpm_trap_write(uint8_t *pm, uint32_t msr, bool trap);
/* Every port intercepted: the port policy emulates them all (vmm/io.c). */
void svm_iopm_build(uint8_t *pm);
bool svm_iopm_intercepts(const uint8_t *pm, uint16_t port);

#endif

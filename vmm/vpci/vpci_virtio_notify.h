/*
 * Kicks that exit: the notification page of a virtio function the guest may not write as
 * memory. That is a function in baseline mode (manifest `virtio_mode = "baseline"`), always,
 * and a function whose sidecore halted (vmm/sidecore/sidecore_idle.c), until it wakes: its
 * page is mapped read-only, so a notify store is an EPT/NPT write violation. The store is
 * then single-stepped onto the page (vmm/intr/step.h, kind STEP_NOTIFY: writable for that one
 * instruction on that vCPU, read-only again after it), and right after the step the vCPU that
 * kicked serves the device's queues itself (at most VQ_MAX_SIZE chains per queue), sending the
 * completion interrupts as the MSI-X entries say: the classic exiting device, for comparison
 * with the sidecore. For a halted sidecore's function the vCPU instead wakes the sidecore,
 * which finds the store in the page. A kick costs two exits: the violation and its step.
 *
 * Ownership: the page's steppers count is guest->ept_lock's; f->kicked is set under that lock
 * by the stepping vCPU and taken by the same vCPU once the step is over.
 */
#ifndef EXITLESS_VMM_VPCI_VIRTIO_NOTIFY_H
#define EXITLESS_VMM_VPCI_VIRTIO_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct guest;
struct vpci_vfn;

/* guest->ept_lock held: f's page read-only while its sidecore is asleep (or always, baseline),
 * else writable; a step in progress maps it back itself. The caller syncs the guest's
 * translations after taking the right away. 0, or -1 if the map failed. */
int vpci_virtio_protect(struct guest *g, struct vpci_vfn *f, bool asleep);
/* A write violation at gpa: true if it is a read-only notification page of v's guest (its
 * single step is then armed). */
bool vpci_virtio_ept_write(struct vcpu *v, uint64_t gpa);
/* For a step (guest->ept_lock held): the page at gpa writable, then read-only again with the
 * kick recorded. 0, or -1 when it is no notification page. */
int vpci_virtio_unshadow(struct guest *g, uint64_t gpa);
int vpci_virtio_reshadow(struct guest *g, uint64_t gpa);
/* After a step that wrote notification pages (no lock held): serves the kicked devices. */
void vpci_virtio_kicked(struct vcpu *v);
/* Management CPU, when g stopped: one line per baseline device. */
void vpci_virtio_baseline_report(struct guest *g);

#endif

/* The management CPU's notification service: a stand-in for the sidecore's notifications
 * (IPIs to a guest's core on its own vectors) and for hypervisor IPIs, at a guest's request. */
#ifndef EXITLESS_VMM_NOTIFY_H
#define EXITLESS_VMM_NOTIFY_H

#include <stdint.h>

#include "vmm/guest.h"
#include "vmm/intr/notify_slot.h"

/* HC_NOTIFY: posts the request at guest-physical `gpa`, of which `req` is the copy
 * notify_check passed; 0, or -HC_EPERM while the guest's previous request is served. */
int64_t notify_post(struct vcpu *v, uint64_t gpa, const struct notify_req *req);
/* Management CPU: serves posted requests (called from its wait loop). */
void notify_poll(void);

#endif

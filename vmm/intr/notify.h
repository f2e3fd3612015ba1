/* The management CPU's notification service: a stand-in for the sidecore's notifications
 * (IPIs to a guest's core on its own vectors) and for hypervisor IPIs, at a guest's request. */
#ifndef EXITLESS_VMM_NOTIFY_H
#define EXITLESS_VMM_NOTIFY_H

#include <stdint.h>

#include "vmm/guest.h"

/* HC_NOTIFY: validates and posts the request at guest-physical `gpa`; 0 or -HC_E*. */
int64_t notify_post(struct vcpu *v, uint64_t gpa);
/* Management CPU: serves posted requests (called from its wait loop). */
void notify_poll(void);

#endif

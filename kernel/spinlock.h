/* Ticket spinlocks: FIFO-fair, so no CPU starves on a contended lock. */
#ifndef EXITLESS_KERNEL_SPINLOCK_H
#define EXITLESS_KERNEL_SPINLOCK_H

#include <stdint.h>
#include "kernel/arch.h"

struct spinlock {
    volatile uint16_t next;   /* ticket handed to the next arriving CPU */
    volatile uint16_t owner;  /* ticket now allowed in */
};

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(struct spinlock *l)
{
    uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
        cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

/* Takes the lock with interrupts disabled; returns the previous RFLAGS to restore. */
static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = read_rflags();
    irq_disable();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    spin_unlock(l);
    if (flags & RFLAGS_IF)
        irq_enable();
}

#endif

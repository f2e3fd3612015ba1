/* Fatal hypervisor errors: print why, where and the backtrace, then stop the machine. */
#ifndef EXITLESS_KERNEL_PANIC_H
#define EXITLESS_KERNEL_PANIC_H

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* Asserts stay on in every build. */
#define ASSERT(cond)                                                          \
    do {                                                                      \
        if (!(cond))                                                          \
            panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
    } while (0)

#endif

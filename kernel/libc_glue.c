/* The system calls Newlib needs from us: console output, heap, and malloc's lock. */
#include <errno.h>
#include <reent.h>
#include <sys/stat.h>

#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"

/* Prototypes for the names this Newlib target calls (no leading underscore). */
void *sbrk(ptrdiff_t increment);
int write(int fd, const void *buf, size_t len);
int close(int fd);
int fstat(int fd, struct stat *st);
int isatty(int fd);
off_t lseek(int fd, off_t off, int whence);
int read(int fd, void *buf, size_t len);
int getpid(void);
int kill(int pid, int sig);
void _exit(int code);
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);

void *sbrk(ptrdiff_t increment)
{
    void *p = heap_sbrk(increment);
    if (p == (void *)-1)
        errno = ENOMEM;
    return p;
}

int write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    console_write(buf, len);
    return (int)len;
}

int close(int fd) { (void)fd; errno = EBADF; return -1; }
int read(int fd, void *buf, size_t len) { (void)fd; (void)buf; (void)len; errno = EBADF; return -1; }
off_t lseek(int fd, off_t off, int whence) { (void)fd; (void)off; (void)whence; errno = ESPIPE; return -1; }
int isatty(int fd) { return fd == 1 || fd == 2; }
int getpid(void) { return 1; }
int kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }

int fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}

void _exit(int code)
{
    panic("libc exit(%d) called (abort or failed assert in C library code)", code);
}

/* malloc's lock, recursive because Newlib's malloc may re-enter it on the same CPU. */
static struct spinlock malloc_lock = SPINLOCK_INIT; /* protects: Newlib's malloc arena */
static volatile int malloc_owner = -1;
static int malloc_depth;
static uint64_t malloc_flags;

void __malloc_lock(struct _reent *r)
{
    (void)r;
    int me = (int)current_cpu_id();
    if (malloc_owner == me) {
        malloc_depth++;
        return;
    }
    uint64_t flags = spin_lock_irqsave(&malloc_lock);
    malloc_owner = me;
    malloc_depth = 1;
    malloc_flags = flags;
}

void __malloc_unlock(struct _reent *r)
{
    (void)r;
    if (--malloc_depth > 0)
        return;
    uint64_t flags = malloc_flags;
    malloc_owner = -1;
    spin_unlock_irqrestore(&malloc_lock, flags);
}

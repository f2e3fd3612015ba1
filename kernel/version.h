/* Release identification printed in the boot banner. */
#ifndef EXITLESS_KERNEL_VERSION_H
#define EXITLESS_KERNEL_VERSION_H

#define EXITLESS_VERSION "0.1.0"
#ifndef EXITLESS_GIT_REV
#define EXITLESS_GIT_REV "unknown"
#endif

#endif

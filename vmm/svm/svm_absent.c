/* Placeholder until the SVM backend lands: SVM is reported unavailable, never selected. */
#include <stddef.h>

#include "vmm/vendor.h"

const struct vendor_ops svm_vendor_ops = { .name = "SVM" };

const char *svm_unavailable(void)
{
    return "the SVM backend is not part of this build yet";
}

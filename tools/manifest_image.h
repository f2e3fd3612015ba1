/* exitless-manifest --check-files: what each guest's image is, detected from its file as the
 * hypervisor's loader detects it, and whether it fits the guest as the manifest describes. */
#ifndef EXITLESS_TOOLS_MANIFEST_IMAGE_H
#define EXITLESS_TOOLS_MANIFEST_IMAGE_H

#include <stdbool.h>

#include <exitless/manifest.h>

/* Module paths are relative to the manifest's directory; `out` gets one relative to ours. */
void module_path(const char *manifest, const char *path, char *out, size_t size);

/* Checks every guest's image (and initrd size, command line) whose file can be read: errors
 * on stderr as file:line:col, one line per guest on stdout unless quiet. Returns the number
 * of errors. */
unsigned check_guest_images(const char *manifest, const struct mf_manifest *m, bool quiet);

#endif

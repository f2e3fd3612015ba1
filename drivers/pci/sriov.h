/* SR-IOV: enabling the VFs the manifest asks for on each NIC's physical function
 * (PCIe Base 4.0 chapter 9). */
#ifndef EXITLESS_DRIVERS_PCI_SRIOV_H
#define EXITLESS_DRIVERS_PCI_SRIOV_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/pci/pci.h"
#include "exitless/manifest.h"

/* SR-IOV extended capability registers (PCIe 4.0 section 9.3.3). */
#define SRIOV_CAP        0x04
#define SRIOV_CTRL       0x08
#define  SRIOV_CTRL_VFE    (1u << 0) /* VF Enable */
#define  SRIOV_CTRL_MSE    (1u << 3) /* VF Memory Space Enable */
#define  SRIOV_CTRL_ARI    (1u << 4)
#define SRIOV_INITIAL_VF 0x0c
#define SRIOV_TOTAL_VF   0x0e
#define SRIOV_NUM_VF     0x10
#define SRIOV_VF_OFFSET  0x14
#define SRIOV_VF_STRIDE  0x16
#define SRIOV_VF_DID     0x1a
#define SRIOV_SUP_PGSIZE 0x1c
#define SRIOV_SYS_PGSIZE 0x20
#define  SRIOV_PGSIZE_4K   (1u << 0)
#define SRIOV_VF_BAR0    0x24
#define SRIOV_VF_ENABLE_WAIT_US 100000 /* 9.3.3.3.1: 100 ms before VFs answer */

#define SRIOV_NO_OWNER 0xffu

struct sriov_vf {
    uint16_t bdf;
    uint8_t owner;      /* guest index in the manifest, SRIOV_NO_OWNER */
    struct pci_dev *dev;
};

struct sriov_nic {
    const struct mf_nic *mf;
    struct pci_dev *pf;
    uint16_t total_vfs, initial_vfs, offset, stride, vf_device;
    uint16_t num_vfs;
    struct pci_bar vf_bar[PCI_NUM_BARS]; /* VF0's BARs; VF i is at base + i * size */
    struct sriov_vf vfs[MF_MAX_VFS_PER_NIC];
};

/* The routing id of VF `i` (0-based) from the PF's (9.3.3.10/11); pure. */
static inline uint16_t sriov_vf_rid(uint16_t pf_bdf, uint16_t offset, uint16_t stride, unsigned i)
{
    return (uint16_t)(pf_bdf + offset + stride * i);
}

/* For each [[nic]]: finds the PF, checks and enables the VFs, places their BARs, enables
 * memory and bus mastering in each VF, logs the VF table with owners. A NIC that cannot be
 * set up is reported and left alone; returns false if any could not. */
bool sriov_init(const struct mf_manifest *m);
unsigned sriov_nic_count(void);
struct sriov_nic *sriov_nic_at(unsigned i);
/* The VF `index` of manifest NIC `nic`, or NULL. */
struct sriov_vf *sriov_vf(unsigned nic, unsigned index);

#endif

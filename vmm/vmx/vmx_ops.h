/* VMX instructions with checked results, and VMCS accessors whose width is checked at
 * compile time from the field encoding (SDM vol. 3, 25.11.2 and ch. 31). */
#ifndef EXITLESS_VMM_VMX_OPS_H
#define EXITLESS_VMM_VMX_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vmx/vmcs_fields.h"

/* Low-level forms: return 0, or -1 (VMfailInvalid: no current VMCS) / the VM-instruction
 * error number (VMfailValid). The callers below report failures with the caller's name. */
int vmx_vmwrite_raw(uint64_t field, uint64_t value);
int vmx_vmread_raw(uint64_t field, uint64_t *value);

/* Failing VMREAD/VMWRITE is a hypervisor bug: report field, error and caller, then panic. */
void vmcs_write_checked(uint32_t field, uint64_t value, const char *caller);
uint64_t vmcs_read_checked(uint32_t field, const char *caller);

#define VMCS_ASSERT_WIDTH(field, width)                                                     \
    _Static_assert(VMCS_FIELD_WIDTH(field) == (width), #field " has another width")

#define vmcs_write16(f, v) ({ VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_16); vmcs_write_checked(f, (uint16_t)(v), __func__); })
#define vmcs_write32(f, v) ({ VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_32); vmcs_write_checked(f, (uint32_t)(v), __func__); })
#define vmcs_write64(f, v) ({ VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_64); vmcs_write_checked(f, (uint64_t)(v), __func__); })
#define vmcs_writel(f, v)  ({ VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_NATURAL); vmcs_write_checked(f, (uint64_t)(v), __func__); })
#define vmcs_read16(f) ({ VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_16); (uint16_t)vmcs_read_checked(f, __func__); })
#define vmcs_read32(f) ({ VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_32); (uint32_t)vmcs_read_checked(f, __func__); })
#define vmcs_read64(f) ({ VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_64); vmcs_read_checked(f, __func__); })
#define vmcs_readl(f)  ({ VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_NATURAL); vmcs_read_checked(f, __func__); })

/* Each returns 0 or logs the failure (instruction, operand, VM-instruction error) and
 * returns a negative value. */
int vmx_on(uint64_t vmxon_phys) __attribute__((warn_unused_result));
int vmx_clear(uint64_t vmcs_phys) __attribute__((warn_unused_result));
int vmx_ptrld(uint64_t vmcs_phys) __attribute__((warn_unused_result));
int vmx_invept(int type, uint64_t eptp) __attribute__((warn_unused_result));
int vmx_invvpid(int type, uint16_t vpid, uint64_t gla) __attribute__((warn_unused_result));

/* Human name of a VM-instruction error number (SDM 31.4). */
const char *vmx_instruction_error_name(uint32_t err);

#endif

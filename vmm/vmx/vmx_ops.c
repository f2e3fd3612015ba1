/* VMX instruction wrappers: every failure is reported with operand, error and caller. */
#include "kernel/log.h"
#include "kernel/panic.h"
#include "vmm/vmx/vmx_ops.h"

/* After a VMX instruction: CF=1 VMfailInvalid, ZF=1 VMfailValid (SDM 31.2). */
#define VMX_RESULT(ok, cf, zf) ((cf) ? -1 : (zf) ? (int)vmx_instruction_error() : 0)

static uint32_t vmx_instruction_error(void)
{
    uint64_t err = 0;
    uint8_t cf, zf;
    __asm__ volatile("vmread %[f], %[v]; setc %[cf]; setz %[zf]"
                     : [v] "=rm"(err), [cf] "=qm"(cf), [zf] "=qm"(zf)
                     : [f] "r"((uint64_t)VM_INSTRUCTION_ERROR)
                     : "cc");
    return (cf || zf) ? 0 : (uint32_t)err;
}

int vmx_vmwrite_raw(uint64_t field, uint64_t value)
{
    uint8_t cf, zf;
    __asm__ volatile("vmwrite %[v], %[f]; setc %[cf]; setz %[zf]"
                     : [cf] "=qm"(cf), [zf] "=qm"(zf)
                     : [f] "r"(field), [v] "rm"(value)
                     : "cc", "memory");
    return VMX_RESULT(0, cf, zf);
}

int vmx_vmread_raw(uint64_t field, uint64_t *value)
{
    uint8_t cf, zf;
    uint64_t v = 0;
    __asm__ volatile("vmread %[f], %[v]; setc %[cf]; setz %[zf]"
                     : [v] "=rm"(v), [cf] "=qm"(cf), [zf] "=qm"(zf)
                     : [f] "r"(field)
                     : "cc");
    *value = v;
    return VMX_RESULT(0, cf, zf);
}

void vmcs_write_checked(uint32_t field, uint64_t value, const char *caller)
{
    int rc = vmx_vmwrite_raw(field, value);
    if (rc)
        panic("VMWRITE field %#x value %#lx from %s failed: %s (%d)", field, value, caller,
              rc < 0 ? "no current VMCS" : vmx_instruction_error_name((uint32_t)rc), rc);
}

uint64_t vmcs_read_checked(uint32_t field, const char *caller)
{
    uint64_t v;
    int rc = vmx_vmread_raw(field, &v);
    if (rc)
        panic("VMREAD field %#x from %s failed: %s (%d)", field, caller,
              rc < 0 ? "no current VMCS" : vmx_instruction_error_name((uint32_t)rc), rc);
    return v;
}

static int report(const char *insn, uint64_t operand, uint8_t cf, uint8_t zf)
{
    int rc = VMX_RESULT(0, cf, zf);
    if (rc)
        log_err("vmx", "%s %#lx failed: %s (%d)", insn, operand,
                rc < 0 ? "VMfailInvalid" : vmx_instruction_error_name((uint32_t)rc), rc);
    return rc ? -1 : 0;
}

#define VMX_MEM_OP(insn, phys)                                                             \
    ({                                                                                     \
        uint8_t cf_, zf_;                                                                  \
        uint64_t p_ = (phys);                                                              \
        __asm__ volatile(insn " %[p]; setc %[cf]; setz %[zf]"                              \
                         : [cf] "=qm"(cf_), [zf] "=qm"(zf_)                                \
                         : [p] "m"(p_)                                                     \
                         : "cc", "memory");                                                \
        report(insn, p_, cf_, zf_);                                                        \
    })

int vmx_on(uint64_t phys) { return VMX_MEM_OP("vmxon", phys); }
int vmx_clear(uint64_t phys) { return VMX_MEM_OP("vmclear", phys); }
int vmx_ptrld(uint64_t phys) { return VMX_MEM_OP("vmptrld", phys); }

int vmx_invept(int type, uint64_t eptp)
{
    struct { uint64_t eptp, zero; } desc = { eptp, 0 };
    uint8_t cf, zf;
    __asm__ volatile("invept %[d], %[t]; setc %[cf]; setz %[zf]"
                     : [cf] "=qm"(cf), [zf] "=qm"(zf)
                     : [d] "m"(desc), [t] "r"((uint64_t)type)
                     : "cc", "memory");
    return report("invept", eptp, cf, zf);
}

int vmx_invvpid(int type, uint16_t vpid, uint64_t gla)
{
    struct { uint64_t vpid, gla; } desc = { vpid, gla };
    uint8_t cf, zf;
    __asm__ volatile("invvpid %[d], %[t]; setc %[cf]; setz %[zf]"
                     : [cf] "=qm"(cf), [zf] "=qm"(zf)
                     : [d] "m"(desc), [t] "r"((uint64_t)type)
                     : "cc", "memory");
    return report("invvpid", vpid, cf, zf);
}

const char *vmx_instruction_error_name(uint32_t err)
{
    static const char *const names[] = {
        [1] = "VMCALL in VMX root operation",
        [2] = "VMCLEAR with invalid physical address",
        [3] = "VMCLEAR with VMXON pointer",
        [4] = "VMLAUNCH with non-clear VMCS",
        [5] = "VMRESUME with non-launched VMCS",
        [6] = "VMRESUME after VMXOFF",
        [7] = "VM entry with invalid control fields",
        [8] = "VM entry with invalid host-state fields",
        [9] = "VMPTRLD with invalid physical address",
        [10] = "VMPTRLD with VMXON pointer",
        [11] = "VMPTRLD with incorrect VMCS revision",
        [12] = "VMREAD/VMWRITE of unsupported VMCS component",
        [13] = "VMWRITE to read-only VMCS component",
        [15] = "VMXON in VMX root operation",
        [16] = "VM entry with invalid executive-VMCS pointer",
        [17] = "VM entry with non-launched executive VMCS",
        [18] = "VM entry with executive-VMCS pointer not VMXON pointer",
        [19] = "VMCALL with non-clear VMCS",
        [20] = "VMCALL with invalid VM-exit control fields",
        [22] = "VMCALL with incorrect MSEG revision",
        [23] = "VMXOFF under dual-monitor treatment",
        [24] = "VMCALL with invalid SMM-monitor features",
        [25] = "VM entry with invalid VM-execution controls in executive VMCS",
        [26] = "VM entry with events blocked by MOV SS",
        [28] = "invalid operand to INVEPT/INVVPID",
    };
    if (err < sizeof(names) / sizeof(names[0]) && names[err])
        return names[err];
    return "unknown VM-instruction error";
}

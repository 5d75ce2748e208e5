/**
 * Architectural constants the CPU interpreter uses. RFLAGS, CR0, CR4, EFER,
 * PTE, PF_ERROR, MSR and the exception vectors come from the shared `src/arch` definitions; the masks
 * and constants below are specific to the interpreter (or not yet in
 * `src/arch`). Every value cites the Intel SDM section that defines it.
 */
import { PTE_HIGH } from "../../arch/page-table-entry";
import { RFLAGS } from "../../arch/rflags";

export { CR0, CR4, EFER } from "../../arch/control-registers";
/** Exception vectors (SDM vol 3 table 6-1), under the name the interpreter uses. */
export { EXCEPTION as VECTOR } from "../../arch/exception-vectors";
export { MSR } from "../../arch/msr";
export { PF_ERROR } from "../../arch/page-fault-error";
export { PTE } from "../../arch/page-table-entry";
export { RFLAGS } from "../../arch/rflags";

/** The six arithmetic status flags (SDM vol 1 §3.4.3.1). */
export const STATUS_FLAGS = RFLAGS.CF | RFLAGS.PF | RFLAGS.AF | RFLAGS.ZF | RFLAGS.SF | RFLAGS.OF;

/** Flags POPF may change at CPL 3 with IOPL 0 (SDM vol 2 POPF: IF, IOPL, VIP, VIF, VM, RF unchanged). TF omitted: single-step is not emulated. */
export const POPF_USER_MASK = STATUS_FLAGS | RFLAGS.DF | RFLAGS.NT | RFLAGS.AC | RFLAGS.ID;

/** Flags restored by SYSRET from R11 (SDM vol 2 SYSRET: `RFLAGS ← (R11 & 3C7FD7H) | 2`). */
export const SYSRET_FLAGS_MASK = 0x3c7fd7;

/** Flags an IRET-style return to user mode restores from the frame (TF omitted: single-step is not emulated; VM/RF/VIF/VIP cleared). */
export const IRET_USER_MASK =
  STATUS_FLAGS | RFLAGS.IF | RFLAGS.DF | RFLAGS.IOPL | RFLAGS.NT | RFLAGS.AC | RFLAGS.ID;

/** Execute-disable (bit 63 of an entry): the high-word bit, under the name the MMU uses. */
export const PTE_HIGH_XD = PTE_HIGH.NX;

/** Maximum physical-address width this CPU reports in CPUID 0x80000008 (bits); PTE address bits above it are reserved. */
export const PHYSICAL_ADDRESS_BITS = 40;
/** Linear-address width (4-level paging). */
export const LINEAR_ADDRESS_BITS = 48;

/** IDT gate descriptor fields (SDM vol 3 §6.14.1, figure 6-8). */
export const IDT_GATE = {
  /** Bytes per gate in IA-32e mode. */
  SIZE: 16,
  /** Type field of a 64-bit interrupt gate. */
  TYPE_INTERRUPT: 0xe,
  /** Type field of a 64-bit trap gate. */
  TYPE_TRAP: 0xf,
  /** Present bit in the attribute byte (byte 5). */
  PRESENT: 1 << 7,
} as const;

/**
 * Architectural constants the CPU interpreter uses. RFLAGS, CR0, CR4, EFER,
 * PTE and PF_ERROR come from the shared `src/arch` definitions; the masks
 * and constants below are specific to the interpreter (or not yet in
 * `src/arch`). Every value cites the Intel SDM section that defines it.
 */
import { RFLAGS } from "../../arch/rflags";

export { CR0, CR4, EFER } from "../../arch/control-registers";
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

/** MSR indices the CPU implements (SDM vol 4 table 2-2). */
export const MSR = {
  IA32_TSC: 0x10,
  IA32_APIC_BASE: 0x1b,
  IA32_EFER: 0xc0000080,
  IA32_STAR: 0xc0000081,
  IA32_LSTAR: 0xc0000082,
  IA32_CSTAR: 0xc0000083,
  IA32_FMASK: 0xc0000084,
  IA32_FS_BASE: 0xc0000100,
  IA32_GS_BASE: 0xc0000101,
  IA32_KERNEL_GS_BASE: 0xc0000102,
  IA32_TSC_AUX: 0xc0000103,
} as const;

/** Execute-disable: bit 63 of an entry, i.e. bit 31 of its high word (SDM vol 3 §4.5). */
export const PTE_HIGH_XD = 1 << 31;

/** Exception vectors (SDM vol 3 §6.3.1, table 6-1). */
export const VECTOR = {
  DE: 0,
  DB: 1,
  NMI: 2,
  BP: 3,
  OF: 4,
  BR: 5,
  UD: 6,
  NM: 7,
  DF: 8,
  TS: 10,
  NP: 11,
  SS: 12,
  GP: 13,
  PF: 14,
  MF: 16,
  AC: 17,
  MC: 18,
  XM: 19,
} as const;

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

/**
 * Model-specific register indices the kernel and the emulator use, and the
 * fields of IA32_APIC_BASE, IA32_MISC_ENABLE and IA32_PAT.
 *
 * Invariants:
 * - Indices are the ECX values of RDMSR/WRMSR, numbers below 2^32.
 * - 64-bit MSR values travel as (low, high) uint32 halves on hot paths
 *   (`MsrAccess.writeHalves`) and as `bigint` at cold edges; constants
 *   named `..._HIGH` apply to the high half.
 * - The x2APIC range and its MMIO mapping live in `x2apic-msr.ts`.
 *
 * Source: Intel SDM vol 4 chapter 2, table 2-2 (architectural MSRs); vol 3A
 * §10.4.4 (IA32_APIC_BASE), §11.12.2 (IA32_PAT), §5.8.8 (SYSCALL MSRs).
 */

/** MSR indices (Intel SDM vol 4 table 2-2, architectural MSRs). */
export const MSR = {
  /** IA32_TIME_STAMP_COUNTER: the TSC, read by RDTSC. */
  TSC: 0x10,
  /** IA32_APIC_BASE: LAPIC base address and enable bits ({@link APIC_BASE}). */
  APIC_BASE: 0x1b,
  /** IA32_FEATURE_CONTROL: VMX/SMX enables and lock. */
  FEATURE_CONTROL: 0x3a,
  /** IA32_TSC_ADJUST: per-CPU offset added to the TSC. */
  TSC_ADJUST: 0x3b,
  /** IA32_SYSENTER_CS. */
  SYSENTER_CS: 0x174,
  /** IA32_SYSENTER_ESP. */
  SYSENTER_ESP: 0x175,
  /** IA32_SYSENTER_EIP. */
  SYSENTER_EIP: 0x176,
  /** IA32_MISC_ENABLE ({@link MISC_ENABLE}). */
  MISC_ENABLE: 0x1a0,
  /** IA32_PAT: the page attribute table ({@link PAT_MEMORY_TYPE}). */
  PAT: 0x277,
  /** IA32_TSC_DEADLINE: LAPIC timer deadline in TSC-deadline mode (SDM vol 3A §10.5.4.1). */
  TSC_DEADLINE: 0x6e0,
  /** First x2APIC register MSR (SDM vol 3A §10.12.1.2). */
  X2APIC_FIRST: 0x800,
  /** Last MSR of the x2APIC range this project models (0x800–0x8FF). */
  X2APIC_LAST: 0x8ff,
  /** IA32_EFER: extended feature enables (bits in `EFER`). */
  EFER: 0xc0000080,
  /** IA32_STAR: SYSCALL/SYSRET segment selectors (see `segment-selector.ts`). */
  STAR: 0xc0000081,
  /** IA32_LSTAR: RIP of the 64-bit SYSCALL entry point. */
  LSTAR: 0xc0000082,
  /** IA32_CSTAR: RIP of the compatibility-mode SYSCALL entry (unused by Intel CPUs). */
  CSTAR: 0xc0000083,
  /** IA32_FMASK (SFMASK): RFLAGS bits SYSCALL clears. */
  FMASK: 0xc0000084,
  /** IA32_FS_BASE: FS segment base. */
  FS_BASE: 0xc0000100,
  /** IA32_GS_BASE: GS segment base. */
  GS_BASE: 0xc0000101,
  /** IA32_KERNEL_GS_BASE: swapped with GS base by SWAPGS. */
  KERNEL_GS_BASE: 0xc0000102,
  /** IA32_TSC_AUX: value RDTSCP and RDPID return (Linux: CPU and node number). */
  TSC_AUX: 0xc0000103,
} as const;

/** IA32_APIC_BASE fields (Intel SDM vol 3A §10.4.4, fig. 10-5; §10.12.1 for EXTD). */
export const APIC_BASE = {
  /** BSP (bit 8): read-only, set on the bootstrap processor. */
  BSP: 0x100,
  /** EXTD (bit 10): x2APIC mode enable (with EN). */
  EXTD: 0x400,
  /** EN (bit 11): APIC global enable. */
  EN: 0x800,
  /** Low-half bits of the APIC base physical address (bits 31:12). */
  BASE_MASK_LOW: 0xfffff000,
  /** Reserved low-half bits 7:0 and 9. */
  RESERVED_LOW: 0x2ff,
  /** Default xAPIC MMIO base after reset (SDM vol 3A §10.4.1). */
  DEFAULT_BASE: 0xfee00000,
} as const;

/** IA32_MISC_ENABLE bits the kernel may look at (Intel SDM vol 4 table 2-2). */
export const MISC_ENABLE = {
  /** Fast-strings enable (bit 0): REP MOVS/STOS fast path. */
  FAST_STRINGS: 0x1,
  /** Enhanced Intel SpeedStep enable (bit 16). */
  ENHANCED_SPEEDSTEP: 0x10000,
  /** ENABLE MONITOR FSM (bit 18): MONITOR/MWAIT supported. */
  MONITOR: 0x40000,
  /** Limit CPUID maxval (bit 22): leaf 0 reports at most 2. */
  LIMIT_CPUID_MAXVAL: 0x400000,
  /** xTPR message disable (bit 23). */
  XTPR_DISABLE: 0x800000,
  /** XD bit disable (bit 34, high-half bit 2): hides NX when set. */
  XD_DISABLE_HIGH: 0x4,
} as const;

/** Memory types an IA32_PAT entry can hold (Intel SDM vol 3A §11.12.2, table 11-10). */
export const PAT_MEMORY_TYPE = {
  /** Uncacheable. */
  UC: 0,
  /** Write combining. */
  WC: 1,
  /** Write through. */
  WT: 4,
  /** Write protected. */
  WP: 5,
  /** Write back. */
  WB: 6,
  /** Uncached (UC-): UC that MTRR WC can override. */
  UC_MINUS: 7,
} as const;

/**
 * IA32_PAT after reset: PA0..PA7 = WB, WT, UC-, UC, WB, WT, UC-, UC, i.e.
 * 0x0007040600070406, as halves (Intel SDM vol 3A §11.12.4, table 11-12).
 */
export const PAT_RESET_VALUE = {
  /** PA3..PA0 = UC, UC-, WT, WB. */
  LOW: 0x00070406,
  /** PA7..PA4 = UC, UC-, WT, WB. */
  HIGH: 0x00070406,
} as const;

const PAT_ENTRY_BITS = 8;
const PAT_ENTRIES_PER_HALF = 4;
const PAT_TYPE_MASK = 0x7;
const PAT_FIELD_MASK = 0xff;
const PAT_ENTRY_COUNT = 8;
const TWO_POW_32 = 4294967296;
/** Physical-address bits 51:32 in the high half of IA32_APIC_BASE. */
const APIC_BASE_ADDRESS_MASK_HIGH = 0xfffff;

function patField(low: number, high: number, index: number): number {
  const half = index < PAT_ENTRIES_PER_HALF ? low : high;
  return (half >>> ((index % PAT_ENTRIES_PER_HALF) * PAT_ENTRY_BITS)) & PAT_FIELD_MASK;
}

/** Memory type (bits 2:0) of PAT entry `index` (0–7) in an IA32_PAT value given as halves. */
export function patEntry(low: number, high: number, index: number): number {
  return patField(low, high, index) & PAT_TYPE_MASK;
}

/**
 * PAT index (0–7) a page-mapping entry selects: PAT * 4 + PCD * 2 + PWT
 * (Intel SDM vol 3A §11.12.3, table 11-11). `patBit`, `pcd`, `pwt` are 0/1.
 */
export function patIndex(patBit: number, pcd: number, pwt: number): number {
  return ((patBit & 1) << 2) | ((pcd & 1) << 1) | (pwt & 1);
}

/** True if `type` is one of the {@link PAT_MEMORY_TYPE} values (2, 3 and 8+ are reserved). */
export function isPatMemoryType(type: number): boolean {
  return (
    type === PAT_MEMORY_TYPE.UC ||
    type === PAT_MEMORY_TYPE.WC ||
    type === PAT_MEMORY_TYPE.WT ||
    type === PAT_MEMORY_TYPE.WP ||
    type === PAT_MEMORY_TYPE.WB ||
    type === PAT_MEMORY_TYPE.UC_MINUS
  );
}

/**
 * True if every byte of an IA32_PAT value holds a defined memory type; a
 * WRMSR of anything else raises #GP(0) (Intel SDM vol 3A §11.12.2).
 */
export function isValidPat(low: number, high: number): boolean {
  for (let index = 0; index < PAT_ENTRY_COUNT; index++) {
    if (!isPatMemoryType(patField(low, high, index))) return false;
  }
  return true;
}

/** Physical base address in IA32_APIC_BASE (bits MAXPHYADDR-1:12) given as halves; a number below 2^52. */
export function apicBaseAddress(low: number, high: number): number {
  return (high & APIC_BASE_ADDRESS_MASK_HIGH) * TWO_POW_32 + ((low & APIC_BASE.BASE_MASK_LOW) >>> 0);
}

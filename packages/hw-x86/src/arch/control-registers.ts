/**
 * Control registers CR0, CR3, CR4 and the IA32_EFER MSR: their bits, the
 * reserved-bit masks a MOV to CRn / WRMSR checks (#GP(0) when one is set),
 * and CR3's address and PCID fields.
 *
 * Invariants:
 * - 64-bit registers travel as two uint32 halves (low, high). Every constant
 *   here is a non-negative number below 2^32; constants named `..._HIGH`
 *   apply to the high half.
 * - Reserved masks describe an Intel 64 CPU: bits the SDM defines for AMD only
 *   (EFER.SVME, EFER.FFXSR, ...) count as reserved.
 *
 * Source: Intel SDM vol 3A §2.5 (control registers, fig. 2-7), §2.2.1 and
 * vol 4 table 2-2 (IA32_EFER), §4.5 (CR3 in 4-level paging, table 4-12).
 */

/** CR0 bits (Intel SDM vol 3A §2.5, fig. 2-7). */
export const CR0 = {
  /** Protection enable (bit 0). */
  PE: 0x1,
  /** Monitor coprocessor (bit 1): WAIT/FWAIT honour TS. */
  MP: 0x2,
  /** Emulation (bit 2): x87 instructions raise #NM; SSE raises #UD. */
  EM: 0x4,
  /** Task switched (bit 3): the next x87/SSE instruction raises #NM (lazy FPU switching). */
  TS: 0x8,
  /** Extension type (bit 4): hardwired to 1. */
  ET: 0x10,
  /** Numeric error (bit 5): x87 errors are reported as #MF. */
  NE: 0x20,
  /** Write protect (bit 16): supervisor writes honour read-only pages. */
  WP: 0x10000,
  /** Alignment mask (bit 18): enables #AC together with RFLAGS.AC at CPL 3. */
  AM: 0x40000,
  /** Not write-through (bit 29). */
  NW: 0x20000000,
  /** Cache disable (bit 30). */
  CD: 0x40000000,
  /** Paging (bit 31). */
  PG: 0x80000000,
} as const;

/** CR0 bits 31:0 that are reserved (bits 15:6, 17, 28:19); writing 1 raises #GP(0). Bits 63:32 are all reserved (SDM vol 3A §2.5). */
export const CR0_RESERVED_MASK = 0x1ffaffc0;

/** CR3 fields under 4-level paging (Intel SDM vol 3A §4.5, table 4-12; §4.10.1 for PCIDs). */
export const CR3 = {
  /** Page-level write-through for the PML4 table (bit 3); ignored when CR4.PCIDE = 1. */
  PWT: 0x8,
  /** Page-level cache disable for the PML4 table (bit 4); ignored when CR4.PCIDE = 1. */
  PCD: 0x10,
  /** Process-context identifier (bits 11:0) when CR4.PCIDE = 1. */
  PCID_MASK: 0xfff,
  /** Low-half bits of the PML4 table's physical address (bits 31:12). */
  ADDRESS_MASK_LOW: 0xfffff000,
  /** High half of a MOV to CR3 operand: bit 63, "do not flush" this PCID's TLB entries (PCIDE = 1); never stored in CR3. */
  NO_FLUSH_HIGH: 0x80000000,
} as const;

/** CR4 bits (Intel SDM vol 3A §2.5, fig. 2-7; LAM_SUP per §4.4 of the LAM chapter). */
export const CR4 = {
  /** Virtual-8086 mode extensions (bit 0). */
  VME: 0x1,
  /** Protected-mode virtual interrupts (bit 1). */
  PVI: 0x2,
  /** Time stamp disable (bit 2): RDTSC/RDTSCP raise #GP at CPL > 0. */
  TSD: 0x4,
  /** Debugging extensions (bit 3). */
  DE: 0x8,
  /** Page size extensions (bit 4); ignored in long mode. */
  PSE: 0x10,
  /** Physical address extension (bit 5); required for long mode. */
  PAE: 0x20,
  /** Machine-check enable (bit 6). */
  MCE: 0x40,
  /** Page global enable (bit 7): PTE.G translations survive CR3 writes. */
  PGE: 0x80,
  /** Performance-monitoring counter enable (bit 8): RDPMC at any CPL. */
  PCE: 0x100,
  /** OS supports FXSAVE/FXRSTOR (bit 9): enables SSE instructions. */
  OSFXSR: 0x200,
  /** OS supports unmasked SIMD floating-point exceptions (bit 10): #XM instead of #UD. */
  OSXMMEXCPT: 0x400,
  /** User-mode instruction prevention (bit 11): SGDT, SIDT, SLDT, SMSW, STR raise #GP at CPL > 0. */
  UMIP: 0x800,
  /** 57-bit linear addresses, 5-level paging (bit 12). */
  LA57: 0x1000,
  /** VMX enable (bit 13). */
  VMXE: 0x2000,
  /** SMX enable (bit 14). */
  SMXE: 0x4000,
  /** RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE enable (bit 16). */
  FSGSBASE: 0x10000,
  /** PCID enable (bit 17). */
  PCIDE: 0x20000,
  /** XSAVE and processor extended states enable (bit 18). */
  OSXSAVE: 0x40000,
  /** Key Locker enable (bit 19). */
  KL: 0x80000,
  /** Supervisor-mode execution prevention (bit 20). */
  SMEP: 0x100000,
  /** Supervisor-mode access prevention (bit 21). */
  SMAP: 0x200000,
  /** Protection keys for user-mode pages (bit 22). */
  PKE: 0x400000,
  /** Control-flow enforcement technology (bit 23). */
  CET: 0x800000,
  /** Protection keys for supervisor-mode pages (bit 24). */
  PKS: 0x1000000,
  /** User interrupts enable (bit 25). */
  UINTR: 0x2000000,
  /** Linear-address masking for supervisor pointers (bit 28). */
  LAM_SUP: 0x10000000,
} as const;

/** CR4 bits 31:0 that are reserved (15, 27:26, 31:29); bits 63:32 are all reserved (SDM vol 3A §2.5). */
export const CR4_RESERVED_MASK = 0xec008000;

/** IA32_EFER bits (Intel SDM vol 3A §2.2.1, vol 4 table 2-2, MSR 0xC0000080). */
export const EFER = {
  /** SYSCALL/SYSRET enable (bit 0). */
  SCE: 0x1,
  /** Long mode enable (bit 8). */
  LME: 0x100,
  /** Long mode active (bit 10): read-only, set by the CPU when LME = 1 and CR0.PG = 1. */
  LMA: 0x400,
  /** No-execute enable (bit 11): makes bit 63 of paging entries the XD bit instead of reserved. */
  NXE: 0x800,
} as const;

/** EFER bits 31:0 reserved on Intel 64 (all but SCE, LME, LMA, NXE); bits 63:32 are all reserved (SDM vol 4 table 2-2). */
export const EFER_RESERVED_MASK = 0xfffff2fe;

const TWO_POW_32 = 4294967296;
const ADDRESS_BITS_IN_HIGH_HALF = 20;

/** True if a 64-bit CR0 value (low, high) sets a reserved bit (MOV to CR0 would raise #GP(0); SDM vol 3A §2.5). */
export function hasCr0ReservedBits(low: number, high: number): boolean {
  return (low & CR0_RESERVED_MASK) !== 0 || high !== 0;
}

/** True if a 64-bit CR4 value (low, high) sets a reserved bit (MOV to CR4 would raise #GP(0); SDM vol 3A §2.5). */
export function hasCr4ReservedBits(low: number, high: number): boolean {
  return (low & CR4_RESERVED_MASK) !== 0 || high !== 0;
}

/** True if a 64-bit EFER value (low, high) sets a reserved bit (WRMSR would raise #GP(0); SDM vol 4 table 2-2). */
export function hasEferReservedBits(low: number, high: number): boolean {
  return (low & EFER_RESERVED_MASK) !== 0 || high !== 0;
}

/** Physical address of the PML4 table held in CR3 (bits MAXPHYADDR-1:12), as a number below 2^52 (SDM vol 3A table 4-12). */
export function cr3Address(low: number, high: number): number {
  return (high & ((1 << ADDRESS_BITS_IN_HIGH_HALF) - 1)) * TWO_POW_32 + ((low & CR3.ADDRESS_MASK_LOW) >>> 0);
}

/** The PCID field (bits 11:0) of CR3; meaningful only when CR4.PCIDE = 1 (SDM vol 3A §4.10.1). */
export function cr3Pcid(low: number): number {
  return low & CR3.PCID_MASK;
}

/**
 * High-half mask of CR3 bits that are reserved for a CPU with `maxPhysAddr`
 * physical-address bits (bits 63:MAXPHYADDR, except bit 63 which a MOV to
 * CR3 consumes as {@link CR3.NO_FLUSH_HIGH}). `maxPhysAddr` is in [32, 52].
 */
export function cr3ReservedHighMask(maxPhysAddr: number): number {
  return (~((1 << (maxPhysAddr - 32)) - 1) & ~CR3.NO_FLUSH_HIGH) >>> 0;
}

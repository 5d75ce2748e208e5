/**
 * RFLAGS: the bits of the x86-64 flags register, the masks the emulator and
 * the kernel need to apply POPF / IRET / sigreturn rules, and IOPL helpers.
 *
 * Invariants:
 * - Every constant is a non-negative number below 2^32 (RFLAGS bits 63:22 are
 *   reserved, so the whole register fits the low half).
 * - Bit 1 ({@link RFLAGS.FIXED}) always reads as 1; bits 3, 5, 15 and 31:22
 *   always read as 0 ({@link RFLAGS_RESERVED_MASK}).
 *
 * Source: Intel SDM vol 1 §3.4.3 (EFLAGS), vol 3A §2.3 (system flags),
 * vol 2B POPF (which flags POPF may change at which privilege).
 */

/** RFLAGS bits (Intel SDM vol 1 §3.4.3, fig. 3-8; vol 3A §2.3). */
export const RFLAGS = {
  /** Carry flag (bit 0). */
  CF: 0x1,
  /** Reserved bit 1: always reads 1 (SDM vol 1 §3.4.3). */
  FIXED: 0x2,
  /** Parity flag (bit 2): low byte of the result has an even number of set bits. */
  PF: 0x4,
  /** Auxiliary carry flag (bit 4): carry out of bit 3, for BCD. */
  AF: 0x10,
  /** Zero flag (bit 6). */
  ZF: 0x40,
  /** Sign flag (bit 7). */
  SF: 0x80,
  /** Trap flag (bit 8): single-step, raises #DB after each instruction. */
  TF: 0x100,
  /** Interrupt enable flag (bit 9): maskable interrupts are accepted when set. */
  IF: 0x200,
  /** Direction flag (bit 10): string instructions decrement when set. */
  DF: 0x400,
  /** Overflow flag (bit 11). */
  OF: 0x800,
  /** I/O privilege level field (bits 13:12), see {@link RFLAGS_IOPL_SHIFT}. */
  IOPL: 0x3000,
  /** Nested task flag (bit 14). */
  NT: 0x4000,
  /** Resume flag (bit 16): suppresses instruction-breakpoint #DB for one instruction. */
  RF: 0x10000,
  /** Virtual-8086 mode (bit 17); always 0 in long mode. */
  VM: 0x20000,
  /** Alignment check / access control (bit 18): #AC at CPL 3 with CR0.AM; SMAP override at CPL 0. */
  AC: 0x40000,
  /** Virtual interrupt flag (bit 19). */
  VIF: 0x80000,
  /** Virtual interrupt pending (bit 20). */
  VIP: 0x100000,
  /** ID flag (bit 21): software can toggle it iff CPUID is supported. */
  ID: 0x200000,
} as const;

/** Shift of the IOPL field in RFLAGS (bits 13:12; SDM vol 3A §2.3). */
export const RFLAGS_IOPL_SHIFT = 12;

/** Bits that always read as 0: 3, 5, 15 and 31:22; bits 63:32 are reserved too (SDM vol 1 §3.4.3). */
export const RFLAGS_RESERVED_MASK = 0xffc08028;

/** The six arithmetic status flags CF, PF, AF, ZF, SF, OF (SDM vol 1 §3.4.3.1): what lazy-flag evaluation produces. */
export const RFLAGS_STATUS_MASK = RFLAGS.CF | RFLAGS.PF | RFLAGS.AF | RFLAGS.ZF | RFLAGS.SF | RFLAGS.OF;

/**
 * Flags POPF may change at CPL 3 when IOPL < 3, the Linux user-mode case
 * (SDM vol 2B POPF, 64-bit mode operation): the status flags, TF, DF, NT, AC
 * and ID. IF and IOPL stay unchanged, VIF/VIP/VM are untouched and RF is
 * cleared. See {@link popfWritableMask} for other CPL/IOPL combinations.
 */
export const RFLAGS_POPF_USER_MASK =
  RFLAGS_STATUS_MASK | RFLAGS.TF | RFLAGS.DF | RFLAGS.NT | RFLAGS.AC | RFLAGS.ID;

/** RFLAGS after reset and in a fresh user context: only the fixed bit 1 set (SDM vol 3A §9.1.1, table 9-1). */
export const RFLAGS_RESET_VALUE = RFLAGS.FIXED;

/**
 * The flags POPF (64-bit mode) may change at `cpl` with the current `iopl`
 * (SDM vol 2B POPF): {@link RFLAGS_POPF_USER_MASK}, plus IF when
 * `cpl <= iopl`, plus IOPL when `cpl === 0`. RF is always cleared by POPF and
 * VIF, VIP, VM are never changed, so none of them is in the mask.
 */
export function popfWritableMask(cpl: number, iopl: number): number {
  let mask = RFLAGS_POPF_USER_MASK;
  if (cpl <= iopl) mask |= RFLAGS.IF;
  if (cpl === 0) mask |= RFLAGS.IOPL;
  return mask;
}

/**
 * The RFLAGS value after POPF pops `popped` at `cpl`/`iopl` when the flags
 * were `current` (SDM vol 2B POPF): writable bits come from `popped`, the
 * others from `current`, RF is cleared and bit 1 forced on. Unsigned result.
 */
export function applyPopf(current: number, popped: number, cpl: number, iopl: number): number {
  const mask = popfWritableMask(cpl, iopl);
  const merged = (current & ~mask) | (popped & mask);
  return ((merged & ~(RFLAGS.RF | RFLAGS_RESERVED_MASK)) | RFLAGS.FIXED) >>> 0;
}

/** The IOPL field (0–3) of an RFLAGS value (SDM vol 3A §2.3). */
export function rflagsIopl(rflags: number): number {
  return (rflags & RFLAGS.IOPL) >>> RFLAGS_IOPL_SHIFT;
}

/** `rflags` with its IOPL field replaced by `iopl` (taken modulo 4). Unsigned result. */
export function withRflagsIopl(rflags: number, iopl: number): number {
  return ((rflags & ~RFLAGS.IOPL) | ((iopl << RFLAGS_IOPL_SHIFT) & RFLAGS.IOPL)) >>> 0;
}

const FLAG_NAMES: readonly (readonly [string, number])[] = [
  ["ID", RFLAGS.ID],
  ["VIP", RFLAGS.VIP],
  ["VIF", RFLAGS.VIF],
  ["AC", RFLAGS.AC],
  ["VM", RFLAGS.VM],
  ["RF", RFLAGS.RF],
  ["NT", RFLAGS.NT],
  ["OF", RFLAGS.OF],
  ["DF", RFLAGS.DF],
  ["IF", RFLAGS.IF],
  ["TF", RFLAGS.TF],
  ["SF", RFLAGS.SF],
  ["ZF", RFLAGS.ZF],
  ["AF", RFLAGS.AF],
  ["PF", RFLAGS.PF],
  ["CF", RFLAGS.CF],
];

/**
 * Debug text for an RFLAGS value, most significant flag first, e.g.
 * `"[IF ZF IOPL=0]"` (cold path; allocates).
 */
export function formatRflags(rflags: number): string {
  const names: string[] = [];
  for (const [name, bit] of FLAG_NAMES) if ((rflags & bit) !== 0) names.push(name);
  names.push(`IOPL=${rflagsIopl(rflags)}`);
  return `[${names.join(" ")}]`;
}

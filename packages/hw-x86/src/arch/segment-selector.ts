/**
 * Segment selectors, the Linux-compatible GDT layout tsos uses, and the
 * IA32_STAR convention that gives SYSCALL and SYSRET their selectors.
 *
 * Selector (16 bits): RPL in bits 1:0, TI (0 = GDT, 1 = LDT) in bit 2, the
 * descriptor index in bits 15:3; selector = index * 8 + TI * 4 + RPL.
 *
 * STAR (64 bits; the selectors live in the high half):
 * - STAR[47:32]: SYSCALL loads CS = this & 0xFFFC and SS = this + 8;
 * - STAR[63:48]: SYSRET to 64-bit mode loads CS = this + 16 and SS = this + 8,
 *   both with RPL forced to 3 (to compatibility mode: CS = this).
 * Linux sets STAR[47:32] = kernel CS (0x10) and STAR[63:48] = user32 CS (0x23),
 * which yields user CS 0x33 and user SS 0x2b, as {@link GDT_SELECTOR} lists.
 *
 * Invariants: pure, allocation-free (except the decode object), 16-bit results.
 *
 * Source: Intel SDM vol 3A §3.4.2 (segment selectors, fig. 3-6), §5.8.8
 * (SYSCALL/SYSRET, fig. 5-14); vol 2B SYSCALL and SYSRET pseudo-code.
 */

/** Segment-selector fields (Intel SDM vol 3A §3.4.2, fig. 3-6). */
export const SELECTOR = {
  /** Requested privilege level, bits 1:0. */
  RPL_MASK: 0x3,
  /** Table indicator, bit 2: 1 = LDT, 0 = GDT. */
  TI_LDT: 0x4,
  /** Shift of the descriptor index (bits 15:3). */
  INDEX_SHIFT: 3,
  /** Mask of a 16-bit selector. */
  MASK: 0xffff,
} as const;

/**
 * GDT selectors of the Linux x86-64 layout, which tsos mirrors so guest
 * programs see the same CS/SS values as on Linux (Linux
 * arch/x86/include/asm/segment.h; SDM vol 3A §5.8.8 for the STAR constraints).
 */
export const GDT_SELECTOR = {
  /** 64-bit kernel code, GDT index 2, RPL 0. */
  KERNEL_CS: 0x10,
  /** Kernel data/stack, GDT index 3, RPL 0 (= KERNEL_CS + 8, as SYSCALL requires). */
  KERNEL_DS: 0x18,
  /** 32-bit user code, GDT index 4, RPL 3 (the STAR[63:48] base). */
  USER32_CS: 0x23,
  /** User data/stack, GDT index 5, RPL 3 (= base + 8, as SYSRET requires). */
  USER_DS: 0x2b,
  /** 64-bit user code, GDT index 6, RPL 3 (= base + 16, as SYSRET requires). */
  USER_CS: 0x33,
} as const;

/** IA32_STAR high-half fields (Intel SDM vol 3A §5.8.8, fig. 5-14). */
export const STAR = {
  /** STAR[47:32], bits 15:0 of the high half: SYSCALL CS (SS = CS + 8). */
  SYSCALL_CS_MASK_HIGH: 0xffff,
  /** STAR[63:48], bits 31:16 of the high half: SYSRET selector base. */
  SYSRET_BASE_MASK_HIGH: 0xffff0000,
  /** Shift of the SYSRET base within the high half. */
  SYSRET_BASE_SHIFT_HIGH: 16,
  /** SS = CS + 8 for SYSCALL; SS = base + 8 for SYSRET. */
  SS_OFFSET: 8,
  /** 64-bit CS = base + 16 for SYSRET. */
  CS64_OFFSET: 16,
  /** RPL that SYSRET forces onto CS and SS. */
  USER_RPL: 3,
} as const;

/** Builds a selector from a descriptor `index`, table (`ldt` true = LDT) and `rpl`. */
export function encodeSelector(index: number, ldt: boolean, rpl: number): number {
  const table = ldt ? SELECTOR.TI_LDT : 0;
  return ((index << SELECTOR.INDEX_SHIFT) | table | (rpl & SELECTOR.RPL_MASK)) & SELECTOR.MASK;
}

/** The descriptor index (bits 15:3) of a selector. */
export function selectorIndex(selector: number): number {
  return (selector & SELECTOR.MASK) >>> SELECTOR.INDEX_SHIFT;
}

/** The RPL (bits 1:0) of a selector. */
export function selectorRpl(selector: number): number {
  return selector & SELECTOR.RPL_MASK;
}

/** True if the selector's TI bit selects the LDT. */
export function selectorIsLdt(selector: number): boolean {
  return (selector & SELECTOR.TI_LDT) !== 0;
}

/**
 * High half of IA32_STAR: `syscallCs` in STAR[47:32], `sysretBase` in
 * STAR[63:48]. The low half (STAR[31:0], the legacy 32-bit SYSCALL EIP) is
 * unused in long mode and conventionally 0.
 */
export function encodeStarHigh(syscallCs: number, sysretBase: number): number {
  return (
    ((syscallCs & STAR.SYSCALL_CS_MASK_HIGH) |
      ((sysretBase << STAR.SYSRET_BASE_SHIFT_HIGH) & STAR.SYSRET_BASE_MASK_HIGH)) >>>
    0
  );
}

/** STAR's high half as Linux programs it: kernel CS 0x10, SYSRET base = user32 CS 0x23. */
export const LINUX_STAR_HIGH = encodeStarHigh(GDT_SELECTOR.KERNEL_CS, GDT_SELECTOR.USER32_CS);

/** CS that SYSCALL loads: STAR[47:32] with RPL cleared (SDM vol 2B SYSCALL). */
export function syscallCs(starHigh: number): number {
  return starHigh & STAR.SYSCALL_CS_MASK_HIGH & ~SELECTOR.RPL_MASK;
}

/** SS that SYSCALL loads: STAR[47:32] + 8 (SDM vol 2B SYSCALL). */
export function syscallSs(starHigh: number): number {
  return ((starHigh & STAR.SYSCALL_CS_MASK_HIGH) + STAR.SS_OFFSET) & SELECTOR.MASK;
}

/** The SYSRET selector base, STAR[63:48]. */
export function sysretBase(starHigh: number): number {
  return starHigh >>> STAR.SYSRET_BASE_SHIFT_HIGH;
}

/** CS that a 64-bit SYSRET loads: (STAR[63:48] + 16) with RPL 3 (SDM vol 2B SYSRET). */
export function sysretCs64(starHigh: number): number {
  return ((sysretBase(starHigh) + STAR.CS64_OFFSET) | STAR.USER_RPL) & SELECTOR.MASK;
}

/** SS that SYSRET loads: (STAR[63:48] + 8) with RPL 3 (SDM vol 2B SYSRET). */
export function sysretSs(starHigh: number): number {
  return ((sysretBase(starHigh) + STAR.SS_OFFSET) | STAR.USER_RPL) & SELECTOR.MASK;
}

/** CS that a SYSRET to compatibility mode (32-bit operand size) loads: STAR[63:48] with RPL 3. */
export function sysretCs32(starHigh: number): number {
  return sysretBase(starHigh) | STAR.USER_RPL;
}

/** The selectors a STAR value gives SYSCALL and SYSRET (see {@link decodeStar}). */
export interface StarSelectors {
  /** CS after SYSCALL. */
  readonly syscallCs: number;
  /** SS after SYSCALL. */
  readonly syscallSs: number;
  /** CS after a 64-bit SYSRET. */
  readonly sysretCs64: number;
  /** CS after a compatibility-mode SYSRET. */
  readonly sysretCs32: number;
  /** SS after SYSRET. */
  readonly sysretSs: number;
}

/** Every selector a STAR high half implies (cold path: allocates). */
export function decodeStar(starHigh: number): StarSelectors {
  return {
    syscallCs: syscallCs(starHigh),
    syscallSs: syscallSs(starHigh),
    sysretCs64: sysretCs64(starHigh),
    sysretCs32: sysretCs32(starHigh),
    sysretSs: sysretSs(starHigh),
  };
}

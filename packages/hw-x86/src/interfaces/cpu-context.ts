/**
 * The user-mode register file of one CPU (or one saved task), as the kernel
 * reads and writes it on traps and context switches.
 *
 * Layout: `regs` is a `Uint32Array` of {@link CONTEXT_WORDS} words holding
 * 64-bit slots as (low, high) pairs: slot `s` lives at words `2*s` and
 * `2*s + 1`. Slots 0–15 are the general-purpose registers in x86 encoding
 * order ({@link GPR}); then RIP, RFLAGS, FS base and GS base ({@link SLOT}).
 * `xmm` holds XMM0–XMM15 as four little-endian words each, `mxcsr` the
 * SSE control/status register, and `fpu` the x87 registers and control words
 * ({@link FPU}): together, what `fxsave` saves for user code.
 *
 * A context switch is therefore two typed-array copies
 * (`saved.regs.set(cpu.regs)`, `saved.xmm.set(cpu.xmm)`), no allocation.
 * Reading and writing go through the helpers below, which keep the x86 rules
 * (a 32-bit write zero-extends; `-errno` returns are sign-extended).
 */
export interface CpuContext {
  /** 64-bit slots as (low, high) 32-bit pairs; see {@link GPR} and {@link SLOT}. */
  readonly regs: Uint32Array;
  /** XMM0–XMM15, four 32-bit words each, least significant word first. */
  readonly xmm: Uint32Array;
  /** MXCSR (SSE control and status). */
  mxcsr: number;
  /** The x87 FPU: registers and control/status words, laid out as {@link FPU}. */
  readonly fpu: Uint32Array;
}

/**
 * Word offsets in {@link CpuContext.fpu}. Physical register R`i` (not ST(i):
 * ST(i) is R((TOP + i) mod 8)) is three words from `3·i`: significand low,
 * significand high (integer bit 31), sign and exponent (bits 15..0). Then
 * FCW, FSW (TOP in bits 13..11), the tag word (2 bits per physical
 * register, 11 = empty; non-empty registers are stored as 00 and their real
 * tag is computed when a tag word is written out), FOP, and the last
 * instruction and operand pointers (0: not tracked).
 */
export const FPU = {
  /** R0–R7 (physical registers, not ST(i)), three words each: significand low, high, sign and exponent. */
  REGISTERS: 0,
  /** Control word. */
  FCW: 24,
  /** Status word (TOP in bits 11–13). */
  FSW: 25,
  /** Full tag word (2 bits per physical register). */
  FTW: 26,
  /** Last opcode. */
  FOP: 27,
  /** Last instruction pointer (two words). */
  FIP: 28,
  /** Last data pointer (two words). */
  FDP: 30,
} as const;
/** Length of {@link CpuContext.fpu} in 32-bit words. */
export const FPU_WORDS = 32;
/** FCW after FNINIT and for a new Linux process: all exceptions masked, 64-bit precision, round to nearest (SDM vol 1 §8.1.5). */
export const FCW_DEFAULT = 0x037f;
/** Tag word with every register empty. */
export const FTW_EMPTY = 0xffff;

/** Puts the FPU words into the FNINIT state. */
export function resetFpu(fpu: Uint32Array): void {
  fpu.fill(0);
  fpu[FPU.FCW] = FCW_DEFAULT;
  fpu[FPU.FTW] = FTW_EMPTY;
}

/** General-purpose register slots, in the order x86 encodes them in ModRM/REX. */
export const GPR = {
  /** RAX: accumulator; syscall number in, return value out. */
  RAX: 0,
  /** RCX: counter; SYSCALL saves the return RIP here. */
  RCX: 1,
  /** RDX: data; third syscall argument. */
  RDX: 2,
  /** RBX: base; callee-saved. */
  RBX: 3,
  /** RSP: user stack pointer. */
  RSP: 4,
  /** RBP: frame pointer; callee-saved. */
  RBP: 5,
  /** RSI: second syscall argument. */
  RSI: 6,
  /** RDI: first syscall argument. */
  RDI: 7,
  /** R8: fifth syscall argument. */
  R8: 8,
  /** R9: sixth syscall argument. */
  R9: 9,
  /** R10: fourth syscall argument (RCX is taken by SYSCALL). */
  R10: 10,
  /** R11: SYSCALL saves RFLAGS here. */
  R11: 11,
  /** R12: callee-saved. */
  R12: 12,
  /** R13: callee-saved. */
  R13: 13,
  /** R14: callee-saved. */
  R14: 14,
  /** R15: callee-saved. */
  R15: 15,
} as const;

/** Slots after the general-purpose registers. */
export const SLOT = {
  /** RIP: instruction pointer. */
  RIP: 16,
  /** RFLAGS: flags register. */
  RFLAGS: 17,
  /** FS_BASE: FS segment base (IA32_FS_BASE; thread pointer). */
  FS_BASE: 18,
  /** GS_BASE: GS segment base (IA32_GS_BASE). */
  GS_BASE: 19,
} as const;

/** Number of 64-bit slots in {@link CpuContext.regs}. */
export const CONTEXT_SLOTS = 20;
/** Length of {@link CpuContext.regs} in 32-bit words. */
export const CONTEXT_WORDS = CONTEXT_SLOTS * 2;
/** Length of {@link CpuContext.xmm} in 32-bit words (16 registers × 128 bits). */
export const XMM_WORDS = 16 * 4;
/** MXCSR after reset: all exceptions masked, round to nearest (SDM vol 1 §10.2.3). */
export const MXCSR_DEFAULT = 0x1f80;

const TWO_POW_32 = 4294967296;

/** A fresh context with every register zero, RFLAGS = 0x2 (bit 1 is always set) and MXCSR at its reset value. */
export function createCpuContext(): CpuContext {
  const regs = new Uint32Array(CONTEXT_WORDS);
  regs[SLOT.RFLAGS * 2] = 0x2;
  const fpu = new Uint32Array(FPU_WORDS);
  resetFpu(fpu);
  return { regs, xmm: new Uint32Array(XMM_WORDS), mxcsr: MXCSR_DEFAULT, fpu };
}

/** Copies every register of `from` into `into` (a context switch's save or restore). */
export function copyCpuContext(into: CpuContext, from: CpuContext): void {
  into.regs.set(from.regs);
  into.xmm.set(from.xmm);
  into.mxcsr = from.mxcsr;
  into.fpu.set(from.fpu);
}

/** Low 32 bits of slot `slot`. */
export function readLow(regs: Uint32Array, slot: number): number {
  return regs[slot * 2]!;
}

/** High 32 bits of slot `slot`. */
export function readHigh(regs: Uint32Array, slot: number): number {
  return regs[slot * 2 + 1]!;
}

/**
 * Slot `slot` as an unsigned number when below 2^53, else `NaN`.
 * Suits pointers and sizes a syscall receives (user addresses are < 2^47).
 */
export function readNumber(regs: Uint32Array, slot: number): number {
  const high = regs[slot * 2 + 1]!;
  if (high > 0x1fffff) return Number.NaN;
  return high * TWO_POW_32 + regs[slot * 2]!;
}

/** Slot `slot` as a signed number when it lies in `[-2^53, 2^53)`, else `NaN` (e.g. `lseek` offsets, `-errno`). */
export function readSignedNumber(regs: Uint32Array, slot: number): number {
  const high = regs[slot * 2 + 1]! | 0;
  if (high > 0x1fffff || high < -0x200000) return Number.NaN;
  return high * TWO_POW_32 + regs[slot * 2]!;
}

/** Slot `slot` as an unsigned 64-bit `bigint` (cold paths: tracing, debugging). */
export function readBig(regs: Uint32Array, slot: number): bigint {
  return (BigInt(regs[slot * 2 + 1]!) << 32n) | BigInt(regs[slot * 2]!);
}

/** Writes a 64-bit value given as two unsigned 32-bit halves. */
export function writeHalves(regs: Uint32Array, slot: number, low: number, high: number): void {
  regs[slot * 2] = low;
  regs[slot * 2 + 1] = high;
}

/** Writes a 32-bit value zero-extended to 64 bits, as a 32-bit register write does on x86-64. */
export function writeZeroExtended32(regs: Uint32Array, slot: number, value: number): void {
  regs[slot * 2] = value;
  regs[slot * 2 + 1] = 0;
}

/**
 * Writes a signed integer in `[-2^53, 2^53]`, sign-extended to 64 bits: a
 * syscall's return value (`-errno` becomes 0xffff...ffxx, as Linux returns it).
 * Throws `RangeError` for a value that is not such an integer (a kernel bug).
 */
export function writeNumber(regs: Uint32Array, slot: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`writeNumber: ${value} is not a safe integer`);
  const high = Math.floor(value / TWO_POW_32);
  regs[slot * 2] = value - high * TWO_POW_32;
  regs[slot * 2 + 1] = high;
}

/** Writes a 64-bit `bigint`, taken modulo 2^64 (cold paths). */
export function writeBig(regs: Uint32Array, slot: number, value: bigint): void {
  const wrapped = BigInt.asUintN(64, value);
  regs[slot * 2] = Number(wrapped & 0xffffffffn);
  regs[slot * 2 + 1] = Number(wrapped >> 32n);
}

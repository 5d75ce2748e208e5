/**
 * The host-double fast path of SSE floating point: when the host's IEEE
 * binary64 arithmetic provably gives the bits and MXCSR the software float
 * unit would, the lanes are computed with it (one JavaScript operation
 * instead of unpack, a 96-bit window and round-pack). Anything else returns
 * false and the caller runs the exact path, which stays the definition.
 *
 * When the result is provably the same:
 * - MXCSR: round to nearest, FTZ = DAZ = 0, every exception masked, and the
 *   precision flag (PE) already set — so whether this operation is inexact
 *   changes nothing. (PE stays set in practice: libc and compiled code
 *   never clear it, and the first inexact operation sets it.)
 * - Operands: normal numbers or zeros (no NaN, infinity or denormal, so no
 *   IE, DE or NaN selection). For DIV the divisor is not zero (no DZ).
 * - Result: finite and larger in magnitude than the smallest normal (no OE;
 *   not tiny, so no UE — the smallest normal itself may be a rounded-up tiny
 *   value, which raises UE, so it takes the exact path), or an exact zero
 *   (a sum of opposite values; a product, quotient or root of a zero).
 * - ECMAScript numbers are binary64 with round-to-nearest-even, so ADD,
 *   SUB, MUL, DIV and SQRT of doubles are correctly rounded; for singles the
 *   binary64 result rounded again by `Math.fround` is the correctly rounded
 *   single result, because 53 ≥ 2·24 + 2 makes double rounding innocuous
 *   for these five operations (Figueroa, "When is double rounding
 *   innocuous?", 1995).
 *
 * Nothing here allocates.
 */
import { ORDER } from "../fpu/float-convert";
import { RFLAGS, STATUS_FLAGS } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import { setStatusFlags } from "./flags";
import { FLOAT_LANES, SSE_FLOAT } from "./sse-float-ops";

/** MXCSR bits that must read FAST_MXCSR: RC, FZ, the six masks, DAZ, and PE. */
const FAST_MXCSR_MASK = 0xffe0 | 0x20;
/** RC = nearest, FZ = 0, all masks set, DAZ = 0, PE set. */
const FAST_MXCSR = 0x1f80 | 0x20;

const MIN_NORMAL_64 = 2 ** -1022;
const MIN_NORMAL_32 = 2 ** -126;

/** Scratch for moving bits between words and floats. */
const scratch = new ArrayBuffer(16);
const words = new Uint32Array(scratch);
const doubles = new Float64Array(scratch);
const singles = new Float32Array(scratch);
/** Result lanes (as words), committed only when every lane took the fast path. */
const results = new Uint32Array(4);
const resultDoubles = new Float64Array(results.buffer);
const resultSingles = new Float32Array(results.buffer);

/** True when MXCSR lets the fast path stand in for the exact one. */
export function fastMxcsr(mxcsr: number): boolean {
  return (mxcsr & FAST_MXCSR_MASK) === FAST_MXCSR;
}

/** The double with words (low, high), or NaN when it is not a normal number or zero. */
function normalDouble(low: number, high: number): number {
  const exponent = (high >>> 20) & 0x7ff;
  if (exponent === 0 || exponent === 0x7ff) {
    if (((high & 0x7fffffff) | low) !== 0) return Number.NaN;
  }
  words[0] = low;
  words[1] = high;
  return doubles[0]!;
}

/** The single with bits `word`, or NaN when it is not a normal number or zero. */
function normalSingle(word: number): number {
  const exponent = (word >>> 23) & 0xff;
  if (exponent === 0 || exponent === 0xff) {
    if ((word & 0x7fffffff) !== 0) return Number.NaN;
  }
  words[0] = word;
  return singles[0]!;
}

/**
 * `kind` (ADD, SUB, MUL, DIV, SQRT) of `a` and `b` on host doubles, or NaN
 * when the exact path must decide (see the file header). `b` is SQRT's operand.
 */
function operate(kind: number, a: number, b: number): number {
  switch (kind) {
    case SSE_FLOAT.ADD:
      return a + b;
    case SSE_FLOAT.SUB:
      return a - b;
    case SSE_FLOAT.MUL:
      return a * b;
    case SSE_FLOAT.DIV:
      return b === 0 ? Number.NaN : a / b;
    case SSE_FLOAT.SQRT:
      return Math.sqrt(b);
    default:
      return Number.NaN;
  }
}

/** True when `r` (already in the destination format) is a result the fast path may keep. */
function keepable(kind: number, r: number, a: number, b: number, minNormal: number): boolean {
  const magnitude = Math.abs(r);
  if (magnitude > minNormal) return magnitude !== Number.POSITIVE_INFINITY;
  if (r !== 0) return false;
  // An exact zero: x − x, or an operand that is zero (a zero product of nonzero operands underflowed).
  if (kind === SSE_FLOAT.ADD || kind === SSE_FLOAT.SUB) return true;
  return kind === SSE_FLOAT.SQRT ? b === 0 : a === 0 || b === 0;
}

/**
 * ADD/SUB/MUL/DIV/SQRT of `count` lanes: destination words at `xmm[destination..]`,
 * source words `source[0..]`. Writes the lanes and returns true, or writes
 * nothing and returns false (the exact path then runs).
 */
export function fastFloatLanes(
  kind: number,
  double: boolean,
  count: number,
  xmm: Uint32Array,
  destination: number,
  source: Uint32Array,
  from = 0,
): boolean {
  if (kind > SSE_FLOAT.SQRT || kind === SSE_FLOAT.MIN || kind === SSE_FLOAT.MAX) return false;
  for (let lane = 0; lane < count; lane++) {
    let r: number;
    let a: number;
    let b: number;
    if (double) {
      a =
        kind === SSE_FLOAT.SQRT
          ? 1
          : normalDouble(xmm[destination + lane * 2]!, xmm[destination + lane * 2 + 1]!);
      b = normalDouble(source[from + lane * 2]!, source[from + lane * 2 + 1]!);
      r = operate(kind, a, b);
      if (!keepable(kind, r, a, b, MIN_NORMAL_64)) return false;
      resultDoubles[lane] = r;
    } else {
      a = kind === SSE_FLOAT.SQRT ? 1 : normalSingle(xmm[destination + lane]!);
      b = normalSingle(source[from + lane]!);
      r = Math.fround(operate(kind, a, b));
      if (!keepable(kind, r, a, b, MIN_NORMAL_32)) return false;
      resultSingles[lane] = r;
    }
  }
  const total = double ? count * 2 : count;
  for (let i = 0; i < total; i++) xmm[destination + i] = results[i]!;
  return true;
}

/**
 * The ORDER of two scalars for (U)COMIS and CMPcc when both are normal
 * numbers or zeros (then no flag can be raised, whatever MXCSR holds), or
 * -1 when the exact path must decide.
 */
export function fastOrder(
  double: boolean,
  first: Uint32Array,
  at: number,
  second: Uint32Array,
  from: number,
): number {
  const a = double ? normalDouble(first[at]!, first[at + 1]!) : normalSingle(first[at]!);
  const b = double ? normalDouble(second[from]!, second[from + 1]!) : normalSingle(second[from]!);
  if (a < b) return ORDER.LESS;
  if (a > b) return ORDER.GREATER;
  return a === b ? ORDER.EQUAL : -1;
}

/** The lane-0 result of {@link fastConvert}: low and high words. */
export const converted = { low: 0, high: 0 };

const TWO_POW_32 = 2 ** 32;
const TWO_POW_31 = 2 ** 31;
const TWO_POW_53 = 2 ** 53;
const TWO_POW_63 = 2 ** 63;

/**
 * CVTSI2SD/CVTSI2SS of the integer (low, high; `wide` = 64-bit) when the
 * conversion is exact (then it raises nothing, whatever MXCSR holds);
 * false otherwise. The result's words go to {@link converted}.
 */
export function fastFromInteger(low: number, high: number, wide: boolean, double: boolean): boolean {
  const value = wide ? (high | 0) * TWO_POW_32 + (low >>> 0) : low | 0;
  if (wide && Math.abs(value) > TWO_POW_53) return false;
  if (double) {
    doubles[0] = value;
    converted.low = words[0]!;
    converted.high = words[1]!;
    return true;
  }
  if (Math.fround(value) !== value) return false;
  singles[0] = value;
  converted.low = words[0]!;
  converted.high = 0;
  return true;
}

/**
 * CVTTSD2SI/CVTTSS2SI of `value` (a normal number or zero, from
 * {@link fastOperand}) to a `wide` (64-bit) or 32-bit integer: true with the
 * words in {@link converted} when it is in range and either exact or `inexactOk`
 * (MXCSR {@link fastMxcsr}: PE already set and masked); false otherwise.
 */
export function fastTruncate(value: number, wide: boolean, inexactOk: boolean): boolean {
  const truncated = Math.trunc(value);
  if (truncated !== value && !inexactOk) return false;
  if (wide) {
    if (!(truncated >= -TWO_POW_63 && truncated < TWO_POW_63)) return false;
    const high = Math.floor(truncated / TWO_POW_32);
    converted.low = truncated - high * TWO_POW_32;
    converted.high = high >>> 0;
    return true;
  }
  if (!(truncated >= -TWO_POW_31 && truncated < TWO_POW_31)) return false;
  converted.low = truncated >>> 0;
  converted.high = 0;
  return true;
}

/** Lane `lane` of `source` as a host number when it is a normal number or zero, else NaN. */
export function fastOperand(source: Uint32Array, lane: number, double: boolean): number {
  return double ? normalDouble(source[lane * 2]!, source[lane * 2 + 1]!) : normalSingle(source[lane]!);
}

/**
 * CVTSS2SD (always exact for a normal number or zero) and CVTSD2SS (under
 * {@link fastMxcsr} only, with a result larger than the smallest normal
 * single) of `value`; true with the words in {@link converted}.
 */
export function fastConvertFloat(value: number, toDouble: boolean, mxcsrFast: boolean): boolean {
  if (Number.isNaN(value)) return false;
  if (toDouble) {
    doubles[0] = value;
    converted.low = words[0]!;
    converted.high = words[1]!;
    return true;
  }
  const single = Math.fround(value);
  if (single !== value) {
    if (!mxcsrFast) return false;
    const magnitude = Math.abs(single);
    if (!(magnitude > MIN_NORMAL_32 && magnitude !== Number.POSITIVE_INFINITY)) return false;
  }
  singles[0] = single;
  converted.low = words[0]!;
  converted.high = 0;
  return true;
}

/** ZF, PF, CF of (U)COMIS by ORDER (OF, SF, AF cleared). */
export const ORDER_FLAGS = [RFLAGS.CF, RFLAGS.ZF, 0, RFLAGS.ZF | RFLAGS.PF | RFLAGS.CF];

/*
 * Whole-instruction fast paths, used by the interpreter's handlers
 * (exec-sse-float.ts) and called inline by compiled blocks
 * (block-emit-sse-float.ts): each does the whole instruction and returns
 * true, or changes nothing and returns false (the caller then runs the exact
 * path). The source operand is the words source[from..]: the XMM file at the
 * register's word, the handlers' loaded source, or a block's scratch `fsrc`
 * holding the memory operand.
 */

/** OP.SSE_FLOAT with `aux` into XMM register `reg`. */
export function sseFloatFast(
  state: CpuState,
  aux: number,
  reg: number,
  source: Uint32Array,
  from: number,
): boolean {
  if (!fastMxcsr(state.context.mxcsr)) return false;
  const lanes = aux & 3;
  const double = lanes === FLOAT_LANES.PD || lanes === FLOAT_LANES.SD;
  const count = lanes === FLOAT_LANES.PS ? 4 : lanes === FLOAT_LANES.PD ? 2 : 1;
  return fastFloatLanes(aux >>> 2, double, count, state.context.xmm, reg * 4, source, from);
}

/** (U)COMISS/(U)COMISD of XMM register `reg` with the source: sets ZF, PF, CF. */
export function sseOrderFast(
  state: CpuState,
  double: boolean,
  reg: number,
  source: Uint32Array,
  from: number,
): boolean {
  const order = fastOrder(double, state.context.xmm, reg * 4, source, from);
  if (order < 0) return false;
  setStatusFlags(state, STATUS_FLAGS, ORDER_FLAGS[order]!);
  return true;
}

/** CVTSI2SD/CVTSI2SS of (low, high) into lane 0 of XMM register `reg`. */
export function sseFromIntegerFast(
  xmm: Uint32Array,
  reg: number,
  low: number,
  high: number,
  wide: boolean,
  double: boolean,
): boolean {
  if (!fastFromInteger(low, high, wide, double)) return false;
  xmm[reg * 4] = converted.low;
  if (double) xmm[reg * 4 + 1] = converted.high;
  return true;
}

/** CVTTSD2SI/CVTTSS2SI of the source: the integer's words in {@link converted}. */
export function sseTruncateFast(
  state: CpuState,
  source: Uint32Array,
  from: number,
  double: boolean,
  wide: boolean,
): boolean {
  const value = double ? normalDouble(source[from]!, source[from + 1]!) : normalSingle(source[from]!);
  return !Number.isNaN(value) && fastTruncate(value, wide, fastMxcsr(state.context.mxcsr));
}

/** CVTSS2SD (`toDouble`) or CVTSD2SS of the source into lane 0 of XMM register `reg`. */
export function sseConvertFloatFast(
  state: CpuState,
  reg: number,
  source: Uint32Array,
  from: number,
  toDouble: boolean,
): boolean {
  const value = toDouble ? normalSingle(source[from]!) : normalDouble(source[from]!, source[from + 1]!);
  if (!fastConvertFloat(value, toDouble, fastMxcsr(state.context.mxcsr))) return false;
  const xmm = state.context.xmm;
  xmm[reg * 4] = converted.low;
  if (toDouble) xmm[reg * 4 + 1] = converted.high;
  return true;
}

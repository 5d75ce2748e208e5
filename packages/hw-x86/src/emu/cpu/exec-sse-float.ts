/**
 * Handlers of the SSE/SSE2 floating-point instructions: arithmetic, MIN/MAX,
 * SQRT, RCP/RSQRT, conversions, CMPcc, (U)COMIS, MOVMSK and MOVSS/MOVSD.
 *
 * Every lane goes through the software float unit (emu/fpu), so results,
 * NaN selection, directed rounding, DAZ/FTZ and the six MXCSR flags are
 * exact. An instruction computes all its lanes into `staged` first; then the
 * flags it raised are ORed into MXCSR and, if one of them is unmasked, the
 * destination is left unchanged and #XM is raised (#UD when CR4.OSXMMEXCPT
 * is 0, SDM vol 3 §2.5 and vol 1 §11.5.1). Otherwise the lanes are written.
 * Scalar forms leave the upper lanes of the destination unchanged.
 *
 * RCPSS/RSQRTSS: computed as the correctly rounded single result (more
 * accurate than the ≤1.5·2^-12 relative error the SDM promises, so not
 * bit-identical to Intel's table); denormal inputs read as 0, tiny results
 * flush to 0, no flags, as the SDM describes.
 */

import { add, divide, multiply, nanSelection, roundValue, squareRoot } from "../fpu/float-arith";
import { compare, fromInteger, integerResult, ORDER, toInteger } from "../fpu/float-convert";
import {
  FLOAT_CLASS,
  FLOAT_FLAG,
  FLOAT32,
  FLOAT64,
  type FloatFormat,
  NAN_RULE,
  packed,
  packIndefinite,
  packSpecial,
  ROUNDING,
  Unpacked,
  unpack32,
  unpack64,
} from "../fpu/float-format";
import { beginOperation, floatEnv } from "../fpu/round-pack";
import { CR4, STATUS_FLAGS, VECTOR } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { loadSource, sseUsable } from "./exec-sse";
import { setStatusFlags } from "./flags";
import { probeWrite, writeMemory, writeMemory64 } from "./memory";
import { operandAddress, readRm, writeRegister } from "./operands";
import { OPERAND } from "./ops";
import {
  converted,
  fastOrder,
  ORDER_FLAGS,
  sseConvertFloatFast,
  sseFloatFast,
  sseFromIntegerFast,
  sseOrderFast,
  sseTruncateFast,
} from "./sse-float-fast";
import { COMPARE_FLAGS, FLOAT_LANES, SSE_CONVERT, SSE_CONVERT_WIDE, SSE_FLOAT } from "./sse-float-ops";
import { source } from "./sse-lanes";

const MXCSR_DAZ = 1 << 6;
const MXCSR_UNDERFLOW_MASK = 1 << 11;
const MXCSR_FTZ = 1 << 15;
const MXCSR_MASK_SHIFT = 7;
const MXCSR_RC_SHIFT = 13;

const first = new Unpacked();
const second = new Unpacked();
/** Result lanes, committed to the destination only when no unmasked exception occurred. */
const staged = new Uint32Array(4);
let daz = false;

/** Starts an SSE floating-point instruction under MXCSR. */
function begin(state: CpuState): void {
  const mxcsr = state.context.mxcsr;
  daz = (mxcsr & MXCSR_DAZ) !== 0;
  beginOperation(
    (mxcsr >>> MXCSR_RC_SHIFT) & 3,
    (mxcsr & MXCSR_FTZ) !== 0,
    (mxcsr & MXCSR_UNDERFLOW_MASK) === 0,
  );
  nanSelection.rule = NAN_RULE.FIRST_OPERAND;
}

/** Records the raised flags in MXCSR; false (with #XM or #UD raised) when one is unmasked. */
function finish(state: CpuState): boolean {
  const flags = floatEnv.flags;
  if (flags === 0) return true;
  const mxcsr = state.context.mxcsr;
  state.context.mxcsr = (mxcsr | flags) >>> 0;
  if ((flags & ~(mxcsr >>> MXCSR_MASK_SHIFT) & 0x3f) === 0) return true;
  state.raise((state.cr4 & CR4.OSXMMEXCPT) !== 0 ? VECTOR.XM : VECTOR.UD, -1);
  return false;
}

/** Unpacks lane `lane` of the words at `base` (singles or doubles). */
function unpackLane(into: Unpacked, words: Uint32Array, base: number, lane: number, double: boolean): void {
  if (double) unpack64(into, words[base + lane * 2]!, words[base + lane * 2 + 1]!, daz);
  else unpack32(into, words[base + lane]!, daz);
}

function stageLane(lane: number, double: boolean): void {
  if (double) {
    staged[lane * 2] = packed.w0;
    staged[lane * 2 + 1] = packed.w1;
  } else staged[lane] = packed.w0;
}

/** Copies `count` staged words to XMM register `reg` from word 0. */
function commit(state: CpuState, reg: number, count: number): void {
  const xmm = state.context.xmm;
  for (let i = 0; i < count; i++) xmm[reg * 4 + i] = staged[i]!;
}

function laneCount(lanes: number): number {
  return lanes === FLOAT_LANES.PS ? 4 : lanes === FLOAT_LANES.PD ? 2 : 1;
}

/** ADD/SUB/MUL/DIV/MIN/MAX/SQRT/RCP/RSQRT in PS, PD, SS and SD forms. */
export function executeSseFloat(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const size = cache.size[slot]!;
  if (!loadSource(state, cache, slot, size, size === 16)) return;
  const aux = cache.aux[slot]!;
  const kind = aux >>> 2;
  const lanes = aux & 3;
  const double = lanes === FLOAT_LANES.PD || lanes === FLOAT_LANES.SD;
  const format = double ? FLOAT64 : FLOAT32;
  const reg = cache.reg[slot]!;
  const xmm = state.context.xmm;
  const count = laneCount(lanes);
  if (sseFloatFast(state, aux, reg, source.u32, 0)) return;
  begin(state);
  for (let lane = 0; lane < count; lane++) {
    unpackLane(first, xmm, reg * 4, lane, double);
    unpackLane(second, source.u32, 0, lane, double);
    switch (kind) {
      case SSE_FLOAT.ADD:
        add(first, second, false, format);
        break;
      case SSE_FLOAT.SUB:
        add(first, second, true, format);
        break;
      case SSE_FLOAT.MUL:
        multiply(first, second, format);
        break;
      case SSE_FLOAT.DIV:
        divide(first, second, format);
        break;
      case SSE_FLOAT.SQRT:
        squareRoot(second, format);
        break;
      case SSE_FLOAT.MIN:
      case SSE_FLOAT.MAX: {
        const order = compare(first, second, true);
        const keepFirst = order === (kind === SSE_FLOAT.MIN ? ORDER.LESS : ORDER.GREATER);
        const words = keepFirst ? xmm : source.u32;
        const base = keepFirst ? reg * 4 : 0;
        packed.w0 = words[base + (double ? lane * 2 : lane)]!;
        packed.w1 = double ? words[base + lane * 2 + 1]! : 0;
        if (daz) flushDenormalBits(double);
        break;
      }
      default:
        approximateReciprocal(kind === SSE_FLOAT.RSQRT);
    }
    stageLane(lane, double);
  }
  if (!finish(state)) return;
  commit(state, reg, double ? count * 2 : count);
}

/** With DAZ, an operand MIN/MAX return is the zero it was read as (sign kept). */
function flushDenormalBits(double: boolean): void {
  if (double) {
    if ((packed.w1 & 0x7ff00000) === 0) {
      packed.w1 &= 0x80000000;
      packed.w0 = 0;
    }
  } else if ((packed.w0 & 0x7f800000) === 0) packed.w0 &= 0x80000000;
  packed.w0 >>>= 0;
  packed.w1 >>>= 0;
}

/** RCPSS / RSQRTSS of `second` (see the file header); no flags. */
function approximateReciprocal(root: boolean): void {
  const flags = floatEnv.flags;
  if (second.denormal) second.setZero(second.sign);
  const rounding = floatEnv.rounding;
  floatEnv.rounding = ROUNDING.NEAREST;
  if (second.cls === FLOAT_CLASS.ZERO) packSpecial(second.sign, true, 32);
  else if (root && second.sign !== 0 && second.cls !== FLOAT_CLASS.NAN) packIndefinite(32);
  else if (second.cls === FLOAT_CLASS.INFINITY) packSpecial(second.sign, false, 32);
  else {
    if (root) {
      squareRoot(second, FLOAT64);
      unpack64(second, packed.w0, packed.w1, false);
    }
    first.setFinite(0, 0, 0x80000000, 0);
    divide(first, second, FLOAT32);
    if ((packed.w0 & 0x7f800000) === 0) packed.w0 &= 0x80000000;
  }
  floatEnv.rounding = rounding;
  floatEnv.flags = flags;
}

/** CMPPS/CMPPD/CMPSS/CMPSD imm8 (predicates 0–7; SDM vol 2 table 3-1). */
export function executeSseCompare(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const size = cache.size[slot]!;
  if (!loadSource(state, cache, slot, size, size === 16)) return;
  const lanes = cache.aux[slot]!;
  const predicate = cache.immLow[slot]! & 7;
  const double = lanes === FLOAT_LANES.PD || lanes === FLOAT_LANES.SD;
  const signaling = predicate === 1 || predicate === 2 || predicate === 5 || predicate === 6;
  const reg = cache.reg[slot]!;
  const count = laneCount(lanes);
  begin(state);
  for (let lane = 0; lane < count; lane++) {
    const at = reg * 4 + (double ? lane * 2 : lane);
    let order = fastOrder(double, state.context.xmm, at, source.u32, double ? lane * 2 : lane);
    if (order < 0) {
      unpackLane(first, state.context.xmm, reg * 4, lane, double);
      unpackLane(second, source.u32, 0, lane, double);
      order = compare(first, second, signaling);
    }
    const mask = predicateHolds(predicate, order) ? 0xffffffff : 0;
    packed.w0 = mask;
    packed.w1 = mask;
    stageLane(lane, double);
  }
  if (!finish(state)) return;
  commit(state, reg, double ? count * 2 : count);
}

function predicateHolds(predicate: number, order: number): boolean {
  switch (predicate) {
    case 0:
      return order === ORDER.EQUAL;
    case 1:
      return order === ORDER.LESS;
    case 2:
      return order === ORDER.LESS || order === ORDER.EQUAL;
    case 3:
      return order === ORDER.UNORDERED;
    case 4:
      return order !== ORDER.EQUAL;
    case 5:
      return order !== ORDER.LESS;
    case 6:
      return order !== ORDER.LESS && order !== ORDER.EQUAL;
    default:
      return order !== ORDER.UNORDERED;
  }
}

/** COMISS/UCOMISS/COMISD/UCOMISD: ZF, PF, CF from the order; OF, SF, AF cleared. */
export function executeSseCompareFlags(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const aux = cache.aux[slot]!;
  const double = (aux & COMPARE_FLAGS.DOUBLE) !== 0;
  if (!loadSource(state, cache, slot, double ? 8 : 4, false)) return;
  if (sseOrderFast(state, double, cache.reg[slot]!, source.u32, 0)) return;
  begin(state);
  unpackLane(first, state.context.xmm, cache.reg[slot]! * 4, 0, double);
  unpackLane(second, source.u32, 0, 0, double);
  const order = compare(first, second, (aux & COMPARE_FLAGS.SIGNALING) !== 0);
  if (!finish(state)) return;
  setStatusFlags(state, STATUS_FLAGS, ORDER_FLAGS[order]!);
}

/** MOVMSKPS / MOVMSKPD: the lanes' sign bits into a GPR (zero-extended). */
export function executeSseMovmsk(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const xmm = state.context.xmm;
  const from = cache.rm[slot]! * 4;
  const mask =
    cache.aux[slot] === 0
      ? (xmm[from]! >>> 31) |
        ((xmm[from + 1]! >>> 31) << 1) |
        ((xmm[from + 2]! >>> 31) << 2) |
        ((xmm[from + 3]! >>> 31) << 3)
      : (xmm[from + 1]! >>> 31) | ((xmm[from + 3]! >>> 31) << 1);
  writeRegister(state, cache.reg[slot]!, 4, mask, 0);
}

/** MOVSS / MOVSD: a memory load zeroes the upper lanes; register moves and stores touch only lane 0. */
export function executeSseScalarMove(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const size = cache.size[slot]!;
  const words = size === 8 ? 2 : 1;
  const xmm = state.context.xmm;
  const reg = cache.reg[slot]! * 4;
  const rm = cache.rm[slot]!;
  const load = cache.aux[slot] === 0;
  if (rm !== OPERAND.MEMORY) {
    const from = load ? rm * 4 : reg;
    const to = load ? reg : rm * 4;
    for (let i = 0; i < words; i++) xmm[to + i] = xmm[from + i]!;
    return;
  }
  if (load) {
    if (!loadSource(state, cache, slot, size, false)) return;
    xmm.set(source.u32, reg);
    return;
  }
  const linear = operandAddress(state, cache, slot);
  if (linear < 0 || !probeWrite(state, linear, size)) return;
  if (size === 8) writeMemory64(state, linear, xmm[reg]!, xmm[reg + 1]!);
  else writeMemory(state, linear, 4, xmm[reg]!);
}

/** CVT* (SDM vol 2 "CVTSD2SI" … "CVTTPS2DQ"); see the SSE_CONVERT ids. */
export function executeSseConvert(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const aux = cache.aux[slot]!;
  const id = aux & ~SSE_CONVERT_WIDE;
  const wide = (aux & SSE_CONVERT_WIDE) !== 0;
  const size = cache.size[slot]!;
  const reg = cache.reg[slot]!;
  if (id === SSE_CONVERT.CVTSI2SS || id === SSE_CONVERT.CVTSI2SD) {
    const low = readRm(state, cache, slot, size);
    if (state.exceptionVector >= 0) return;
    const high = size === 8 ? state.high : 0;
    const double = id === SSE_CONVERT.CVTSI2SD;
    if (sseFromIntegerFast(state.context.xmm, reg, low, high, wide, double)) return;
    begin(state);
    fromInteger(first, low, high, wide ? 64 : 32, true);
    roundValue(first, double ? FLOAT64 : FLOAT32);
    stageLane(0, double);
    if (!finish(state)) return;
    commit(state, reg, double ? 2 : 1);
    return;
  }
  if (!loadSource(state, cache, slot, size, size === 16)) return;
  if (fastScalarConvert(state, id, wide, reg)) return;
  begin(state);
  const rounding = floatEnv.rounding;
  switch (id) {
    case SSE_CONVERT.CVTSS2SI:
    case SSE_CONVERT.CVTTSS2SI:
    case SSE_CONVERT.CVTSD2SI:
    case SSE_CONVERT.CVTTSD2SI: {
      const double = id === SSE_CONVERT.CVTSD2SI || id === SSE_CONVERT.CVTTSD2SI;
      const truncate = id === SSE_CONVERT.CVTTSS2SI || id === SSE_CONVERT.CVTTSD2SI;
      unpackLane(first, source.u32, 0, 0, double);
      toInteger(first, wide ? 64 : 32, truncate ? ROUNDING.TOWARD_ZERO : rounding);
      if (!finish(state)) return;
      writeRegister(state, reg, wide ? 8 : 4, integerResult.low, integerResult.high);
      return;
    }
    case SSE_CONVERT.CVTSS2SD:
    case SSE_CONVERT.CVTSD2SS: {
      const toDouble = id === SSE_CONVERT.CVTSS2SD;
      convertLanes(1, !toDouble, toDouble ? FLOAT64 : FLOAT32);
      if (!finish(state)) return;
      commit(state, reg, toDouble ? 2 : 1);
      return;
    }
    case SSE_CONVERT.CVTPS2PD:
      convertLanes(2, false, FLOAT64);
      break;
    case SSE_CONVERT.CVTPD2PS:
      convertLanes(2, true, FLOAT32);
      staged[2] = 0;
      staged[3] = 0;
      break;
    case SSE_CONVERT.CVTDQ2PS:
    case SSE_CONVERT.CVTDQ2PD: {
      const double = id === SSE_CONVERT.CVTDQ2PD;
      for (let lane = 0; lane < (double ? 2 : 4); lane++) {
        fromInteger(first, source.u32[lane]!, 0, 32, true);
        roundValue(first, double ? FLOAT64 : FLOAT32);
        stageLane(lane, double);
      }
      break;
    }
    default: {
      // CVT[T]PS2DQ and CVT[T]PD2DQ.
      const double = id === SSE_CONVERT.CVTPD2DQ || id === SSE_CONVERT.CVTTPD2DQ;
      const truncate = id === SSE_CONVERT.CVTTPS2DQ || id === SSE_CONVERT.CVTTPD2DQ;
      const count = double ? 2 : 4;
      for (let lane = 0; lane < count; lane++) {
        unpackLane(first, source.u32, 0, lane, double);
        toInteger(first, 32, truncate ? ROUNDING.TOWARD_ZERO : rounding);
        staged[lane] = integerResult.low;
      }
      if (double) {
        staged[2] = 0;
        staged[3] = 0;
      }
    }
  }
  if (!finish(state)) return;
  commit(state, reg, 4);
}

/** CVTTSD2SI, CVTTSS2SI, CVTSS2SD and CVTSD2SS on the host-number fast path (sse-float-fast.ts); false: not taken. */
function fastScalarConvert(state: CpuState, id: number, wide: boolean, reg: number): boolean {
  switch (id) {
    case SSE_CONVERT.CVTTSS2SI:
    case SSE_CONVERT.CVTTSD2SI:
      if (!sseTruncateFast(state, source.u32, 0, id === SSE_CONVERT.CVTTSD2SI, wide)) return false;
      writeRegister(state, reg, wide ? 8 : 4, converted.low, converted.high);
      return true;
    case SSE_CONVERT.CVTSS2SD:
    case SSE_CONVERT.CVTSD2SS:
      return sseConvertFloatFast(state, reg, source.u32, 0, id === SSE_CONVERT.CVTSS2SD);
    default:
      return false;
  }
}

/** Converts `count` lanes of `source` (doubles when `fromDouble`) to `format` into `staged`. */
function convertLanes(count: number, fromDouble: boolean, format: FloatFormat): void {
  const toDouble = format === FLOAT64;
  for (let lane = 0; lane < count; lane++) {
    unpackLane(first, source.u32, 0, lane, fromDouble);
    if (first.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
    roundValue(first, format);
    stageLane(lane, toDouble);
  }
}

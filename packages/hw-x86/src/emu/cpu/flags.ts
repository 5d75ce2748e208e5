/**
 * Lazy arithmetic flags (SDM vol 1 §3.4.3.1, vol 2 per-instruction "Flags
 * Affected"). ALU instructions record the operation kind, operand size,
 * operands and result; CF/PF/AF/ZF/SF/OF are computed only when read.
 *
 * Values are kept as (low, high) 32-bit halves; for sizes 1, 2, 4 only the
 * low half is meaningful and already masked to the size. SHL/SHR/SAR and
 * SHLD/SHRD record LAZY.SHIFT (CF and OF stored, the rest from the result);
 * rotates set CF/OF with `setCarryOverflow`; instructions with other
 * irregular flag rules (multiplies, bit tests) compute their flags eagerly
 * and store them with `setStatusFlags`. Condition codes: condition.ts.
 */
import { RFLAGS as RFLAGSImport, STATUS_FLAGS as STATUS_FLAGSImport } from "./arch-bits";
import { type CpuState, LAZY as LAZYImport } from "./cpu-state";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const RFLAGS = RFLAGSImport;
const STATUS_FLAGS = STATUS_FLAGSImport;
const LAZY = LAZYImport;

/** Sign bit of a value of `size` bytes given as halves. */
function signOf(size: number, low: number, high: number): number {
  if (size === 8) return high >>> 31;
  return (low >>> (size * 8 - 1)) & 1;
}

/** Even parity of the low byte: 1 when the number of set bits is even (PF). */
export function parity(value: number): number {
  let byte = value & 0xff;
  byte ^= byte >>> 4;
  byte ^= byte >>> 2;
  byte ^= byte >>> 1;
  return ~byte & 1;
}

/** Records an arithmetic result for lazy evaluation. */
export function setLazy(
  state: CpuState,
  op: number,
  size: number,
  dstLow: number,
  dstHigh: number,
  srcLow: number,
  srcHigh: number,
  resLow: number,
  resHigh: number,
): void {
  state.lazyOp = op;
  state.lazySize = size;
  state.lazyDstLow = dstLow;
  state.lazyDstHigh = dstHigh;
  state.lazySrcLow = srcLow;
  state.lazySrcHigh = srcHigh;
  state.lazyResLow = resLow;
  state.lazyResHigh = resHigh;
}

/** Records a logic result (CF = OF = 0; AF undefined, reported as 0). */
export function setLazyLogic(state: CpuState, size: number, resLow: number, resHigh: number): void {
  state.lazyOp = LAZY.LOGIC;
  state.lazySize = size;
  state.lazyResLow = resLow;
  state.lazyResHigh = resHigh;
}

/** Records a shift result (SHL/SHR/SAR): CF and OF given (0/1), SF/ZF/PF from the result, AF = 0. */
export function setLazyShift(
  state: CpuState,
  size: number,
  resLow: number,
  resHigh: number,
  cf: number,
  of: number,
): void {
  state.lazyOp = LAZY.SHIFT;
  state.lazySize = size;
  state.lazyResLow = resLow;
  state.lazyResHigh = resHigh;
  state.lazyCarry = cf;
  state.lazySrcLow = of;
}

/**
 * Sets CF and OF (0/1) and keeps the other status flags (rotates): only
 * PF/AF/ZF/SF are evaluated from the lazy record, never the old CF/OF.
 */
export function setCarryOverflow(state: CpuState, cf: number, of: number): void {
  const carryOverflow = cf | (of << 11);
  if (state.lazyOp === LAZY.NONE) {
    state.flagBits = ((state.flagBits & ~(RFLAGS.CF | RFLAGS.OF)) | carryOverflow) >>> 0;
    return;
  }
  state.flagBits =
    ((state.flagBits & ~STATUS_FLAGS) |
      carryOverflow |
      (parityFlag(state) << 2) |
      (adjustFlag(state) << 4) |
      (zeroFlag(state) << 6) |
      (signFlag(state) << 7)) >>>
    0;
  state.lazyOp = LAZY.NONE;
}

function unsignedLess(aLow: number, aHigh: number, bLow: number, bHigh: number): boolean {
  return aHigh < bHigh || (aHigh === bHigh && aLow < bLow);
}

/** CF. */
export function carryFlag(state: CpuState): number {
  const s = state;
  switch (s.lazyOp) {
    case LAZY.NONE:
      return s.flagBits & RFLAGS.CF;
    case LAZY.ADD:
      return unsignedLess(s.lazyResLow, s.lazyResHigh, s.lazyDstLow, s.lazyDstHigh) ? 1 : 0;
    case LAZY.ADC:
      if (s.lazyCarry && s.lazyResLow === s.lazyDstLow && s.lazyResHigh === s.lazyDstHigh) return 1;
      return unsignedLess(s.lazyResLow, s.lazyResHigh, s.lazyDstLow, s.lazyDstHigh) ? 1 : 0;
    case LAZY.SUB:
      return unsignedLess(s.lazyDstLow, s.lazyDstHigh, s.lazySrcLow, s.lazySrcHigh) ? 1 : 0;
    case LAZY.SBB:
      if (s.lazyCarry && s.lazyDstLow === s.lazySrcLow && s.lazyDstHigh === s.lazySrcHigh) return 1;
      return unsignedLess(s.lazyDstLow, s.lazyDstHigh, s.lazySrcLow, s.lazySrcHigh) ? 1 : 0;
    case LAZY.INC:
    case LAZY.DEC:
    case LAZY.SHIFT:
      return s.lazyCarry;
    default:
      return 0;
  }
}

/** ZF. */
export function zeroFlag(state: CpuState): number {
  if (state.lazyOp === LAZY.NONE) return (state.flagBits >>> 6) & 1;
  return state.lazyResLow === 0 && state.lazyResHigh === 0 ? 1 : 0;
}

/** SF. */
export function signFlag(state: CpuState): number {
  if (state.lazyOp === LAZY.NONE) return (state.flagBits >>> 7) & 1;
  return signOf(state.lazySize, state.lazyResLow, state.lazyResHigh);
}

/** OF. */
export function overflowFlag(state: CpuState): number {
  const s = state;
  const size = s.lazySize;
  switch (s.lazyOp) {
    case LAZY.NONE:
      return (s.flagBits >>> 11) & 1;
    case LAZY.ADD:
    case LAZY.ADC:
    case LAZY.INC: {
      const d = signOf(size, s.lazyDstLow, s.lazyDstHigh);
      const r = signOf(size, s.lazyResLow, s.lazyResHigh);
      const v = signOf(size, s.lazySrcLow, s.lazySrcHigh);
      return d === v && r !== d ? 1 : 0;
    }
    case LAZY.SUB:
    case LAZY.SBB:
    case LAZY.DEC: {
      const d = signOf(size, s.lazyDstLow, s.lazyDstHigh);
      const r = signOf(size, s.lazyResLow, s.lazyResHigh);
      const v = signOf(size, s.lazySrcLow, s.lazySrcHigh);
      return d !== v && r !== d ? 1 : 0;
    }
    case LAZY.SHIFT:
      return s.lazySrcLow;
    default:
      return 0;
  }
}

/** PF. */
export function parityFlag(state: CpuState): number {
  if (state.lazyOp === LAZY.NONE) return (state.flagBits >>> 2) & 1;
  return parity(state.lazyResLow);
}

/** AF. */
export function adjustFlag(state: CpuState): number {
  const s = state;
  if (s.lazyOp === LAZY.NONE) return (s.flagBits >>> 4) & 1;
  if (s.lazyOp === LAZY.LOGIC || s.lazyOp === LAZY.SHIFT) return 0;
  return ((s.lazyDstLow ^ s.lazySrcLow ^ s.lazyResLow) >>> 4) & 1;
}

/** RFLAGS as a 32-bit number (upper 32 bits of RFLAGS are reserved zero). */
export function readFlags(state: CpuState): number {
  if (state.lazyOp === LAZY.NONE) return state.flagBits;
  return (
    (state.flagBits & ~STATUS_FLAGS) |
    carryFlag(state) |
    (parityFlag(state) << 2) |
    (adjustFlag(state) << 4) |
    (zeroFlag(state) << 6) |
    (signFlag(state) << 7) |
    (overflowFlag(state) << 11)
  );
}

/** Replaces the whole flags word (status flags become non-lazy). */
export function writeFlags(state: CpuState, value: number): void {
  state.flagBits = (value | RFLAGS.FIXED) >>> 0;
  state.lazyOp = LAZY.NONE;
}

/** Sets the status flags selected by `mask` to the bits of `values`, leaving the others as they are. */
export function setStatusFlags(state: CpuState, mask: number, values: number): void {
  if (mask === STATUS_FLAGS) {
    // Every status flag is replaced: the lazy record is irrelevant, no need to evaluate it.
    state.flagBits = ((state.flagBits & ~STATUS_FLAGS) | (values & STATUS_FLAGS) | RFLAGS.FIXED) >>> 0;
    state.lazyOp = LAZY.NONE;
    return;
  }
  const current = readFlags(state);
  writeFlags(state, (current & ~mask) | (values & mask));
}

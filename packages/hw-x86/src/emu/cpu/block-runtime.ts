/**
 * What compiled blocks call at run time (their `rt` argument): the exits
 * that leave a block with the state exactly as the interpreter's run loop
 * would leave it, the interpreter's handlers and flag functions, and
 * PACKUSWB's saturation. Nothing here allocates.
 */
import { condition } from "./condition";
import type { CpuState } from "./cpu-state";
import { operationHandler } from "./execute";
import { carryFlag, parity, setCarryOverflow, setLazy } from "./flags";
import { product, signedProduct64 } from "./muldiv";
import {
  converted,
  sseConvertFloatFast,
  sseFloatFast,
  sseFromIntegerFast,
  sseOrderFast,
  sseTruncateFast,
} from "./sse-float-fast";

const LOWER_HALF_END = 2 ** 47;
const GP_VECTOR = 13;

/**
 * Leaves a block after a handler call at instruction index `before` (whose
 * RIP is `ripHere`): with an exception pending RIP stays on the instruction;
 * otherwise the instruction retired and RIP is wherever it went.
 */
function exitCall(state: CpuState, ripHere: number, before: number): number {
  if (state.exceptionVector !== -1) {
    state.rip = ripHere;
    return before + 1;
  }
  state.rip = state.nextRip;
  state.retired++;
  return before + 1;
}

/** Leaves a block through a taken relative branch; a non-canonical target is #GP(0) on the branch. */
function exitJump(
  state: CpuState,
  target: number,
  ripHere: number,
  ripNext: number,
  retiredBefore: number,
  before: number,
): number {
  if (target >= LOWER_HALF_END || target < -LOWER_HALF_END) {
    state.rip = ripHere;
    state.nextRip = ripNext;
    state.retired = retiredBefore;
    state.raise(GP_VECTOR, 0);
    return before + 1;
  }
  state.rip = target;
  state.retired = retiredBefore + 1;
  return before + 1;
}

/** Saturation of a signed 16-bit lane to 0..255 (PACKUSWB). */
function unsignedByte(word: number): number {
  return Math.min(Math.max((word << 16) >> 16, 0), 255);
}

/** Four signed words (in two dwords) saturated to unsigned bytes, as one dword. */
function packDwords(low: number, high: number): number {
  return (
    (unsignedByte(low) |
      (unsignedByte(low >>> 16) << 8) |
      (unsignedByte(high) << 16) |
      (unsignedByte(high >>> 16) << 24)) >>>
    0
  );
}

/** PACKUSWB: the destination's eight words, then the source's (q0–q3), saturated to unsigned bytes. */
function packUnsigned(xmm: Uint32Array, at: number, q0: number, q1: number, q2: number, q3: number): void {
  const low = packDwords(xmm[at]!, xmm[at + 1]!);
  const high = packDwords(xmm[at + 2]!, xmm[at + 3]!);
  xmm[at] = low;
  xmm[at + 1] = high;
  xmm[at + 2] = packDwords(q0, q1);
  xmm[at + 3] = packDwords(q2, q3);
}

/** What generated code reaches through its `rt` argument. */
export const RUNTIME = {
  setLazy,
  signedProduct64,
  product,
  sseFloatFast,
  sseOrderFast,
  sseFromIntegerFast,
  sseTruncateFast,
  sseConvertFloatFast,
  converted,
  /** Scratch words of a floating-point memory operand (block-emit-sse-float.ts). */
  floatScratch: new Uint32Array(4),
  packUnsigned,
  exitCall,
  exitJump,
  condition,
  carryFlag,
  parity,
  setCarryOverflow,
  handler: operationHandler,
};

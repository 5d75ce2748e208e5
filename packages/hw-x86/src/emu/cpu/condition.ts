/**
 * Condition codes (SDM vol 1 appendix B, table B-1) for Jcc, SETcc, CMOVcc.
 *
 * After SUB/CMP/NEG (LAZY.SUB) the conditions B, E, BE, S, L, LE are read
 * straight off the recorded operands (unsigned / signed comparison of dst
 * and src), without evaluating CF/ZF/SF/OF; every other case evaluates the
 * flags from the lazy record (flags.ts).
 */
import { type CpuState, LAZY as LAZYImport } from "./cpu-state";
import {
  carryFlag as carryFlagImport,
  overflowFlag as overflowFlagImport,
  parityFlag as parityFlagImport,
  signFlag as signFlagImport,
  zeroFlag as zeroFlagImport,
} from "./flags";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const LAZY = LAZYImport;
const carryFlag = carryFlagImport;
const overflowFlag = overflowFlagImport;
const parityFlag = parityFlagImport;
const signFlag = signFlagImport;
const zeroFlag = zeroFlagImport;

/** Sign-extends the low `size` (1, 2, 4) bytes of `value` to an int32. */
function signedOf(size: number, value: number): number {
  if (size === 4) return value | 0;
  return size === 1 ? (value << 24) >> 24 : (value << 16) >> 16;
}

/**
 * Conditions B, E, BE, S, L, LE (`pair` = cc >> 1: 1, 2, 3, 4, 6, 7) after
 * SUB/CMP/NEG, read straight off the operands instead of evaluating the
 * flags: 1 true, 0 false, -1 for the pairs that need OF or PF (O, P).
 */
function subtractCondition(state: CpuState, pair: number): number {
  const size = state.lazySize;
  const dst = state.lazyDstLow;
  const src = state.lazySrcLow;
  if (size === 8) {
    const dstHigh = state.lazyDstHigh;
    const srcHigh = state.lazySrcHigh;
    switch (pair) {
      case 1:
        return dstHigh < srcHigh || (dstHigh === srcHigh && dst < src) ? 1 : 0;
      case 2:
        return dst === src && dstHigh === srcHigh ? 1 : 0;
      case 3:
        return dstHigh < srcHigh || (dstHigh === srcHigh && dst <= src) ? 1 : 0;
      case 4:
        return state.lazyResHigh >>> 31;
      case 6:
        return (dstHigh | 0) < (srcHigh | 0) || (dstHigh === srcHigh && dst < src) ? 1 : 0;
      case 7:
        return (dstHigh | 0) < (srcHigh | 0) || (dstHigh === srcHigh && dst <= src) ? 1 : 0;
      default:
        return -1;
    }
  }
  switch (pair) {
    case 1:
      return dst < src ? 1 : 0;
    case 2:
      return dst === src ? 1 : 0;
    case 3:
      return dst <= src ? 1 : 0;
    case 4:
      return (state.lazyResLow >>> (size * 8 - 1)) & 1;
    case 6:
      return signedOf(size, dst) < signedOf(size, src) ? 1 : 0;
    case 7:
      return signedOf(size, dst) <= signedOf(size, src) ? 1 : 0;
    default:
      return -1;
  }
}

/** Evaluates condition code `cc` (SDM vol 1 appendix B, table B-1). */
export function condition(state: CpuState, cc: number): boolean {
  if (state.lazyOp === LAZY.SUB) {
    const fast = subtractCondition(state, cc >>> 1);
    if (fast >= 0) return (cc & 1) === 0 ? fast === 1 : fast === 0;
  }
  let result: boolean;
  switch (cc >>> 1) {
    case 0:
      result = overflowFlag(state) !== 0;
      break;
    case 1:
      result = carryFlag(state) !== 0;
      break;
    case 2:
      result = zeroFlag(state) !== 0;
      break;
    case 3:
      result = carryFlag(state) !== 0 || zeroFlag(state) !== 0;
      break;
    case 4:
      result = signFlag(state) !== 0;
      break;
    case 5:
      result = parityFlag(state) !== 0;
      break;
    case 6:
      result = signFlag(state) !== overflowFlag(state);
      break;
    default:
      result = zeroFlag(state) !== 0 || signFlag(state) !== overflowFlag(state);
      break;
  }
  return (cc & 1) === 0 ? result : !result;
}

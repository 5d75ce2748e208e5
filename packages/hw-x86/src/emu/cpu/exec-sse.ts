/**
 * Handlers of the SSE2 integer subset: register/memory moves (aligned forms
 * raise #GP(0) on a misaligned operand, as do the legacy-SSE m128 sources of
 * the packed instructions), MOVD/MOVQ, packed arithmetic, shifts, shuffles,
 * PMOVMSKB, LDMXCSR/STMXCSR. SSE is usable only with CR4.OSFXSR = 1 and
 * CR0.EM = 0 (#UD otherwise); CR0.TS = 1 raises #NM (lazy FPU switching).
 * Memory operands are read completely before any register changes, and
 * stores probe every page first, so a fault leaves state unchanged.
 */
import { CR0, CR4, VECTOR } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { probeWrite, readMemory, readMemory64, writeMemory, writeMemory64 } from "./memory";
import { operandAddress, readRm, writeRegister, writeRm } from "./operands";
import { OPERAND } from "./ops";
import { applyBinary, LaneViews, shiftLanes, source } from "./sse-lanes";
import { HALF, SHUFFLE, SSE_MOVE } from "./sse-ops";

const views = new WeakMap<Uint32Array, LaneViews>();
const shuffled = new Uint32Array(4);
const shuffledHalves = new Uint16Array(shuffled.buffer);
const MXCSR_RESERVED = 0xffff0000;

/** Lane views of the CPU's XMM file (created once per CPU). */
function xmmViews(state: CpuState): LaneViews {
  const xmm = state.context.xmm;
  let lanes = views.get(xmm);
  if (lanes === undefined) {
    lanes = new LaneViews(xmm.buffer, xmm.byteOffset, xmm.byteLength);
    views.set(xmm, lanes);
  }
  return lanes;
}

/** #UD / #NM checks shared by every SSE instruction; false if an exception was raised. */
export function sseUsable(state: CpuState): boolean {
  if ((state.cr4 & CR4.OSFXSR) === 0 || (state.cr0 & CR0.EM) !== 0) {
    state.raise(VECTOR.UD, -1);
    return false;
  }
  if ((state.cr0 & CR0.TS) !== 0) {
    state.raise(VECTOR.NM, -1);
    return false;
  }
  return true;
}

/** Fills `source` with the r/m operand (`size` 16, 8 or 4 bytes; fewer than 16 zero-fill the rest). False on fault. */
export function loadSource(
  state: CpuState,
  cache: DecodedCache,
  slot: number,
  size: number,
  aligned: boolean,
): boolean {
  const rm = cache.rm[slot]!;
  const words = source.u32;
  if (rm !== OPERAND.MEMORY) {
    const xmm = state.context.xmm;
    words[0] = xmm[rm * 4]!;
    words[1] = size !== 4 ? xmm[rm * 4 + 1]! : 0;
    words[2] = size === 16 ? xmm[rm * 4 + 2]! : 0;
    words[3] = size === 16 ? xmm[rm * 4 + 3]! : 0;
    return true;
  }
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return false;
  if (aligned && (linear & 15) !== 0) {
    state.raise(VECTOR.GP, 0);
    return false;
  }
  if (size === 4) {
    const word = readMemory(state, linear, 4);
    if (state.exceptionVector >= 0) return false;
    words[0] = word;
    words[1] = 0;
    words[2] = 0;
    words[3] = 0;
    return true;
  }
  const low0 = readMemory64(state, linear);
  const low1 = state.high;
  let high0 = 0;
  let high1 = 0;
  if (size === 16) {
    high0 = readMemory64(state, (linear + 8) % 2 ** 48);
    high1 = state.high;
  }
  if (state.exceptionVector >= 0) return false;
  words[0] = low0;
  words[1] = low1;
  words[2] = high0;
  words[3] = high1;
  return true;
}

export function executeSseLoad(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const flags = cache.aux[slot]!;
  if (!loadSource(state, cache, slot, cache.size[slot]!, (flags & SSE_MOVE.ALIGNED) !== 0)) return;
  state.context.xmm.set(source.u32, cache.reg[slot]! * 4);
}

export function executeSseStore(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const size = cache.size[slot]!;
  const xmm = state.context.xmm;
  const from = cache.reg[slot]! * 4;
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) {
    xmm[rm * 4] = xmm[from]!;
    xmm[rm * 4 + 1] = xmm[from + 1]!;
    xmm[rm * 4 + 2] = size === 16 ? xmm[from + 2]! : 0;
    xmm[rm * 4 + 3] = size === 16 ? xmm[from + 3]! : 0;
    return;
  }
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return;
  if ((cache.aux[slot]! & SSE_MOVE.ALIGNED) !== 0 && (linear & 15) !== 0) {
    state.raise(VECTOR.GP, 0);
    return;
  }
  if (!probeWrite(state, linear, size)) return;
  writeMemory64(state, linear, xmm[from]!, xmm[from + 1]!);
  if (size === 16) writeMemory64(state, (linear + 8) % 2 ** 48, xmm[from + 2]!, xmm[from + 3]!);
}

export function executeSseBinary(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  if (!loadSource(state, cache, slot, 16, true)) return;
  const op = cache.aux[slot]!;
  const lanes = xmmViews(state);
  if (op >= 49 && op <= 56) {
    // Shift by the low quadword of the source.
    const count = source.u32[1] !== 0 ? 255 : Math.min(source.u32[0]!, 255);
    shiftLanes(lanes, cache.reg[slot]!, op, count);
    return;
  }
  applyBinary(lanes, cache.reg[slot]!, op);
}

export function executeSseShiftImmediate(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  shiftLanes(xmmViews(state), cache.rm[slot]!, cache.aux[slot]!, cache.immLow[slot]! & 0xff);
}

export function executeSseShuffle(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  if (!loadSource(state, cache, slot, 16, true)) return;
  const order = cache.immLow[slot]! & 0xff;
  const kind = cache.aux[slot]!;
  const xmm = state.context.xmm;
  const dst = cache.reg[slot]! * 4;
  const words = source.u32;
  const halves = source.u16;
  switch (kind) {
    case SHUFFLE.PSHUFD:
      for (let i = 0; i < 4; i++) shuffled[i] = words[(order >>> (2 * i)) & 3]!;
      break;
    case SHUFFLE.SHUFPS:
      for (let i = 0; i < 4; i++)
        shuffled[i] = i < 2 ? xmm[dst + ((order >>> (2 * i)) & 3)]! : words[(order >>> (2 * i)) & 3]!;
      break;
    case SHUFFLE.SHUFPD: {
      const first = order & 1;
      const second = (order >>> 1) & 1;
      shuffled[0] = xmm[dst + first * 2]!;
      shuffled[1] = xmm[dst + first * 2 + 1]!;
      shuffled[2] = words[second * 2]!;
      shuffled[3] = words[second * 2 + 1]!;
      break;
    }
    default: {
      // PSHUFLW shuffles the low four words, PSHUFHW the high four; the other half is copied.
      const base = kind === SHUFFLE.PSHUFLW ? 0 : 4;
      for (let i = 0; i < 8; i++) shuffledHalves[i] = halves[i]!;
      for (let i = 0; i < 4; i++) shuffledHalves[base + i] = halves[base + ((order >>> (2 * i)) & 3)]!;
      break;
    }
  }
  xmm.set(shuffled, dst);
}

export function executeMovdIn(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const size = cache.size[slot]!;
  const low = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const xmm = state.context.xmm;
  const dst = cache.reg[slot]! * 4;
  xmm[dst] = low;
  xmm[dst + 1] = size === 8 ? state.high : 0;
  xmm[dst + 2] = 0;
  xmm[dst + 3] = 0;
}

export function executeMovdOut(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const size = cache.size[slot]!;
  const xmm = state.context.xmm;
  const from = cache.reg[slot]! * 4;
  let linear = -1;
  if (cache.rm[slot] === OPERAND.MEMORY) {
    linear = operandAddress(state, cache, slot);
    if (linear < 0) return;
  }
  writeRm(state, cache, slot, size, linear, xmm[from]!, xmm[from + 1]!);
}

export function executePmovmskb(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const bytes = xmmViews(state).u8;
  const from = cache.rm[slot]! * 16;
  let mask = 0;
  for (let i = 0; i < 16; i++) mask |= (bytes[from + i]! >>> 7) << i;
  writeRegister(state, cache.reg[slot]!, 4, mask, 0);
}

/** LDMXCSR (aux 2; reserved bits set → #GP(0)) and STMXCSR (aux 3). */
export function executeMxcsr(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return;
  if (cache.aux[slot] === 3) {
    writeMemory(state, linear, 4, state.context.mxcsr);
    return;
  }
  const value = readRm(state, cache, slot, 4);
  if (state.exceptionVector >= 0) return;
  if ((value & MXCSR_RESERVED) !== 0) {
    state.raise(VECTOR.GP, 0);
    return;
  }
  state.context.mxcsr = value;
}

/** MOVLPS/MOVHPS/MOVLPD/MOVHPD loads and stores, MOVHLPS/MOVLHPS register forms. */
export function executeSseHalf(state: CpuState, cache: DecodedCache, slot: number): void {
  if (!sseUsable(state)) return;
  const kind = cache.aux[slot]!;
  const xmm = state.context.xmm;
  const reg = cache.reg[slot]! * 4;
  const rm = cache.rm[slot]!;
  if (kind === HALF.STORE_LOW || kind === HALF.STORE_HIGH) {
    const linear = operandAddress(state, cache, slot);
    if (linear < 0) return;
    const from = reg + (kind === HALF.STORE_HIGH ? 2 : 0);
    writeMemory64(state, linear, xmm[from]!, xmm[from + 1]!);
    return;
  }
  let low: number;
  let high: number;
  if (rm !== OPERAND.MEMORY) {
    // MOVHLPS takes the source's high half, MOVLHPS its low half.
    const from = rm * 4 + (kind === HALF.LOAD_LOW ? 2 : 0);
    low = xmm[from]!;
    high = xmm[from + 1]!;
  } else {
    const linear = operandAddress(state, cache, slot);
    if (linear < 0) return;
    low = readMemory64(state, linear);
    high = state.high;
    if (state.exceptionVector >= 0) return;
  }
  const to = reg + (kind === HALF.LOAD_HIGH ? 2 : 0);
  xmm[to] = low;
  xmm[to + 1] = high;
}

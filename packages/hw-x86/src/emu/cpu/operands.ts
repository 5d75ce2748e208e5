/**
 * Register and memory operands of a decoded instruction: reading and
 * writing GPRs of every width with the x86-64 rules (8/16-bit writes merge,
 * 32-bit writes zero-extend, AH..BH are bits 15:8 of RAX..RBX), effective
 * addresses (base + index·scale + disp, RIP-relative, 67 truncation, FS/GS
 * base) and the canonical check that turns a bad address into #GP(0), or
 * #SS(0) for stack references.
 *
 * Convention: functions returning a 64-bit value return the low half and
 * leave the high half in `state.high` (0 for narrower sizes).
 */
import { SLOT as SLOTImport } from "../../interfaces/cpu-context";
import { VECTOR as VECTORImport } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { readSized as readSizedImport, writeSized as writeSizedImport } from "./memory";
import { OPERAND as OPERANDImport, PREFIX as PREFIXImport } from "./ops";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const SLOT = SLOTImport;
const VECTOR = VECTORImport;
const readSized = readSizedImport;
const writeSized = writeSizedImport;
const OPERAND = OPERANDImport;
const PREFIX = PREFIXImport;

const TWO_POW_32 = 4294967296;
/** First address above the lower canonical half (2^47). */
const LOWER_HALF_END = 2 ** 47;
/** High word of LOWER_HALF_END: high halves below it are in the lower canonical half. */
const LOWER_HALF_HIGH_END = 0x8000;
const RSP = 4;
const RBP = 5;

/** Mask of an operand of `size` bytes (1, 2, 4), as an unsigned 32-bit number. */
export function sizeMask(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
}

/** Reads register `reg` (OPERAND high-byte encoding for 8-bit) at `size`. */
export function readRegister(state: CpuState, reg: number, size: number): number {
  const regs = state.regs;
  if (size === 8) {
    state.high = regs[reg * 2 + 1]!;
    return regs[reg * 2]!;
  }
  state.high = 0;
  if (size === 4) return regs[reg * 2]!;
  if (size === 2) return regs[reg * 2]! & 0xffff;
  if (reg >= OPERAND.HIGH_BYTE_BASE) return (regs[(reg - OPERAND.HIGH_BYTE_BASE) * 2]! >>> 8) & 0xff;
  return regs[reg * 2]! & 0xff;
}

/** Writes register `reg` at `size` (`high` used only for size 8). */
export function writeRegister(state: CpuState, reg: number, size: number, low: number, high: number): void {
  const regs = state.regs;
  if (size === 8) {
    regs[reg * 2] = low;
    regs[reg * 2 + 1] = high;
  } else if (size === 4) {
    regs[reg * 2] = low;
    regs[reg * 2 + 1] = 0;
  } else if (size === 2) {
    regs[reg * 2] = (regs[reg * 2]! & 0xffff0000) | (low & 0xffff);
  } else if (reg >= OPERAND.HIGH_BYTE_BASE) {
    const word = (reg - OPERAND.HIGH_BYTE_BASE) * 2;
    regs[word] = (regs[word]! & 0xffff00ff) | ((low & 0xff) << 8);
  } else {
    regs[reg * 2] = (regs[reg * 2]! & 0xffffff00) | (low & 0xff);
  }
}

/** Computes the effective address of slot's memory operand into `eaLow`/`eaHigh` (no segment base, no checks). */
export function effectiveAddress(state: CpuState, cache: DecodedCache, slot: number): void {
  const regs = state.regs;
  const base = cache.base[slot]!;
  const index = cache.index[slot]!;
  const disp = cache.disp[slot]!;
  let low = disp >>> 0;
  let high = disp < 0 ? -1 : 0;
  if (base === OPERAND.RIP) {
    const next = state.rip + cache.length[slot]!;
    const nextHigh = Math.floor(next / TWO_POW_32);
    low += next - nextHigh * TWO_POW_32;
    high += nextHigh;
  } else if (base !== OPERAND.NONE) {
    low += regs[base * 2]!;
    high += regs[base * 2 + 1]!;
  }
  if (index !== OPERAND.NONE) {
    const scale = cache.scale[slot]!;
    low += regs[index * 2]! * (1 << scale);
    high += regs[index * 2 + 1]! << scale;
  }
  const carry = Math.floor(low / TWO_POW_32);
  state.eaLow = low >>> 0;
  state.eaHigh = (cache.prefix[slot]! & PREFIX.ADDR32) !== 0 ? 0 : (high + carry) >>> 0;
}

/** True if a 64-bit address given by its high half is canonical (bits 63:47 all equal). */
export function isCanonicalHigh(high: number): boolean {
  return high < 0x8000 || high >= 0xffff8000;
}

/**
 * Turns the halves of a 64-bit address into a linear address for the memory
 * functions, or -1 after recording #GP(0) (#SS(0) when `stack`).
 */
export function linearFromHalves(state: CpuState, low: number, high: number, stack: boolean): number {
  // Low addresses stay small integers (no heap-number boxing on the hot path).
  if (high === 0) return low;
  if (!isCanonicalHigh(high)) {
    state.raise(stack ? VECTOR.SS : VECTOR.GP, 0);
    return -1;
  }
  return (high & 0xffff) * TWO_POW_32 + low;
}

/** Linear address of slot's memory operand (segment base added, canonical-checked), or -1 on fault. */
export function operandAddress(state: CpuState, cache: DecodedCache, slot: number): number {
  const prefix = cache.prefix[slot]!;
  if ((prefix & (PREFIX.FS | PREFIX.GS | PREFIX.ADDR32)) === 0) {
    // Fast paths: [base + index·scale + disp] in the lower canonical half with a
    // zero-high index and no carry out of the low word, and [rip + disp];
    // everything else takes the general route.
    const base = cache.base[slot]!;
    if (base === OPERAND.RIP) {
      const target = state.rip + cache.length[slot]! + cache.disp[slot]!;
      if (target >= 0 && target < LOWER_HALF_END) return target;
    } else {
      const regs = state.regs;
      const index = cache.index[slot]!;
      let high = 0;
      let sum = cache.disp[slot]!;
      if (base !== OPERAND.NONE) {
        high = regs[base * 2 + 1]!;
        sum += regs[base * 2]!;
      }
      if (index !== OPERAND.NONE) {
        if (regs[index * 2 + 1] !== 0) high = LOWER_HALF_HIGH_END;
        sum += regs[index * 2]! * (1 << cache.scale[slot]!);
      }
      if (high < LOWER_HALF_HIGH_END && sum >= 0 && sum < TWO_POW_32) {
        return high === 0 ? sum : high * TWO_POW_32 + sum;
      }
    }
  }
  effectiveAddress(state, cache, slot);
  let low = state.eaLow;
  let high = state.eaHigh;
  if ((prefix & (PREFIX.FS | PREFIX.GS)) !== 0) {
    const segment = (prefix & PREFIX.FS) !== 0 ? SLOT.FS_BASE : SLOT.GS_BASE;
    const sum = low + state.regs[segment * 2]!;
    high = (high + state.regs[segment * 2 + 1]! + (sum >= TWO_POW_32 ? 1 : 0)) >>> 0;
    low = sum >>> 0;
  }
  const base = cache.base[slot]!;
  return linearFromHalves(state, low, high, base === RSP || base === RBP);
}

/** Reads the r/m operand of `slot` at its size (register or memory). Check `exceptionVector` after. */
export function readRm(state: CpuState, cache: DecodedCache, slot: number, size: number): number {
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) return readRegister(state, rm, size);
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return 0;
  return readSized(state, linear, size);
}

/** Writes the r/m operand of `slot` (register or memory at `linear`, already computed for memory forms). */
export function writeRm(
  state: CpuState,
  cache: DecodedCache,
  slot: number,
  size: number,
  linear: number,
  low: number,
  high: number,
): void {
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) writeRegister(state, rm, size, low, high);
  else writeSized(state, linear, size, low, high);
}

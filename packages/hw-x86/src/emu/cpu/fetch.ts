/**
 * Instruction fetch: maps RIP to a decoded-cache slot.
 *
 * Fast path: while RIP stays in the same page (`fetchRipBase`, reset by
 * every TLB flush, INVLPG and decoded-cache invalidation), the slot is
 * `fetchBase + page offset`, no translation at all. Otherwise the page is
 * translated for execution (#PF with I when NXE) and its block looked up.
 * An instruction crossing into the next page is decoded into the scratch
 * slot after translating that page too (either page may fault); it is never
 * cached. Decode failures raise #UD, or #GP(0) past 15 bytes. Code outside
 * RAM (MMIO) cannot be executed here: #UD.
 */
import { VECTOR as VECTORImport } from "./arch-bits";
import { ACCESS as ACCESSImport, type CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import {
  DECODE_INVALID as DECODE_INVALIDImport,
  DECODE_NEED_MORE as DECODE_NEED_MOREImport,
  DECODE_TOO_LONG as DECODE_TOO_LONGImport,
  decodeInstruction as decodeInstructionImport,
  MAX_INSTRUCTION_LENGTH as MAX_INSTRUCTION_LENGTHImport,
} from "./decoder";
import { translate as translateImport } from "./mmu";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const VECTOR = VECTORImport;
const ACCESS = ACCESSImport;
const DECODE_INVALID = DECODE_INVALIDImport;
const DECODE_NEED_MORE = DECODE_NEED_MOREImport;
const DECODE_TOO_LONG = DECODE_TOO_LONGImport;
const decodeInstruction = decodeInstructionImport;
const MAX_INSTRUCTION_LENGTH = MAX_INSTRUCTION_LENGTHImport;
const translate = translateImport;

/** Returned by `fetchInstruction` when an exception was recorded instead. */
export const FETCH_FAILED = -1;

const TWO_POW_48 = 2 ** 48;
const CANONICAL_LIMIT = 2 ** 47;
const scratchBytes = new Uint8Array(MAX_INSTRUCTION_LENGTH);

/** The decoded-cache slot of the instruction at RIP, or FETCH_FAILED with an exception recorded. */
export function fetchInstruction(state: CpuState, cache: DecodedCache): number {
  const delta = state.rip - state.fetchRipBase;
  if (delta >= 0 && delta < 4096) {
    const slot = state.fetchBase + (delta | 0);
    if (cache.length[slot] !== 0) return slot;
    return decodeAt(state, cache, state.rip < 0 ? state.rip + TWO_POW_48 : state.rip, slot);
  }
  const rip = state.rip;
  const linear = rip < 0 ? rip + TWO_POW_48 : rip;
  const pageOffset = linear & 4095;
  if (!refillFetchPage(state, cache, linear)) return FETCH_FAILED;
  state.fetchRipBase = rip - pageOffset;
  const slot = state.fetchBase + pageOffset;
  if (cache.length[slot] !== 0) return slot;
  return decodeAt(state, cache, linear, slot);
}

function refillFetchPage(state: CpuState, cache: DecodedCache, linear: number): boolean {
  const physical = translate(state, linear, ACCESS.EXECUTE);
  if (physical < 0) return false;
  if (physical >= state.ramSize) {
    state.raise(VECTOR.UD, -1);
    return false;
  }
  const physicalPage = physical - (physical & 4095);
  state.fetchBase = cache.blockBase(physicalPage / 4096);
  state.fetchPhysical = physicalPage;
  return true;
}

function decodeAt(state: CpuState, cache: DecodedCache, linear: number, slot: number): number {
  const offset = linear & 4095;
  const start = state.fetchPhysical + offset;
  const result = decodeInstruction(state.u8, start, state.fetchPhysical + 4096, cache, slot);
  if (result > 0) return slot;
  if (result !== DECODE_NEED_MORE) return decodeFailed(state, result);
  // The instruction continues on the next page: gather up to 15 bytes from both pages.
  const firstPart = 4096 - offset;
  scratchBytes.set(state.u8.subarray(start, start + firstPart));
  const nextSigned = state.rip - offset + 4096;
  if (nextSigned >= CANONICAL_LIMIT) {
    state.raise(VECTOR.GP, 0);
    return -1;
  }
  const nextLinear = (linear - offset + 4096) % TWO_POW_48;
  const nextPhysical = translate(state, nextLinear, ACCESS.EXECUTE);
  if (nextPhysical < 0) return -1;
  const rest = MAX_INSTRUCTION_LENGTH - firstPart;
  for (let i = 0; i < rest; i++) {
    scratchBytes[firstPart + i] = nextPhysical + i < state.ramSize ? state.u8[nextPhysical + i]! : 0xff;
  }
  const scratch = cache.scratchSlot;
  const crossing = decodeInstruction(scratchBytes, 0, MAX_INSTRUCTION_LENGTH, cache, scratch);
  if (crossing > 0) return scratch;
  return decodeFailed(state, crossing);
}

function decodeFailed(state: CpuState, result: number): number {
  if (result === DECODE_TOO_LONG) state.raise(VECTOR.GP, 0);
  else if (result === DECODE_INVALID || result === DECODE_NEED_MORE) state.raise(VECTOR.UD, -1);
  else state.raise(VECTOR.UD, -1);
  return -1;
}

/**
 * FXSAVE / FXRSTOR m512byte (NP 0F AE /0, /1; REX.W: FXSAVE64 / FXRSTOR64),
 * SDM vol 2 "FXSAVE" tables 3-43/3-44 and "FXRSTOR".
 *
 * The legacy region (bytes 0–415 of the 512):
 * - 0 FCW, 2 FSW, 4 abridged FTW, 6 FOP, 8 FIP, 16 FDP: this CPU has no
 *   x87 FPU (CPUID.1:EDX.FPU = 0), so FXSAVE writes the state FNINIT would
 *   leave (FCW 037FH, everything else 0, all tags empty) and FXRSTOR
 *   ignores these fields. With all of them zero the 64-bit (REX.W) and
 *   32-bit layouts of FIP/FDP are the same bytes, so the two forms differ
 *   in nothing observable here.
 * - 24 MXCSR, 28 MXCSR_MASK (FFFFH: every bit LDMXCSR accepts, DAZ
 *   included), 32–159 ST0–ST7/MM0–MM7 (zero), 160–415 XMM0–XMM15.
 * - 416–511 are reserved / available to software: never written or read.
 *
 * Faults, in order: CR0.EM = 1 → #UD; CR0.TS = 1 → #NM; a misaligned
 * operand (not 16-byte aligned) → #GP(0); #PF on either page (checked
 * before anything is written or loaded); FXRSTOR of an MXCSR with bits
 * outside MXCSR_MASK → #GP(0). LOCK and 66/F2/F3 are #UD (decoder).
 * CR4.OSFXSR = 0 does not fault: the SDM lets FXSAVE skip XMM/MXCSR and
 * FXRSTOR not load them, which is what happens.
 */
import { CR0, CR4, VECTOR } from "./arch-bits";
import { ACCESS, type CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { readMemory, writeMemory } from "./memory";
import { translate } from "./mmu";
import { operandAddress } from "./operands";

/** Byte offsets in the FXSAVE image (SDM vol 2 table 3-43). */
export const FXSAVE_LAYOUT = {
  FCW: 0,
  FSW: 2,
  FTW: 4,
  FOP: 6,
  FIP: 8,
  FDP: 16,
  MXCSR: 24,
  MXCSR_MASK: 28,
  ST0: 32,
  XMM0: 160,
  /** End of the part the processor writes (416–511 are reserved or for software). */
  END: 416,
  /** Size of the whole memory operand. */
  SIZE: 512,
} as const;

/** FCW after FNINIT (SDM vol 1 §8.1.5): all exceptions masked, 64-bit precision, round to nearest. */
export const FCW_DEFAULT = 0x037f;
/** MXCSR bits this CPU supports (LDMXCSR/FXRSTOR raise #GP(0) for any other bit). */
export const MXCSR_MASK = 0x0000ffff;

/** `aux` of OP.FXSAVE_OP: ModRM.reg of 0F AE. */
export const FXSAVE_KIND = { SAVE: 0, RESTORE: 1 } as const;

const ALIGNMENT_MASK = 15;
const PAGE_MASK = 4095;
const LINEAR_MODULUS = 2 ** 48;
/** XMM words loaded by FXRSTOR, committed only after every read succeeded. */
const restored = new Uint32Array(64);

/** Linear address of byte `offset` of the image at `linear`. */
function at(linear: number, offset: number): number {
  return (linear + offset) % LINEAR_MODULUS;
}

/** #UD / #NM / alignment checks; returns the linear address or -1 with the exception recorded. */
function checkedAddress(state: CpuState, cache: DecodedCache, slot: number): number {
  if ((state.cr0 & CR0.EM) !== 0) {
    state.raise(VECTOR.UD, -1);
    return -1;
  }
  if ((state.cr0 & CR0.TS) !== 0) {
    state.raise(VECTOR.NM, -1);
    return -1;
  }
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return -1;
  if ((linear & ALIGNMENT_MASK) !== 0) {
    state.raise(VECTOR.GP, 0);
    return -1;
  }
  return linear;
}

/**
 * Checks that the 512 bytes at `linear` allow `access` on both pages they
 * touch; a fault on the second page reports that page's first byte in CR2.
 */
function probeImage(state: CpuState, linear: number, access: number): boolean {
  if (translate(state, linear, access) < 0) return false;
  const last = at(linear, FXSAVE_LAYOUT.SIZE - 1);
  if ((last & ~PAGE_MASK) === (linear & ~PAGE_MASK)) return true;
  return translate(state, last - (last & PAGE_MASK), access) >= 0;
}

function fxsave(state: CpuState, linear: number): void {
  if (!probeImage(state, linear, ACCESS.WRITE)) return;
  // FCW | FSW << 16, then abridged FTW, FOP, FIP, FDP: all zero without an x87 unit.
  writeMemory(state, at(linear, FXSAVE_LAYOUT.FCW), 4, FCW_DEFAULT);
  for (let offset = FXSAVE_LAYOUT.FTW; offset < FXSAVE_LAYOUT.MXCSR; offset += 4) {
    writeMemory(state, at(linear, offset), 4, 0);
  }
  for (let offset = FXSAVE_LAYOUT.ST0; offset < FXSAVE_LAYOUT.XMM0; offset += 4) {
    writeMemory(state, at(linear, offset), 4, 0);
  }
  if ((state.cr4 & CR4.OSFXSR) === 0) return;
  writeMemory(state, at(linear, FXSAVE_LAYOUT.MXCSR), 4, state.context.mxcsr);
  writeMemory(state, at(linear, FXSAVE_LAYOUT.MXCSR_MASK), 4, MXCSR_MASK);
  const xmm = state.context.xmm;
  for (let word = 0; word < xmm.length; word++) {
    writeMemory(state, at(linear, FXSAVE_LAYOUT.XMM0 + word * 4), 4, xmm[word]!);
  }
}

function fxrstor(state: CpuState, linear: number): void {
  // Both pages of the 512-byte operand must be readable before anything is loaded.
  if (!probeImage(state, linear, ACCESS.READ)) return;
  if ((state.cr4 & CR4.OSFXSR) === 0) return;
  const mxcsr = readMemory(state, at(linear, FXSAVE_LAYOUT.MXCSR), 4);
  if (state.exceptionVector >= 0) return;
  if ((mxcsr & ~MXCSR_MASK) !== 0) {
    state.raise(VECTOR.GP, 0);
    return;
  }
  for (let word = 0; word < restored.length; word++) {
    restored[word] = readMemory(state, at(linear, FXSAVE_LAYOUT.XMM0 + word * 4), 4);
  }
  if (state.exceptionVector >= 0) return;
  state.context.xmm.set(restored);
  state.context.mxcsr = mxcsr >>> 0;
}

/** FXSAVE / FXRSTOR (aux = FXSAVE_KIND); see the file header for the image and the faults. */
export function executeFxsave(state: CpuState, cache: DecodedCache, slot: number): void {
  const linear = checkedAddress(state, cache, slot);
  if (linear < 0) return;
  if (cache.aux[slot] === FXSAVE_KIND.SAVE) fxsave(state, linear);
  else fxrstor(state, linear);
}

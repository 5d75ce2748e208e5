/**
 * The memory images of the x87/SSE state: the 512-byte FXSAVE image (SDM
 * vol 2 "FXSAVE" table 3-43, also Linux's signal-frame `struct
 * _fpstate_64`) and the tag words. One encoder and one decoder serve the
 * FXSAVE/FXRSTOR instructions and the kernel's signal frames.
 *
 * Registers are stored in stack order (ST0 first, 16 bytes apart, 10 used);
 * the abridged tag byte has bit i set when physical register R`i` is not
 * empty. FOP, FIP and FDP are written from the context (0: not tracked).
 */
import { type CpuContext, FPU, FTW_EMPTY } from "../../interfaces/cpu-context";

/** Byte offsets in the FXSAVE image (SDM vol 2 table 3-43). */
export const FXSAVE_LAYOUT = {
  /** x87 control word (16 bits). */
  FCW: 0,
  /** x87 status word (16 bits). */
  FSW: 2,
  /** Abridged tag word (8 bits, one per register: 1 = valid). */
  FTW: 4,
  /** Last x87 opcode (11 bits). */
  FOP: 6,
  /** Last x87 instruction pointer (64 bits in 64-bit mode). */
  FIP: 8,
  /** Last x87 data pointer (64 bits in 64-bit mode). */
  FDP: 16,
  /** MXCSR. */
  MXCSR: 24,
  /** MXCSR bits the processor supports. */
  MXCSR_MASK: 28,
  /** ST0–ST7 (MM0–MM7), 16 bytes each, the 80-bit value in the low 10. */
  ST0: 32,
  /** XMM0–XMM15, 16 bytes each. */
  XMM0: 160,
  /** End of the part the processor writes (416–511 are reserved or for software). */
  END: 416,
  /** Size of the whole memory operand. */
  SIZE: 512,
} as const;

/** MXCSR bits this CPU supports (LDMXCSR/FXRSTOR raise #GP(0) for any other bit). */
export const MXCSR_MASK = 0x0000ffff;

/** TOP field of FSW (bits 13..11). */
export function fpuTop(fpu: Uint32Array): number {
  return (fpu[FPU.FSW]! >>> 11) & 7;
}

/** Tag of a non-empty physical register from its contents: 0 valid, 1 zero, 2 special. */
export function registerTag(fpu: Uint32Array, physical: number): number {
  const base = FPU.REGISTERS + physical * 3;
  const lo = fpu[base]!;
  const hi = fpu[base + 1]!;
  const exponent = fpu[base + 2]! & 0x7fff;
  if (exponent === 0x7fff) return 2;
  if (exponent === 0) return hi === 0 && lo === 0 ? 1 : 2;
  return (hi & 0x80000000) !== 0 ? 0 : 2;
}

/** The full tag word (FNSTENV/FNSAVE): real tags for the non-empty registers. */
export function fullTagWord(fpu: Uint32Array): number {
  const stored = fpu[FPU.FTW]!;
  let word = 0;
  for (let physical = 0; physical < 8; physical++) {
    const empty = ((stored >>> (physical * 2)) & 3) === 3;
    word |= (empty ? 3 : registerTag(fpu, physical)) << (physical * 2);
  }
  return word;
}

/** The abridged tag byte (FXSAVE): bit i set when R`i` is not empty. */
export function abridgedTagWord(fpu: Uint32Array): number {
  const stored = fpu[FPU.FTW]!;
  let byte = 0;
  for (let physical = 0; physical < 8; physical++)
    if (((stored >>> (physical * 2)) & 3) !== 3) byte |= 1 << physical;
  return byte;
}

/** Tag word as the context stores it, from an abridged byte or a full word (only "empty" survives). */
export function storedTagWord(tags: number, abridged: boolean): number {
  let word = 0;
  for (let physical = 0; physical < 8; physical++) {
    const empty = abridged ? ((tags >>> physical) & 1) === 0 : ((tags >>> (physical * 2)) & 3) === 3;
    if (empty) word |= 3 << (physical * 2);
  }
  return word;
}

/** Writes ST(i) (stack order) as 10 bytes at `offset`. */
export function writeStackRegister(fpu: Uint32Array, index: number, view: DataView, offset: number): void {
  const base = FPU.REGISTERS + ((fpuTop(fpu) + index) & 7) * 3;
  view.setUint32(offset, fpu[base]!, true);
  view.setUint32(offset + 4, fpu[base + 1]!, true);
  view.setUint16(offset + 8, fpu[base + 2]! & 0xffff, true);
}

/** Reads ST(i) from 10 bytes at `offset` (TOP must already be set). */
export function readStackRegister(fpu: Uint32Array, index: number, view: DataView, offset: number): void {
  const base = FPU.REGISTERS + ((fpuTop(fpu) + index) & 7) * 3;
  fpu[base] = view.getUint32(offset, true);
  fpu[base + 1] = view.getUint32(offset + 4, true);
  fpu[base + 2] = view.getUint16(offset + 8, true);
}

/**
 * Fills bytes 0–415 of the FXSAVE image at `view` from `context`
 * (`withSse` false: the MXCSR and XMM fields are left as they are, as
 * FXSAVE does with CR4.OSFXSR = 0). Bytes 416–511 are not touched.
 */
export function writeFxsaveImage(context: CpuContext, view: DataView, withSse: boolean): void {
  const fpu = context.fpu;
  view.setUint16(FXSAVE_LAYOUT.FCW, fpu[FPU.FCW]!, true);
  view.setUint16(FXSAVE_LAYOUT.FSW, fpu[FPU.FSW]!, true);
  view.setUint8(FXSAVE_LAYOUT.FTW, abridgedTagWord(fpu));
  view.setUint8(FXSAVE_LAYOUT.FTW + 1, 0);
  view.setUint16(FXSAVE_LAYOUT.FOP, fpu[FPU.FOP]! & 0x7ff, true);
  view.setUint32(FXSAVE_LAYOUT.FIP, fpu[FPU.FIP]!, true);
  view.setUint32(FXSAVE_LAYOUT.FIP + 4, fpu[FPU.FIP + 1]!, true);
  view.setUint32(FXSAVE_LAYOUT.FDP, fpu[FPU.FDP]!, true);
  view.setUint32(FXSAVE_LAYOUT.FDP + 4, fpu[FPU.FDP + 1]!, true);
  for (let index = 0; index < 8; index++) {
    const offset = FXSAVE_LAYOUT.ST0 + index * 16;
    writeStackRegister(fpu, index, view, offset);
    for (let pad = 10; pad < 16; pad += 2) view.setUint16(offset + pad, 0, true);
  }
  if (!withSse) return;
  view.setUint32(FXSAVE_LAYOUT.MXCSR, context.mxcsr, true);
  view.setUint32(FXSAVE_LAYOUT.MXCSR_MASK, MXCSR_MASK, true);
  const xmm = context.xmm;
  for (let word = 0; word < xmm.length; word++)
    view.setUint32(FXSAVE_LAYOUT.XMM0 + word * 4, xmm[word]!, true);
}

/** True when the image's MXCSR has only supported bits (FXRSTOR raises #GP(0) otherwise). */
export function fxsaveImageValid(view: DataView): boolean {
  return (view.getUint32(FXSAVE_LAYOUT.MXCSR, true) & ~MXCSR_MASK) === 0;
}

/** Loads `context` from a valid FXSAVE image (`withSse` false: x87 state only). */
export function readFxsaveImage(view: DataView, context: CpuContext, withSse: boolean): void {
  const fpu = context.fpu;
  fpu[FPU.FCW] = view.getUint16(FXSAVE_LAYOUT.FCW, true);
  fpu[FPU.FSW] = view.getUint16(FXSAVE_LAYOUT.FSW, true);
  fpu[FPU.FTW] = storedTagWord(view.getUint8(FXSAVE_LAYOUT.FTW), true);
  fpu[FPU.FOP] = view.getUint16(FXSAVE_LAYOUT.FOP, true) & 0x7ff;
  fpu[FPU.FIP] = view.getUint32(FXSAVE_LAYOUT.FIP, true);
  fpu[FPU.FIP + 1] = view.getUint32(FXSAVE_LAYOUT.FIP + 4, true);
  fpu[FPU.FDP] = view.getUint32(FXSAVE_LAYOUT.FDP, true);
  fpu[FPU.FDP + 1] = view.getUint32(FXSAVE_LAYOUT.FDP + 4, true);
  for (let index = 0; index < 8; index++) readStackRegister(fpu, index, view, FXSAVE_LAYOUT.ST0 + index * 16);
  if (!withSse) return;
  context.mxcsr = view.getUint32(FXSAVE_LAYOUT.MXCSR, true);
  const xmm = context.xmm;
  for (let word = 0; word < xmm.length; word++)
    xmm[word] = view.getUint32(FXSAVE_LAYOUT.XMM0 + word * 4, true);
}

export { FTW_EMPTY };

/**
 * x86-64 instruction decoder (64-bit mode only) for the subset the executor
 * implements: legacy prefixes, REX, the one-byte map, the 0F map (0F 38 and
 * 0F 3A decode as invalid until SSE arrives), ModRM/SIB, RIP-relative
 * addressing, every displacement and immediate form.
 *
 * `decodeInstruction` writes one slot of a {@link DecodedCache} and returns
 * the instruction length, or a negative DECODE_* code. Anything outside the
 * implemented subset is DECODE_INVALID (the CPU raises #UD); so is a LOCK
 * prefix on an instruction that cannot take one (SDM vol 2 LOCK).
 *
 * Invariant: nothing here allocates; decode state lives in module variables
 * reset at the start of each call (the decoder is not re-entrant, which is
 * fine: it never calls out).
 */
import type { DecodedCache } from "./decoded-cache";
import { decodeOneByte } from "./decoder-one-byte";
import { decodeTwoByte } from "./decoder-two-byte";
import { OPERAND, PREFIX } from "./ops";

/** The bytes run past the limit given and the instruction is not yet 15 bytes: fetch more and retry. */
export const DECODE_NEED_MORE = -1;
/** Not an instruction the executor implements (or not an instruction): #UD. */
export const DECODE_INVALID = -2;
/** Longer than 15 bytes: #GP(0) (SDM vol 2 §2.3.11). */
export const DECODE_TOO_LONG = -3;

/** Maximum instruction length (SDM vol 2 §2.3.11). */
export const MAX_INSTRUCTION_LENGTH = 15;

/** Immediate kinds an opcode asks for. */
export const IMM = {
  NONE: 0,
  /** 8 bits, sign-extended to the operand size. */
  BYTE: 1,
  /** 16 bits, zero-extended (RET imm16). */
  WORD: 2,
  /** 16 or 32 bits by operand size, sign-extended to 64 (Iz). */
  Z: 3,
  /** 16, 32 or 64 bits by operand size (MOV r, imm: Iv). */
  V: 4,
  /** ENTER: imm16 then imm8. */
  ENTER: 5,
  /** MOV moffs: 64-bit address (32-bit with 67). */
  MOFFS: 6,
  /** 8 bits, zero-extended (shift counts, INT n, BT imm). */
  UBYTE: 7,
  /** Relative 8-bit branch displacement, sign-extended. */
  REL8: 8,
  /** Relative 32-bit branch displacement, sign-extended. */
  REL32: 9,
  /** No immediate bytes; the value 1 (shift-by-one forms D0/D1). */
  ONE: 10,
} as const;

/**
 * Per-instruction decode state shared with the opcode-map decoders. They
 * set `op`, `aux`, `size`, `modrm` (needs a ModRM byte), `memoryOnly`,
 * `registerOnly`, `lockable`, `imm`, `regByte`/`rmByte` (8-bit register
 * operands), and may read the prefixes.
 */
export const state = {
  bytes: new Uint8Array(0) as Uint8Array<ArrayBufferLike>,
  position: 0,
  limit: 0,
  end: 0,
  maxEnd: 0,
  rex: 0,
  operandSize16: false,
  repPrefix: 0,
  prefix: 0,
  op: 0,
  aux: 0,
  size: 4,
  modrm: false,
  memoryOnly: false,
  registerOnly: false,
  lockable: false,
  imm: 0,
  regByte: false,
  rmByte: false,
  /** `reg` and `rm` operands of an instruction without ModRM (encoded in the opcode). */
  fixedReg: 0,
  fixedRm: 0 as number,
  /** ModRM.reg (0–7, before REX.R), available to map decoders after `readModrm`. */
  modrmReg: 0,
  modrmMod: 0,
  modrmRm: 0,
  status: 0,
};

/** REX bits (SDM vol 2 §2.2.1). */
const REX = { W: 8, R: 4, X: 2, B: 1 } as const;

/** Operand size of a "v" operand: 8 with REX.W, 2 with 66, else 4. */
export function operandSizeV(): number {
  if (state.rex & REX.W) return 8;
  return state.operandSize16 ? 2 : 4;
}

/** Operand size of a default-64 operand (push, pop, near branches): 2 with 66 and no REX.W, else 8. */
export function operandSize64(): number {
  return state.operandSize16 && !(state.rex & REX.W) ? 2 : 8;
}

/** Reads the next byte, or sets `status` and returns -1 when the bytes run out. */
export function nextByte(): number {
  const at = state.position;
  if (at >= state.end) {
    state.status = at >= state.maxEnd ? DECODE_TOO_LONG : DECODE_NEED_MORE;
    return -1;
  }
  state.position = at + 1;
  return state.bytes[at]!;
}

/** Peeks at the ModRM byte (for map decoders that choose by its fields) without consuming it. */
export function peekModrm(): number {
  const at = state.position;
  if (at >= state.end) {
    state.status = at >= state.maxEnd ? DECODE_TOO_LONG : DECODE_NEED_MORE;
    return -1;
  }
  return state.bytes[at]!;
}

/**
 * Decodes the instruction at `bytes[start]` into `slot` of `cache`. Bytes at
 * or beyond `limit` are unavailable (DECODE_NEED_MORE if needed and the
 * instruction could still be under 15 bytes).
 */
export function decodeInstruction(
  bytes: Uint8Array,
  start: number,
  limit: number,
  cache: DecodedCache,
  slot: number,
): number {
  state.bytes = bytes;
  state.position = start;
  state.limit = limit;
  state.maxEnd = start + MAX_INSTRUCTION_LENGTH;
  state.end = Math.min(limit, state.maxEnd);
  state.rex = 0;
  state.operandSize16 = false;
  state.repPrefix = 0;
  state.prefix = 0;
  state.status = 0;
  let opcode = readPrefixes();
  if (opcode < 0) return state.status;
  state.op = 0;
  state.aux = 0;
  state.size = operandSizeV();
  state.modrm = false;
  state.memoryOnly = false;
  state.registerOnly = false;
  state.lockable = false;
  state.imm = 0;
  state.regByte = false;
  state.rmByte = false;
  state.fixedReg = 0;
  state.fixedRm = OPERAND.MEMORY;
  if (opcode === 0x0f) {
    opcode = nextByte();
    if (opcode < 0) return state.status;
    if (!decodeTwoByte(opcode)) return state.status !== 0 ? state.status : DECODE_INVALID;
  } else if (!decodeOneByte(opcode)) {
    return state.status !== 0 ? state.status : DECODE_INVALID;
  }
  if (state.status !== 0) return state.status;
  return finishOperands(cache, slot, start);
}

function readPrefixes(): number {
  for (;;) {
    const byte = nextByte();
    if (byte < 0) return -1;
    if ((byte & 0xf0) === 0x40) {
      state.rex = byte;
      const next = nextByte();
      if (next < 0) return -1;
      if ((next & 0xf0) === 0x40 || isLegacyPrefix(next)) {
        state.position--;
        state.rex = 0;
        continue;
      }
      return next;
    }
    if (!isLegacyPrefix(byte)) return byte;
    applyLegacyPrefix(byte);
  }
}

function isLegacyPrefix(byte: number): boolean {
  switch (byte) {
    case 0x26:
    case 0x2e:
    case 0x36:
    case 0x3e:
    case 0x64:
    case 0x65:
    case 0x66:
    case 0x67:
    case 0xf0:
    case 0xf2:
    case 0xf3:
      return true;
    default:
      return false;
  }
}

function applyLegacyPrefix(byte: number): void {
  switch (byte) {
    case 0x64:
      state.prefix = (state.prefix & ~PREFIX.GS) | PREFIX.FS;
      break;
    case 0x65:
      state.prefix = (state.prefix & ~PREFIX.FS) | PREFIX.GS;
      break;
    case 0x66:
      state.operandSize16 = true;
      break;
    case 0x67:
      state.prefix |= PREFIX.ADDR32;
      break;
    case 0xf0:
      state.prefix |= PREFIX.LOCK;
      break;
    case 0xf2:
      state.repPrefix = 0xf2;
      state.prefix = (state.prefix & ~PREFIX.REP) | PREFIX.REPNE;
      break;
    case 0xf3:
      state.repPrefix = 0xf3;
      state.prefix = (state.prefix & ~PREFIX.REPNE) | PREFIX.REP;
      break;
    default:
      // CS, DS, ES, SS overrides: accepted and ignored in 64-bit mode (SDM vol 1 §3.3.7.1).
      break;
  }
}

function finishOperands(cache: DecodedCache, slot: number, start: number): number {
  let reg = state.fixedReg;
  let rm = state.fixedRm;
  let base: number = OPERAND.NONE;
  let index: number = OPERAND.NONE;
  let scale = 0;
  let disp = 0;
  const rex = state.rex;
  if (state.modrm) {
    const modrm = nextByte();
    if (modrm < 0) return state.status;
    const mod = modrm >>> 6;
    reg = ((modrm >>> 3) & 7) | (rex & REX.R ? 8 : 0);
    const low = modrm & 7;
    if (mod === 3) {
      if (state.memoryOnly) return DECODE_INVALID;
      rm = low | (rex & REX.B ? 8 : 0);
      if (state.rmByte && rex === 0 && low >= 4) rm = OPERAND.HIGH_BYTE_BASE + low - 4;
    } else {
      if (state.registerOnly) return DECODE_INVALID;
      if (low === 4) {
        const sib = nextByte();
        if (sib < 0) return state.status;
        scale = sib >>> 6;
        const indexField = ((sib >>> 3) & 7) | (rex & REX.X ? 8 : 0);
        index = indexField === 4 ? OPERAND.NONE : indexField;
        const baseLow = sib & 7;
        if (baseLow === 5 && mod === 0) {
          base = OPERAND.NONE;
          disp = readSigned(4);
        } else {
          base = baseLow | (rex & REX.B ? 8 : 0);
        }
      } else if (low === 5 && mod === 0) {
        base = OPERAND.RIP;
        disp = readSigned(4);
      } else {
        base = low | (rex & REX.B ? 8 : 0);
      }
      if (mod === 1) disp = readSigned(1);
      else if (mod === 2) disp = readSigned(4);
      if (state.status !== 0) return state.status;
    }
    if (state.regByte && rex === 0 && reg >= 4) reg = OPERAND.HIGH_BYTE_BASE + reg - 4;
  }
  if ((state.prefix & PREFIX.LOCK) !== 0 && !(state.lockable && rm === OPERAND.MEMORY)) return DECODE_INVALID;
  if (!readImmediate(cache, slot)) return state.status;
  const length = state.position - start;
  cache.op[slot] = state.op;
  cache.length[slot] = length;
  cache.size[slot] = state.size;
  cache.reg[slot] = reg;
  cache.rm[slot] = rm;
  cache.base[slot] = base;
  cache.index[slot] = index;
  cache.scale[slot] = scale;
  cache.prefix[slot] = state.prefix;
  cache.aux[slot] = state.aux;
  cache.disp[slot] = disp;
  return length;
}

/** Reads a little-endian signed value of `count` bytes (1, 2 or 4); sets status on running out. */
function readSigned(count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const byte = nextByte();
    if (byte < 0) return 0;
    value |= byte << (8 * i);
  }
  if (count === 1) return (value << 24) >> 24;
  if (count === 2) return (value << 16) >> 16;
  return value | 0;
}

function readImmediate(cache: DecodedCache, slot: number): boolean {
  let low = 0;
  let high = 0;
  switch (state.imm) {
    case IMM.NONE:
      break;
    case IMM.BYTE:
    case IMM.REL8:
      low = readSigned(1);
      high = low >> 31;
      break;
    case IMM.ONE:
      low = 1;
      break;
    case IMM.UBYTE:
      low = readSigned(1) & 0xff;
      break;
    case IMM.WORD:
      low = readSigned(2) & 0xffff;
      break;
    case IMM.Z:
      low = readSigned(state.size === 2 ? 2 : 4);
      high = low >> 31;
      break;
    case IMM.REL32:
      low = readSigned(4);
      high = low >> 31;
      break;
    case IMM.V:
      if (state.size === 2) low = readSigned(2) & 0xffff;
      else {
        low = readSigned(4);
        if (state.size === 8) high = readSigned(4);
      }
      break;
    case IMM.ENTER:
      low = readSigned(2) & 0xffff;
      high = readSigned(1) & 0xff;
      break;
    case IMM.MOFFS:
      low = readSigned(4);
      if ((state.prefix & PREFIX.ADDR32) === 0) high = readSigned(4);
      break;
  }
  if (state.status !== 0) return false;
  cache.immLow[slot] = low;
  cache.immHigh[slot] = high;
  return true;
}

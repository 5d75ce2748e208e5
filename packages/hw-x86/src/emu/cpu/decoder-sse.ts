/**
 * The SSE/SSE2 forms of the 0F map: mandatory-prefix selection (none,
 * 66, F3, F2 — the last F2/F3 wins, 66 is overridden by F2/F3) of moves,
 * bitwise, packed-integer, shift, shuffle and MXCSR instructions here; the
 * floating-point forms in decoder-sse-float.ts.
 */
import { IMM, peekModrm, state } from "./decoder";
import { decodeSseFloat, sseOp } from "./decoder-sse-float";
import { OP } from "./ops";
import { HALF, SHUFFLE, SSE, SSE_60_76, SSE_D0_FF, SSE_MOVE } from "./sse-ops";

const NONE = 0;
const P66 = 1;
const PF3 = 2;
const PF2 = 3;

function mandatoryPrefix(): number {
  if (state.repPrefix === 0xf3) return PF3;
  if (state.repPrefix === 0xf2) return PF2;
  return state.operandSize16 ? P66 : NONE;
}

const sse = sseOp;

function move(load: boolean, aligned: boolean): boolean {
  return sse(load ? OP.SSE_LOAD : OP.SSE_STORE, aligned ? SSE_MOVE.ALIGNED : 0, 16);
}

function binary(aux: number): boolean {
  if (aux < 0) return false;
  return sse(OP.SSE_BINARY, aux, 16);
}

/** Decodes 0F `opcode` as an SSE instruction; false = not an implemented SSE form. */
export function decodeSse(opcode: number): boolean {
  const prefix = mandatoryPrefix();
  const modrm = peekModrm();
  if (modrm < 0) return false;
  const isRegister = modrm >>> 6 === 3;
  switch (opcode) {
    case 0x10:
    case 0x11:
      if (prefix !== NONE && prefix !== P66) return decodeSseFloat(opcode, prefix, isRegister);
      return move(opcode === 0x10, false);
    case 0x28:
    case 0x29:
      if (prefix !== NONE && prefix !== P66) return false;
      return move(opcode === 0x28, true);
    case 0x12:
    case 0x16:
      if (prefix === P66 && isRegister) return false;
      if (prefix !== NONE && prefix !== P66) return false;
      return sse(OP.SSE_HALF, opcode === 0x12 ? HALF.LOAD_LOW : HALF.LOAD_HIGH, 8);
    case 0x13:
    case 0x17:
      if ((prefix !== NONE && prefix !== P66) || isRegister) return false;
      return sse(OP.SSE_HALF, opcode === 0x13 ? HALF.STORE_LOW : HALF.STORE_HIGH, 8);
    case 0x54:
    case 0x55:
    case 0x56:
    case 0x57:
      if (prefix !== NONE && prefix !== P66) return false;
      return binary([SSE.AND, SSE.ANDN, SSE.OR, SSE.XOR][opcode - 0x54]!);
    case 0x6e:
    case 0x7e:
      if (opcode === 0x7e && prefix === PF3) return sse(OP.SSE_LOAD, SSE_MOVE.ZERO_UPPER, 8);
      if (prefix !== P66) return false;
      return sse(opcode === 0x6e ? OP.MOVD_IN : OP.MOVD_OUT, 0, state.rex & 8 ? 8 : 4);
    case 0x6f:
    case 0x7f:
      if (prefix !== P66 && prefix !== PF3) return false;
      return move(opcode === 0x6f, prefix === P66);
    case 0x70:
      if (prefix === NONE) return false;
      state.imm = IMM.UBYTE;
      return sse(
        OP.SSE_SHUFFLE,
        prefix === P66 ? SHUFFLE.PSHUFD : prefix === PF2 ? SHUFFLE.PSHUFLW : SHUFFLE.PSHUFHW,
        16,
      );
    case 0x71:
    case 0x72:
    case 0x73:
      return decodeShiftImmediate(opcode, prefix, modrm);
    case 0xc6:
      if (prefix !== NONE && prefix !== P66) return false;
      state.imm = IMM.UBYTE;
      return sse(OP.SSE_SHUFFLE, prefix === P66 ? SHUFFLE.SHUFPD : SHUFFLE.SHUFPS, 16);
    case 0xd6:
      if (prefix !== P66) return false;
      return sse(OP.SSE_STORE, SSE_MOVE.ZERO_UPPER, 8);
    case 0xd7:
      if (prefix !== P66 || !isRegister) return false;
      return sse(OP.PMOVMSKB, 0, 4);
    case 0xe7:
      if (prefix !== P66 || isRegister) return false;
      return move(false, true);
    default:
      if (decodeSseFloat(opcode, prefix, isRegister)) return true;
      if (prefix !== P66) return false;
      if (opcode >= 0xd0) return binary(SSE_D0_FF[opcode - 0xd0] ?? -1);
      if (opcode >= 0x60 && opcode <= 0x76) return binary(SSE_60_76[opcode - 0x60] ?? -1);
      return false;
  }
}

const SHIFT_IMMEDIATE: readonly (readonly number[])[] = [
  [-1, -1, SSE.SRL16, -1, SSE.SRA16, -1, SSE.SLL16, -1],
  [-1, -1, SSE.SRL32, -1, SSE.SRA32, -1, SSE.SLL32, -1],
  [-1, -1, SSE.SRL64, SSE.SRLDQ, -1, -1, SSE.SLL64, SSE.SLLDQ],
];

/** 66 0F 71/72/73 /n ib: packed shifts by an immediate (register operand only). */
function decodeShiftImmediate(opcode: number, prefix: number, modrm: number): boolean {
  if (prefix !== P66 || modrm >>> 6 !== 3) return false;
  const aux = SHIFT_IMMEDIATE[opcode - 0x71]![(modrm >>> 3) & 7]!;
  if (aux < 0) return false;
  state.imm = IMM.UBYTE;
  return sse(OP.SSE_SHIFT_IMM, aux, 16);
}

/** LDMXCSR / STMXCSR m32 (0F AE /2, /3). */
export function decodeMxcsr(modrm: number): boolean {
  const field = (modrm >>> 3) & 7;
  if (modrm >>> 6 === 3 || (field !== 2 && field !== 3) || mandatoryPrefix() !== NONE) return false;
  return sse(OP.MXCSR_OP, field, 4);
}

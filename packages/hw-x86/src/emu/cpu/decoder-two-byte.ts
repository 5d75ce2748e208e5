/**
 * The two-byte opcode map (0F xx, SDM vol 2 appendix A, table A-3), integer
 * subset. SSE/x87/system opcodes not implemented return false (#UD);
 * privileged ones that exist at CPL 0 decode as OP.PRIVILEGED (#GP(0) at
 * CPL 3). The three-byte maps 0F 38 / 0F 3A are not implemented yet.
 */
import { IMM, operandSizeV, peekModrm, state } from "./decoder";
import { opcodeRegister } from "./decoder-one-byte";
import { decodeMxcsr, decodeSse } from "./decoder-sse";
import { OP } from "./ops";

function modrmOp(op: number): boolean {
  state.op = op;
  state.modrm = true;
  return true;
}

function simple(op: number): boolean {
  state.op = op;
  return true;
}

/** True when no 66/F2/F3 prefix is present (opcodes whose prefixed forms are SSE or other instructions). */
function unprefixed(): boolean {
  return !state.operandSize16 && state.repPrefix === 0;
}

/** Decodes 0F `opcode`; false = not implemented (#UD). */
export function decodeTwoByte(opcode: number): boolean {
  if (opcode >= 0x40 && opcode <= 0x4f) {
    state.aux = opcode & 15;
    return modrmOp(OP.CMOVCC);
  }
  if (opcode >= 0x80 && opcode <= 0x8f) {
    state.aux = opcode & 15;
    state.size = 8;
    state.imm = IMM.REL32;
    return simple(OP.JCC);
  }
  if (opcode >= 0x90 && opcode <= 0x9f) {
    state.aux = opcode & 15;
    state.size = 1;
    state.rmByte = true;
    return modrmOp(OP.SETCC);
  }
  if (opcode >= 0xc8 && opcode <= 0xcf) {
    state.fixedRm = opcodeRegister(opcode, false);
    return simple(OP.BSWAP);
  }
  switch (opcode) {
    case 0x05:
      return simple(OP.SYSCALL);
    case 0x06:
    case 0x07:
    case 0x08:
    case 0x09:
    case 0x30:
    case 0x32:
      return simple(OP.PRIVILEGED);
    case 0x33:
      return simple(OP.RDPMC);
    case 0x0b:
      return simple(OP.UD);
    case 0x31:
      return simple(OP.RDTSC);
    case 0x0d:
    case 0x18:
    case 0x1e:
    case 0x1f:
      return decodeHintNop(opcode);
    case 0xa2:
      return simple(OP.CPUID);
    case 0xa3:
    case 0xab:
    case 0xb3:
    case 0xbb:
      state.aux = opcode === 0xa3 ? 0 : opcode === 0xab ? 1 : opcode === 0xb3 ? 2 : 3;
      state.lockable = opcode !== 0xa3;
      return modrmOp(OP.BT_R);
    case 0xa4:
    case 0xac:
      state.imm = IMM.UBYTE;
      return modrmOp(opcode === 0xa4 ? OP.SHLD_I : OP.SHRD_I);
    case 0xa5:
    case 0xad:
      return modrmOp(opcode === 0xa5 ? OP.SHLD_CL : OP.SHRD_CL);
    case 0xae:
      return decodeGroup15();
    case 0xaf:
      return modrmOp(OP.IMUL_R_RM);
    case 0xb0:
    case 0xb1:
      if (opcode === 0xb0) byteOperands();
      state.lockable = true;
      return modrmOp(OP.CMPXCHG);
    case 0xb6:
    case 0xb7:
    case 0xbe:
    case 0xbf:
      state.aux = (opcode & 1) === 0 ? 1 : 2;
      state.rmByte = state.aux === 1;
      return modrmOp(opcode < 0xb8 ? OP.MOVZX : OP.MOVSX);
    case 0xb8:
      if (state.repPrefix !== 0xf3) return false;
      return modrmOp(OP.POPCNT);
    case 0xba:
      return decodeGroup8();
    case 0xbc:
      return modrmOp(OP.BSF);
    case 0xbd:
      return modrmOp(state.repPrefix === 0xf3 ? OP.LZCNT : OP.BSR);
    case 0xc0:
    case 0xc1:
      if (opcode === 0xc0) byteOperands();
      state.lockable = true;
      return modrmOp(OP.XADD);
    case 0xc7:
      return decodeGroup9();
    default:
      return decodeSse(opcode);
  }
}

function byteOperands(): void {
  state.size = 1;
  state.regByte = true;
  state.rmByte = true;
}

/** Multi-byte NOP (0F 1F /0), ENDBR64/32 (F3 0F 1E FA/FB), prefetch hints (0F 18 /0-3, 0F 0D /1 on memory). */
function decodeHintNop(opcode: number): boolean {
  const modrm = peekModrm();
  if (modrm < 0) return false;
  const field = (modrm >>> 3) & 7;
  switch (opcode) {
    case 0x1f:
      if (field !== 0) return false;
      return modrmOp(OP.NOP);
    case 0x1e:
      if (state.repPrefix !== 0xf3 || (modrm !== 0xfa && modrm !== 0xfb)) return false;
      return modrmOp(OP.NOP);
    case 0x18:
      if (field > 3) return false;
      state.memoryOnly = true;
      return modrmOp(OP.NOP);
    default:
      if (field !== 1) return false;
      state.memoryOnly = true;
      return modrmOp(OP.NOP);
  }
}

/**
 * Group 15 (0F AE): FXSAVE/FXRSTOR m512 (/0, /1, no 66/F2/F3; REX.W selects
 * the 64-bit forms, `size` 8), LDMXCSR/STMXCSR (/2, /3) and LFENCE /
 * MFENCE / SFENCE (E8/F0/F8: no-ops for an in-order interpreter).
 */
function decodeGroup15(): boolean {
  const modrm = peekModrm();
  if (modrm < 0) return false;
  const field = (modrm >>> 3) & 7;
  if (modrm >>> 6 !== 3 && field <= 1) {
    if (!unprefixed()) return false;
    state.aux = field;
    state.size = operandSizeV() === 8 ? 8 : 4;
    return modrmOp(OP.FXSAVE_OP);
  }
  if (modrm >>> 6 !== 3) return decodeMxcsr(modrm);
  if (!unprefixed()) return false;
  if (modrm >>> 6 !== 3 || ((modrm >>> 3) & 7) < 5) return false;
  state.registerOnly = true;
  return modrmOp(OP.NOP);
}

/** BT/BTS/BTR/BTC r/m, imm8 (0F BA /4-7). */
function decodeGroup8(): boolean {
  const modrm = peekModrm();
  if (modrm < 0) return false;
  const field = (modrm >>> 3) & 7;
  if (field < 4) return false;
  state.aux = field - 4;
  state.lockable = field !== 4;
  state.imm = IMM.UBYTE;
  return modrmOp(OP.BT_I);
}

/** CMPXCHG8B / CMPXCHG16B m64/m128 (0F C7 /1). `size` is 8 or 16. */
function decodeGroup9(): boolean {
  const modrm = peekModrm();
  if (modrm < 0 || ((modrm >>> 3) & 7) !== 1 || state.repPrefix !== 0) return false;
  state.memoryOnly = true;
  state.lockable = true;
  state.size = operandSizeV() === 8 ? 16 : 8;
  return modrmOp(OP.CMPXCHG_WIDE);
}

/**
 * The one-byte opcode map (SDM vol 2 appendix A, table A-2) for 64-bit mode:
 * sets the decode state's op, operand size, ModRM and immediate needs.
 * Returns false for opcodes outside the implemented subset (#UD).
 */
import { IMM, operandSize64, operandSizeV, peekModrm, state } from "./decoder";
import { decodeFwait, decodeX87 } from "./decoder-x87";
import { OP, OPERAND } from "./ops";

/** Register number encoded in the low 3 bits of `opcode`, extended by REX.B; 8-bit AH..BH when `byte` and no REX. */
export function opcodeRegister(opcode: number, byte: boolean): number {
  const low = opcode & 7;
  if (byte && state.rex === 0 && low >= 4) return OPERAND.HIGH_BYTE_BASE + low - 4;
  return low | (state.rex & 1 ? 8 : 0);
}

function byteOperands(): void {
  state.size = 1;
  state.regByte = true;
  state.rmByte = true;
}

function withModrm(op: number, byte: boolean): void {
  state.op = op;
  state.modrm = true;
  if (byte) byteOperands();
}

function fixed(op: number, reg: number, rm: number): void {
  state.op = op;
  state.fixedReg = reg;
  state.fixedRm = rm;
}

/** Decodes a group opcode whose ModRM.reg selects the operation; returns that field or -1. */
function groupField(): number {
  const modrm = peekModrm();
  return modrm < 0 ? -1 : (modrm >>> 3) & 7;
}

function decodeAlu(opcode: number): boolean {
  const form = opcode & 7;
  state.aux = opcode >>> 3;
  const byte = (form & 1) === 0;
  switch (form) {
    case 0:
    case 1:
      withModrm(OP.ALU_RM_R, byte);
      state.lockable = state.aux !== 7;
      return true;
    case 2:
    case 3:
      withModrm(OP.ALU_R_RM, byte);
      return true;
    case 4:
      byteOperands();
      fixed(OP.ALU_RM_I, 0, 0);
      state.imm = IMM.BYTE;
      return true;
    case 5:
      fixed(OP.ALU_RM_I, 0, 0);
      state.imm = IMM.Z;
      return true;
    default:
      return false;
  }
}

/** Decodes `opcode` from the one-byte map; false = not implemented / invalid in 64-bit mode. */
export function decodeOneByte(opcode: number): boolean {
  if (opcode < 0x40) return decodeAlu(opcode);
  if (opcode >= 0x50 && opcode <= 0x5f) {
    state.size = operandSize64();
    fixed(opcode < 0x58 ? OP.PUSH_R : OP.POP_R, opcodeRegister(opcode, false), 0);
    return true;
  }
  if (opcode >= 0x70 && opcode <= 0x7f) {
    state.op = OP.JCC;
    state.aux = opcode & 15;
    state.size = 8;
    state.imm = IMM.REL8;
    return true;
  }
  if (opcode >= 0x91 && opcode <= 0x97) {
    fixed(OP.XCHG, 0, opcodeRegister(opcode, false));
    return true;
  }
  if (opcode >= 0xb0 && opcode <= 0xbf) {
    const byte = opcode < 0xb8;
    if (byte) byteOperands();
    fixed(OP.MOV_RM_I, 0, opcodeRegister(opcode, byte));
    state.imm = byte ? IMM.UBYTE : IMM.V;
    return true;
  }
  return decodeOneByteRest(opcode);
}

function decodeOneByteRest(opcode: number): boolean {
  switch (opcode) {
    case 0x63:
      withModrm(OP.MOVSXD, false);
      state.aux = state.size === 8 ? 4 : state.size;
      return true;
    case 0x68:
    case 0x6a:
      state.op = OP.PUSH_I;
      state.size = operandSize64();
      state.imm = opcode === 0x68 ? IMM.Z : IMM.BYTE;
      return true;
    case 0x69:
    case 0x6b:
      withModrm(OP.IMUL_R_RM_I, false);
      state.imm = opcode === 0x69 ? IMM.Z : IMM.BYTE;
      return true;
    case 0x6c:
    case 0x6d:
    case 0x6e:
    case 0x6f:
    case 0xec:
    case 0xed:
    case 0xee:
    case 0xef:
    case 0xf4:
    case 0xfa:
    case 0xfb:
      state.op = OP.PRIVILEGED;
      return true;
    case 0xe4:
    case 0xe5:
    case 0xe6:
    case 0xe7:
      state.op = OP.PRIVILEGED;
      state.imm = IMM.UBYTE;
      return true;
    case 0x80:
    case 0x81:
    case 0x83:
      withModrm(OP.ALU_RM_I, opcode === 0x80);
      state.aux = groupField();
      state.lockable = state.aux !== 7;
      state.imm = opcode === 0x81 ? IMM.Z : IMM.BYTE;
      return true;
    case 0x84:
    case 0x85:
      withModrm(OP.TEST_RM_R, opcode === 0x84);
      return true;
    case 0x86:
    case 0x87:
      withModrm(OP.XCHG, opcode === 0x86);
      state.lockable = true;
      return true;
    case 0x88:
    case 0x89:
      withModrm(OP.MOV_RM_R, opcode === 0x88);
      return true;
    case 0x8a:
    case 0x8b:
      withModrm(OP.MOV_R_RM, opcode === 0x8a);
      return true;
    case 0x8d:
      withModrm(OP.LEA, false);
      state.memoryOnly = true;
      return true;
    case 0x8f:
      if (groupField() !== 0) return false;
      withModrm(OP.POP_RM, false);
      state.size = operandSize64();
      return true;
    case 0x90:
      if (state.rex & 1) fixed(OP.XCHG, 0, opcodeRegister(opcode, false));
      else state.op = OP.NOP;
      return true;
    case 0x98:
      state.op = OP.CBW;
      return true;
    case 0x99:
      state.op = OP.CWD;
      return true;
    case 0x9c:
      state.op = OP.PUSHF;
      state.size = operandSize64();
      return true;
    case 0x9d:
      state.op = OP.POPF;
      state.size = operandSize64();
      return true;
    case 0x9e:
      state.op = OP.SAHF;
      return true;
    case 0x9f:
      state.op = OP.LAHF;
      return true;
    case 0x9b:
      return decodeFwait();
    case 0xa0:
    case 0xa1:
    case 0xa2:
    case 0xa3:
      if ((opcode & 1) === 0) byteOperands();
      fixed(opcode < 0xa2 ? OP.MOV_LOAD_MOFFS : OP.MOV_STORE_MOFFS, 0, OPERAND.MEMORY);
      state.imm = IMM.MOFFS;
      return true;
    case 0xa8:
    case 0xa9:
      if (opcode === 0xa8) byteOperands();
      fixed(OP.TEST_RM_I, 0, 0);
      state.imm = opcode === 0xa8 ? IMM.BYTE : IMM.Z;
      return true;
    default:
      return decodeOneByteHigh(opcode);
  }
}

function stringOp(op: number, opcode: number): boolean {
  if ((opcode & 1) === 0) byteOperands();
  state.op = op;
  return true;
}

function decodeOneByteHigh(opcode: number): boolean {
  switch (opcode) {
    case 0xa4:
    case 0xa5:
      return stringOp(OP.MOVS, opcode);
    case 0xa6:
    case 0xa7:
      return stringOp(OP.CMPS, opcode);
    case 0xaa:
    case 0xab:
      return stringOp(OP.STOS, opcode);
    case 0xac:
    case 0xad:
      return stringOp(OP.LODS, opcode);
    case 0xae:
    case 0xaf:
      return stringOp(OP.SCAS, opcode);
    case 0xc0:
    case 0xc1:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      withModrm(opcode >= 0xd2 ? OP.SHIFT_CL : OP.SHIFT_I, (opcode & 1) === 0);
      state.aux = groupField();
      state.imm = opcode <= 0xc1 ? IMM.UBYTE : opcode <= 0xd1 ? IMM.ONE : IMM.NONE;
      return true;
    case 0xc2:
    case 0xc3:
      state.op = OP.RET;
      state.size = 8;
      state.imm = opcode === 0xc2 ? IMM.WORD : IMM.NONE;
      return true;
    case 0xc6:
    case 0xc7:
      if (groupField() !== 0) return false;
      withModrm(OP.MOV_RM_I, opcode === 0xc6);
      state.imm = opcode === 0xc6 ? IMM.UBYTE : IMM.Z;
      return true;
    case 0xc8:
      state.op = OP.ENTER;
      state.size = operandSize64();
      state.imm = IMM.ENTER;
      return true;
    case 0xc9:
      state.op = OP.LEAVE;
      state.size = operandSize64();
      return true;
    case 0xcc:
      state.op = OP.INT3;
      return true;
    case 0xcd:
      state.op = OP.INT_N;
      state.imm = IMM.UBYTE;
      return true;
    case 0xd7:
      state.op = OP.XLAT;
      state.size = 1;
      return true;
    case 0xd8:
    case 0xd9:
    case 0xda:
    case 0xdb:
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      const modrm = peekModrm();
      return modrm >= 0 && decodeX87(opcode, modrm);
    }
    case 0xe0:
    case 0xe1:
    case 0xe2:
    case 0xe3:
      state.op = OP.LOOP;
      state.aux = opcode & 3;
      state.size = 8;
      state.imm = IMM.REL8;
      return true;
    case 0xe8:
    case 0xe9:
    case 0xeb:
      state.op = opcode === 0xe8 ? OP.CALL_REL : OP.JMP_REL;
      state.size = 8;
      state.imm = opcode === 0xeb ? IMM.REL8 : IMM.REL32;
      return true;
    case 0xf1:
      state.op = OP.INT1;
      return true;
    case 0xf5:
    case 0xf8:
    case 0xf9:
    case 0xfc:
    case 0xfd:
      state.op = OP.FLAG_OP;
      state.aux = opcode === 0xf5 ? 2 : opcode === 0xf8 ? 0 : opcode === 0xf9 ? 1 : opcode === 0xfc ? 3 : 4;
      return true;
    case 0xf6:
    case 0xf7:
      return decodeGroup3(opcode === 0xf6);
    case 0xfe:
    case 0xff:
      return decodeGroup45(opcode === 0xfe);
    default:
      return false;
  }
}

const GROUP3_OPS = [OP.TEST_RM_I, OP.TEST_RM_I, OP.NOT, OP.NEG, OP.MUL, OP.IMUL1, OP.DIV, OP.IDIV] as const;

function decodeGroup3(byte: boolean): boolean {
  const field = groupField();
  if (field < 0) return false;
  withModrm(GROUP3_OPS[field]!, byte);
  state.lockable = field === 2 || field === 3;
  if (field <= 1) state.imm = byte ? IMM.UBYTE : IMM.Z;
  return true;
}

function decodeGroup45(byte: boolean): boolean {
  const field = groupField();
  if (field < 0) return false;
  if (field <= 1) {
    withModrm(field === 0 ? OP.INC : OP.DEC, byte);
    state.lockable = true;
    return true;
  }
  if (byte) return false;
  switch (field) {
    case 2:
    case 4:
      withModrm(field === 2 ? OP.CALL_RM : OP.JMP_RM, false);
      state.size = 8;
      return true;
    case 6:
      withModrm(OP.PUSH_RM, false);
      state.size = operandSize64();
      return true;
    default:
      return false;
  }
}

/** Re-exported for the two-byte map. */
export { operandSizeV };

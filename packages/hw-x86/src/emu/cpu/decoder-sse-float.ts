/**
 * SSE/SSE2 floating-point forms of the 0F map (SDM vol 2 appendix A table
 * the mandatory prefix picks the lanes (none: PS, 66: PD, F3: SS,
 * F2: SD). Packed forms with a memory operand need 16-byte alignment (the
 * handlers raise #GP(0)); scalar ones read 4 or 8 bytes. Forms that name
 * MMX registers (CVTPI2PS, CVTPS2PI…) are not implemented and decode as
 * invalid (#UD), as MMX is not advertised.
 */
import { IMM, state } from "./decoder";
import { OP } from "./ops";
import { COMPARE_FLAGS, FLOAT_LANES, SSE_CONVERT, SSE_CONVERT_WIDE, SSE_FLOAT } from "./sse-float-ops";
import { SSE } from "./sse-ops";

/** Mandatory prefix → lanes, as decoder-sse.ts's mandatoryPrefix numbers them (none, 66, F3, F2). */
const LANES_BY_PREFIX = [FLOAT_LANES.PS, FLOAT_LANES.PD, FLOAT_LANES.SS, FLOAT_LANES.SD] as const;
const MEMORY_BYTES = [16, 16, 4, 8] as const;
const PREFIX_NONE = 0;
const PREFIX_66 = 1;
const PREFIX_F3 = 2;
const PREFIX_F2 = 3;

const ARITHMETIC: Record<number, number> = {
  81: SSE_FLOAT.SQRT,
  82: SSE_FLOAT.RSQRT,
  83: SSE_FLOAT.RCP,
  88: SSE_FLOAT.ADD,
  89: SSE_FLOAT.MUL,
  92: SSE_FLOAT.SUB,
  93: SSE_FLOAT.MIN,
  94: SSE_FLOAT.DIV,
  95: SSE_FLOAT.MAX,
};

/** Sets the decoded SSE instruction: `code` (OP), `aux`, memory operand `size`, with a ModRM byte. */
export function sseOp(code: number, aux: number, size: number): boolean {
  state.op = code;
  state.aux = aux;
  state.size = size;
  state.modrm = true;
  return true;
}

/** Decodes 0F `opcode` under `prefix` as an SSE floating-point form; false when it is not one. */
export function decodeSseFloat(opcode: number, prefix: number, isRegister: boolean): boolean {
  const lanes = LANES_BY_PREFIX[prefix]!;
  const wide = (state.rex & 8) !== 0;
  const kind = ARITHMETIC[opcode];
  if (kind !== undefined) {
    if (
      (kind === SSE_FLOAT.RCP || kind === SSE_FLOAT.RSQRT) &&
      (prefix === PREFIX_66 || prefix === PREFIX_F2)
    )
      return false;
    return sseOp(OP.SSE_FLOAT, kind * 4 + lanes, MEMORY_BYTES[prefix]!);
  }
  switch (opcode) {
    case 0x10:
    case 0x11:
      return sseOp(OP.SSE_SCALAR_MOVE, opcode - 0x10, prefix === PREFIX_F3 ? 4 : 8);
    case 0x14:
    case 0x15: {
      if (prefix !== PREFIX_NONE && prefix !== PREFIX_66) return false;
      const single = prefix === PREFIX_NONE;
      const low = opcode === 0x14;
      return sseOp(
        OP.SSE_BINARY,
        single ? (low ? SSE.UNPCKL32 : SSE.UNPCKH32) : low ? SSE.UNPCKL64 : SSE.UNPCKH64,
        16,
      );
    }
    case 0x2b:
      if ((prefix !== PREFIX_NONE && prefix !== PREFIX_66) || isRegister) return false;
      return sseOp(OP.SSE_STORE, 1, 16);
    case 0x2a:
      if (prefix !== PREFIX_F3 && prefix !== PREFIX_F2) return false;
      return convert(prefix === PREFIX_F3 ? SSE_CONVERT.CVTSI2SS : SSE_CONVERT.CVTSI2SD, wide, wide ? 8 : 4);
    case 0x2c:
    case 0x2d: {
      if (prefix !== PREFIX_F3 && prefix !== PREFIX_F2) return false;
      const truncate = opcode === 0x2c;
      const id =
        prefix === PREFIX_F3
          ? truncate
            ? SSE_CONVERT.CVTTSS2SI
            : SSE_CONVERT.CVTSS2SI
          : truncate
            ? SSE_CONVERT.CVTTSD2SI
            : SSE_CONVERT.CVTSD2SI;
      return convert(id, wide, prefix === PREFIX_F3 ? 4 : 8);
    }
    case 0x2e:
    case 0x2f:
      if (prefix !== PREFIX_NONE && prefix !== PREFIX_66) return false;
      return sseOp(
        OP.SSE_COMPARE_FLAGS,
        (opcode === 0x2f ? COMPARE_FLAGS.SIGNALING : 0) | (prefix === PREFIX_66 ? COMPARE_FLAGS.DOUBLE : 0),
        prefix === PREFIX_66 ? 8 : 4,
      );
    case 0x50:
      if ((prefix !== PREFIX_NONE && prefix !== PREFIX_66) || !isRegister) return false;
      return sseOp(OP.SSE_MOVMSK, prefix, 4);
    case 0x5a:
      return convert(
        [SSE_CONVERT.CVTPS2PD, SSE_CONVERT.CVTPD2PS, SSE_CONVERT.CVTSS2SD, SSE_CONVERT.CVTSD2SS][prefix]!,
        false,
        [8, 16, 4, 8][prefix]!,
      );
    case 0x5b:
      if (prefix === PREFIX_F2) return false;
      return convert([SSE_CONVERT.CVTDQ2PS, SSE_CONVERT.CVTPS2DQ, SSE_CONVERT.CVTTPS2DQ][prefix]!, false, 16);
    case 0xc2:
      state.imm = IMM.UBYTE;
      return sseOp(OP.SSE_COMPARE, lanes, MEMORY_BYTES[prefix]!);
    case 0xe6:
      if (prefix === PREFIX_NONE) return false;
      return convert(
        [0, SSE_CONVERT.CVTTPD2DQ, SSE_CONVERT.CVTDQ2PD, SSE_CONVERT.CVTPD2DQ][prefix]!,
        false,
        prefix === PREFIX_F3 ? 8 : 16,
      );
    default:
      return false;
  }
}

function convert(id: number, wide: boolean, size: number): boolean {
  return sseOp(OP.SSE_CONVERT, id + (wide ? SSE_CONVERT_WIDE : 0), size);
}

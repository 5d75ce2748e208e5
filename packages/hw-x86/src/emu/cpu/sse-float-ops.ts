/**
 * Operation ids in `aux` of the SSE/SSE2 floating-point instructions
 * (SDM vol 2: ADDPS…MAXSD, CVT*, CMPPS…CMPSD, COMISS…UCOMISD).
 */

/** Lane layout of an SSE floating-point instruction: the low 2 bits of `aux`. */
export const FLOAT_LANES = { PS: 0, PD: 1, SS: 2, SD: 3 } as const;

/** Arithmetic kinds of OP.SSE_FLOAT (`aux` = kind × 4 + FLOAT_LANES). */
export const SSE_FLOAT = {
  ADD: 0,
  MUL: 1,
  SUB: 2,
  MIN: 3,
  DIV: 4,
  MAX: 5,
  SQRT: 6,
  RCP: 7,
  RSQRT: 8,
} as const;

/** Conversions of OP.SSE_CONVERT. */
export const SSE_CONVERT = {
  CVTSI2SS: 0,
  CVTSI2SD: 1,
  CVTSS2SI: 2,
  CVTTSS2SI: 3,
  CVTSD2SI: 4,
  CVTTSD2SI: 5,
  CVTSS2SD: 6,
  CVTSD2SS: 7,
  CVTPS2PD: 8,
  CVTPD2PS: 9,
  CVTDQ2PS: 10,
  CVTPS2DQ: 11,
  CVTTPS2DQ: 12,
  CVTDQ2PD: 13,
  CVTPD2DQ: 14,
  CVTTPD2DQ: 15,
} as const;

/** Added to an SSE_CONVERT id whose integer operand is 64-bit (REX.W). */
export const SSE_CONVERT_WIDE = 0x40;

/** `aux` bits of OP.SSE_COMPARE_FLAGS. */
export const COMPARE_FLAGS = {
  /** COMISS/COMISD: a QNaN operand raises IE too. */
  SIGNALING: 1,
  /** The operands are doubles. */
  DOUBLE: 2,
} as const;

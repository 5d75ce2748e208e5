/**
 * Operation identifiers the decoder assigns and the executor dispatches on.
 * One id per semantic handler; variants (ALU kind, condition code, shift
 * kind) travel in the decoded slot's `aux` field, operand size in `size`.
 *
 * Invariant: ids are small dense integers so the executor's `switch` compiles
 * to a jump table. `INVALID` is 0, so a zeroed slot raises #UD.
 */
export const OP = {
  INVALID: 0,
  ALU_RM_R: 1,
  ALU_R_RM: 2,
  ALU_RM_I: 3,
  TEST_RM_R: 4,
  TEST_RM_I: 5,
  MOV_RM_R: 6,
  MOV_R_RM: 7,
  MOV_RM_I: 8,
  MOV_LOAD_MOFFS: 9,
  MOV_STORE_MOFFS: 10,
  MOVZX: 11,
  MOVSX: 12,
  LEA: 13,
  XCHG: 14,
  NOP: 15,
  PUSH_R: 16,
  POP_R: 17,
  PUSH_I: 18,
  PUSH_RM: 19,
  POP_RM: 20,
  INC: 21,
  DEC: 22,
  NOT: 23,
  NEG: 24,
  MUL: 25,
  IMUL1: 26,
  DIV: 27,
  IDIV: 28,
  IMUL_R_RM: 29,
  IMUL_R_RM_I: 30,
  SHIFT_I: 31,
  SHIFT_CL: 32,
  SHLD_I: 33,
  SHLD_CL: 34,
  SHRD_I: 35,
  SHRD_CL: 36,
  BT_R: 37,
  BT_I: 38,
  BSF: 39,
  BSR: 40,
  LZCNT: 41,
  POPCNT: 42,
  SETCC: 43,
  CMOVCC: 44,
  JCC: 45,
  JMP_REL: 46,
  CALL_REL: 47,
  JMP_RM: 48,
  CALL_RM: 49,
  RET: 50,
  LOOP: 51,
  CBW: 52,
  CWD: 53,
  PUSHF: 54,
  POPF: 55,
  SAHF: 56,
  LAHF: 57,
  FLAG_OP: 58,
  MOVS: 59,
  CMPS: 60,
  STOS: 61,
  LODS: 62,
  SCAS: 63,
  ENTER: 64,
  LEAVE: 65,
  INT3: 66,
  INT_N: 67,
  INT1: 68,
  UD: 69,
  PRIVILEGED: 70,
  CPUID: 71,
  RDTSC: 72,
  SYSCALL: 73,
  CMPXCHG: 74,
  CMPXCHG_WIDE: 75,
  XADD: 76,
  BSWAP: 77,
  XLAT: 78,
  MOVSXD: 79,
  RDPMC: 80,
  SSE_LOAD: 81,
  SSE_STORE: 82,
  SSE_BINARY: 83,
  SSE_SHIFT_IMM: 84,
  SSE_SHUFFLE: 85,
  MOVD_IN: 86,
  MOVD_OUT: 87,
  PMOVMSKB: 88,
  MXCSR_OP: 89,
  SSE_HALF: 90,
  /** FXSAVE / FXRSTOR (aux: FXSAVE_KIND). */
  FXSAVE_OP: 91,
  /** SSE floating-point arithmetic (aux: SSE_FLOAT kind × 4 + FLOAT_LANES; size: memory operand bytes). */
  SSE_FLOAT: 92,
  /** CVT* between integers, singles and doubles (aux: SSE_CONVERT id, + SSE_CONVERT_WIDE for 64-bit integers). */
  SSE_CONVERT: 93,
  /** CMPPS/CMPPD/CMPSS/CMPSD imm8 (aux: FLOAT_LANES). */
  SSE_COMPARE: 94,
  /** COMISS/UCOMISS/COMISD/UCOMISD (aux: COMPARE_FLAGS bits). */
  SSE_COMPARE_FLAGS: 95,
  /** MOVMSKPS / MOVMSKPD (aux 0 / 1). */
  SSE_MOVMSK: 96,
  /** MOVSS / MOVSD (aux 0 load, 1 store; size 4 or 8). */
  SSE_SCALAR_MOVE: 97,
  /** x87 escape D8–DF (aux: escape − D8) or FWAIT (aux 8). */
  X87: 98,
} as const;

/** `aux` of OP.X87 for FWAIT (the escapes use 0–7). */
export const X87_FWAIT = 8;

/** ALU kinds in `aux` of the ALU_* ops, in opcode order (SDM vol 2 appendix A, group 1). */
export const ALU = { ADD: 0, OR: 1, ADC: 2, SBB: 3, AND: 4, SUB: 5, XOR: 6, CMP: 7 } as const;

/** Shift/rotate kinds in `aux` of SHIFT_* ops (group 2's ModRM.reg; 6 is an alias of SHL). */
export const SHIFT = { ROL: 0, ROR: 1, RCL: 2, RCR: 3, SHL: 4, SHR: 5, SAL: 6, SAR: 7 } as const;

/** `aux` of FLAG_OP: the one-byte flag instructions. */
export const FLAG_OP = { CLC: 0, STC: 1, CMC: 2, CLD: 3, STD: 4 } as const;

/** Bits of a decoded slot's `prefix` field. */
export const PREFIX = {
  /** 67: 32-bit addressing. */
  ADDR32: 1 << 0,
  /** F3 (REP / REPE). */
  REP: 1 << 1,
  /** F2 (REPNE). */
  REPNE: 1 << 2,
  /** F0 (LOCK); validity already checked by the decoder. */
  LOCK: 1 << 3,
  /** 64: FS segment override. */
  FS: 1 << 4,
  /** 65: GS segment override. */
  GS: 1 << 5,
} as const;

/** Register numbers in decoded operands beyond the 16 GPRs. */
export const OPERAND = {
  /** `reg`/`rm` of an 8-bit operand 16–19: AH, CH, DH, BH. */
  HIGH_BYTE_BASE: 16,
  /** `base` = RIP (RIP-relative addressing). */
  RIP: 16,
  /** `base`/`index` absent. */
  NONE: 17,
  /** `rm` of a memory operand. */
  MEMORY: 255,
} as const;

/**
 * The architecture-defined exception vectors 0–31: named vector numbers, a
 * table with each vector's mnemonic, name, class and whether the CPU pushes
 * an error code, and allocation-free lookups for the emulator's trap path.
 *
 * Invariants:
 * - {@link EXCEPTION_TABLE} has exactly 32 rows and row `i` describes vector
 *   `i`; reserved vectors (15, 22–31) are rows with class "reserved".
 * - {@link pushesErrorCode} agrees with the table for every vector 0–255
 *   (vectors 32–255 are interrupts and never push one).
 *
 * Source: Intel SDM vol 3A §6.3.1 and table 6-1 (protected-mode exceptions
 * and interrupts); §6.5 (fault / trap / abort classes); §6.13 (error codes).
 */

/** Exception vector numbers (Intel SDM vol 3A table 6-1). */
export const EXCEPTION = {
  /** #DE: divide error (DIV, IDIV). */
  DE: 0,
  /** #DB: debug exception. */
  DB: 1,
  /** NMI: non-maskable external interrupt. */
  NMI: 2,
  /** #BP: breakpoint (INT3). */
  BP: 3,
  /** #OF: overflow (INTO). */
  OF: 4,
  /** #BR: BOUND range exceeded. */
  BR: 5,
  /** #UD: invalid opcode. */
  UD: 6,
  /** #NM: device not available (x87/SSE with CR0.TS or EM). */
  NM: 7,
  /** #DF: double fault. */
  DF: 8,
  /** Coprocessor segment overrun (reserved since the 486). */
  CSO: 9,
  /** #TS: invalid TSS. */
  TS: 10,
  /** #NP: segment not present. */
  NP: 11,
  /** #SS: stack-segment fault. */
  SS: 12,
  /** #GP: general protection. */
  GP: 13,
  /** #PF: page fault. */
  PF: 14,
  /** #MF: x87 floating-point error. */
  MF: 16,
  /** #AC: alignment check. */
  AC: 17,
  /** #MC: machine check. */
  MC: 18,
  /** #XM: SIMD floating-point exception. */
  XM: 19,
  /** #VE: virtualization exception. */
  VE: 20,
  /** #CP: control-protection exception (CET). */
  CP: 21,
} as const;

/** First vector available to external interrupts and IPIs; 0–31 are reserved for exceptions (SDM vol 3A §6.2). */
export const FIRST_INTERRUPT_VECTOR = 32;
/** Number of IDT vectors (SDM vol 3A §6.2). */
export const VECTOR_COUNT = 256;

/** Exception classes (Intel SDM vol 3A §6.5). */
export const EXCEPTION_CLASS = {
  /** Reported before the faulting instruction; the saved RIP points at it and it can be restarted. */
  FAULT: "fault",
  /** Reported after the trapping instruction; the saved RIP points at the next instruction. */
  TRAP: "trap",
  /** #DB: a fault or a trap depending on its condition (SDM vol 3A §18.2). */
  FAULT_OR_TRAP: "fault-or-trap",
  /** Severe error; the program cannot be restarted reliably. */
  ABORT: "abort",
  /** An interrupt (NMI) rather than an exception. */
  INTERRUPT: "interrupt",
  /** Intel reserved; the CPU never raises it. */
  RESERVED: "reserved",
} as const;

/** One of the {@link EXCEPTION_CLASS} values. */
export type ExceptionClass = (typeof EXCEPTION_CLASS)[keyof typeof EXCEPTION_CLASS];

/** One row of {@link EXCEPTION_TABLE}. */
export interface ExceptionInfo {
  /** The vector, 0–31. */
  readonly vector: number;
  /** The SDM mnemonic, e.g. "#PF"; "NMI" for vector 2; "" for reserved vectors. */
  readonly mnemonic: string;
  /** Descriptive name from SDM table 6-1. */
  readonly name: string;
  /** Fault, trap, abort, interrupt, or reserved. */
  readonly class: ExceptionClass;
  /** True if the CPU pushes an error code for this vector (SDM vol 3A §6.13, table 6-1). */
  readonly errorCode: boolean;
}

function row(
  vector: number,
  mnemonic: string,
  name: string,
  exceptionClass: ExceptionClass,
  errorCode: boolean,
): ExceptionInfo {
  return { vector, mnemonic, name, class: exceptionClass, errorCode };
}

const { FAULT, TRAP, FAULT_OR_TRAP, ABORT, INTERRUPT, RESERVED } = EXCEPTION_CLASS;

function reservedRows(from: number, to: number): ExceptionInfo[] {
  const rows: ExceptionInfo[] = [];
  for (let vector = from; vector <= to; vector++)
    rows.push(row(vector, "", "Intel reserved", RESERVED, false));
  return rows;
}

/** Vectors 0–31 as in Intel SDM vol 3A table 6-1; index = vector. */
export const EXCEPTION_TABLE: readonly ExceptionInfo[] = Object.freeze([
  row(EXCEPTION.DE, "#DE", "Divide Error", FAULT, false),
  row(EXCEPTION.DB, "#DB", "Debug Exception", FAULT_OR_TRAP, false),
  row(EXCEPTION.NMI, "NMI", "Nonmaskable Interrupt", INTERRUPT, false),
  row(EXCEPTION.BP, "#BP", "Breakpoint", TRAP, false),
  row(EXCEPTION.OF, "#OF", "Overflow", TRAP, false),
  row(EXCEPTION.BR, "#BR", "BOUND Range Exceeded", FAULT, false),
  row(EXCEPTION.UD, "#UD", "Invalid Opcode (Undefined Opcode)", FAULT, false),
  row(EXCEPTION.NM, "#NM", "Device Not Available (No Math Coprocessor)", FAULT, false),
  row(EXCEPTION.DF, "#DF", "Double Fault", ABORT, true),
  row(EXCEPTION.CSO, "", "Coprocessor Segment Overrun (reserved)", FAULT, false),
  row(EXCEPTION.TS, "#TS", "Invalid TSS", FAULT, true),
  row(EXCEPTION.NP, "#NP", "Segment Not Present", FAULT, true),
  row(EXCEPTION.SS, "#SS", "Stack-Segment Fault", FAULT, true),
  row(EXCEPTION.GP, "#GP", "General Protection", FAULT, true),
  row(EXCEPTION.PF, "#PF", "Page Fault", FAULT, true),
  ...reservedRows(15, 15),
  row(EXCEPTION.MF, "#MF", "x87 FPU Floating-Point Error (Math Fault)", FAULT, false),
  row(EXCEPTION.AC, "#AC", "Alignment Check", FAULT, true),
  row(EXCEPTION.MC, "#MC", "Machine Check", ABORT, false),
  row(EXCEPTION.XM, "#XM", "SIMD Floating-Point Exception", FAULT, false),
  row(EXCEPTION.VE, "#VE", "Virtualization Exception", FAULT, false),
  row(EXCEPTION.CP, "#CP", "Control Protection Exception", FAULT, true),
  ...reservedRows(22, FIRST_INTERRUPT_VECTOR - 1),
]);

/** Bit `v` set iff vector `v` (0–31) pushes an error code: 8, 10–14, 17, 21 (SDM vol 3A table 6-1). */
export const ERROR_CODE_VECTOR_MASK =
  (1 << EXCEPTION.DF) |
  (1 << EXCEPTION.TS) |
  (1 << EXCEPTION.NP) |
  (1 << EXCEPTION.SS) |
  (1 << EXCEPTION.GP) |
  (1 << EXCEPTION.PF) |
  (1 << EXCEPTION.AC) |
  (1 << EXCEPTION.CP);

/** True if delivering `vector` (0–255) as an exception pushes an error code; allocation-free. */
export function pushesErrorCode(vector: number): boolean {
  return vector >= 0 && vector < FIRST_INTERRUPT_VECTOR && ((ERROR_CODE_VECTOR_MASK >>> vector) & 1) === 1;
}

/** True if `vector` is one of the Intel-reserved exception vectors (9 counts as reserved too). */
export function isReservedException(vector: number): boolean {
  const info = EXCEPTION_TABLE[vector];
  return info !== undefined && (info.class === RESERVED || vector === EXCEPTION.CSO);
}

/** Short text for a vector: the mnemonic for exceptions ("#PF"), "reserved(22)" or "irq(48)" otherwise. */
export function vectorName(vector: number): string {
  const info = EXCEPTION_TABLE[vector];
  if (info === undefined) return `irq(${vector})`;
  return info.mnemonic === "" ? `reserved(${vector})` : info.mnemonic;
}

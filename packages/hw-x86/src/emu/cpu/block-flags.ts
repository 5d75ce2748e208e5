/**
 * Compile-time tracking of the arithmetic flags inside a compiled block
 * (block-compiler.ts).
 *
 * The interpreter records the last flag-setting operation in the state's
 * lazy fields (flags.ts). Generated code instead keeps that record in JS
 * locals and writes it to the state only where something outside the block
 * can look at it: at every exit and before every call to an interpreter
 * handler. The tracker knows, at each point of the generated code, where
 * the flags live:
 *
 * - STATE: in the state (lazy record or eager bits), as the interpreter left them.
 * - LAZY(op, size): a lazy record of kind `op` in the locals `fdl fdh fsl fsh
 *   frl frh fc` (dst, src, result halves; carry-in / preserved CF / shift CF),
 *   with the same meaning as the state's fields (flags.ts).
 * - MUL(size): IMUL's eager flags, from the locals `frl frh` (result) and
 *   `fc` (1 when the product did not fit: CF = OF = 1).
 * - ROTATE: CF/OF from the locals `rcf rof`, the other flags from the
 *   source before the rotate (`base`), which is never itself a ROTATE.
 * - PENDING: at the head of a looping block, before the iteration's first
 *   flag write: in the state on the first iteration, in the locals as the
 *   back edge's record (`pendingRecord`) on later ones, told apart by the
 *   local `pending` (1 = locals). This saves writing the record to the state
 *   on every back edge; only exits in that stretch pay for the test.
 *
 * Invariants: the locals are uint32 numbers (never negative); high halves
 * are meaningful only for size 8. `flushCode` reproduces exactly what the
 * interpreter would have recorded, so `readFlags` after an exit equals the
 * interpreter's. Conditions read straight off the locals where the kind
 * and size are known, else they flush and ask `condition(state, cc)`.
 */
import { RFLAGS, STATUS_FLAGS } from "./arch-bits";
import { LAZY } from "./cpu-state";

/** Where the flags are at a point of the generated code (see the file header). */
export const FLAG_SOURCE = { STATE: 0, LAZY: 1, MUL: 2, ROTATE: 3, PENDING: 4 } as const;

/** A LAZY or MUL record kind, as the back edge of a looping block leaves it (see PENDING). */
export interface FlagRecord {
  /** FLAG_SOURCE.LAZY or FLAG_SOURCE.MUL. */
  kind: number;
  /** LAZY kind. */
  op: number;
  /** Operand size. */
  size: number;
}

/** The sign bit of the local pair `name` (`fd`, `fs`, `fr`) at `size`, as a 0/1 expression. */
function signBit(name: string, size: number): string {
  if (size === 8) return `(${name}h >>> 31)`;
  if (size === 4) return `(${name}l >>> 31)`;
  return `((${name}l >>> ${size * 8 - 1}) & 1)`;
}

/** Sign-extended int32 of the local `name` at size 1, 2 or 4. */
function signed(name: string, size: number): string {
  if (size === 4) return `(${name} | 0)`;
  const shift = 32 - size * 8;
  return `((${name} << ${shift}) >> ${shift})`;
}

/** Statements writing a LAZY or MUL record held in the locals to the state. */
function flushRecord(kind: number, op: number, size: number): string {
  if (kind === FLAG_SOURCE.LAZY) {
    const head = `state.lazyOp = ${op}; state.lazySize = ${size}; state.lazyResLow = frl; state.lazyResHigh = frh;`;
    if (op === LAZY.LOGIC) return head;
    if (op === LAZY.SHIFT) return `${head} state.lazyCarry = fc; state.lazySrcLow = fsl;`;
    return `setLazy(state, ${op}, ${size}, fdl, fdh, fsl, fsh, frl, frh); state.lazyCarry = fc;`;
  }
  if (kind === FLAG_SOURCE.MUL) {
    const zero = size === 8 ? "(frl === 0 && frh === 0)" : "frl === 0";
    const bits = `(fc === 1 ? ${RFLAGS.CF | RFLAGS.OF} : 0) | (${zero} ? ${RFLAGS.ZF} : 0) | (${signBit("fr", size)} << 7) | (parity(frl) << 2)`;
    return `state.flagBits = ((state.flagBits & ${~STATUS_FLAGS}) | ${bits} | ${RFLAGS.FIXED}) >>> 0; state.lazyOp = 0;`;
  }
  return "";
}

/** A saved {@link FlagTracker} state. */
export interface FlagTrackerState {
  /** FLAG_SOURCE kind. */
  kind: number;
  /** LAZY kind. */
  op: number;
  /** Operand size. */
  size: number;
  /** For ROTATE: the kind underneath. */
  baseKind: number;
  /** The state already holds the flags. */
  flushed: boolean;
  /** For PENDING: the back edge's record. */
  pendingRecord: FlagRecord | undefined;
}

/** Compile-time flag location for one block being compiled. */
export class FlagTracker {
  /** FLAG_SOURCE of the current flags. */
  kind: number = FLAG_SOURCE.STATE;
  /** LAZY kind (LAZY/ROTATE-over-LAZY). */
  op = 0;
  /** Operand size of the LAZY/MUL record. */
  size = 4;
  /** For ROTATE: the kind underneath (STATE, LAZY or MUL). */
  baseKind: number = FLAG_SOURCE.STATE;
  /** The state already holds the current flags (nothing to write at an exit). */
  flushed = true;
  /** For PENDING: the record the back edge leaves in the locals. */
  pendingRecord: FlagRecord | undefined;
  /** Increases on every change of kind or record (a region that leaves it alone left the flags alone). */
  version = 0;

  /** The tracker's whole state, to emit the other arm of a branch from the same starting point. */
  save(): FlagTrackerState {
    return {
      kind: this.kind,
      op: this.op,
      size: this.size,
      baseKind: this.baseKind,
      flushed: this.flushed,
      pendingRecord: this.pendingRecord,
    };
  }

  /** Restores a state from {@link FlagTracker.save} (the version moves on). */
  restore(saved: FlagTrackerState): void {
    this.kind = saved.kind;
    this.op = saved.op;
    this.size = saved.size;
    this.baseKind = saved.baseKind;
    this.flushed = saved.flushed;
    this.pendingRecord = saved.pendingRecord;
    this.version++;
  }

  /** Starts the loop head in PENDING for `record` (see the file header). */
  setPending(record: FlagRecord): void {
    this.version++;
    this.kind = FLAG_SOURCE.PENDING;
    this.pendingRecord = record;
    this.flushed = false;
  }

  /** The current LAZY/MUL record, or undefined for the other kinds. */
  record(): FlagRecord | undefined {
    if (this.kind !== FLAG_SOURCE.LAZY && this.kind !== FLAG_SOURCE.MUL) return undefined;
    return { kind: this.kind, op: this.op, size: this.size };
  }

  /**
   * Statements after which the state holds the flags and the tracker says
   * STATE or a locals kind: leaves PENDING (on the main path only).
   */
  settle(): string {
    if (this.kind !== FLAG_SOURCE.PENDING) return "";
    const code = this.flushCode();
    this.setState();
    return code;
  }

  /** The flags are (again) whatever the state says. */
  setState(): void {
    this.version++;
    this.kind = FLAG_SOURCE.STATE;
    this.flushed = true;
  }

  /** A lazy record of kind `op` at `size` was just written to the locals. */
  setLazy(op: number, size: number): void {
    this.version++;
    this.kind = FLAG_SOURCE.LAZY;
    this.op = op;
    this.size = size;
    this.flushed = false;
  }

  /** IMUL flags were just written to `frl frh fc`. */
  setMultiply(size: number): void {
    this.version++;
    this.kind = FLAG_SOURCE.MUL;
    this.size = size;
    this.flushed = false;
  }

  /** A rotate just wrote `rcf rof`; the other flags stay where they were. */
  setRotate(): void {
    this.version++;
    // Callers settle() first: the base is never PENDING.
    if (this.kind !== FLAG_SOURCE.ROTATE) this.baseKind = this.kind;
    this.kind = FLAG_SOURCE.ROTATE;
    this.flushed = false;
  }

  /** Statements that make the state hold the current flags (idempotent). */
  flushCode(): string {
    if (this.flushed) return "";
    if (this.kind === FLAG_SOURCE.ROTATE) {
      return `${flushRecord(this.baseKind, this.op, this.size)}setCarryOverflow(state, rcf, rof);`;
    }
    if (this.kind === FLAG_SOURCE.PENDING) {
      const record = this.pendingRecord!;
      return `if (pending === 1) { ${flushRecord(record.kind, record.op, record.size)} pending = 0; }`;
    }
    return flushRecord(this.kind, this.op, this.size);
  }

  /** CF as a boolean expression of the locals, or undefined when not known at compile time. */
  private carry(): string | undefined {
    const s = this.size;
    if (this.kind === FLAG_SOURCE.MUL) return "(fc === 1)";
    if (this.kind !== FLAG_SOURCE.LAZY) return undefined;
    switch (this.op) {
      case LAZY.ADD:
        return s === 8 ? "(frh < fdh || (frh === fdh && frl < fdl))" : "(frl < fdl)";
      case LAZY.SUB:
        return s === 8 ? "(fdh < fsh || (fdh === fsh && fdl < fsl))" : "(fdl < fsl)";
      case LAZY.LOGIC:
        return "false";
      case LAZY.INC:
      case LAZY.DEC:
      case LAZY.SHIFT:
        return "(fc === 1)";
      default:
        return undefined;
    }
  }

  private overflow(): string | undefined {
    if (this.kind === FLAG_SOURCE.MUL) return "(fc === 1)";
    if (this.kind !== FLAG_SOURCE.LAZY) return undefined;
    const d = signBit("fd", this.size);
    const v = signBit("fs", this.size);
    const r = signBit("fr", this.size);
    switch (this.op) {
      case LAZY.ADD:
      case LAZY.INC:
        return `(${d} === ${v} && ${r} !== ${d})`;
      case LAZY.SUB:
      case LAZY.DEC:
        return `(${d} !== ${v} && ${r} !== ${d})`;
      case LAZY.LOGIC:
        return "false";
      case LAZY.SHIFT:
        return "(fsl === 1)";
      default:
        return undefined;
    }
  }

  private zero(): string {
    return this.size === 8 ? "(frl === 0 && frh === 0)" : "(frl === 0)";
  }

  private sign(): string {
    return `(${signBit("fr", this.size)} === 1)`;
  }

  /** Direct comparisons after SUB/CMP (the interpreter's condition.ts fast path), by cc >> 1. */
  private subtractCondition(pair: number): string | undefined {
    const s = this.size;
    const wide = s === 8;
    switch (pair) {
      case 1:
        return this.carry();
      case 2:
        return wide ? "(fdl === fsl && fdh === fsh)" : "(fdl === fsl)";
      case 3:
        return wide ? "(fdh < fsh || (fdh === fsh && fdl <= fsl))" : "(fdl <= fsl)";
      case 6:
        return wide
          ? "((fdh | 0) < (fsh | 0) || (fdh === fsh && fdl < fsl))"
          : `(${signed("fdl", s)} < ${signed("fsl", s)})`;
      case 7:
        return wide
          ? "((fdh | 0) < (fsh | 0) || (fdh === fsh && fdl <= fsl))"
          : `(${signed("fdl", s)} <= ${signed("fsl", s)})`;
      default:
        return undefined;
    }
  }

  /**
   * Condition `cc` (SDM vol 1 appendix B) as `{ pre, expr }`: statements to
   * run first (a flush, when the flags are not known at compile time) and a
   * boolean expression.
   */
  condition(cc: number): { pre: string; expr: string } {
    const pair = cc >>> 1;
    const negate = (cc & 1) === 1;
    let expr: string | undefined;
    if (this.kind === FLAG_SOURCE.LAZY || this.kind === FLAG_SOURCE.MUL) {
      if (this.kind === FLAG_SOURCE.LAZY && this.op === LAZY.SUB) expr = this.subtractCondition(pair);
      if (expr === undefined) expr = this.generalCondition(pair);
    }
    if (expr !== undefined) return { pre: "", expr: negate ? `!${expr}` : expr };
    const pre = this.flushCode();
    if (this.kind === FLAG_SOURCE.PENDING) this.setState();
    this.flushed = true;
    return { pre, expr: `${negate ? "!" : ""}condition(state, ${cc & ~1})` };
  }

  private generalCondition(pair: number): string | undefined {
    const cf = this.carry();
    const of = this.overflow();
    switch (pair) {
      case 0:
        return of;
      case 1:
        return cf;
      case 2:
        return this.zero();
      case 3:
        return cf === undefined ? undefined : `(${cf} || ${this.zero()})`;
      case 4:
        return this.sign();
      case 5:
        return "(parity(frl) === 1)";
      case 6:
        return of === undefined ? undefined : `(${this.sign()} !== ${of})`;
      default:
        return of === undefined ? undefined : `(${this.zero()} || ${this.sign()} !== ${of})`;
    }
  }

  /** CF as a 0/1 expression (INC/DEC preserve it), with statements to run first. */
  carryValue(): { pre: string; expr: string } {
    const cf = this.kind === FLAG_SOURCE.LAZY || this.kind === FLAG_SOURCE.MUL ? this.carry() : undefined;
    if (cf !== undefined) return { pre: "", expr: `(${cf} ? 1 : 0)` };
    if (this.kind === FLAG_SOURCE.ROTATE) return { pre: "", expr: "rcf" };
    return { pre: this.settle(), expr: "carryFlag(state)" };
  }
}

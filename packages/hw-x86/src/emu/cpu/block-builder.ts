/**
 * The source-text builder of one compiled block: collects the statements the
 * emitters produce and provides the pieces they share — handler calls with
 * their exit check, the inline fast path of an instruction with its exit to
 * the interpreter, and the exits (taken branch, loop back edge, jump to a computed
 * target, end of block).
 *
 * Exit protocol (what block-runtime.ts and cpu.ts rely on): on every return
 * the state holds RIP, `retired` and the flags exactly as the interpreter
 * would after the same instructions, and the return value is how many
 * instructions ran (a faulting one included). An inline form whose fast
 * path does not apply leaves the block just before itself, so a block may
 * return 0 (its first instruction is then the run loop's to interpret).
 * Before a handler call the flags are flushed and RIP, `nextRip` and `retired` are set as the
 * interpreter's run loop would set them; after it, `state.blockStop` says
 * whether the block must leave (an exception, a released code page, an
 * interrupt notification, a stop request).
 */
import { type FlagRecord, FlagTracker } from "./block-flags";
import { memoryFastPath } from "./block-operands";
import { SYSCALL_EVENT } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { OP, OPERAND, PREFIX } from "./ops";

/**
 * Markers in the statements: the compiler keeps guest registers in JS locals
 * and replaces SPILL with stores of the locals the block writes back to the
 * register file (before every handler call and exit) and RELOAD with loads
 * of every register the block uses (after a handler call, which may change
 * any register).
 */
export const SPILL = "/*spill*/";
/** See {@link SPILL}. */
export const RELOAD = "/*reload*/";

/**
 * The general registers (0–15) the handler of `slot`'s instruction may
 * write, or undefined when that is not known here (the caller then reloads
 * every register). Memory destinations and XMM registers do not count: XMM
 * registers are never held in locals.
 */
export function handlerWrites(cache: DecodedCache, slot: number): number[] | undefined {
  const reg = cache.reg[slot]!;
  const rm = cache.rm[slot]!;
  const gpr = (operand: number) => (cache.size[slot] === 1 && operand >= 16 ? operand - 16 : operand);
  switch (cache.op[slot]) {
    case OP.ALU_RM_R:
    case OP.ALU_RM_I:
    case OP.TEST_RM_R:
    case OP.TEST_RM_I:
    case OP.MOV_RM_R:
    case OP.MOV_RM_I:
    case OP.SETCC:
    case OP.INC:
    case OP.DEC:
    case OP.NEG:
    case OP.NOT:
    case OP.SHIFT_I:
    case OP.SHIFT_CL:
    case OP.MOVD_OUT:
      return rm === OPERAND.MEMORY ? [] : [gpr(rm)];
    case OP.ALU_R_RM:
    case OP.MOV_R_RM:
    case OP.MOVZX:
    case OP.MOVSX:
    case OP.MOVSXD:
    case OP.CMOVCC:
    case OP.LEA:
    case OP.IMUL_R_RM:
    case OP.IMUL_R_RM_I:
      return [gpr(reg)];
    case OP.PUSH_R:
    case OP.PUSH_I:
      return [GPR_RSP];
    case OP.X87:
      // Only FNSTSW AX writes a general register.
      return [0];
    case OP.POP_R:
      return [GPR_RSP, reg];
    case OP.SSE_LOAD:
    case OP.SSE_STORE:
    case OP.SSE_BINARY:
    case OP.SSE_SHUFFLE:
    case OP.SSE_SHIFT_IMM:
    case OP.SSE_HALF:
    case OP.MOVD_IN:
    case OP.SSE_FLOAT:
    case OP.SSE_COMPARE:
    case OP.SSE_SCALAR_MOVE:
    case OP.SSE_COMPARE_FLAGS:
      return [];
    default:
      return undefined;
  }
}

const GPR_RSP = 4;

/** The RELOAD marker for the registers `writes` lists (all registers when undefined). */
export function reloadMarker(writes: number[] | undefined): string {
  return writes === undefined ? RELOAD : `/*reload:${writes.join(",")}*/`;
}

/** Where one instruction sits in its block. */
export interface InstructionSite {
  /** Decoded-cache slot. */
  slot: number;
  /** Position in the block (0-based). */
  index: number;
  /** Offset of the instruction from the block's first byte (RIP = rip0 + off). */
  off: number;
  /** Offset of the next instruction from the block's first byte. */
  next: number;
}

/** True when `slot`'s instruction ends a block: it may transfer control (its handler may set `nextRip`). */
export function endsBlock(cache: DecodedCache, slot: number): boolean {
  switch (cache.op[slot]) {
    case OP.JMP_REL:
    case OP.CALL_REL:
    case OP.RET:
    case OP.JMP_RM:
    case OP.CALL_RM:
    case OP.LOOP:
    case OP.INT3:
    case OP.INT_N:
    case OP.INT1:
    case OP.UD:
    case OP.INVALID:
    case OP.PRIVILEGED:
    case OP.RDPMC:
      return true;
    case OP.SYSCALL:
      return cache.blocks?.syscallsInBlocks === false;
    case OP.MOVS:
    case OP.CMPS:
    case OP.STOS:
    case OP.LODS:
    case OP.SCAS:
      // A repeated string instruction restarts itself (nextRip = RIP) between chunks.
      return (cache.prefix[slot]! & (PREFIX.REP | PREFIX.REPNE)) !== 0;
    default:
      return false;
  }
}

/** Accumulates the statements of one block. */
export class BlockBuilder {
  /** Where the flags are at the current point of the code. */
  readonly flags = new FlagTracker();
  /** The code touches XMM registers inline (it needs `xmm` and `sseOk`). */
  usesSse = false;
  /** OP ids whose handlers the code calls. */
  readonly handlers = new Set<number>();
  /** Translation memos handed out ({@link nextMemo}; block-operands.ts `tlbTest`). */
  memos = 0;
  /** The flag record at each back edge (undefined where it is not a LAZY/MUL record). */
  readonly backEdgeRecords: (FlagRecord | undefined)[] = [];
  private readonly lines: string[] = [];

  constructor(
    /** The decoded cache holding the block's instructions. */
    readonly cache: DecodedCache,
    /** Instructions in the block. */
    readonly count: number,
    /** Decoded-cache slot of the first instruction (the code names slots relative to it, `s0`). */
    readonly start: number,
    /** The block branches back to its own start (the code is wrapped in a loop). */
    readonly loops: boolean,
    /** Count handler calls in the table's `handlerCalls` (generated code names it `handlerCalls`). */
    readonly profile = false,
    /** The record every back edge leaves (from a first pass): the loop head starts PENDING on it. */
    private readonly pending?: FlagRecord,
  ) {
    if (pending !== undefined) this.flags.setPending(pending);
  }

  /** A new translation memo for one memory-access site (block-operands.ts `tlbTest`). */
  nextMemo(): number {
    return this.memos++;
  }

  /** Appends statements. */
  emit(text: string): void {
    if (text !== "") this.lines.push(text);
  }

  /** The statements so far. */
  body(): string {
    return this.lines.join("\n");
  }

  /** Calls the instruction's handler; the flags are in the state afterwards. Returns whether the block ends. */
  fallback(site: InstructionSite): boolean {
    const ending = endsBlock(this.cache, site.slot);
    this.emit(this.callText(site, ending));
    this.flags.setState();
    return ending;
  }

  /**
   * An instruction with an inline fast path: `setup`, then `body()` when
   * `test` holds; otherwise the block stops before the instruction and the
   * run loop interprets it.
   */
  custom(site: InstructionSite, setup: string, test: string, body: () => string): boolean {
    const ending = endsBlock(this.cache, site.slot);
    // Otherwise the block stops before this instruction and the run loop interprets it
    // (a TLB miss, MMIO, a page-crossing access, a store into a code page: rare, and the
    // interpreter raises any fault).
    const slow = `${this.flags.flushCode()} ${SPILL} state.rip = rip0 + ${site.off}; state.retired = r0 + done + ${site.index}; return done + ${site.index};`;
    const inline = body();
    this.emit(`${setup}\nif (${test}) { ${inline} } else { ${slow} }`);
    return ending;
  }

  /**
   * SYSCALL without leaving the block: its handler raises the trap (or #UD
   * when EFER.SCE = 0, which leaves the block for the run loop to deliver);
   * `state.syscallInBlock` then delivers the trap as the run loop would and
   * says whether the block may go on after it (cpu.ts). The kernel may have
   * written any register, so all of them are reloaded; the flags are in the
   * state (SYSRET loaded them).
   */
  syscall(site: InstructionSite): boolean {
    const op = this.cache.op[site.slot]!;
    this.handlers.add(op);
    const count = this.profile ? `handlerCalls[${op}]++;` : "";
    const call = `${count}${this.flags.flushCode()} ${SPILL} state.rip = rip0 + ${site.off}; state.nextRip = rip0 + ${site.next}; state.retired = r0 + done + ${site.index}; h${op}(state, cache, s0 + ${site.slot - this.start});`;
    const pendingExit = `return exitCall(state, rip0 + ${site.off}, done + ${site.index});`;
    this.emit(
      `${call} if (state.exceptionVector !== ${SYSCALL_EVENT}) { ${pendingExit} } x = state.syscallInBlock(rip0 + ${site.next}); if (x !== 1) { if (x === 0) return done + ${site.index + 1}; ${pendingExit} } ${RELOAD}`,
    );
    this.flags.setState();
    return false;
  }

  /**
   * An instruction done by a runtime fast path that either completes it or
   * changes nothing: `setup`, then `if (fast) { body } else { handler call }`.
   * With `flagsWritten` false the instruction leaves RFLAGS alone, so the
   * flags stay where they were (the handler branch flushes them for its own
   * exits); otherwise both branches leave them in the state.
   */
  fastOrFallback(
    site: InstructionSite,
    setup: string,
    fast: string,
    body: string,
    flagsWritten: boolean,
  ): boolean {
    const ending = endsBlock(this.cache, site.slot);
    if (flagsWritten) this.emit(this.flags.flushCode());
    const flushed = this.flags.flushed;
    this.emit(`${setup} if (${fast}) { ${body} } else { ${this.callText(site, ending)} }`);
    if (flagsWritten) this.flags.setState();
    else this.flags.flushed = flushed;
    return ending;
  }

  /** An instruction whose memory operand has the inline fast path of block-operands.ts (`p` set for `body`). */
  memory(site: InstructionSite, size: number, write: boolean, body: () => string): boolean {
    const path = memoryFastPath(this.cache, site.slot, size, write, site.next, this.nextMemo());
    if (path === undefined) return this.fallback(site);
    return this.custom(site, path.setup, path.test, body);
  }

  /** Statements that leave the block after `site` to `target` (an offset from rip0), or take the loop's back edge. */
  takenText(site: InstructionSite, target: number): string {
    const flush = this.flags.flushCode();
    const executed = site.index + 1;
    if (target === 0 && this.loops) {
      const record = this.flags.record();
      this.backEdgeRecords.push(record);
      const same =
        record !== undefined &&
        this.pending !== undefined &&
        record.kind === this.pending.kind &&
        record.op === this.pending.op &&
        record.size === this.pending.size;
      if (same) {
        // The record stays in the locals; `pending` tells the next iteration's early exits.
        return `done += ${executed}; if (done + ${this.count} <= budget) { pending = 1; continue; } ${flush} ${SPILL} state.rip = rip0; state.retired = r0 + done; return done;`;
      }
      return `${flush} done += ${executed}; if (done + ${this.count} <= budget) continue; ${SPILL} state.rip = rip0; state.retired = r0 + done; return done;`;
    }
    return `${flush} ${SPILL} return exitJump(state, rip0 + ${target}, rip0 + ${site.off}, rip0 + ${site.next}, r0 + done + ${site.index}, done + ${site.index});`;
  }

  /** Statements that leave the block after `site` to the canonical address `target` (an expression). */
  exitToText(site: InstructionSite, target: string): string {
    const executed = site.index + 1;
    return `${this.flags.flushCode()} ${SPILL} state.rip = ${target}; state.retired = r0 + done + ${executed}; return done + ${executed};`;
  }

  /** Statements that leave the block after its last instruction, which ends at offset `end`. */
  endText(end: number): string {
    return `${this.flags.flushCode()} ${SPILL} state.rip = rip0 + ${end}; state.retired = r0 + done + ${this.count}; return done + ${this.count};`;
  }

  private callText(site: InstructionSite, ending: boolean): string {
    const op = this.cache.op[site.slot]!;
    this.handlers.add(op);
    const count = this.profile ? `handlerCalls[${op}]++;` : "";
    const call = `${count}${this.flags.flushCode()} ${SPILL} state.rip = rip0 + ${site.off}; state.nextRip = rip0 + ${site.next}; state.retired = r0 + done + ${site.index}; h${op}(state, cache, s0 + ${site.slot - this.start});`;
    const exit = `return exitCall(state, rip0 + ${site.off}, done + ${site.index});`;
    const reload = reloadMarker(handlerWrites(this.cache, site.slot));
    return ending ? `${call} ${exit}` : `${call} if (state.blockStop !== 0) { ${exit} } ${reload}`;
  }
}

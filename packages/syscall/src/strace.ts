/**
 * strace-style tracing for the dispatcher (`dispatcher.tracer = new
 * SyscallTracer({ sink })`): one line per finished call, strace's
 * `<unfinished ...>` / `<... resumed>` pair for a call that parked, and an
 * optional `[pid N] ` prefix (strace -f). Formatting is strace-format.ts.
 * Off (no tracer) costs the dispatcher one field test per call.
 */
import { RETURN_KIND } from "./signature";
import {
  argumentList,
  DEFAULT_STRING_LIMIT,
  formatCall,
  formatResult,
  type TraceTarget,
  traceName,
  withResult,
} from "./strace-format";
import type { SyscallCall } from "./syscall-call";

/** Linux's kernel-internal ERESTARTSYS (include/linux/errno.h): never seen by user space. */
const ERESTARTSYS = 512;

/** Options of {@link SyscallTracer}. */
export interface TracerOptions {
  /** Receives each line (no trailing newline). */
  readonly sink: (line: string) => void;
  /** strace -s: longest string or buffer printed before `...` (default 32). */
  readonly stringLimit?: number;
  /** When set, lines start with `[pid N] ` using the pid this returns for a call. */
  readonly pidOf?: (call: SyscallCall) => number;
}

/** Prints calls as strace does. */
export class SyscallTracer {
  private readonly sink: (line: string) => void;
  private readonly limit: number;
  private readonly pidOf: ((call: SyscallCall) => number) | undefined;

  constructor(options: TracerOptions) {
    this.sink = options.sink;
    this.limit = options.stringLimit ?? DEFAULT_STRING_LIMIT;
    this.pidOf = options.pidOf;
  }

  /** A finished call; `words` are the six argument registers (low, high) in ABI order. */
  traceCall(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
    words: Uint32Array,
    result: number,
  ): void {
    this.sink(this.prefix(call) + formatCall(target, number, words, result, call.memory, this.limit));
  }

  /** A call that parked: `read(0, <unfinished ...>`. */
  traceUnfinished(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
    words: Uint32Array,
  ): void {
    // strace prints the arguments known at entry; here the first one (the rest may be outputs).
    const head = argumentList(target, words, 0, call.memory, this.limit).slice(0, 1);
    this.sink(
      `${this.prefix(call)}${traceName(target, number)}(${head.map((text) => `${text}, `).join("")}<unfinished ...>`,
    );
  }

  /** Its finish: `<... read resumed>"abc", 16) = 3`, or strace's `= ? ERESTARTSYS` for a restart. */
  traceResumed(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
    words: Uint32Array,
    result: number,
    restarted: boolean,
  ): void {
    // A restarted call wrote nothing: its out-buffers print as addresses, as after an error.
    const shown = restarted ? -ERESTARTSYS : result;
    const tail = argumentList(target, words, shown, call.memory, this.limit).slice(1).join(", ");
    const text = `<... ${traceName(target, number)} resumed>${tail})`;
    const outcome = restarted
      ? "= ? ERESTARTSYS (To be restarted if SA_RESTART is set)"
      : formatResult(target?.returns ?? RETURN_KIND.INT, result);
    this.sink(this.prefix(call) + withResult(text, outcome));
  }

  private prefix(call: SyscallCall): string {
    return this.pidOf === undefined ? "" : `[pid ${this.pidOf(call)}] `;
  }
}

/**
 * strace-style tracing for the dispatcher (`dispatcher.tracer = new
 * SyscallTracer({ sink })`): one line per finished call, strace's
 * `<unfinished ...>` / `<... resumed>` pair for a call that parked, an
 * optional `[pid N] ` prefix (strace -f) and an optional set of numbers to
 * trace (strace -e trace=). Formatting is strace-format.ts.
 *
 * The dispatcher talks to any {@link SyscallTraceSink}; `SyscallTracer` is
 * the strace one, {@link combineTraceSinks} feeds several (strace and a
 * timeline trace at once). Off (no tracer) costs the dispatcher one field
 * test per call.
 */
import type { Continuation } from "./continuation";
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
import type { UserMemory } from "./user-memory";

/** Linux's kernel-internal ERESTARTSYS (include/linux/errno.h): never seen by user space. */
const ERESTARTSYS = 512;

/**
 * What the dispatcher reports to a tracer. `words` are the six argument
 * registers (low, high) in ABI order.
 */
export interface SyscallTraceSink {
  /** A call that finished without parking; `call` is the caller's record (its task and memory are the caller's). */
  traceCall(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
    words: Uint32Array,
    result: number,
  ): void;
  /** A call that parked (its task waits). */
  traceUnfinished(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
    words: Uint32Array,
  ): void;
  /**
   * A parked call finished (`restarted`: it will run again instead). It
   * finishes in whatever context woke it: the caller is `continuation.task`,
   * its number and arguments are the continuation's.
   */
  traceResumed(
    continuation: Continuation,
    target: TraceTarget | undefined,
    result: number,
    restarted: boolean,
  ): void;
}

/** Options of {@link SyscallTracer}. */
export interface TracerOptions {
  /** Receives each line (no trailing newline). */
  readonly sink: (line: string) => void;
  /** strace -s: longest string or buffer printed before `...` (default 32). */
  readonly stringLimit?: number;
  /** When set, lines start with `[pid N] ` using the pid this returns for a call's task (`SyscallCall.task`). */
  readonly pidOf?: (task: unknown) => number;
  /**
   * The memory of a task whose parked call resumed, to print what it read
   * (the CPU that finishes the call may be running another address space).
   * Absent: resumed calls print their buffers as addresses.
   */
  readonly memoryOf?: (task: unknown) => UserMemory | null;
  /** strace -e trace=: only these numbers are printed (absent: all). */
  readonly only?: ReadonlySet<number>;
}

/** Prints calls as strace does. */
export class SyscallTracer implements SyscallTraceSink {
  private readonly sink: (line: string) => void;
  private readonly limit: number;
  private readonly pidOf: ((task: unknown) => number) | undefined;
  private readonly memoryOf: ((task: unknown) => UserMemory | null) | undefined;
  private readonly only: ReadonlySet<number> | undefined;

  constructor(options: TracerOptions) {
    this.sink = options.sink;
    this.limit = options.stringLimit ?? DEFAULT_STRING_LIMIT;
    this.pidOf = options.pidOf;
    this.memoryOf = options.memoryOf;
    this.only = options.only;
  }

  traceCall(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
    words: Uint32Array,
    result: number,
  ): void {
    if (this.only !== undefined && !this.only.has(number)) return;
    this.sink(this.prefix(call.task) + formatCall(target, number, words, result, call.memory, this.limit));
  }

  /** `read(0, <unfinished ...>`. */
  traceUnfinished(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
    words: Uint32Array,
  ): void {
    if (this.only !== undefined && !this.only.has(number)) return;
    // strace prints the arguments known at entry; here the first one (the rest may be outputs).
    const head = argumentList(target, words, 0, call.memory, this.limit).slice(0, 1);
    this.sink(
      `${this.prefix(call.task)}${traceName(target, number)}(${head.map((text) => `${text}, `).join("")}<unfinished ...>`,
    );
  }

  /** `<... read resumed>"abc", 16) = 3`, or strace's `= ? ERESTARTSYS` for a restart. */
  traceResumed(
    continuation: Continuation,
    target: TraceTarget | undefined,
    result: number,
    restarted: boolean,
  ): void {
    const number = continuation.number;
    if (this.only !== undefined && !this.only.has(number)) return;
    // A restarted call wrote nothing: its out-buffers print as addresses, as after an error.
    const shown = restarted ? -ERESTARTSYS : result;
    const memory = this.memoryOf?.(continuation.task) ?? null;
    const tail = argumentList(target, continuation.argumentWords, shown, memory, this.limit)
      .slice(1)
      .join(", ");
    const text = `<... ${traceName(target, number)} resumed>${tail})`;
    const outcome = restarted
      ? "= ? ERESTARTSYS (To be restarted if SA_RESTART is set)"
      : formatResult(target?.returns ?? RETURN_KIND.INT, result);
    this.sink(this.prefix(continuation.task) + withResult(text, outcome));
  }

  private prefix(task: unknown): string {
    return this.pidOf === undefined ? "" : `[pid ${this.pidOf(task)}] `;
  }
}

/** One sink that feeds each of `sinks` in turn (null when there are none, so the dispatcher stays untraced). */
export function combineTraceSinks(...sinks: readonly SyscallTraceSink[]): SyscallTraceSink | null {
  if (sinks.length === 0) return null;
  if (sinks.length === 1) return sinks[0]!;
  return {
    traceCall: (call, number, target, words, result) => {
      for (const sink of sinks) sink.traceCall(call, number, target, words, result);
    },
    traceUnfinished: (call, number, target, words) => {
      for (const sink of sinks) sink.traceUnfinished(call, number, target, words);
    },
    traceResumed: (continuation, target, result, restarted) => {
      for (const sink of sinks) sink.traceResumed(continuation, target, result, restarted);
    },
  };
}

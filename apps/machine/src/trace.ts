/**
 * `--trace FILE`: the run as Chrome trace-event JSON (the "JSON trace
 * format" that Perfetto's UI and chrome://tracing open), written as the
 * machine runs.
 *
 * Tracks (pid/tid pairs of the format):
 * - pid 0 ("machine") holds one thread track per CPU ("CPU n"): a slice
 *   per stretch a guest thread ran there (named after its process; the
 *   gaps are the idle task), instant events for each system call entry,
 *   interrupt, exception and context switch, and the counters "free
 *   memory" (KiB) and "runnable tasks".
 * - pid P, tid T: guest thread T of process P (names from comm, renamed at
 *   execve), with one slice per system call from entry to completion — a
 *   call that waited spans its wait.
 *
 * Time is the virtual clock: `ts` is the TSC of the CPU the event happened
 * on, in µs. The kernel's own work takes no virtual time (the clock counts
 * guest instructions), so a call answered at once is a zero-length slice;
 * only waits have length. Each track's timestamps are kept monotonic (CPUs
 * run a slice each in turn, so two CPUs' TSCs may differ by up to one
 * machine slice). The same seed gives the same file.
 */
import type { Kernel, KernelObserver, Thread } from "@tsos/kernel";
import type { Continuation, SyscallCall, SyscallTraceSink, TraceTarget } from "@tsos/syscall";
import { vectorName } from "./report";

/** The machine's pseudo-process (CPU tracks and counters). */
export const MACHINE_PID = 0;
/** Counters are sampled at most this often per counter (virtual ns). */
const COUNTER_PERIOD_NS = 100_000;
/** Bytes buffered before a write. */
const FLUSH_BYTES = 1 << 16;
const KIB_PER_FRAME = 4;

/** Exception names for the instant events (SDM vol 3 table 6-1). */
const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  0: "#DE divide error",
  1: "#DB debug",
  3: "#BP breakpoint",
  4: "#OF overflow",
  5: "#BR bound range",
  6: "#UD invalid opcode",
  7: "#NM device not available",
  8: "#DF double fault",
  10: "#TS invalid TSS",
  11: "#NP segment not present",
  12: "#SS stack fault",
  13: "#GP general protection",
  14: "#PF page fault",
  16: "#MF x87 error",
  17: "#AC alignment check",
  18: "#MC machine check",
  19: "#XM SIMD exception",
};

/** Options of {@link TimelineTrace}. */
export interface TimelineTraceOptions {
  /** Receives the file's text in order (chunks of any size). */
  readonly write: (text: string) => void;
  /** The kernel traced (names, free frames, run queues). */
  readonly kernel: Kernel;
  /** CPUs of the machine. */
  readonly cpus: number;
  /** ns per TSC cycle of the machine. */
  readonly nsPerCycle: number;
}

/** Writes the trace; attach it as the kernel's observer and (part of) the dispatcher's tracer. */
export class TimelineTrace implements KernelObserver, SyscallTraceSink {
  /** Events written. */
  events = 0;
  private readonly write: (text: string) => void;
  private readonly kernel: Kernel;
  private readonly nsPerCycle: number;
  private buffer = "";
  /** Per CPU: the thread running and since when (ns), or null for idle. */
  private readonly running: (Thread | null)[];
  private readonly since: number[];
  /** Last timestamp per track key, to keep each track monotonic. */
  private readonly lastTs = new Map<string, number>();
  private readonly threadNames = new Map<string, string>();
  private readonly processNames = new Map<number, string>();
  private lastFree = -1;
  private lastFreeAt = Number.NEGATIVE_INFINITY;
  private lastRunnable = -1;
  private lastRunnableAt = Number.NEGATIVE_INFINITY;
  private finished = false;

  constructor(options: TimelineTraceOptions) {
    this.write = options.write;
    this.kernel = options.kernel;
    this.nsPerCycle = options.nsPerCycle;
    this.running = new Array<Thread | null>(options.cpus).fill(null);
    this.since = new Array<number>(options.cpus).fill(0);
    this.buffer = '{"displayTimeUnit":"ns","traceEvents":[\n';
    this.emit(
      `{"name":"process_name","ph":"M","pid":${MACHINE_PID},"tid":0,"args":{"name":"machine (${options.cpus} CPUs)"}}`,
    );
    this.emit(`{"name":"process_sort_index","ph":"M","pid":${MACHINE_PID},"tid":0,"args":{"sort_index":-1}}`);
    for (let cpu = 0; cpu < options.cpus; cpu++) {
      this.emit(
        `{"name":"thread_name","ph":"M","pid":${MACHINE_PID},"tid":${cpu},"args":{"name":"CPU ${cpu}"}}`,
      );
      this.emit(
        `{"name":"thread_sort_index","ph":"M","pid":${MACHINE_PID},"tid":${cpu},"args":{"sort_index":${cpu}}}`,
      );
    }
  }

  // ---- KernelObserver ----

  contextSwitch(cpu: number, from: Thread | null, to: Thread | null, cycle: number): void {
    const ts = this.cpuTs(cpu, cycle);
    const previous = this.running[cpu] ?? null;
    if (previous !== null) this.endRunSlice(cpu, previous, ts);
    if (to !== null) this.nameThread(to);
    this.emit(
      `{"name":${JSON.stringify(`switch ${label(from)} → ${label(to)}`)},"cat":"sched","ph":"i","s":"t","ts":${us(ts)},"pid":${MACHINE_PID},"tid":${cpu}}`,
    );
    this.running[cpu] = to;
    this.since[cpu] = ts;
    this.sampleCounters(ts);
  }

  interrupt(cpu: number, vector: number, cycle: number): void {
    const ts = this.cpuTs(cpu, cycle);
    this.emit(
      `{"name":${JSON.stringify(vectorName(vector))},"cat":"interrupt","ph":"i","s":"t","ts":${us(ts)},"pid":${MACHINE_PID},"tid":${cpu},"args":{"vector":${vector}}}`,
    );
    this.sampleCounters(ts);
  }

  exception(cpu: number, vector: number, thread: Thread, cycle: number): void {
    const ts = this.cpuTs(cpu, cycle);
    const name = EXCEPTION_NAMES[vector] ?? `exception ${vector}`;
    this.emit(
      `{"name":${JSON.stringify(name)},"cat":"exception","ph":"i","s":"t","ts":${us(ts)},"pid":${MACHINE_PID},"tid":${cpu},"args":{"vector":${vector},"pid":${thread.process.pid},"tid":${thread.tid}}}`,
    );
  }

  // ---- SyscallTraceSink ----

  traceCall(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
    _words: Uint32Array,
    result: number,
  ): void {
    const entry = this.enterSyscall(call, number, target);
    if (entry === null) return;
    const { thread, name, start } = entry;
    const end = this.threadTs(thread, this.cycleNs(this.kernel.hardware.processors[call.cpuId]!.tsc));
    this.emit(
      `{"name":"${name}","cat":"syscall","ph":"X","ts":${us(start)},"dur":${us(end - start)},"pid":${thread.process.pid},"tid":${thread.tid},"args":{"result":${result}}}`,
    );
  }

  traceUnfinished(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
    _words: Uint32Array,
  ): void {
    const entry = this.enterSyscall(call, number, target);
    if (entry === null) return;
    const { thread, name, start } = entry;
    this.emit(
      `{"name":"${name}","cat":"syscall","ph":"B","ts":${us(start)},"pid":${thread.process.pid},"tid":${thread.tid}}`,
    );
  }

  /** A call's entry: the instant on its CPU's track, the thread named; its start on the thread's track. */
  private enterSyscall(
    call: SyscallCall,
    number: number,
    target: TraceTarget | undefined,
  ): { thread: Thread; name: string; start: number } | null {
    const thread = call.task as Thread | null;
    if (thread === null) return null;
    const name = target?.name ?? this.kernel.dispatcher.nameOf(number);
    const entry = this.cpuTs(call.cpuId, call.entryCycles);
    this.instantSyscall(call.cpuId, name, entry);
    this.nameThread(thread);
    return { thread, name, start: this.threadTs(thread, entry) };
  }

  traceResumed(
    continuation: Continuation,
    _target: TraceTarget | undefined,
    result: number,
    restarted: boolean,
  ): void {
    const thread = continuation.task as Thread | null;
    if (thread === null) return;
    const now = this.cycleNs(this.kernel.hardware.processors[this.kernel.currentCpu]!.tsc);
    const end = this.threadTs(thread, now);
    this.emit(
      `{"ph":"E","ts":${us(end)},"pid":${thread.process.pid},"tid":${thread.tid},"args":{"result":${restarted ? '"restarted"' : result}}}`,
    );
  }

  /** Ends the open slices at each CPU's `cycles` and closes the file's JSON (no events after). */
  finish(cycles: readonly number[]): void {
    if (this.finished) return;
    this.finished = true;
    let latest = 0;
    for (let cpu = 0; cpu < this.running.length; cpu++) {
      const ts = this.cpuTs(cpu, cycles[cpu] ?? 0);
      latest = Math.max(latest, ts);
      const thread = this.running[cpu] ?? null;
      if (thread !== null) this.endRunSlice(cpu, thread, ts);
      this.running[cpu] = null;
    }
    this.lastFreeAt = Number.NEGATIVE_INFINITY;
    this.lastRunnableAt = Number.NEGATIVE_INFINITY;
    this.sampleCounters(latest, true);
    this.buffer += "\n]}\n";
    this.write(this.buffer);
    this.buffer = "";
  }

  // ---- helpers ----

  private endRunSlice(cpu: number, thread: Thread, ts: number): void {
    const start = this.since[cpu]!;
    this.emit(
      `{"name":${JSON.stringify(thread.process.name)},"cat":"user","ph":"X","ts":${us(start)},"dur":${us(ts - start)},"pid":${MACHINE_PID},"tid":${cpu},"args":{"pid":${thread.process.pid},"tid":${thread.tid}}}`,
    );
  }

  private instantSyscall(cpu: number, name: string, ts: number): void {
    this.emit(
      `{"name":"${name}","cat":"syscall","ph":"i","s":"t","ts":${us(ts)},"pid":${MACHINE_PID},"tid":${cpu}}`,
    );
  }

  /** Metadata for a thread (and its process) seen for the first time or renamed by execve. */
  private nameThread(thread: Thread): void {
    const process = thread.process;
    const name = process.name;
    if (this.processNames.get(process.pid) !== name) {
      this.processNames.set(process.pid, name);
      this.emit(
        `{"name":"process_name","ph":"M","pid":${process.pid},"tid":${process.pid},"args":{"name":${JSON.stringify(name)}}}`,
      );
    }
    const key = `${process.pid}:${thread.tid}`;
    if (this.threadNames.get(key) !== name) {
      this.threadNames.set(key, name);
      this.emit(
        `{"name":"thread_name","ph":"M","pid":${process.pid},"tid":${thread.tid},"args":{"name":${JSON.stringify(`${name} ${thread.tid}`)}}}`,
      );
    }
  }

  private sampleCounters(ts: number, force = false): void {
    const free = this.kernel.frames.freeFrames * KIB_PER_FRAME;
    if (free !== this.lastFree && (force || ts - this.lastFreeAt >= COUNTER_PERIOD_NS)) {
      this.lastFree = free;
      this.lastFreeAt = ts;
      this.emit(
        `{"name":"free memory (KiB)","ph":"C","ts":${us(ts)},"pid":${MACHINE_PID},"args":{"KiB":${free}}}`,
      );
    }
    let runnable = 0;
    for (const queue of this.kernel.scheduler.runQueues) runnable += queue.load;
    if (runnable !== this.lastRunnable && (force || ts - this.lastRunnableAt >= COUNTER_PERIOD_NS)) {
      this.lastRunnable = runnable;
      this.lastRunnableAt = ts;
      this.emit(
        `{"name":"runnable tasks","ph":"C","ts":${us(ts)},"pid":${MACHINE_PID},"args":{"tasks":${runnable}}}`,
      );
    }
  }

  private cycleNs(cycle: number): number {
    return Math.round(cycle * this.nsPerCycle);
  }

  /** A CPU track's timestamp (ns), never before that track's previous one. */
  private cpuTs(cpu: number, cycle: number): number {
    return this.monotonic(`c${cpu}`, this.cycleNs(cycle));
  }

  private threadTs(thread: Thread, ns: number): number {
    return this.monotonic(`t${thread.tid}`, ns);
  }

  private monotonic(key: string, ns: number): number {
    const last = this.lastTs.get(key) ?? 0;
    const ts = Math.max(ns, last);
    this.lastTs.set(key, ts);
    return ts;
  }

  private emit(event: string): void {
    if (this.finished) return;
    this.buffer += this.events === 0 ? event : `,\n${event}`;
    this.events++;
    if (this.buffer.length >= FLUSH_BYTES) {
      this.write(this.buffer);
      this.buffer = "";
    }
  }
}

function label(thread: Thread | null): string {
  return thread === null ? "idle" : `${thread.process.name}/${thread.tid}`;
}

/** ns → the format's µs, exact to the ns. */
function us(ns: number): string {
  return String(ns / 1000);
}

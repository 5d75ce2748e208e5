/**
 * The kernel's SYSCALL handler: reads the number, dispatches through the
 * jump table's compiled entry, writes the result, keeps statistics, traces
 * when a tracer is attached, parks calls that block, and chooses the way
 * back to user mode.
 *
 * Per call (the hot path): one array load of the per-CPU record, one of the
 * compiled entry, the entry's own checks, the handler, a result write, two
 * counter increments. No allocation, no `bigint`, no Map. Host time is
 * sampled (one call in {@link DispatcherOptions.hostSamplePeriod}) because
 * a clock read costs about as much as a fast syscall; virtual time is read
 * only when a clock is attached. Tracing off costs one field test.
 *
 * Return path (arch/x86/entry/common.c, `do_syscall_64`'s SYSRET checks):
 * SYSRET only when RCX still equals the saved RIP, R11 the saved RFLAGS,
 * neither TF nor RF is set, and RIP is a user address below 2^47;
 * otherwise IRET. So a return to a non-canonical RIP (a SYSCALL in the last
 * two bytes of user space, or a kernel that set RIP through the context)
 * never reaches SYSRET — the CVE-2012-0217 lesson.
 */
import {
  GPR,
  RETURN_PATH,
  readSignedNumber,
  SLOT,
  type TrapFrame,
  type TrapHandler,
  writeNumber,
} from "@tsos/hw-x86";
import { ERRNO } from "./abi/errno";
import { ARGUMENT_REGISTERS } from "./abi/registers";
import { syscallName } from "./abi/syscall-numbers";
import { Continuation, type ContinuationHost, type ContinuationOwner } from "./continuation";
import { SYSCALL_BLOCKED, SYSCALL_REGISTERS_SET } from "./definition";
import type { SyscallTraceSink } from "./strace";
import { type CallParker, SyscallCall } from "./syscall-call";
import { SyscallStats } from "./syscall-stats";
import type { SyscallTable } from "./syscall-table";
import type { UserMemory } from "./user-memory";

/** Replaced by `false` in a build without the trace hook (the benchmark's baseline build, esbuild `--define`). */
declare const TSOS_SYSCALL_TRACE_HOOK: boolean | undefined;
const TRACE_HOOK = typeof TSOS_SYSCALL_TRACE_HOOK === "undefined" ? true : TSOS_SYSCALL_TRACE_HOOK;

const RFLAGS_TF = 0x100;
const RFLAGS_RF = 0x10000;
const USER_HIGH_END = 0x8000;
const DEFAULT_SAMPLE_PERIOD = 64;

/** Options of {@link SyscallDispatcher}. */
export interface DispatcherOptions {
  /** The jump table. */
  readonly table: SyscallTable;
  /** Where parked calls go (the scheduler); without one a handler must not block. */
  readonly host?: ContinuationHost;
  /** Virtual time (cycles) for the virtual-latency histograms, e.g. the machine's `Clock`. */
  readonly virtualClock?: { now(): number };
  /** Host-time sampling: every `n`th call is timed (default 64; 1 = every call; 0 = never). */
  readonly hostSamplePeriod?: number;
  /** Host clock in ns (default `performance.now() × 1e6`); tests inject a counter. */
  readonly hostClock?: () => number;
}

function defaultHostClock(): number {
  return performance.now() * 1e6;
}

/** The SYSCALL entry's dispatcher; `handle` is the {@link TrapHandler} to bind at IA32_LSTAR. */
export class SyscallDispatcher implements CallParker, ContinuationOwner {
  /** The table dispatched through. */
  readonly table: SyscallTable;
  /** Statistics of every call. */
  readonly stats: SyscallStats;
  /** Attach a tracer to print every call (strace); null = off. */
  tracer: SyscallTraceSink | null = null;
  /** The trap handler (bound: pass it to `installSyscallEntry` or `KernelEntryTable.bind`). */
  readonly handle: TrapHandler;
  private readonly hostValue: ContinuationHost | null;
  private readonly clock: { now(): number } | null;
  private readonly hostClock: () => number;
  private readonly samplePeriod: number;
  private sampleCountdown: number;
  private readonly calls: (SyscallCall | undefined)[] = [];
  private readonly memories: (UserMemory | null | undefined)[] = [];
  /** Argument words of the current call for the tracer (ABI order). */
  private readonly traceWords = new Uint32Array(12);

  constructor(options: DispatcherOptions) {
    this.table = options.table;
    this.stats = new SyscallStats(options.table.size);
    this.hostValue = options.host ?? null;
    this.clock = options.virtualClock ?? null;
    this.hostClock = options.hostClock ?? defaultHostClock;
    const period = options.hostSamplePeriod ?? DEFAULT_SAMPLE_PERIOD;
    if (!(Number.isInteger(period) && period >= 0))
      throw new RangeError(`hostSamplePeriod ${period} is not a non-negative integer`);
    this.samplePeriod = period;
    this.sampleCountdown = period;
    this.handle = (frame) => this.dispatch(frame);
  }

  /** The continuation host (throws when none was configured: a handler blocked in a kernel without a scheduler). */
  get host(): ContinuationHost {
    if (this.hostValue === null)
      throw new Error("syscall blocked, but the dispatcher has no ContinuationHost");
    return this.hostValue;
  }

  /** The per-CPU call record of `cpuId` (created on first use, with the memory {@link setMemory} gave). */
  callRecord(cpuId: number, frame: TrapFrame): SyscallCall {
    let call = this.calls[cpuId];
    if (call === undefined || call.frame !== frame) {
      call = new SyscallCall(cpuId, this, frame);
      call.memory = this.memories[cpuId] ?? null;
      this.calls[cpuId] = call;
    }
    return call;
  }

  /**
   * The user memory calls on `cpuId` see (`SyscallCall.memory`) from now on:
   * the kernel calls this when it switches the CPU to another address
   * space, before or after the CPU's first system call.
   */
  setMemory(cpuId: number, memory: UserMemory | null): void {
    this.memories[cpuId] = memory;
    const call = this.calls[cpuId];
    if (call !== undefined) call.memory = memory;
  }

  /** Handles one SYSCALL trap. */
  dispatch(frame: TrapFrame): void {
    let call = this.calls[frame.cpuId];
    if (call === undefined || call.frame !== frame) call = this.callRecord(frame.cpuId, frame);
    const regs = call.regs;
    // Linux reads the number as a 32-bit int and compares it unsigned (arch/x86/entry/common.c).
    const number = regs[0]!;
    call.number = number;
    call.parked = null;
    if (this.clock !== null) call.entryCycles = this.clock.now();
    const tracing = TRACE_HOOK && this.tracer !== null;
    if (tracing) this.copyArguments(regs);
    let timed = false;
    let started = 0;
    if (this.samplePeriod !== 0 && --this.sampleCountdown === 0) {
      this.sampleCountdown = this.samplePeriod;
      timed = true;
      started = this.hostClock();
    }
    const table = this.table;
    const invoke = number < table.size ? table.functions[number] : undefined;
    const result = invoke === undefined ? -ERRNO.ENOSYS : invoke(call, regs);
    const stats = this.stats;
    if (number < table.size) stats.calls[number]!++;
    else stats.outOfRange++;
    if (result === SYSCALL_BLOCKED) {
      this.parkCurrent(call, frame, tracing);
      return;
    }
    if (result === SYSCALL_REGISTERS_SET) {
      if (tracing)
        this.tracer!.traceCall(call, number, table.entry(number), this.traceWords, readSignedNumber(regs, 0));
      frame.returnPath = RETURN_PATH.IRET;
      return;
    }
    writeResult(regs, result);
    if (number < table.size) {
      if (result < 0) stats.recordResult(number, result);
      if (timed) stats.recordHost(number, this.hostClock() - started);
      if (this.clock !== null) stats.recordVirtual(number, this.clock.now() - call.entryCycles);
    }
    if (tracing) this.tracer!.traceCall(call, number, table.entry(number), this.traceWords, result);
    chooseReturnPath(frame, regs);
  }

  /** CallParker: the continuation of `call`'s current system call. */
  park(call: SyscallCall): Continuation {
    const continuation = new Continuation(this, call.cpuId, call.number, call.task, call.entryCycles);
    const words = continuation.argumentWords;
    for (let index = 0; index < 6; index++) {
      const slot = ARGUMENT_REGISTERS[index]!;
      words[index * 2] = call.regs[slot * 2]!;
      words[index * 2 + 1] = call.regs[slot * 2 + 1]!;
    }
    return continuation;
  }

  /** ContinuationOwner: a parked call finished. */
  finished(continuation: Continuation, result: number, restarted: boolean): void {
    const number = continuation.number;
    if (number < this.table.size) {
      if (!restarted) this.stats.recordResult(number, result);
      if (this.clock !== null) this.stats.recordVirtual(number, this.clock.now() - continuation.entryCycles);
    }
    if (TRACE_HOOK && this.tracer !== null)
      this.tracer.traceResumed(continuation, this.table.entry(number), result, restarted);
  }

  /** Name of a number for reports: the table's entry, else Linux's name, else `syscall_<n>`. */
  nameOf(number: number): string {
    return this.table.entry(number)?.name ?? syscallName(number) ?? `syscall_${number}`;
  }

  private parkCurrent(call: SyscallCall, frame: TrapFrame, tracing: boolean): void {
    const continuation = call.parked;
    if (continuation === null)
      throw new Error(`syscall ${call.number} returned SYSCALL_BLOCKED without park()`);
    if (tracing)
      this.tracer!.traceUnfinished(call, call.number, this.table.entry(call.number), this.traceWords);
    continuation.savedContext = this.host.park(continuation, frame);
    // The CPU now runs other work (or idles): its registers are not the caller's.
    frame.returnPath = RETURN_PATH.IRET;
  }

  private copyArguments(regs: Uint32Array): void {
    for (let index = 0; index < 6; index++) {
      const slot = ARGUMENT_REGISTERS[index]!;
      this.traceWords[index * 2] = regs[slot * 2]!;
      this.traceWords[index * 2 + 1] = regs[slot * 2 + 1]!;
    }
  }
}

/** Writes a handler's result into RAX, sign-extended (fast forms for small values and -errno). */
function writeResult(regs: Uint32Array, result: number): void {
  if (result >>> 0 === result) {
    regs[0] = result;
    regs[1] = 0;
  } else if (result < 0 && result >= -0x80000000 && (result | 0) === result) {
    regs[0] = result >>> 0;
    regs[1] = 0xffffffff;
  } else {
    writeNumber(regs, GPR.RAX, result);
  }
}

/** SYSRET when it returns exactly where IRET would, and safely (see the file header); else IRET. */
export function chooseReturnPath(frame: TrapFrame, regs: Uint32Array): void {
  const ripLow = regs[SLOT.RIP * 2]!;
  const ripHigh = regs[SLOT.RIP * 2 + 1]!;
  const flags = regs[SLOT.RFLAGS * 2]!;
  if (
    regs[GPR.RCX * 2] === ripLow &&
    regs[GPR.RCX * 2 + 1] === ripHigh &&
    regs[GPR.R11 * 2] === flags &&
    regs[GPR.R11 * 2 + 1] === regs[SLOT.RFLAGS * 2 + 1] &&
    (flags & (RFLAGS_TF | RFLAGS_RF)) === 0 &&
    ripHigh < USER_HIGH_END
  ) {
    frame.returnPath = RETURN_PATH.SYSRET;
  } else {
    frame.returnPath = RETURN_PATH.IRET;
  }
}

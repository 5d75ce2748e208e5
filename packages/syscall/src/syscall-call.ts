/**
 * The per-CPU record of the system call in progress, handed to every
 * handler: which CPU, the trap frame and its registers, the caller's memory
 * and task (set by the kernel), and `park()` for a call that must wait.
 *
 * Invariants: one record per CPU, reused for every call (no allocation per
 * call); its fields describe the current call only while the handler runs.
 */
import type { TrapFrame } from "@tsos/hw-x86";
import type { Continuation } from "./continuation";
import type { UserMemory } from "./user-memory";

/** What parks a call: implemented by the dispatcher (syscall-dispatcher.ts). */
export interface CallParker {
  /** Creates the continuation of `call`'s current system call. */
  park(call: SyscallCall): Continuation;
}

/** The system call in progress on one CPU. */
export class SyscallCall {
  /** The trap frame of the current call. */
  frame: TrapFrame;
  /** `frame.context.regs`: the caller's registers as (low, high) word pairs. */
  regs: Uint32Array;
  /** The syscall number (RAX's low 32 bits, as Linux reads it). */
  number = -1;
  /** The calling process's memory; the kernel sets it when it switches address spaces. Null: string arguments fail with -EFAULT. */
  memory: UserMemory | null = null;
  /** The kernel's current task on this CPU (opaque here); copied into a continuation when the call parks. */
  task: unknown = null;
  /** The continuation created by {@link SyscallCall.park} during this call, else null. */
  parked: Continuation | null = null;
  /** Virtual time at entry (cycles), when the dispatcher has a clock; else 0. */
  entryCycles = 0;

  constructor(
    /** Id of the CPU this record belongs to. */
    readonly cpuId: number,
    private readonly parker: CallParker,
    frame: TrapFrame,
  ) {
    this.frame = frame;
    this.regs = frame.context.regs;
  }

  /**
   * Parks the current call: returns its continuation, which the handler
   * puts wherever its waker will find it, then the handler returns
   * `SYSCALL_BLOCKED`. Throws if called twice in one call (a kernel bug).
   */
  park(): Continuation {
    if (this.parked !== null) throw new Error(`syscall ${this.number}: park() called twice in one call`);
    this.parked = this.parker.park(this);
    return this.parked;
  }
}

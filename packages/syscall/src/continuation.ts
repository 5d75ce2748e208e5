/**
 * Blocking by continuation (DESIGN §3). A handler that cannot complete
 * parks its call (`call.park()`) and returns `SYSCALL_BLOCKED`. The
 * dispatcher then hands the continuation to the {@link ContinuationHost}
 * (the scheduler), which saves the caller's user registers, switches the
 * CPU to other work, and tells the continuation where the registers are.
 * Later a waker finishes the call in one of two ways:
 *
 * - `complete(result)`: the result (or -errno) is written into the saved
 *   RAX, as if the handler had returned it;
 * - `restart()`: the saved RIP is moved back over the 2-byte SYSCALL and RAX
 *   gets the syscall number again, so the call runs anew when the task
 *   resumes (Linux's -ERESTARTSYS path, arch/x86/kernel/signal.c).
 *
 * Either way the host's `resume` makes the task runnable; it returns to
 * user mode with IRET semantics from the saved context.
 *
 * Invariants: a continuation is finished at most once (a second finish
 * throws: a kernel bug); its saved context belongs to the host; statistics
 * and tracing of a parked call are recorded when it finishes.
 */
import { type CpuContext, GPR, SLOT, type TrapFrame, writeHalves, writeNumber } from "@tsos/hw-x86";

/** Where a continuation stands. */
export const CONTINUATION_STATE = {
  /** Waiting for a waker. */
  PARKED: 0,
  /** Finished with a result. */
  COMPLETED: 1,
  /** Finished by restarting the call. */
  RESTARTED: 2,
} as const;

/** One of the {@link CONTINUATION_STATE} values. */
export type ContinuationState = (typeof CONTINUATION_STATE)[keyof typeof CONTINUATION_STATE];

/** The scheduler's side of blocking (implemented by the kernel; mocked in tests). */
export interface ContinuationHost {
  /**
   * The current call on `frame.cpuId` parked: save the caller's user
   * registers (`frame.context`) into the task, switch the CPU to other
   * work, and return the context holding the saved registers.
   */
  park(continuation: Continuation, frame: TrapFrame): CpuContext;
  /** A parked call finished: make its task runnable (it resumes from the saved context). */
  resume(continuation: Continuation): void;
}

/** What finishing reports back to (the dispatcher: statistics, tracing). */
export interface ContinuationOwner {
  /** Records the finish of `continuation` with `result` (or restart when `restarted`). */
  finished(continuation: Continuation, result: number, restarted: boolean): void;
  /** The host that resumes tasks. */
  readonly host: ContinuationHost;
}

const SYSCALL_INSTRUCTION_LENGTH = 2;
const TWO_POW_32 = 4294967296;

/**
 * Makes the saved registers `regs` run system call `number` again on
 * return to user mode: RIP back over the 2-byte SYSCALL, RAX = the number
 * (the arguments are still in their registers). A restart, whether of a
 * parked call or of one a signal interrupted.
 */
export function rewindToSyscall(regs: Uint32Array, number: number): void {
  const rip = regs[SLOT.RIP * 2 + 1]! * TWO_POW_32 + regs[SLOT.RIP * 2]! - SYSCALL_INSTRUCTION_LENGTH;
  writeNumber(regs, SLOT.RIP, rip);
  writeHalves(regs, GPR.RAX, number >>> 0, 0);
}

/** A parked system call. */
export class Continuation {
  /** Where it stands. */
  state: ContinuationState = CONTINUATION_STATE.PARKED;
  /** The context holding the caller's saved registers (set when the host parks it). */
  savedContext: CpuContext | null = null;
  /** The six argument registers at entry, (low, high) pairs in ABI order (rdi, rsi, rdx, r10, r8, r9). */
  readonly argumentWords = new Uint32Array(12);

  constructor(
    private readonly owner: ContinuationOwner,
    /** CPU the call was made on. */
    readonly cpuId: number,
    /** Syscall number. */
    readonly number: number,
    /** The kernel's task that made the call (`SyscallCall.task`). */
    readonly task: unknown,
    /** Virtual time at entry (cycles; 0 without a clock). */
    readonly entryCycles: number,
  ) {}

  /** Finishes the call with `result` (≥ 0 or -errno), written into the saved RAX. */
  complete(result: number): void {
    const context = this.finish(CONTINUATION_STATE.COMPLETED);
    writeNumber(context.regs, GPR.RAX, result);
    this.owner.finished(this, result, false);
    this.owner.host.resume(this);
  }

  /** Finishes the call by restarting it: RIP back over SYSCALL, RAX = the number again. */
  restart(): void {
    rewindToSyscall(this.finish(CONTINUATION_STATE.RESTARTED).regs, this.number);
    this.owner.finished(this, 0, true);
    this.owner.host.resume(this);
  }

  private finish(next: ContinuationState): CpuContext {
    if (this.state !== CONTINUATION_STATE.PARKED) {
      throw new Error(`syscall ${this.number}: continuation finished twice`);
    }
    const context = this.savedContext;
    if (context === null)
      throw new Error(`syscall ${this.number}: finished before the host saved its registers`);
    this.state = next;
    return context;
  }
}

/**
 * Signal generation and delivery (signal(7), Linux's kernel/signal.c and
 * arch/x86/kernel/signal.c), over the pending sets of signal-queue.ts and
 * the frames of signal-frame.ts.
 *
 * Generation ({@link Signals.send}): SIGKILL kills; SIGCONT continues a
 * stopped process (and drops pending stop signals), a stop signal drops a
 * pending SIGCONT; a signal whose disposition ignores it (SIG_IGN, or
 * SIG_DFL ignoring) is discarded unless blocked; a default stop stops the
 * process at once; a default fatal signal that some thread does not block
 * kills the process at once. Anything else is queued — on the thread for
 * tgkill and faults, on the process otherwise — and one thread that does
 * not block it is told: a sleeping one is interrupted, one running on
 * another CPU gets a reschedule IPI, so it reaches the way back to user
 * mode, where {@link Signals.deliver} runs.
 *
 * Delivery, on the way back to user mode of the thread: the next pending
 * unblocked signal (synchronous ones first, then the lowest number) takes
 * its action — ignore, default (terminate, stop) or a handler: a frame is
 * pushed, the mask becomes mask | sa_mask | the signal (unless SA_NODEFER),
 * SA_RESETHAND resets the disposition. Delivery repeats while signals
 * remain deliverable, so handlers nest as on Linux.
 *
 * An interrupted system call returns -EINTR or restarts (RIP back over
 * SYSCALL, RAX = its number), as Linux decides from its restart kind:
 * ERESTARTSYS calls (read, write, wait4, futex without a timeout, …) restart under an
 * SA_RESTART handler; ERESTARTNOHAND calls (pause, sigsuspend, poll,
 * select) and ERESTART_RESTARTBLOCK calls (nanosleep, timed futex waits) return -EINTR when a
 * handler ran; every kind restarts when no handler ran.
 *
 * Faults ({@link Signals.force}): the signal goes to the faulting thread
 * with its siginfo; if it is blocked or ignored it takes its default
 * action (Linux's force_sig_info unblocks it and resets SIG_DFL).
 */
import { type CpuContext, GPR } from "@tsos/hw-x86";
import { ERRNO, rewindToSyscall, SYS } from "@tsos/syscall";
import type { Kernel } from "./kernel";
import { PROCESS_STATE, type Process, RLIMIT, type Thread } from "./process";
import { MINSIGSTKSZ, putU64, SA, SignalFrames, type SignalReturn, SS } from "./signal-frame";
import {
  inMask,
  type PendingSignals,
  SIGINFO_SIZE,
  SIGRTMIN,
  type SigInfoStore,
  signalBit,
} from "./signal-queue";
import { DEFAULT_ACTION, defaultAction, SIGNAL } from "./signals";

/** Handler values with a meaning of their own. */
export const SIG_DFL = 0;
export const SIG_IGN = 1;

/** siginfo si_code values. */
export const SI = {
  USER: 0,
  KERNEL: 0x80,
  QUEUE: -1,
  TKILL: -6,
} as const;

/** SIGCHLD si_code values. */
export const CLD = { EXITED: 1, KILLED: 2, DUMPED: 3, TRAPPED: 4, STOPPED: 5, CONTINUED: 6 } as const;

/** SIGKILL and SIGSTOP (bits 8 and 18 of the low half): never blocked. */
export const UNBLOCKABLE_LOW = signalBit(SIGNAL.SIGKILL) | signalBit(SIGNAL.SIGSTOP);

const RESTART = { SYS: 0, NOHAND: 1, BLOCK: 2, NEVER: 3 } as const;
const EINTR = -4;
const STOP_SIGNALS =
  signalBit(SIGNAL.SIGSTOP) |
  signalBit(SIGNAL.SIGTSTP) |
  signalBit(SIGNAL.SIGTTIN) |
  signalBit(SIGNAL.SIGTTOU);
/** USER_HZ: the clock-tick unit of si_utime / si_stime. */
const USER_HZ_NS = 10_000_000;

/** Linux's restart kind of a system call `thread` was in when a signal interrupted it. */
function restartKind(number: number, thread: Thread): number {
  switch (number) {
    case SYS.futex:
      // futex_wait: -ERESTARTSYS without a timeout, -ERESTART_RESTARTBLOCK with one.
      return thread.restartDeadline === Number.POSITIVE_INFINITY ? RESTART.SYS : RESTART.BLOCK;
    case SYS.pause:
    case SYS.rt_sigsuspend:
    case SYS.poll:
    case SYS.ppoll:
    case SYS.select:
    case SYS.pselect6:
    case SYS.epoll_wait:
    case SYS.epoll_pwait:
      return RESTART.NOHAND;
    case SYS.nanosleep:
    case SYS.clock_nanosleep:
      return RESTART.BLOCK;
    case SYS.rt_sigtimedwait:
      return RESTART.NEVER;
    default:
      return RESTART.SYS;
  }
}

/** The lowest signal pending for `thread` (its own, then its process's) outside the mask (low, high); 0 none. */
function nextPending(thread: Thread, maskLow: number, maskHigh: number): number {
  const own = thread.pending.next(maskLow, maskHigh);
  return own !== 0 ? own : thread.process.sharedPending.next(maskLow, maskHigh);
}

/** Is `thread` in rt_sigtimedwait for a set holding `signal`? */
function waitsFor(thread: Thread, signal: number): boolean {
  return thread.waitingOn !== null && inMask(thread.sigwaitLow, thread.sigwaitHigh, signal);
}

/** The kernel's signal machinery (one per kernel). */
export class Signals {
  /** siginfo being composed (the argument of {@link send} and {@link force}). */
  readonly info = new Uint8Array(SIGINFO_SIZE);
  private readonly infoView = new DataView(this.info.buffer);
  /** A dequeued record, handed to the frame. */
  private readonly delivered = new Uint8Array(SIGINFO_SIZE);
  private readonly frames = new SignalFrames();
  private readonly returned: SignalReturn = { maskLow: 0, maskHigh: 0, stack: { sp: 0, size: 0, flags: 0 } };
  /** Signals delivered to handlers, and frames that could not be pushed or popped. */
  handled = 0;
  badFrames = 0;

  constructor(
    private readonly kernel: Kernel,
    /** Where queued siginfo records live. */
    readonly store: SigInfoStore,
  ) {}

  // ---- siginfo composition (into this.info) ----

  /** A signal from a process (kill: SI_USER; tgkill: SI_TKILL). */
  userInfo(signal: number, code: number, sender: Process | null): Uint8Array {
    this.clearInfo(signal, code);
    this.infoView.setInt32(16, sender?.pid ?? 0, true);
    this.infoView.setInt32(20, sender?.uid ?? 0, true);
    return this.info;
  }

  /** A signal from the kernel (SI_KERNEL). */
  kernelInfo(signal: number): Uint8Array {
    this.clearInfo(signal, SI.KERNEL);
    return this.info;
  }

  /** A fault's signal: si_code and si_addr. */
  faultInfo(signal: number, code: number, address: number): Uint8Array {
    this.clearInfo(signal, code);
    putU64(this.infoView, 16, address);
    return this.info;
  }

  /** SIGCHLD for `child`'s end: CLD_EXITED or CLD_KILLED, pid, uid, status, user and system time in clock ticks. */
  childInfo(child: Process, status: number): Uint8Array {
    const signal = status & 0x7f;
    this.clearInfo(SIGNAL.SIGCHLD, signal === 0 ? CLD.EXITED : CLD.KILLED);
    const view = this.infoView;
    view.setInt32(16, child.pid, true);
    view.setInt32(20, child.uid, true);
    view.setInt32(24, signal === 0 ? (status >> 8) & 0xff : signal, true);
    putU64(view, 32, Math.floor(child.exitedUserNs / USER_HZ_NS));
    putU64(view, 40, Math.floor(child.exitedSystemNs / USER_HZ_NS));
    return this.info;
  }

  private clearInfo(signal: number, code: number): void {
    this.info.fill(0);
    this.infoView.setInt32(0, signal, true);
    this.infoView.setInt32(8, code, true);
  }

  // ---- generation ----

  /**
   * Sends `signal` with siginfo `info` (128 bytes) to `process`, or to
   * `thread` of it when given. Signal 0 and dead targets do nothing.
   * Returns 0, or -EAGAIN when a realtime signal from sigqueue or tgkill
   * (si_code < 0) finds RLIMIT_SIGPENDING reached; kill(2) and the kernel
   * (si_code ≥ 0) queue past the limit, as Linux's override_rlimit does.
   */
  send(process: Process, signal: number, info: Uint8Array, thread: Thread | null = null): number {
    const kernel = this.kernel;
    if (signal <= 0 || signal > 64 || process.state !== PROCESS_STATE.ALIVE || process.killedBy !== 0)
      return 0;
    if (signal === SIGNAL.SIGKILL) {
      // Killed first, so the stopped process's resumption is no CLD_CONTINUED.
      kernel.killProcess(process, SIGNAL.SIGKILL);
      kernel.continueProcess(process);
      return 0;
    }
    if (signal === SIGNAL.SIGCONT) {
      this.discardEverywhere(process, STOP_SIGNALS);
      kernel.continueProcess(process);
    } else if ((signalBit(signal) & STOP_SIGNALS) !== 0 && signal <= 32) {
      this.discardEverywhere(process, signalBit(SIGNAL.SIGCONT));
    }
    const action = process.actions[signal];
    const handler = action?.handler ?? SIG_DFL;
    const byDefault = defaultAction(signal);
    const blockedByTarget =
      thread !== null
        ? inMask(thread.signalMaskLow, thread.signalMaskHigh, signal)
        : this.blockedByAll(process, signal);
    if (!blockedByTarget) {
      if (handler === SIG_IGN) return 0;
      if (handler === SIG_DFL) {
        if (byDefault === DEFAULT_ACTION.IGNORE || byDefault === DEFAULT_ACTION.CONTINUE) return 0;
        if (byDefault === DEFAULT_ACTION.STOP) {
          kernel.stopProcess(process, signal);
          return 0;
        }
        kernel.killProcess(process, signal);
        kernel.continueProcess(process);
        return 0;
      }
    }
    const pending = thread !== null ? thread.pending : process.sharedPending;
    if (signal < SIGRTMIN) {
      if (pending.has(signal)) return 0; // standard signals coalesce
    } else if (
      process.queuedSignals >= process.limits[RLIMIT.SIGPENDING]!.soft &&
      new DataView(info.buffer, info.byteOffset, 16).getInt32(8, true) < 0
    )
      return -ERRNO.EAGAIN;
    if (signal >= SIGRTMIN) process.queuedSignals++;
    pending.add(signal, this.store.store(info));
    // A thread waiting for it in rt_sigtimedwait takes it there (its wait re-runs and dequeues it).
    const waiter = this.sigwaiter(process, thread, signal);
    if (waiter !== null) {
      waiter.waitingOn!.wake(waiter.task, 0);
      return 0;
    }
    const target = thread ?? this.chooseThread(process, signal);
    if (target !== null) this.notify(target);
    return 0;
  }

  /**
   * A fault in `thread`: `signal` with `info`, handled if a handler is
   * installed and the signal is not blocked, else its default action.
   */
  force(thread: Thread, signal: number, info: Uint8Array): void {
    const process = thread.process;
    const action = process.actions[signal];
    const handler = action?.handler ?? SIG_DFL;
    if (
      handler === SIG_DFL ||
      handler === SIG_IGN ||
      inMask(thread.signalMaskLow, thread.signalMaskHigh, signal)
    ) {
      this.kernel.killProcess(process, signal);
      return;
    }
    if (!thread.pending.has(signal)) thread.pending.add(signal, this.store.store(info));
    thread.signalCheck = true;
  }

  /**
   * ppoll, pselect6, sigsuspend: `thread` waits with the mask (low, high);
   * its own mask comes back when the call ends, or through the frame of
   * the handler that interrupted it.
   */
  applyTemporaryMask(thread: Thread, low: number, high: number): void {
    if (!thread.savedMaskValid) {
      thread.savedMaskLow = thread.signalMaskLow;
      thread.savedMaskHigh = thread.signalMaskHigh;
      thread.savedMaskValid = true;
    }
    thread.signalMaskLow = (low & ~UNBLOCKABLE_LOW) >>> 0;
    thread.signalMaskHigh = high >>> 0;
    thread.signalCheck = true;
  }

  /** A thread's mask changed or a signal arrived: look again on the way back to user mode. */
  recheck(thread: Thread): void {
    thread.signalCheck =
      this.deliverable(thread) !== 0 || thread.interruptedCall >= 0 || thread.savedMaskValid;
  }

  /** The next deliverable signal of `thread` (0 none). */
  deliverable(thread: Thread): number {
    return nextPending(thread, thread.signalMaskLow, thread.signalMaskHigh);
  }

  /** Pending signals of `thread` as rt_sigpending reports them (pending and blocked), in `out`. */
  pendingBlocked(thread: Thread, out: Uint32Array): void {
    const shared = thread.process.sharedPending;
    out[0] = ((thread.pending.low | shared.low) & thread.signalMaskLow) >>> 0;
    out[1] = ((thread.pending.high | shared.high) & thread.signalMaskHigh) >>> 0;
  }

  private blockedByAll(process: Process, signal: number): boolean {
    if (process.threads.size === 0) return false;
    for (const thread of process.threads)
      if (!inMask(thread.signalMaskLow, thread.signalMaskHigh, signal)) return false;
    return true;
  }

  /** The thread (`thread`, or any of `process` for a process signal) waiting for `signal` in rt_sigtimedwait. */
  private sigwaiter(process: Process, thread: Thread | null, signal: number): Thread | null {
    if (thread !== null) return waitsFor(thread, signal) ? thread : null;
    for (const candidate of process.threads) if (waitsFor(candidate, signal)) return candidate;
    return null;
  }

  /**
   * rt_sigtimedwait's dequeue: the lowest pending signal of `thread` (its
   * own first, then its process's) in the set (low, high), its siginfo
   * copied to `into`; 0 when none is pending.
   */
  takeWaited(thread: Thread, low: number, high: number, into: Uint8Array): number {
    const signal = nextPending(thread, ~low >>> 0, ~high >>> 0);
    if (signal !== 0) this.dequeue(thread, signal, into);
    return signal;
  }

  /** Takes the oldest instance of pending `signal` (the thread's own first), its siginfo into `into`. */
  private dequeue(thread: Thread, signal: number, into: Uint8Array): void {
    const process = thread.process;
    const pending: PendingSignals = thread.pending.has(signal) ? thread.pending : process.sharedPending;
    const record = pending.take(signal);
    if (signal >= SIGRTMIN) process.queuedSignals--;
    this.store.load(record, signal, into);
    this.store.free(record);
  }

  /** The thread that takes a process-directed signal: the first that does not block it (Linux prefers the main thread). */
  private chooseThread(process: Process, signal: number): Thread | null {
    for (const thread of process.threads)
      if (!inMask(thread.signalMaskLow, thread.signalMaskHigh, signal)) return thread;
    return null;
  }

  /** Makes `thread` look at its signals soon: interrupt its sleep, or kick its CPU. */
  private notify(thread: Thread): void {
    thread.signalCheck = true;
    const task = thread.task;
    if (task.state === 2 /* BLOCKED */ && thread.waitingOn !== null && thread.interruptible)
      thread.waitingOn.interrupt(task, false);
    else if (task.state === 1 /* RUNNING */ && task.cpu !== this.kernel.currentCpu)
      this.kernel.requestReschedule(task.cpu);
  }

  private discardEverywhere(process: Process, lowMask: number): void {
    for (let signal = 1; signal <= 32; signal++)
      if ((signalBit(signal) & lowMask) !== 0) this.discard(process, signal);
  }

  /** Drops every pending instance of `signal` in `process` and its threads (it became ignored, or SIGCONT/stop rules). */
  discard(process: Process, signal: number): void {
    let dropped = process.sharedPending.discard(signal, this.store);
    for (const thread of process.threads) dropped += thread.pending.discard(signal, this.store);
    // Realtime instances count against RLIMIT_SIGPENDING until they are taken or dropped.
    if (signal >= SIGRTMIN) process.queuedSignals -= dropped;
  }

  /** Frees everything queued for an exiting thread (and, with the last one, its process). */
  releaseThread(thread: Thread): void {
    thread.process.queuedSignals -= thread.pending.clear(this.store);
    if (thread.process.threads.size === 0) {
      thread.process.sharedPending.clear(this.store);
      thread.process.queuedSignals = 0;
    }
  }

  // ---- delivery ----

  /**
   * On the way back to user mode of `thread` on `cpu` (its registers in
   * `context`): delivers what is deliverable. Returns true when it changed
   * the registers (the return must then use IRET).
   */
  deliver(cpu: number, thread: Thread, context: CpuContext): boolean {
    const kernel = this.kernel;
    const process = thread.process;
    thread.signalCheck = false;
    let changed = false;
    if (thread.savedMaskValid && thread.interruptedCall < 0) {
      // The call that set a temporary mask ended by itself: the thread's own mask is back (Linux's restore_saved_sigmask).
      thread.savedMaskValid = false;
      thread.signalMaskLow = thread.savedMaskLow;
      thread.signalMaskHigh = thread.savedMaskHigh;
    }
    for (;;) {
      const signal = this.deliverable(thread);
      if (signal === 0) break;
      this.dequeue(thread, signal, this.delivered);
      const action = process.actions[signal];
      const handler = action?.handler ?? SIG_DFL;
      if (handler === SIG_IGN) continue;
      if (handler === SIG_DFL) {
        const byDefault = defaultAction(signal);
        if (byDefault === DEFAULT_ACTION.IGNORE || byDefault === DEFAULT_ACTION.CONTINUE) continue;
        if (byDefault === DEFAULT_ACTION.STOP) {
          kernel.stopProcess(process, signal);
          // The interrupted call restarts once the process continues.
          changed = this.finishInterrupted(thread, context, false, 0) || changed;
          thread.signalCheck = true;
          return changed;
        }
        kernel.killProcess(process, signal);
        return changed;
      }
      // A handler runs: settle the interrupted call first (its RAX and RIP are what the frame saves).
      this.finishInterrupted(thread, context, true, action!.flags);
      kernel.syncFpu(cpu, context);
      const maskLow = thread.savedMaskValid ? thread.savedMaskLow : thread.signalMaskLow;
      const maskHigh = thread.savedMaskValid ? thread.savedMaskHigh : thread.signalMaskHigh;
      const pushed = this.frames.push(
        process.memory!.access,
        context,
        {
          signal,
          info: this.delivered,
          handler,
          flags: action!.flags,
          restorer: action!.restorer,
          maskLow,
          maskHigh,
          trapNumber: thread.trapNumber,
          errorCode: thread.errorCode,
          faultAddress: thread.faultAddress,
        },
        thread.altStack,
      );
      changed = true;
      if (!pushed) {
        this.badFrames++;
        kernel.killProcess(process, SIGNAL.SIGSEGV);
        return changed;
      }
      this.handled++;
      if ((thread.altStack.flags & SS.AUTODISARM) !== 0) {
        thread.altStack.sp = 0;
        thread.altStack.size = 0;
        thread.altStack.flags = 0;
      }
      thread.savedMaskValid = false;
      let blockLow = (maskLow | action!.maskLow) >>> 0;
      let blockHigh = (maskHigh | action!.maskHigh) >>> 0;
      if ((action!.flags & SA.NODEFER) === 0) {
        if (signal <= 32) blockLow = (blockLow | signalBit(signal)) >>> 0;
        else blockHigh = (blockHigh | signalBit(signal)) >>> 0;
      }
      thread.signalMaskLow = (blockLow & ~UNBLOCKABLE_LOW) >>> 0;
      thread.signalMaskHigh = blockHigh;
      if ((action!.flags & SA.RESETHAND) !== 0) process.actions[signal] = null;
    }
    // No handler ran for the interrupted call (or one already did): restart it, restore a temporary mask.
    changed = this.finishInterrupted(thread, context, false, 0) || changed;
    if (thread.savedMaskValid) {
      thread.savedMaskValid = false;
      thread.signalMaskLow = thread.savedMaskLow;
      thread.signalMaskHigh = thread.savedMaskHigh;
      if (this.deliverable(thread) !== 0) return this.deliver(cpu, thread, context) || changed;
    }
    return changed;
  }

  /**
   * Settles a system call interrupted by a signal (RAX holds -EINTR):
   * restarts it, or leaves -EINTR, per its restart kind, whether a handler
   * runs (`handled`) and that handler's flags. True when it changed RIP/RAX.
   */
  private finishInterrupted(thread: Thread, context: CpuContext, handled: boolean, flags: number): boolean {
    const number = thread.interruptedCall;
    if (number < 0) return false;
    thread.interruptedCall = -1;
    const regs = context.regs;
    // Only a call that really ended with -EINTR is settled (a racing completion wins).
    if (regs[GPR.RAX * 2] !== EINTR >>> 0 || regs[GPR.RAX * 2 + 1] !== 0xffffffff) return false;
    const kind = restartKind(number, thread);
    const restart = handled ? kind === RESTART.SYS && (flags & SA.RESTART) !== 0 : kind !== RESTART.NEVER;
    if (!restart) return false;
    rewindToSyscall(regs, number);
    thread.restartedCall = number;
    return true;
  }

  /**
   * rt_sigreturn for `thread`: restores the frame's registers into
   * `context`, its mask and alternate stack. False for a bad frame (the
   * caller sends SIGSEGV).
   */
  sigreturn(cpu: number, thread: Thread, context: CpuContext): boolean {
    this.kernel.syncFpu(cpu, context);
    const out = this.returned;
    if (!this.frames.pop(thread.process.memory!.access, context, out)) {
      this.badFrames++;
      return false;
    }
    thread.signalMaskLow = (out.maskLow & ~UNBLOCKABLE_LOW) >>> 0;
    thread.signalMaskHigh = out.maskHigh;
    // restore_altstack: the saved stack comes back when it is valid (an SS_AUTODISARM one re-arms).
    const stack = thread.altStack;
    const mode = (out.stack.flags & ~SS.AUTODISARM) >>> 0;
    if (mode === SS.DISABLE) {
      stack.sp = 0;
      stack.size = 0;
      stack.flags = 0;
    } else if ((mode === 0 || mode === SS.ONSTACK) && out.stack.size >= MINSIGSTKSZ) {
      stack.sp = out.stack.sp;
      stack.size = out.stack.size;
      stack.flags = out.stack.flags & SS.AUTODISARM;
    }
    this.recheck(thread);
    return true;
  }

  // ---- SIGCHLD and ITIMER_REAL ----

  /**
   * `child` ended with wait `status`: its parent gets its exit signal
   * (SIGCHLD unless clone said otherwise). Returns true when the child is
   * reaped at once — the parent ignores SIGCHLD (SIG_IGN) or set
   * SA_NOCLDWAIT, as Linux does.
   */
  /**
   * `child` stopped (by `signal`) or continued (`signal` = SIGCONT): its
   * parent gets SIGCHLD with CLD_STOPPED / CLD_CONTINUED unless it set
   * SA_NOCLDSTOP (or ignores SIGCHLD).
   */
  childStateChanged(parent: Process, child: Process, signal: number): void {
    const action = parent.actions[SIGNAL.SIGCHLD];
    if (action?.handler === SIG_IGN || ((action?.flags ?? 0) & SA.NOCLDSTOP) !== 0) return;
    this.clearInfo(SIGNAL.SIGCHLD, signal === SIGNAL.SIGCONT ? CLD.CONTINUED : CLD.STOPPED);
    const view = this.infoView;
    view.setInt32(16, child.pid, true);
    view.setInt32(20, child.uid, true);
    view.setInt32(24, signal, true);
    this.send(parent, SIGNAL.SIGCHLD, this.info);
  }

  childExited(parent: Process, child: Process, status: number): boolean {
    const action = parent.actions[SIGNAL.SIGCHLD];
    const ignored = action?.handler === SIG_IGN;
    const autoReap = ignored || ((action?.flags ?? 0) & SA.NOCLDWAIT) !== 0;
    if (child.exitSignal !== 0 && !(ignored && child.exitSignal === SIGNAL.SIGCHLD))
      this.send(parent, child.exitSignal, this.childInfo(child, status));
    return autoReap && child.exitSignal === SIGNAL.SIGCHLD;
  }
}

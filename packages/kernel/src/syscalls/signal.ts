/**
 * Signal system calls: rt_sigaction, rt_sigprocmask, rt_sigreturn,
 * rt_sigpending, rt_sigsuspend, pause, sigaltstack, rt_sigqueueinfo,
 * rt_tgsigqueueinfo, and ITIMER_REAL through alarm, setitimer and
 * getitimer (ITIMER_VIRTUAL and ITIMER_PROF answer -ENOSYS: the kernel
 * keeps no per-process CPU-time timers yet), and rt_sigtimedwait (a
 * pending signal of the set taken with its siginfo, or a wait that a
 * signal of the set ends).
 *
 * Linux's rules, where a guest can see them: KILL and STOP can be neither
 * caught, ignored nor blocked (rt_sigaction -EINVAL, the masks drop them);
 * a sigset size other than 8 is -EINVAL; setting SIG_IGN (or SIG_DFL for a
 * signal ignored by default) discards its pending instances; sigaltstack
 * refuses changes while running on the alternate stack (-EPERM), unknown
 * flags (-EINVAL) and stacks below MINSIGSTKSZ (-ENOMEM); alarm returns
 * the seconds left of the previous alarm, rounded, at least 1 while one is
 * pending.
 */
import { GPR, readNumber } from "@tsos/hw-x86";
import {
  arg,
  defineSyscall,
  ERRNO,
  SYS,
  SYSCALL_REGISTERS_SET,
  type SyscallCall,
  type SyscallDefinition,
  type SyscallTable,
} from "@tsos/syscall";
import type { Kernel } from "../kernel";
import type { Thread } from "../process";
import { SI, SIG_DFL, SIG_IGN, UNBLOCKABLE_LOW } from "../signal-delivery";
import { altStackFlags, MINSIGSTKSZ, SS } from "../signal-frame";
import { DEFAULT_ACTION, defaultAction, SIGNAL, SIGNAL_COUNT } from "../signals";
import { readTimespec, readTimeval, Struct } from "./user";

const SIG = { BLOCK: 0, UNBLOCK: 1, SETMASK: 2 } as const;
const ITIMER = { REAL: 0, VIRTUAL: 1, PROF: 2 } as const;
const NS_PER_SECOND = 1e9;
const NS_PER_MICROSECOND = 1000;

/** Registers the signal calls on `table`. */
export function registerSignalCalls(kernel: Kernel, table: SyscallTable): void {
  const action = new Struct(32);
  const mask = new Struct(8);
  const stack = new Struct(24);
  const info = new Struct(128);
  const timer = new Struct(32);
  const timespec = new Struct(16);
  const waited = new Uint8Array(128);
  const pendingWords = new Uint32Array(2);
  const signals = kernel.signals;

  /** Replaces the mask of `thread` (KILL and STOP dropped) and looks for newly deliverable signals. */
  const setMask = (thread: Thread, low: number, high: number) => {
    thread.signalMaskLow = (low & ~UNBLOCKABLE_LOW) >>> 0;
    thread.signalMaskHigh = high >>> 0;
    signals.recheck(thread);
  };

  /** Reads a sigset (8 bytes) into mask: 0 or -EFAULT. */
  const readSet = (call: SyscallCall, address: number) => mask.copyIn(call.memory!, address, 8);

  /** Waits for a signal (pause, sigsuspend): returns -EINTR at once when one is deliverable. */
  const waitForSignal = (call: SyscallCall, thread: Thread) => {
    if (signals.deliverable(thread) !== 0) {
      thread.interruptedCall = call.number;
      thread.signalCheck = true;
      return -ERRNO.EINTR;
    }
    return kernel.sleep(call, kernel.signalWaiters);
  };

  /** itimerval from ns values. */
  const putItimer = (intervalNs: number, valueNs: number) => {
    timer.clear();
    putTimevalNs(timer, 0, intervalNs);
    putTimevalNs(timer, 16, valueNs);
  };

  const definitions: SyscallDefinition[] = [
    defineSyscall({
      number: SYS.rt_sigaction,
      name: "rt_sigaction",
      args: [
        arg.signal(),
        arg.pointer("act", "in", { size: 32 }),
        arg.pointer("oact", "out", { size: 32 }),
        arg.size("sigsetsize"),
      ],
      handler: (call, signal, actAddress, oldAddress, setSize) => {
        if (setSize !== 8) return -ERRNO.EINVAL;
        if (signal < 1 || signal > SIGNAL_COUNT) return -ERRNO.EINVAL;
        if (actAddress !== 0 && (signal === SIGNAL.SIGKILL || signal === SIGNAL.SIGSTOP))
          return -ERRNO.EINVAL;
        const process = kernel.threadOf(call).process;
        const memory = call.memory!;
        const old = process.actions[signal] ?? null;
        let replacement = old;
        if (actAddress !== 0) {
          if (action.copyIn(memory, actAddress, 32) < 0) return -ERRNO.EFAULT;
          const handler = action.readI64(0);
          replacement = {
            handler: Number.isNaN(handler) ? readU64Unsafe(action, 0) : handler,
            flags: action.readU32(8),
            restorer: readU64Unsafe(action, 16),
            maskLow: (action.readU32(24) & ~UNBLOCKABLE_LOW) >>> 0,
            maskHigh: action.readU32(28),
          };
        }
        if (oldAddress !== 0) {
          action.clear();
          if (old !== null) {
            action.u64(0, old.handler);
            action.u64(8, old.flags);
            action.u64(16, old.restorer);
            action.u32(24, old.maskLow);
            action.u32(28, old.maskHigh);
          }
          if (action.copyOut(memory, oldAddress, 32) < 0) return -ERRNO.EFAULT;
        }
        process.actions[signal] = replacement;
        if (replacement !== null && actAddress !== 0) {
          const ignores =
            replacement.handler === SIG_IGN ||
            (replacement.handler === SIG_DFL && defaultAction(signal) === DEFAULT_ACTION.IGNORE);
          if (ignores) signals.discard(process, signal);
        }
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.rt_sigprocmask,
      name: "rt_sigprocmask",
      args: [
        arg.int("how"),
        arg.pointer("set", "in", { size: 8 }),
        arg.pointer("oldset", "out", { size: 8 }),
        arg.size("sigsetsize"),
      ],
      handler: (call, how, setAddress, oldAddress, setSize) => {
        if (setSize !== 8) return -ERRNO.EINVAL;
        const thread = kernel.threadOf(call);
        const oldLow = thread.signalMaskLow;
        const oldHigh = thread.signalMaskHigh;
        if (setAddress !== 0) {
          if (how !== SIG.BLOCK && how !== SIG.UNBLOCK && how !== SIG.SETMASK) return -ERRNO.EINVAL;
          if (readSet(call, setAddress) < 0) return -ERRNO.EFAULT;
          const low = mask.readU32(0);
          const high = mask.readU32(4);
          if (how === SIG.BLOCK) setMask(thread, oldLow | low, oldHigh | high);
          else if (how === SIG.UNBLOCK) setMask(thread, oldLow & ~low, oldHigh & ~high);
          else setMask(thread, low, high);
        }
        if (oldAddress !== 0) {
          mask.u32(0, oldLow);
          mask.u32(4, oldHigh);
          if (mask.copyOut(call.memory!, oldAddress, 8) < 0) return -ERRNO.EFAULT;
        }
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.rt_sigreturn,
      name: "rt_sigreturn",
      args: [],
      handler: (call) => {
        const thread = kernel.threadOf(call);
        if (!signals.sigreturn(call.cpuId, thread, call.frame.context))
          kernel.killProcess(thread.process, SIGNAL.SIGSEGV);
        return SYSCALL_REGISTERS_SET;
      },
    }),
    defineSyscall({
      number: SYS.rt_sigpending,
      name: "rt_sigpending",
      args: [arg.pointer("set", "out", { size: 8 }), arg.size("sigsetsize")],
      handler: (call, address, setSize) => {
        if (setSize > 8) return -ERRNO.EINVAL;
        signals.pendingBlocked(kernel.threadOf(call), pendingWords);
        mask.u32(0, pendingWords[0]!);
        mask.u32(4, pendingWords[1]!);
        return mask.copyOut(call.memory!, address, setSize);
      },
    }),
    defineSyscall({
      number: SYS.rt_sigsuspend,
      name: "rt_sigsuspend",
      args: [arg.pointer("mask", "in", { size: 8 }), arg.size("sigsetsize")],
      handler: (call, address, setSize) => {
        if (setSize !== 8) return -ERRNO.EINVAL;
        if (readSet(call, address) < 0) return -ERRNO.EFAULT;
        const thread = kernel.threadOf(call);
        signals.applyTemporaryMask(thread, mask.readU32(0), mask.readU32(4));
        return waitForSignal(call, thread);
      },
    }),
    defineSyscall({
      number: SYS.rt_sigtimedwait,
      name: "rt_sigtimedwait",
      args: [
        arg.pointer("set", "in", { size: 8 }),
        arg.pointer("info", "out", { size: 128 }),
        arg.pointer("timeout", "in", { size: 16 }),
        arg.size("sigsetsize"),
      ],
      handler: (call, setAddress, infoAddress, timeoutAddress, setSize) => {
        if (setSize !== 8) return -ERRNO.EINVAL;
        if (readSet(call, setAddress) < 0) return -ERRNO.EFAULT;
        // SIGKILL and SIGSTOP cannot be waited for (Linux drops them from the set).
        const low = (mask.readU32(0) & ~UNBLOCKABLE_LOW) >>> 0;
        const high = mask.readU32(4);
        const thread = kernel.threadOf(call);
        const kept = thread.takeRestartDeadline(SYS.rt_sigtimedwait);
        const signal = signals.takeWaited(thread, low, high, waited);
        if (signal !== 0) {
          if (infoAddress !== 0 && !call.memory!.write(infoAddress, waited)) return -ERRNO.EFAULT;
          return signal;
        }
        let deadline = kept ?? Number.POSITIVE_INFINITY;
        if (kept === null && timeoutAddress !== 0) {
          const timeout = readTimespec(timespec, call.memory!, timeoutAddress);
          if (timeout < 0) return timeout;
          deadline = kernel.monotonicNs() + timeout;
        }
        if (deadline <= kernel.monotonicNs()) return -ERRNO.EAGAIN;
        thread.restartDeadline = deadline;
        thread.sigwaitLow = low;
        thread.sigwaitHigh = high;
        return kernel.sleep(call, kernel.signalWaiters, {
          restart: true,
          ...(deadline === Number.POSITIVE_INFINITY
            ? {}
            : { timeoutAt: deadline, timeoutCompletes: -ERRNO.EAGAIN }),
          ended: () => {
            thread.sigwaitLow = 0;
            thread.sigwaitHigh = 0;
          },
        });
      },
    }),
    defineSyscall({
      number: SYS.pause,
      name: "pause",
      args: [],
      handler: (call) => waitForSignal(call, kernel.threadOf(call)),
    }),
    defineSyscall({
      number: SYS.sigaltstack,
      name: "sigaltstack",
      args: [arg.pointer("ss", "in", { size: 24 }), arg.pointer("old_ss", "out", { size: 24 })],
      handler: (call, address, oldAddress) => {
        const thread = kernel.threadOf(call);
        const current = thread.altStack;
        const sp = readNumber(call.frame.context.regs, GPR.RSP);
        const onStack = altStackFlags(current, sp) === SS.ONSTACK;
        stack.clear();
        stack.u64(0, current.sp);
        stack.u32(8, altStackFlags(current, sp) | (current.flags & SS.AUTODISARM));
        stack.u64(16, current.size);
        const old = stack.bytes.slice(0, 24);
        if (address !== 0) {
          if (stack.copyIn(call.memory!, address, 24) < 0) return -ERRNO.EFAULT;
          if (onStack) return -ERRNO.EPERM;
          const flags = stack.readU32(8);
          const mode = (flags & ~SS.AUTODISARM) >>> 0;
          if (mode !== 0 && mode !== SS.DISABLE && mode !== SS.ONSTACK) return -ERRNO.EINVAL;
          if (mode === SS.DISABLE) {
            current.sp = 0;
            current.size = 0;
            current.flags = 0;
          } else {
            const size = readU64Unsafe(stack, 16);
            if (size < MINSIGSTKSZ) return -ERRNO.ENOMEM;
            current.sp = readU64Unsafe(stack, 0);
            current.size = size;
            current.flags = flags & SS.AUTODISARM;
          }
        }
        if (oldAddress !== 0 && !call.memory!.write(oldAddress, old)) return -ERRNO.EFAULT;
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.rt_sigqueueinfo,
      name: "rt_sigqueueinfo",
      args: [arg.pid("tgid"), arg.signal(), arg.pointer("uinfo", "in", { size: 128 })],
      handler: (call, pid, signal, address) => queueInfo(call, pid, -1, signal, address),
    }),
    defineSyscall({
      number: SYS.rt_tgsigqueueinfo,
      name: "rt_tgsigqueueinfo",
      args: [arg.pid("tgid"), arg.pid("tid"), arg.signal(), arg.pointer("uinfo", "in", { size: 128 })],
      handler: (call, pid, tid, signal, address) => queueInfo(call, pid, tid, signal, address),
    }),
    defineSyscall({
      number: SYS.alarm,
      name: "alarm",
      args: [arg.uint("seconds")],
      handler: (call, seconds) => {
        const left = kernel.setAlarm(kernel.threadOf(call).process, seconds * NS_PER_SECOND, 0);
        if (left === 0) return 0;
        // Rounded to the nearest second, and never 0 for a pending alarm (Linux's alarm_setitimer).
        return Math.max(1, Math.round(left / NS_PER_SECOND));
      },
    }),
    defineSyscall({
      number: SYS.setitimer,
      name: "setitimer",
      args: [
        arg.int("which"),
        arg.pointer("new_value", "in", { size: 32 }),
        arg.pointer("old_value", "out", { size: 32 }),
      ],
      handler: (call, which, address, oldAddress) => {
        const refused = checkTimer(which);
        if (refused !== 0) return refused;
        const process = kernel.threadOf(call).process;
        let intervalNs = 0;
        let valueNs = 0;
        if (address !== 0) {
          if (timer.copyIn(call.memory!, address, 32) < 0) return -ERRNO.EFAULT;
          const interval = readTimeval(timer, 0);
          const value = readTimeval(timer, 16);
          if (interval < 0 || value < 0) return -ERRNO.EINVAL;
          intervalNs = interval;
          valueNs = value;
        }
        const oldInterval = process.alarmIntervalNs;
        const left =
          address !== 0
            ? kernel.setAlarm(process, valueNs, valueNs === 0 ? 0 : intervalNs)
            : kernel.alarmLeft(process);
        if (oldAddress !== 0) {
          putItimer(left === 0 ? 0 : oldInterval, left);
          if (timer.copyOut(call.memory!, oldAddress, 32) < 0) return -ERRNO.EFAULT;
        }
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.getitimer,
      name: "getitimer",
      args: [arg.int("which"), arg.pointer("curr_value", "out", { size: 32 })],
      handler: (call, which, address) => {
        const refused = checkTimer(which);
        if (refused !== 0) return refused;
        const process = kernel.threadOf(call).process;
        const left = kernel.alarmLeft(process);
        putItimer(left === 0 ? 0 : process.alarmIntervalNs, left);
        return timer.copyOut(call.memory!, address, 32);
      },
    }),
  ];

  /** rt_sigqueueinfo / rt_tgsigqueueinfo (tid -1: the process). */
  function queueInfo(call: SyscallCall, pid: number, tid: number, signal: number, address: number): number {
    if (info.copyIn(call.memory!, address, 128) < 0) return -ERRNO.EFAULT;
    const sender = kernel.threadOf(call).process;
    const target = tid < 0 ? kernel.processes.get(pid) : kernel.threads.get(tid)?.process;
    if (target === undefined || (tid >= 0 && target.pid !== pid)) return -ERRNO.ESRCH;
    // Only the kernel may claim si_code ≥ 0 or SI_TKILL for another process (Linux: -EPERM).
    const code = info.view.getInt32(8, true);
    if ((code >= 0 || code === SI.TKILL) && target !== sender) return -ERRNO.EPERM;
    if (signal === 0) return 0;
    info.i32(0, signal);
    return kernel.sendSignal(target, signal, info.bytes, tid < 0 ? null : (kernel.threads.get(tid) ?? null));
  }

  for (const definition of definitions) table.register(definition);
}

/** 0 for ITIMER_REAL; -ENOSYS for the CPU-time timers this kernel lacks; -EINVAL otherwise. */
function checkTimer(which: number): number {
  if (which === ITIMER.VIRTUAL || which === ITIMER.PROF) return -ERRNO.ENOSYS;
  return which === ITIMER.REAL ? 0 : -ERRNO.EINVAL;
}

/** A 64-bit field as an unsigned number (addresses: exact below 2^53). */
function readU64Unsafe(struct: Struct, offset: number): number {
  return struct.readU32(offset + 4) * 4294967296 + struct.readU32(offset);
}

/** A timeval for `ns` (microseconds rounded up, so a pending timer never reads as 0). */
function putTimevalNs(struct: Struct, offset: number, ns: number): void {
  const microseconds = Math.ceil(ns / NS_PER_MICROSECOND);
  const seconds = Math.floor(microseconds / 1e6);
  struct.u64(offset, seconds);
  struct.u64(offset + 8, microseconds - seconds * 1e6);
}

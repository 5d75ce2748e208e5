/**
 * Time: clock_gettime, clock_getres, gettimeofday, time, times, nanosleep,
 * clock_nanosleep. CLOCK_MONOTONIC (and BOOTTIME, MONOTONIC_RAW, the
 * coarse variants) is the virtual time since boot; CLOCK_REALTIME adds the
 * wall-clock time read from the CMOS RTC at boot; the CPU-time clocks are
 * the scheduler's accounting. A sleep parks the thread with a deadline in
 * the kernel's timer queue; the machine fast-forwards while every CPU is
 * idle, so a guest sleeping a virtual second costs no host second.
 * Malformed timespecs are -EINVAL, bad pointers -EFAULT, as in Linux.
 */
import {
  arg,
  defineSyscall,
  ERRNO,
  SYS,
  type SyscallCall,
  type SyscallDefinition,
  type SyscallTable,
} from "@tsos/syscall";
import type { Kernel } from "../kernel";
import { putTimespec, putTimeval, readTimespec as readUserTimespec, Struct } from "./user";

/** Clock ids (clock_gettime(2)). */
export const CLOCK = {
  REALTIME: 0,
  MONOTONIC: 1,
  PROCESS_CPUTIME_ID: 2,
  THREAD_CPUTIME_ID: 3,
  MONOTONIC_RAW: 4,
  REALTIME_COARSE: 5,
  MONOTONIC_COARSE: 6,
  BOOTTIME: 7,
  REALTIME_ALARM: 8,
  BOOTTIME_ALARM: 9,
  TAI: 11,
} as const;

const TIMER_ABSTIME = 1;
/** USER_HZ: the unit of times(2). */
const USER_HZ = 100;

/** Registers the time calls on `table`. */
export function registerTimeCalls(kernel: Kernel, table: SyscallTable): void {
  const timespec = new Struct(16);

  /** The clock's value in ns, or -EINVAL for a clock this kernel does not have. */
  const clockNs = (call: SyscallCall, clock: number): number => {
    switch (clock) {
      case CLOCK.REALTIME:
      case CLOCK.REALTIME_COARSE:
      case CLOCK.REALTIME_ALARM:
      case CLOCK.TAI:
        return kernel.realtimeNs();
      case CLOCK.MONOTONIC:
      case CLOCK.MONOTONIC_RAW:
      case CLOCK.MONOTONIC_COARSE:
      case CLOCK.BOOTTIME:
      case CLOCK.BOOTTIME_ALARM:
        return kernel.monotonicNs();
      case CLOCK.PROCESS_CPUTIME_ID: {
        const process = kernel.threadOf(call).process;
        let total = process.exitedUserNs + process.exitedSystemNs;
        for (const thread of process.threads) total += kernel.cpuTimeNs(thread);
        return total;
      }
      case CLOCK.THREAD_CPUTIME_ID:
        return kernel.cpuTimeNs(kernel.threadOf(call));
      default:
        return -ERRNO.EINVAL;
    }
  };

  /** Reads a timespec: ns, or -EFAULT / -EINVAL. */
  const readTimespec = (call: SyscallCall, address: number): number =>
    readUserTimespec(timespec, call.memory!, address);

  const sleepUntil = (call: SyscallCall, deadlineNs: number): number => {
    if (deadlineNs <= kernel.monotonicNs()) return 0;
    return kernel.sleep(call, kernel.sleepers, { timeoutAt: deadlineNs, timeoutResult: 0 });
  };

  const definitions: SyscallDefinition[] = [
    defineSyscall({
      number: SYS.clock_gettime,
      name: "clock_gettime",
      args: [arg.clockId(), arg.pointer("tp", "out", { size: 16 })],
      handler: (call, clock, address) => {
        const ns = clockNs(call, clock);
        if (ns < 0) return ns;
        timespec.clear();
        putTimespec(timespec, 0, ns);
        return timespec.copyOut(call.memory!, address, 16);
      },
    }),
    defineSyscall({
      number: SYS.clock_getres,
      name: "clock_getres",
      args: [arg.clockId(), arg.pointer("res", "out", { size: 16 })],
      handler: (call, clock, address) => {
        if (clockNs(call, clock) < 0) return -ERRNO.EINVAL;
        if (address === 0) return 0;
        const coarse = clock === CLOCK.REALTIME_COARSE || clock === CLOCK.MONOTONIC_COARSE;
        timespec.clear();
        putTimespec(timespec, 0, coarse ? kernel.tickNanoseconds : 1);
        return timespec.copyOut(call.memory!, address, 16);
      },
    }),
    defineSyscall({
      number: SYS.gettimeofday,
      name: "gettimeofday",
      args: [arg.pointer("tv", "out", { size: 16 }), arg.pointer("tz", "out", { size: 8 })],
      handler: (call, tv, tz) => {
        const memory = call.memory!;
        if (tv !== 0) {
          timespec.clear();
          putTimeval(timespec, 0, kernel.realtimeNs());
          if (timespec.copyOut(memory, tv, 16) < 0) return -ERRNO.EFAULT;
        }
        if (tz !== 0) {
          timespec.clear();
          if (timespec.copyOut(memory, tz, 8) < 0) return -ERRNO.EFAULT;
        }
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.time,
      name: "time",
      args: [arg.pointer("tloc", "out", { size: 8 })],
      handler: (call, address) => {
        const seconds = Math.floor(kernel.realtimeNs() / 1e9);
        if (address !== 0) {
          timespec.clear();
          timespec.u64(0, seconds);
          if (timespec.copyOut(call.memory!, address, 8) < 0) return -ERRNO.EFAULT;
        }
        return seconds;
      },
    }),
    defineSyscall({
      number: SYS.times,
      name: "times",
      args: [arg.pointer("buf", "out", { size: 32 })],
      handler: (call, address) => {
        const thread = kernel.threadOf(call);
        const process = thread.process;
        const ticks = (ns: number) => Math.floor((ns * USER_HZ) / 1e9);
        if (address !== 0) {
          let user = process.exitedUserNs;
          let system = process.exitedSystemNs;
          for (const member of process.threads) {
            user += member.task.accounting.userTime;
            system += member.task.accounting.kernelTime;
          }
          const tms = new Struct(32);
          tms.u64(0, ticks(user));
          tms.u64(8, ticks(system));
          tms.u64(16, ticks(process.childrenUserNs));
          tms.u64(24, ticks(process.childrenSystemNs));
          if (tms.copyOut(call.memory!, address, 32) < 0) return -ERRNO.EFAULT;
        }
        return ticks(kernel.monotonicNs());
      },
    }),
    defineSyscall({
      number: SYS.nanosleep,
      name: "nanosleep",
      args: [arg.pointer("req", "in", { size: 16 }), arg.pointer("rem", "out", { size: 16 })],
      handler: (call, request) => {
        const duration = readTimespec(call, request);
        if (duration < 0) return duration;
        return sleepUntil(call, kernel.monotonicNs() + duration);
      },
    }),
    defineSyscall({
      number: SYS.clock_nanosleep,
      name: "clock_nanosleep",
      args: [
        arg.clockId(),
        arg.flags("flags", TIMER_ABSTIME, { bits: { TIMER_ABSTIME } }),
        arg.pointer("req", "in", { size: 16 }),
        arg.pointer("rem", "out", { size: 16 }),
      ],
      handler: (call, clock, flags, request) => {
        const realtime = clock === CLOCK.REALTIME || clock === CLOCK.REALTIME_ALARM || clock === CLOCK.TAI;
        const monotonic =
          clock === CLOCK.MONOTONIC || clock === CLOCK.BOOTTIME || clock === CLOCK.BOOTTIME_ALARM;
        // Linux: the CPU-time clocks of the caller and the coarse/raw clocks cannot be slept on.
        if (!realtime && !monotonic) return -ERRNO.EINVAL;
        const value = readTimespec(call, request);
        if (value < 0) return value;
        const now = kernel.monotonicNs();
        if ((flags & TIMER_ABSTIME) === 0) return sleepUntil(call, now + value);
        return sleepUntil(call, realtime ? value - kernel.realtimeNs() + now : value);
      },
    }),
  ];
  for (const definition of definitions) table.register(definition);
}

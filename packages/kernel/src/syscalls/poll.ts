/**
 * poll and ppoll (poll(2)): each pollfd's `revents` is what its
 * description is ready for — `FileOperations.poll` where a file has it
 * (pipes: data or a closed writer side, room or a closed reader side; the
 * console: buffered input or end of input), always readable and writable
 * otherwise (regular files, /dev/*), POLLNVAL for a descriptor not open,
 * nothing for a negative fd — restricted to the requested events plus
 * POLLERR, POLLHUP and POLLNVAL. The call returns how many entries have
 * events; with none and a timeout left it sleeps on the kernel's poll queue,
 * which every pipe and console change wakes, and looks again (the deadline
 * is kept across those re-runs); at the deadline it returns 0. ppoll's
 * and pselect6's signal mask replaces the caller's for the call (a handler
 * that interrupts it runs with that mask and returns to the caller's).
 *
 * select and pselect6 answer the same readiness through fd_set bitmaps:
 * readable is POLLIN, POLLHUP or POLLERR; writable POLLOUT or POLLERR;
 * exceptional POLLPRI; a descriptor in a set that is not open is -EBADF;
 * the sets are rewritten with the ready descriptors and the count
 * returned; select also writes back the time left, as Linux does.
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
import { type OpenFile, POLL } from "../files";
import type { Kernel } from "../kernel";
import { RLIMIT, type Thread } from "../process";
import { readTimespec, readTimeval, Struct } from "./user";

const ALWAYS_REPORTED = POLL.ERR | POLL.HUP | POLL.NVAL;

/**
 * Parks a readiness wait (poll, select, epoll) on the poll waiters, which
 * every pipe and console change wakes: the call re-runs then, or completes
 * with 0 at `deadline` (Infinity: none).
 */
export function waitForReadiness(
  kernel: Kernel,
  call: SyscallCall,
  thread: Thread,
  deadline: number,
): number {
  thread.restartDeadline = deadline;
  return kernel.sleep(call, kernel.pollWaiters, {
    restart: true,
    ...(deadline === Number.POSITIVE_INFINITY ? {} : { timeoutAt: deadline, timeoutCompletes: 0 }),
  });
}

/** A file's poll(2) readiness: its POLL* bits (a file without readiness is readable and writable), with RDNORM/WRNORM. */
export function fileReadiness(file: OpenFile): number {
  let state = file.operations.poll?.(file) ?? POLL.IN | POLL.OUT;
  if ((state & POLL.IN) !== 0) state |= POLL.RDNORM;
  if ((state & POLL.OUT) !== 0) state |= POLL.WRNORM;
  return state;
}

/** Registers poll, ppoll, select and pselect6 on `table`. */
export function registerPollCalls(kernel: Kernel, table: SyscallTable): void {
  const timespec = new Struct(16);
  const sigset = new Struct(16);

  /** One pass over the pollfd array: the number with events (revents written back), or -errno. */
  const scan = (call: SyscallCall, address: number, count: number): number => {
    const files = kernel.threadOf(call).process.files!;
    const memory = call.memory!;
    const entries = new Uint8Array(count * 8);
    if (count > 0 && !memory.read(address, entries)) return -ERRNO.EFAULT;
    const view = new DataView(entries.buffer);
    let ready = 0;
    for (let index = 0; index < count; index++) {
      const at = index * 8;
      const fd = view.getInt32(at, true);
      const events = view.getUint16(at + 4, true);
      let revents = 0;
      if (fd >= 0) {
        const file = files.get(fd);
        if (file === null) revents = POLL.NVAL;
        else {
          revents = fileReadiness(file) & (events | ALWAYS_REPORTED);
        }
      }
      view.setUint16(at + 6, revents, true);
      if (revents !== 0) ready++;
    }
    if (count > 0 && !memory.write(address, entries)) return -ERRNO.EFAULT;
    return ready;
  };

  /** poll with an absolute deadline (Infinity: none), kept across re-runs. */
  const poll = (call: SyscallCall, address: number, count: number, deadline: number): number => {
    const thread = kernel.threadOf(call);
    if (count < 0 || count > thread.process.limits[RLIMIT.NOFILE]!.soft) return -ERRNO.EINVAL;
    deadline = thread.takeRestartDeadline(call.number) ?? deadline;
    const ready = scan(call, address, count);
    if (ready !== 0) return ready;
    if (deadline <= kernel.monotonicNs()) return 0;
    return waitForReadiness(kernel, call, thread, deadline);
  };

  /** One select pass over the three sets (each `bytes` long at its address, 0: absent): ready count, or -errno. */
  const scanSets = (call: SyscallCall, count: number, addresses: readonly number[]): number => {
    const files = kernel.threadOf(call).process.files!;
    const memory = call.memory!;
    const length = Math.ceil(count / 64) * 8;
    const sets = addresses.map((address) => {
      const set = new Uint8Array(length);
      return address === 0 || memory.read(address, set) ? set : null;
    });
    if (sets.some((set) => set === null)) return -ERRNO.EFAULT;
    const results = sets.map(() => new Uint8Array(length));
    let ready = 0;
    for (let fd = 0; fd < count; fd++) {
      const byte = fd >> 3;
      const bit = 1 << (fd & 7);
      const wanted = sets.map((set, index) => addresses[index] !== 0 && (set![byte]! & bit) !== 0);
      if (!wanted[0] && !wanted[1] && !wanted[2]) continue;
      const file = files.get(fd);
      if (file === null) return -ERRNO.EBADF;
      const state = file.operations.poll?.(file) ?? POLL.IN | POLL.OUT;
      const answers = [
        (state & (POLL.IN | POLL.HUP | POLL.ERR)) !== 0,
        (state & (POLL.OUT | POLL.ERR)) !== 0,
        (state & POLL.PRI) !== 0,
      ];
      for (let index = 0; index < 3; index++) {
        if (wanted[index] && answers[index]) {
          results[index]![byte]! |= bit;
          ready++;
        }
      }
    }
    for (let index = 0; index < 3; index++) {
      if (addresses[index] !== 0 && !memory.write(addresses[index]!, results[index]!)) return -ERRNO.EFAULT;
    }
    return ready;
  };

  /** select/pselect6 with an absolute deadline, kept across re-runs; `timeLeft` writes the remaining time back. */
  const select = (
    call: SyscallCall,
    count: number,
    addresses: readonly number[],
    deadline: number,
    timeLeft: ((ns: number) => number) | null,
  ): number => {
    const thread = kernel.threadOf(call);
    if (count < 0) return -ERRNO.EINVAL;
    const limit = Math.min(count, thread.process.limits[RLIMIT.NOFILE]!.soft);
    deadline = thread.takeRestartDeadline(call.number) ?? deadline;
    // The sets must be read again on a re-run, so they are rewritten only once something is ready or time is up.
    const saved = addresses.map((address) => {
      if (address === 0) return null;
      const copy = new Uint8Array(Math.ceil(limit / 64) * 8);
      return call.memory!.read(address, copy) ? copy : null;
    });
    const ready = scanSets(call, limit, addresses);
    if (ready !== 0) {
      if (ready > 0) timeLeft?.(Math.max(0, deadline - kernel.monotonicNs()));
      return ready;
    }
    if (deadline <= kernel.monotonicNs()) {
      timeLeft?.(0);
      return 0;
    }
    saved.forEach((copy, index) => {
      if (copy !== null) call.memory!.write(addresses[index]!, copy);
    });
    return waitForReadiness(kernel, call, thread, deadline);
  };

  const definitions: SyscallDefinition[] = [
    defineSyscall({
      number: SYS.poll,
      name: "poll",
      args: [arg.pointer("fds", "inout"), arg.uint("nfds"), arg.int("timeout")],
      handler: (call, address, count, timeout) =>
        poll(
          call,
          address,
          count,
          timeout < 0 ? Number.POSITIVE_INFINITY : kernel.monotonicNs() + timeout * 1e6,
        ),
    }),
    defineSyscall({
      number: SYS.ppoll,
      name: "ppoll",
      args: [
        arg.pointer("fds", "inout"),
        arg.uint("nfds"),
        arg.pointer("tmo_p", "in", { size: 16 }),
        arg.pointer("sigmask", "in"),
        arg.size("sigsetsize"),
      ],
      handler: (call, address, count, timeoutAddress, maskAddress, setSize) => {
        if (maskAddress !== 0 && setSize !== 8) return -ERRNO.EINVAL;
        if (maskAddress !== 0) {
          if (sigset.copyIn(call.memory!, maskAddress, 8) < 0) return -ERRNO.EFAULT;
          kernel.signals.applyTemporaryMask(kernel.threadOf(call), sigset.readU32(0), sigset.readU32(4));
        }
        let deadline = Number.POSITIVE_INFINITY;
        if (timeoutAddress !== 0) {
          const timeout = readTimespec(timespec, call.memory!, timeoutAddress);
          if (timeout < 0) return timeout;
          deadline = kernel.monotonicNs() + timeout;
        }
        return poll(call, address, count, deadline);
      },
    }),
    defineSyscall({
      number: SYS.select,
      name: "select",
      args: [
        arg.int("nfds"),
        arg.pointer("readfds", "inout"),
        arg.pointer("writefds", "inout"),
        arg.pointer("exceptfds", "inout"),
        arg.pointer("timeout", "inout", { size: 16 }),
      ],
      handler: (call, count, readSet, writeSet, exceptSet, timeoutAddress) => {
        let deadline = Number.POSITIVE_INFINITY;
        const memory = call.memory!;
        if (timeoutAddress !== 0) {
          if (timespec.copyIn(memory, timeoutAddress, 16) < 0) return -ERRNO.EFAULT;
          const timeout = readTimeval(timespec, 0);
          if (timeout < 0) return -ERRNO.EINVAL;
          deadline = kernel.monotonicNs() + timeout;
        }
        const timeLeft =
          timeoutAddress === 0
            ? null
            : (ns: number) => {
                const left = new Struct(16);
                const seconds = Math.floor(ns / 1e9);
                left.u64(0, seconds);
                left.u64(8, Math.floor((ns - seconds * 1e9) / 1000));
                return left.copyOut(memory, timeoutAddress, 16);
              };
        return select(call, count, [readSet, writeSet, exceptSet], deadline, timeLeft);
      },
    }),
    defineSyscall({
      number: SYS.pselect6,
      name: "pselect6",
      args: [
        arg.int("nfds"),
        arg.pointer("readfds", "inout"),
        arg.pointer("writefds", "inout"),
        arg.pointer("exceptfds", "inout"),
        arg.pointer("timeout", "in", { size: 16 }),
        arg.pointer("sigmask", "in", { size: 16 }),
      ],
      handler: (call, count, readSet, writeSet, exceptSet, timeoutAddress, maskArgument) => {
        let deadline = Number.POSITIVE_INFINITY;
        if (maskArgument !== 0) {
          // { const sigset_t *ss; size_t ss_len }
          if (sigset.copyIn(call.memory!, maskArgument, 16) < 0) return -ERRNO.EFAULT;
          const setAddress = sigset.readI64(0);
          if (setAddress !== 0) {
            if (sigset.readI64(8) !== 8) return -ERRNO.EINVAL;
            if (sigset.copyIn(call.memory!, setAddress, 8) < 0) return -ERRNO.EFAULT;
            kernel.signals.applyTemporaryMask(kernel.threadOf(call), sigset.readU32(0), sigset.readU32(4));
          }
        }
        if (timeoutAddress !== 0) {
          const timeout = readTimespec(timespec, call.memory!, timeoutAddress);
          if (timeout < 0) return timeout;
          deadline = kernel.monotonicNs() + timeout;
        }
        return select(call, count, [readSet, writeSet, exceptSet], deadline, null);
      },
    }),
  ];
  for (const definition of definitions) table.register(definition);
}

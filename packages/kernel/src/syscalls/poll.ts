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
 * signal mask is accepted (signals are not delivered yet).
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
import { POLL } from "../files";
import type { Kernel } from "../kernel";
import { RLIMIT } from "../process";
import { Struct } from "./user";

const ALWAYS_REPORTED = POLL.ERR | POLL.HUP | POLL.NVAL;

/** Registers poll and ppoll on `table`. */
export function registerPollCalls(kernel: Kernel, table: SyscallTable): void {
  const timespec = new Struct(16);

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
          let state = file.operations.poll?.(file) ?? POLL.IN | POLL.OUT;
          if ((state & POLL.IN) !== 0) state |= POLL.RDNORM;
          if ((state & POLL.OUT) !== 0) state |= POLL.WRNORM;
          revents = state & (events | ALWAYS_REPORTED);
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
    if (thread.restartedCall === call.number) deadline = thread.pollDeadline;
    thread.restartedCall = -1;
    const ready = scan(call, address, count);
    if (ready !== 0) return ready;
    if (deadline <= kernel.monotonicNs()) return 0;
    thread.pollDeadline = deadline;
    return kernel.sleep(call, kernel.pollWaiters, {
      restart: true,
      ...(deadline === Number.POSITIVE_INFINITY ? {} : { timeoutAt: deadline, timeoutCompletes: 0 }),
    });
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
        let deadline = Number.POSITIVE_INFINITY;
        if (timeoutAddress !== 0) {
          if (timespec.copyIn(call.memory!, timeoutAddress, 16) < 0) return -ERRNO.EFAULT;
          const seconds = timespec.readI64(0);
          const nanoseconds = timespec.readI64(8);
          if (!(seconds >= 0) || !(nanoseconds >= 0 && nanoseconds < 1e9)) return -ERRNO.EINVAL;
          deadline = kernel.monotonicNs() + seconds * 1e9 + nanoseconds;
        }
        return poll(call, address, count, deadline);
      },
    }),
  ];
  for (const definition of definitions) table.register(definition);
}

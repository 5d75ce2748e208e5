/**
 * futex(2) and the robust-list calls' neighbour: the system call surface
 * of {@link Futexes}. The fourth argument is a timeout pointer for the wait
 * operations and a count (val2) for the requeue and wake-op ones, as in
 * Linux. FUTEX_CLOCK_REALTIME is accepted with the wait operations only
 * (else -ENOSYS); priority-inheritance operations and FUTEX_FD are -ENOSYS.
 */
import { GPR } from "@tsos/hw-x86";
import { arg, defineSyscall, ERRNO, SYS, type SyscallCall, type SyscallTable } from "@tsos/syscall";
import { FUTEX, FUTEX_CMD_MASK } from "../futex";
import type { Kernel } from "../kernel";
import { readTimespec, Struct } from "./user";

const OP_NAMES = {
  field: {
    mask: 0x7f,
    values: {
      [FUTEX.WAIT]: "FUTEX_WAIT",
      [FUTEX.WAKE]: "FUTEX_WAKE",
      [FUTEX.REQUEUE]: "FUTEX_REQUEUE",
      [FUTEX.CMP_REQUEUE]: "FUTEX_CMP_REQUEUE",
      [FUTEX.WAKE_OP]: "FUTEX_WAKE_OP",
      [FUTEX.WAIT_BITSET]: "FUTEX_WAIT_BITSET",
      [FUTEX.WAKE_BITSET]: "FUTEX_WAKE_BITSET",
    },
  },
  bits: { FUTEX_PRIVATE_FLAG: FUTEX.PRIVATE_FLAG, FUTEX_CLOCK_REALTIME: FUTEX.CLOCK_REALTIME },
} as const;

/** Registers futex on `table`. */
export function registerFutexCalls(kernel: Kernel, table: SyscallTable): void {
  const timespec = new Struct(16);

  /** The wait's deadline on the timer clock (≥ 0): Infinity without a timeout, or -errno. */
  const deadlineOf = (call: SyscallCall, address: number, absolute: boolean, realtime: boolean): number => {
    if (address === 0) return Number.POSITIVE_INFINITY;
    const value = readTimespec(timespec, call.memory!, address);
    if (value < 0) return value;
    if (!absolute) return kernel.nowNs() + value;
    // A time already past is the timer clock's 0 (negative results are errors).
    return Math.max(0, kernel.nowNs() + value - (realtime ? kernel.realtimeNs() : kernel.monotonicNs()));
  };

  table.register(
    defineSyscall({
      number: SYS.futex,
      name: "futex",
      args: [
        arg.pointer("uaddr", "inout", { size: 4 }),
        arg.flags("futex_op", 0xffffffff, OP_NAMES),
        arg.uint("val"),
        arg.raw("timeout"),
        arg.raw("uaddr2"),
        arg.uint("val3", 32, true),
      ],
      handler: (call, address, op, value, timeout, address2, value3) => {
        const command = op & FUTEX_CMD_MASK;
        const shared = (op & FUTEX.PRIVATE_FLAG) === 0;
        const realtime = (op & FUTEX.CLOCK_REALTIME) !== 0;
        if (realtime && command !== FUTEX.WAIT && command !== FUTEX.WAIT_BITSET) return -ERRNO.ENOSYS;
        const futexes = kernel.futexes;
        const memory = kernel.threadOf(call).process.memory!;
        // val2 (the requeue and wake-op count) is the low 32 bits of the timeout argument (R10), as an int.
        const count2 = call.regs[GPR.R10 * 2]! | 0;
        const second = Number.isNaN(address2) || address2 >= 2 ** 47 ? -1 : address2;
        switch (command) {
          case FUTEX.WAIT:
          case FUTEX.WAIT_BITSET: {
            const bitset = command === FUTEX.WAIT ? FUTEX.BITSET_MATCH_ANY : value3;
            if (Number.isNaN(timeout) || timeout >= 2 ** 47) return -ERRNO.EFAULT;
            // A wait restarted after a signal keeps its first deadline (Linux's restart block).
            const thread = kernel.threadOf(call);
            const deadline =
              thread.takeRestartDeadline(SYS.futex) ??
              deadlineOf(call, timeout, command === FUTEX.WAIT_BITSET, realtime);
            if (deadline < 0) return deadline;
            return futexes.wait(call, address, shared, value, deadline, bitset);
          }
          case FUTEX.WAKE:
          case FUTEX.WAKE_BITSET:
            return futexes.wake(
              memory,
              address,
              shared,
              value | 0,
              command === FUTEX.WAKE ? FUTEX.BITSET_MATCH_ANY : value3,
            );
          case FUTEX.REQUEUE:
          case FUTEX.CMP_REQUEUE:
            if (second < 0) return -ERRNO.EFAULT;
            return futexes.requeue(
              memory,
              address,
              second,
              shared,
              value | 0,
              count2,
              command === FUTEX.CMP_REQUEUE ? value3 : null,
            );
          case FUTEX.WAKE_OP:
            if (second < 0) return -ERRNO.EFAULT;
            return futexes.wakeOp(memory, address, second, shared, value | 0, count2, value3);
          default:
            return -ERRNO.ENOSYS;
        }
      },
    }),
  );
}

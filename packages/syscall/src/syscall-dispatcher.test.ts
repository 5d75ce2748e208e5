import {
  type CpuContext,
  copyCpuContext,
  createCpuContext,
  GPR,
  RETURN_PATH,
  readBig,
  readSignedNumber,
  SLOT,
  type TrapFrame,
} from "@tsos/hw-x86";
import { describe, expect, it } from "vitest";
import { loadCall, PageMemory, parkingRead, setReturnPoint, syscallFrame } from "../test/frames";
import { ERRNO } from "./abi/errno";
import { CONTINUATION_STATE, type Continuation, type ContinuationHost } from "./continuation";
import { defineSyscall, SYSCALL_BLOCKED } from "./definition";
import { SyscallRegistrationError } from "./errors";
import { arg, RETURN_KIND } from "./signature";
import { SyscallTracer } from "./strace";
import { SyscallDispatcher } from "./syscall-dispatcher";
import { histogramBucket } from "./syscall-stats";
import { SyscallTable } from "./syscall-table";

function getpidTable(): SyscallTable {
  const table = new SyscallTable();
  table.register(defineSyscall({ number: 39, name: "getpid", args: [], handler: () => 1234 }));
  return table;
}

function result(frame: TrapFrame): number {
  return readSignedNumber(frame.context.regs, GPR.RAX);
}

describe("jump-table dispatch", () => {
  it("dispatches by RAX to the registered handler and writes the result into RAX", () => {
    const dispatcher = new SyscallDispatcher({ table: getpidTable() });
    const frame = syscallFrame();
    loadCall(frame, 39);
    dispatcher.handle(frame);
    expect(result(frame)).toBe(1234);
  });

  it("empty slots, numbers past the table and numbers with high bits answer -ENOSYS", () => {
    const dispatcher = new SyscallDispatcher({ table: getpidTable() });
    for (const number of [0, 38, 40, 463, 511, 0xffffffff]) {
      const frame = syscallFrame();
      loadCall(frame, number);
      dispatcher.handle(frame);
      expect([number, result(frame)]).toEqual([number, -ERRNO.ENOSYS]);
    }
    expect(dispatcher.stats.outOfRange).toBe(3);
  });

  it("only RAX's low 32 bits select the call (Linux reads an int)", () => {
    const dispatcher = new SyscallDispatcher({ table: getpidTable() });
    const frame = syscallFrame();
    frame.context.regs[GPR.RAX * 2] = 39;
    frame.context.regs[GPR.RAX * 2 + 1] = 0xdead;
    dispatcher.handle(frame);
    expect(result(frame)).toBe(1234);
  });

  it("registering a number twice, past the table, or with a bad signature throws", () => {
    const table = getpidTable();
    expect(() =>
      table.register(defineSyscall({ number: 39, name: "again", args: [], handler: () => 0 })),
    ).toThrow(SyscallRegistrationError);
    expect(() =>
      table.register(defineSyscall({ number: table.size, name: "x", args: [], handler: () => 0 })),
    ).toThrow(/outside the table/);
    expect(() =>
      table.register(
        defineSyscall({
          number: 1,
          name: "w",
          args: [arg.pointer("b", "in", { length: 5 })],
          handler: () => 0,
        }),
      ),
    ).toThrow(/does not exist/);
  });

  it("the table can be inspected: numbers, names, and what is missing", () => {
    const table = getpidTable();
    table.register(
      defineSyscall({
        number: 1,
        name: "write",
        args: [arg.fd(), arg.pointer("buf", "in", { length: 2 }), arg.size()],
        handler: () => 0,
      }),
    );
    expect(table.numbers()).toEqual([1, 39]);
    expect(table.list()).toEqual([
      { number: 1, name: "write" },
      { number: 39, name: "getpid" },
    ]);
    expect(table.entry(1)?.args.map((spec) => spec.name)).toEqual(["fd", "buf", "count"]);
    expect(table.missing().find((entry) => entry.number === 0)).toEqual({ number: 0, name: "read" });
    expect(table.missing().some((entry) => entry.number === 39)).toBe(false);
    expect(table.unregister(39)).toBe(true);
    expect(table.numbers()).toEqual([1]);
  });

  it("handlers receive typed numbers and strings", () => {
    const table = new SyscallTable();
    const seen: unknown[] = [];
    table.register(
      defineSyscall({
        number: 257,
        name: "openat",
        args: [arg.dirfd(), arg.string("pathname"), arg.flags("flags", 0x80000), arg.mode()],
        returns: RETURN_KIND.FD,
        handler: (_call, dirfd, path, flags, mode) => {
          seen.push(dirfd, path, flags, mode);
          return -ERRNO.ENOENT;
        },
      }),
    );
    const dispatcher = new SyscallDispatcher({ table });
    const frame = syscallFrame();
    const memory = new PageMemory().map(0x5000, 64).poke(0x5000, "/nope\0");
    dispatcher.callRecord(0, frame).memory = memory;
    loadCall(frame, 257, [-100n, 0x5000n, 0x80000n, 0o644n]);
    dispatcher.handle(frame);
    expect(seen).toEqual([-100, "/nope", 0x80000, 0o644]);
    expect(result(frame)).toBe(-ERRNO.ENOENT);
  });
});

describe("return path (SYSRET or IRET)", () => {
  it("SYSRET when RCX = RIP and R11 = RFLAGS; IRET when RCX is not canonical", () => {
    const dispatcher = new SyscallDispatcher({ table: getpidTable() });
    const frame = syscallFrame();
    loadCall(frame, 39);
    dispatcher.handle(frame);
    expect(frame.returnPath).toBe(RETURN_PATH.SYSRET);
    // A SYSCALL in the last two bytes of the lower half returns to 2^47: non-canonical.
    setReturnPoint(frame, 0x800000000000n, 0x202);
    loadCall(frame, 39);
    dispatcher.handle(frame);
    expect(frame.returnPath).toBe(RETURN_PATH.IRET);
  });

  it("IRET when the handler moved RIP (execve-style) or TF is set", () => {
    const table = new SyscallTable();
    table.register(
      defineSyscall({
        number: 59,
        name: "execve",
        args: [],
        handler: (call) => {
          call.regs[SLOT.RIP * 2] = 0x400000;
          return 0;
        },
      }),
    );
    const dispatcher = new SyscallDispatcher({ table });
    const frame = syscallFrame();
    loadCall(frame, 59);
    dispatcher.handle(frame);
    expect(frame.returnPath).toBe(RETURN_PATH.IRET);
    const traced = syscallFrame();
    setReturnPoint(traced, 0x401000n, 0x302);
    loadCall(traced, 59);
    dispatcher.handle(traced);
    expect(traced.returnPath).toBe(RETURN_PATH.IRET);
  });
});

describe("statistics", () => {
  it("counts calls, errors by errno, and log2 histograms of host ns and virtual cycles", () => {
    const table = new SyscallTable();
    let answer = 0;
    table.register(defineSyscall({ number: 3, name: "close", args: [arg.fd()], handler: () => answer }));
    let now = 0;
    let cycles = 500;
    const dispatcher = new SyscallDispatcher({
      table,
      hostSamplePeriod: 1,
      hostClock: () => (now += 100),
      virtualClock: { now: () => cycles },
    });
    const frame = syscallFrame();
    for (const [fd, value] of [
      [3n, 0],
      [-1n, 0],
      [4n, -ERRNO.EIO],
      [5n, -ERRNO.EIO],
    ] as const) {
      answer = value;
      loadCall(frame, 3, [fd]);
      dispatcher.handle(frame);
      cycles += 7;
    }
    const row = dispatcher.stats.row(3, "close");
    expect(row.calls).toBe(4);
    expect(row.errors).toBe(3);
    expect(row.errnos).toEqual([
      { errno: "EIO", count: 2 },
      { errno: "EBADF", count: 1 },
    ]);
    // Each call is timed between two reads of a clock that advances 100 ns per read.
    expect(row.hostSamples).toBe(4);
    expect(row.hostMeanNs).toBe(100);
    expect(row.hostP99Ns).toBe(128);
    expect(row.virtualSamples).toBe(4);
    expect(row.virtualMeanCycles).toBe(0);
    expect(dispatcher.stats.hostHistogram[3 * 64 + histogramBucket(100)]).toBe(4);
  });

  it("samples host time one call in the period", () => {
    let reads = 0;
    const dispatcher = new SyscallDispatcher({
      table: getpidTable(),
      hostSamplePeriod: 8,
      hostClock: () => reads++,
    });
    const frame = syscallFrame();
    for (let i = 0; i < 64; i++) {
      loadCall(frame, 39);
      dispatcher.handle(frame);
    }
    expect(dispatcher.stats.calls[39]).toBe(64);
    expect(dispatcher.stats.row(39, "getpid").hostSamples).toBe(8);
    expect(reads).toBe(16);
  });

  it("buckets: [2^(b-1), 2^b), 0 below 1, large values in high buckets", () => {
    expect([0, 0.5, 1, 2, 3, 4, 1023, 1024].map(histogramBucket)).toEqual([0, 0, 1, 2, 2, 3, 10, 11]);
    expect(histogramBucket(2 ** 32)).toBe(33);
    expect(histogramBucket(2 ** 53)).toBe(54);
    expect(histogramBucket(Number.NaN)).toBe(0);
  });
});

/** A scheduler stand-in: saves the caller's registers and "switches" by zeroing the live file. */
class MockHost implements ContinuationHost {
  readonly parked: Continuation[] = [];
  readonly resumed: Continuation[] = [];
  readonly saved = new Map<Continuation, CpuContext>();

  park(continuation: Continuation, frame: TrapFrame): CpuContext {
    const context = createCpuContext();
    copyCpuContext(context, frame.context);
    frame.context.regs.fill(0);
    this.parked.push(continuation);
    this.saved.set(continuation, context);
    return context;
  }

  resume(continuation: Continuation): void {
    this.resumed.push(continuation);
  }
}

describe("blocking by continuation", () => {
  function blockingSetup() {
    const table = new SyscallTable();
    table.register(parkingRead());
    const host = new MockHost();
    let cycles = 1000;
    const clock = { now: () => cycles };
    const dispatcher = new SyscallDispatcher({ table, host, virtualClock: clock });
    const frame = syscallFrame();
    loadCall(frame, 0, [0n, 0x1000n, 16n]);
    dispatcher.handle(frame);
    return { dispatcher, host, frame, advance: (by: number) => (cycles += by) };
  }

  it("parks the caller's frame with the host and returns by IRET to whatever the host switched to", () => {
    const { host, frame } = blockingSetup();
    expect(host.parked).toHaveLength(1);
    expect(frame.returnPath).toBe(RETURN_PATH.IRET);
    const continuation = host.parked[0]!;
    expect(continuation.state).toBe(CONTINUATION_STATE.PARKED);
    expect(Array.from(continuation.argumentWords.subarray(0, 6))).toEqual([0, 0, 0x1000, 0, 16, 0]);
  });

  it("complete(result) writes the result into the saved RAX and resumes the task", () => {
    const { dispatcher, host, advance } = blockingSetup();
    const continuation = host.parked[0]!;
    advance(5000);
    continuation.complete(7);
    const saved = host.saved.get(continuation)!;
    expect(readSignedNumber(saved.regs, GPR.RAX)).toBe(7);
    expect(host.resumed).toEqual([continuation]);
    expect(dispatcher.stats.row(0, "read").virtualMeanCycles).toBe(5000);
    expect(() => continuation.complete(1)).toThrow(/finished twice/);
  });

  it("restart() rewinds RIP over SYSCALL and restores RAX to the number", () => {
    const { host } = blockingSetup();
    const continuation = host.parked[0]!;
    const saved = host.saved.get(continuation)!;
    saved.regs[GPR.RAX * 2] = 0xdead;
    continuation.restart();
    expect(readBig(saved.regs, SLOT.RIP)).toBe(0x401000n);
    expect(readBig(saved.regs, GPR.RAX)).toBe(0n);
    expect(continuation.state).toBe(CONTINUATION_STATE.RESTARTED);
  });

  it("a handler that returns SYSCALL_BLOCKED without parking, or parks with no host, is a kernel bug (throws)", () => {
    const table = new SyscallTable();
    table.register(defineSyscall({ number: 0, name: "read", args: [], handler: () => SYSCALL_BLOCKED }));
    table.register(
      defineSyscall({
        number: 1,
        name: "write",
        args: [],
        handler: (call) => {
          call.park();
          return SYSCALL_BLOCKED;
        },
      }),
    );
    const dispatcher = new SyscallDispatcher({ table });
    const frame = syscallFrame();
    loadCall(frame, 0);
    expect(() => dispatcher.handle(frame)).toThrow(/without park/);
    loadCall(frame, 1);
    expect(() => dispatcher.handle(frame)).toThrow(/no ContinuationHost/);
  });
});

describe("tracing through the dispatcher", () => {
  function tracedDispatcher(pidOf?: (cpuId: number) => number) {
    const table = new SyscallTable();
    table.register(defineSyscall({ number: 39, name: "getpid", args: [], handler: () => 7 }));
    table.register(parkingRead());
    const host = new MockHost();
    const dispatcher = new SyscallDispatcher({ table, host });
    const memory = new PageMemory().map(0x1000, 4096).poke(0x1000, "abc");
    dispatcher.setMemory(0, memory);
    dispatcher.setMemory(1, memory);
    const lines: string[] = [];
    dispatcher.tracer = new SyscallTracer({
      sink: (line) => lines.push(line),
      memoryOf: () => memory,
      ...(pidOf === undefined ? {} : { pidOf: (task) => pidOf(task as number) }),
    });
    return { dispatcher, host, lines };
  }

  it("prints each call once it returns, with a [pid N] column when asked", () => {
    const { dispatcher, lines } = tracedDispatcher((cpuId) => 100 + cpuId);
    for (const cpuId of [0, 1]) {
      const frame = syscallFrame(cpuId);
      loadCall(frame, 39);
      dispatcher.callRecord(cpuId, frame).task = cpuId;
      dispatcher.handle(frame);
    }
    const frame = syscallFrame();
    loadCall(frame, 500);
    dispatcher.callRecord(0, frame).task = 0;
    dispatcher.handle(frame);
    expect(lines).toEqual([
      `[pid 100] getpid()${" ".repeat(32)}= 7`,
      `[pid 101] getpid()${" ".repeat(32)}= 7`,
      "[pid 100] syscall_0x1f4(0x0, 0x0, 0x0, 0x0, 0x0, 0x0) = -1 ENOSYS (Function not implemented)",
    ]);
  });

  it("a parked call prints <unfinished ...>, its completion <... resumed> with the bytes it read", () => {
    const { dispatcher, host, lines } = tracedDispatcher();
    const frame = syscallFrame();
    loadCall(frame, 0, [0n, 0x1000n, 16n]);
    dispatcher.handle(frame);
    expect(lines).toEqual(["read(0, <unfinished ...>"]);
    host.parked[0]!.complete(3);
    expect(lines[1]).toBe(`${'<... read resumed>"abc", 16)'.padEnd(40)}= 3`);
  });

  it("a restarted call prints strace's ERESTARTSYS line", () => {
    const { dispatcher, host, lines } = tracedDispatcher();
    const frame = syscallFrame();
    loadCall(frame, 0, [0n, 0x1000n, 16n]);
    dispatcher.handle(frame);
    host.parked[0]!.restart();
    expect(lines[1]).toBe(
      `${"<... read resumed>0x1000, 16)".padEnd(40)}= ? ERESTARTSYS (To be restarted if SA_RESTART is set)`,
    );
  });

  it("prints only the numbers asked for, and a resumed call under its own task's pid", () => {
    const { dispatcher, host, lines } = tracedDispatcher((task) => 100 + task);
    dispatcher.tracer = new SyscallTracer({
      sink: (line) => lines.push(line),
      pidOf: (task) => 100 + (task as number),
      only: new Set([0]),
    });
    const reading = syscallFrame(0);
    loadCall(reading, 0, [0n, 0x1000n, 16n]);
    dispatcher.callRecord(0, reading).task = 5;
    dispatcher.handle(reading);
    // CPU 0 now runs task 6, whose getpid is not traced; then task 5's read finishes there.
    const other = syscallFrame(0);
    loadCall(other, 39);
    dispatcher.callRecord(0, other).task = 6;
    dispatcher.handle(other);
    host.parked[0]!.complete(3);
    expect(lines).toEqual([
      "[pid 105] read(0, <unfinished ...>",
      expect.stringMatching(/^\[pid 105\] <\.\.\. read resumed>0x1000, 16\) +=/),
    ]);
  });

  it("with no tracer attached nothing is printed and the call still answers", () => {
    const { dispatcher, lines } = tracedDispatcher();
    dispatcher.tracer = null;
    const frame = syscallFrame();
    loadCall(frame, 39);
    dispatcher.handle(frame);
    expect(lines).toEqual([]);
    expect(result(frame)).toBe(7);
  });
});

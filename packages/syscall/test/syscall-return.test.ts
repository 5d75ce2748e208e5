/**
 * The return path and blocking on the emulated CPU: real SYSCALL
 * instructions, the dispatcher bound at IA32_LSTAR by installSyscallEntry,
 * blocks compiled (SYSCALL runs inside a compiled block).
 */
import { type CpuContext, copyCpuContext, createCpuContext, RETURN_PATH } from "@tsos/hw-x86";
import { STOP_REASON } from "@tsos/hw-x86/emu";
import { describe, expect, it } from "vitest";
import type { Continuation, ContinuationHost } from "../src/continuation";
import { parkingRead } from "./frames";
import { GuestKernel } from "./guest-kernel";

/** The last two bytes of the user half: the instruction after this SYSCALL is at 2^47, not canonical. */
const TOP_SYSCALL = 0x7ffffffffffe;

describe("CVE-2012-0217 on the emulated CPU", () => {
  it("getpid from the top of the user half returns by IRET, and the bad RIP is a #GP the kernel sees", () => {
    const kernel = new GuestKernel({ pid: 77 });
    kernel.machine.loadCode(TOP_SYSCALL - 5, "b827000000 0f05"); // mov eax, 39; syscall
    expect(kernel.machine.run(1000)).toBe(STOP_REASON.STOPPED);
    expect(kernel.machine.traps).toHaveLength(1);
    const trap = kernel.machine.traps[0]!;
    expect([trap.vector, trap.errorCode]).toEqual([13, 0]);
    expect(kernel.dispatcher.stats.row(39, "getpid").calls).toBe(1);
    expect(kernel.machine.cpu.shutdownCause).toBe("");
  });

  it("a kernel that always SYSRETs shuts the machine down on the same instruction", () => {
    const kernel = new GuestKernel();
    kernel.machine.entries.bind(kernel.entry.lstar, (frame) => {
      kernel.dispatcher.handle(frame);
      frame.returnPath = RETURN_PATH.SYSRET;
    });
    kernel.machine.loadCode(TOP_SYSCALL - 5, "b827000000 0f05");
    expect(kernel.machine.run(1000)).toBe(STOP_REASON.SHUTDOWN);
    expect(kernel.machine.cpu.shutdownCause).toMatch(/CVE-2012-0217/);
    expect(kernel.machine.traps).toEqual([]);
  });
});

/** A one-task scheduler: parking saves the task and idles the CPU; resuming loads it back. */
class IdleHost implements ContinuationHost {
  readonly parked: Continuation[] = [];
  private readonly saved = new Map<Continuation, CpuContext>();

  constructor(private readonly kernel: () => GuestKernel) {}

  park(continuation: Continuation, frame: { context: CpuContext }): CpuContext {
    const saved = createCpuContext();
    copyCpuContext(saved, frame.context);
    this.saved.set(continuation, saved);
    this.parked.push(continuation);
    this.kernel().machine.cpu.idle();
    return saved;
  }

  resume(continuation: Continuation): void {
    const cpu = this.kernel().machine.cpu;
    copyCpuContext(cpu.context, this.saved.get(continuation)!);
    this.saved.delete(continuation);
    if (!cpu.loadContext()) throw new Error("resume: saved RIP is not canonical");
  }
}

describe("blocking by continuation on the emulated CPU", () => {
  // read(0, buf, 8) blocks; exit_group(read's result).
  const program = "31c0 31ff 488d3424 ba08000000 0f05 4889c7 b8e7000000 0f05";

  const MODES = [
    ["SYSCALL inside compiled blocks", { compileBlocks: true, syscallsInBlocks: true }],
    ["SYSCALL ending its block", { compileBlocks: true, syscallsInBlocks: false }],
    ["interpreter", { compileBlocks: false, syscallsInBlocks: false }],
  ] as const;

  function blockingKernel(mode: { compileBlocks: boolean; syscallsInBlocks: boolean }) {
    let kernel: GuestKernel | undefined;
    const host = new IdleHost(() => kernel!);
    kernel = new GuestKernel({
      ...mode,
      dispatcher: { host },
      handlers: (table) => {
        table.unregister(0);
        table.register(parkingRead());
      },
    });
    kernel.machine.loadCode(0x401000, program);
    return { kernel, host };
  }

  for (const [label, mode] of MODES) {
    it(`read parks, the CPU idles, and complete(42) resumes the task into exit(42) (${label})`, () => {
      const { kernel, host } = blockingKernel(mode);
      expect(kernel.machine.run(10_000)).toBe(STOP_REASON.IDLE);
      expect(host.parked).toHaveLength(1);
      expect(kernel.exitStatus).toBeNull();
      expect(kernel.machine.run(10_000)).toBe(STOP_REASON.IDLE);

      host.parked[0]!.complete(42);
      expect(kernel.machine.run(10_000)).toBe(STOP_REASON.STOPPED);
      expect(kernel.exitStatus).toBe(42);
      expect(kernel.dispatcher.stats.row(0, "read").calls).toBe(1);
    });
  }

  it("restart() runs the call again when the task resumes", () => {
    const { kernel, host } = blockingKernel(MODES[0][1]);
    expect(kernel.machine.run(10_000)).toBe(STOP_REASON.IDLE);
    host.parked[0]!.restart();
    expect(kernel.machine.run(10_000)).toBe(STOP_REASON.IDLE);
    expect(host.parked).toHaveLength(2);
    host.parked[1]!.complete(3);
    expect(kernel.machine.run(10_000)).toBe(STOP_REASON.STOPPED);
    expect(kernel.exitStatus).toBe(3);
  });
});

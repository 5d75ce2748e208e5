/**
 * Nothing a guest does reaches the host as an exception, and a kernel bug
 * is a panic report, not a crash (DESIGN §7): random machine code only
 * ever kills its process with the signal Linux would use; a handler that
 * throws becomes "Kernel panic - not syncing" with the machine state, and
 * the run reports it.
 */
import { defineSyscall, SYS } from "@tsos/syscall";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readKernelGuest } from "../../../packages/kernel/guest/catalog";
import { runProgram } from "../src/run";

/** A static ELF whose one RWX PT_LOAD at 0x400000 is `code`, entered at its first byte. */
function elfWithCode(code: Uint8Array): Uint8Array {
  const header = 64 + 56;
  const bytes = new Uint8Array(header + code.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  view.setUint16(16, 2, true); // ET_EXEC
  view.setUint16(18, 62, true); // EM_X86_64
  view.setUint32(20, 1, true);
  view.setBigUint64(24, 0x400000n + BigInt(header), true); // e_entry
  view.setBigUint64(32, 64n, true); // e_phoff
  view.setUint16(52, 64, true); // e_ehsize
  view.setUint16(54, 56, true); // e_phentsize
  view.setUint16(56, 1, true); // e_phnum
  view.setUint32(64, 1, true); // PT_LOAD
  view.setUint32(68, 7, true); // RWX
  view.setBigUint64(72, 0n, true); // p_offset
  view.setBigUint64(80, 0x400000n, true); // p_vaddr
  view.setBigUint64(88, 0x400000n, true);
  view.setBigUint64(96, BigInt(bytes.length), true); // p_filesz
  view.setBigUint64(104, BigInt(bytes.length), true); // p_memsz
  view.setBigUint64(112, 0x1000n, true);
  bytes.set(code, header);
  return bytes;
}

describe("garbage from the guest", () => {
  it("random machine code ends its process with a signal Linux uses for it, or an exit; the kernel survives and frees everything", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 512 }), (code) => {
        const result = runProgram(
          {
            program: { path: "/bin/garbage", bytes: elfWithCode(code) },
            argv: ["garbage"],
            envp: [],
            quiet: true,
            cpus: 1,
            cycleLimit: 200_000_000,
          },
          { stdout: () => {}, stderr: () => {} },
        );
        // Random code may loop forever (cycle limit) or even exit through a random SYSCALL.
        expect(["exited", "cycle-limit"]).toContain(result.outcome);
        if (result.outcome === "exited" && result.exitCode > 128)
          expect([4, 5, 7, 8, 9, 11]).toContain(result.exitCode - 128);
        if (result.outcome === "exited") expect(result.stats.frameDelta).toBe(0);
      }),
      { numRuns: 40, seed: 0x7505 },
    );
  });
});

describe("kernel bugs", () => {
  it("a handler that throws is a panic report on the console, and the run says so; nothing escapes", () => {
    let out = "";
    const result = runProgram(
      {
        program: { path: "/bin/bench-getpid", bytes: readKernelGuest("bench-getpid") },
        argv: ["bench-getpid", "10"],
        envp: [],
        quiet: true,
        configure: (kernel) => {
          kernel.table.unregister(SYS.getpid);
          kernel.table.register(
            defineSyscall({
              number: SYS.getpid,
              name: "getpid",
              args: [],
              handler: () => {
                throw new Error("injected bug in getpid");
              },
            }),
          );
        },
      },
      { stdout: (bytes) => (out += Buffer.from(bytes).toString("latin1")), stderr: () => {} },
    );
    expect(result.outcome).toBe("panic");
    expect(result.exitCode).toBe(70);
    expect(result.message).toBe("kernel panic: injected bug in getpid");
    expect(out).toContain("Kernel panic - not syncing: injected bug in getpid\n");
    expect(out).toMatch(/CPU: 0 task: pid 1 \(bench-getpid\) tid 1\nentry: syscall vector -1/);
    expect(out).toMatch(/RAX: 0000000000000027 /); // the syscall number (39) in the interrupted registers
    expect(out).toContain("---[ end Kernel panic - not syncing ]---\n");
  });
});

describe("the timer tick", () => {
  it("keeps firing through a long CPU-bound run (every 4 ms of virtual time), so the scheduler can preempt", () => {
    let kernel: import("@tsos/kernel").Kernel | null = null;
    const result = runProgram(
      {
        program: { path: "/bin/spin", bytes: readKernelGuest("spin") },
        argv: ["spin", "3000000"],
        envp: [],
        quiet: true,
        cpus: 1,
        configure: (configured) => {
          kernel = configured;
        },
      },
      { stdout: () => {}, stderr: () => {} },
    );
    expect(result.outcome).toBe("exited");
    const ticks = kernel!.scheduler.runQueues[0]!.stats.ticks;
    const expected = (result.stats.virtualNs - result.stats.bootVirtualNs) / 4e6;
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(expected) - 1);
    expect(ticks).toBeLessThanOrEqual(Math.ceil(expected) + 1);
  });
});

describe("exhausted memory", () => {
  it("a program touching more memory than the machine has is killed (SIGKILL, the OOM policy); the kernel survives and frees it all", () => {
    let kernel: import("@tsos/kernel").Kernel | null = null;
    let printed = "";
    const result = runProgram(
      {
        program: { path: "/bin/oom", bytes: readKernelGuest("oom") },
        argv: ["oom", "1024"],
        envp: [],
        quiet: true,
        memoryBytes: 64 * 1024 * 1024,
        configure: (configured) => {
          kernel = configured;
        },
      },
      { stdout: (bytes) => (printed += Buffer.from(bytes).toString("latin1")), stderr: () => {} },
    );
    expect(result.outcome).toBe("exited");
    expect(result.exitCode).toBe(128 + 9);
    // The kernel's message is in its log (the console only shows it without --quiet, as Linux's loglevel would).
    expect(kernel!.log.at(-1)).toBe("Out of memory: Killed process 1 (oom)\n");
    expect(printed).not.toContain("done");
    expect(result.stats.frameDelta).toBe(0);
    expect(result.stats.slabObjects).toBe(0);
  });
});

describe("XMM state across switches", () => {
  it("eager (the default): two processes on one CPU keep their own XMM registers across 1,000 switches", () => {
    let out = "";
    const result = runProgram(
      {
        program: { path: "/bin/xmm-switch", bytes: readKernelGuest("xmm-switch") },
        argv: ["xmm-switch", "1000"],
        envp: [],
        quiet: true,
        cpus: 1,
      },
      { stdout: (bytes) => (out += Buffer.from(bytes).toString("latin1")), stderr: () => {} },
    );
    expect([out, result.exitCode]).toEqual(["xmm-switch 1000 ok\n", 0]);
  });

  it("lazy: the same, through real #NM traps", () => {
    let kernel: import("@tsos/kernel").Kernel | null = null;
    let out = "";
    const result = runProgram(
      {
        program: { path: "/bin/xmm-switch", bytes: readKernelGuest("xmm-switch") },
        argv: ["xmm-switch", "1000"],
        envp: [],
        quiet: true,
        cpus: 1,
        lazyFpu: true,
        configure: (configured) => {
          kernel = configured;
        },
      },
      { stdout: (bytes) => (out += Buffer.from(bytes).toString("latin1")), stderr: () => {} },
    );
    expect([out, result.exitCode]).toEqual(["xmm-switch 1000 ok\n", 0]);
    // Each switch arms CR0.TS; the next SSE instruction traps and the state moves then.
    const exceptions = (kernel!.hardware.processors[0] as unknown as { counters: { exceptions: number } })
      .counters.exceptions;
    expect(exceptions).toBeGreaterThan(1000);
  });
});

/**
 * Nothing a guest does reaches the host as an exception, and a kernel bug
 * is a panic report, not a crash (DESIGN §7): random machine code only
 * ever kills its process with the signal Linux would use; random arguments
 * to the futex, clone, epoll, signal and file calls never panic or leak
 * (a syscall fuzzer over fast-check sequences); a handler that
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

/** The system calls the syscall fuzzer draws from: the blocking, threading and signal surface first. */
const FUZZED_SYSCALLS = [
  SYS.futex,
  SYS.clone,
  SYS.epoll_create1,
  SYS.epoll_ctl,
  SYS.epoll_wait,
  SYS.epoll_pwait,
  SYS.rt_sigtimedwait,
  SYS.rt_sigaction,
  SYS.rt_sigprocmask,
  SYS.rt_sigsuspend,
  SYS.sigaltstack,
  SYS.tgkill,
  SYS.kill,
  SYS.wait4,
  SYS.waitid,
  SYS.sendfile,
  SYS.utimensat,
  SYS.pipe2,
  SYS.poll,
  SYS.ppoll,
  SYS.pselect6,
  SYS.openat,
  SYS.getdents64,
  SYS.readlinkat,
  SYS.set_robust_list,
  SYS.set_tid_address,
  SYS.mmap,
  SYS.munmap,
  SYS.mprotect,
  SYS.read,
  SYS.write,
  SYS.dup3,
  SYS.close,
  SYS.exit,
  SYS.setitimer,
  SYS.nanosleep,
];

/** Code: each call loads RAX and six argument registers (imm64) and runs SYSCALL; then it reaps its children and exit_group(0)s. */
function syscallSequence(calls: readonly (readonly bigint[])[]): Uint8Array {
  // mov rax/rdi/rsi/rdx/r10/r8/r9, imm64
  const prefixes = [
    [0x48, 0xb8],
    [0x48, 0xbf],
    [0x48, 0xbe],
    [0x48, 0xba],
    [0x49, 0xba],
    [0x49, 0xb8],
    [0x49, 0xb9],
  ];
  const bytes: number[] = [];
  for (const registers of calls) {
    registers.forEach((value, index) => {
      bytes.push(...prefixes[index]!);
      for (let shift = 0n; shift < 64n; shift += 8n) bytes.push(Number((value >> shift) & 0xffn));
    });
    bytes.push(0x0f, 0x05);
  }
  // Reap every child first (wait4(-1, NULL, __WALL, NULL) until ECHILD), so an exit leaves nothing alive.
  bytes.push(0xb8, 0x3d, 0x00, 0x00, 0x00); // mov eax, 61
  bytes.push(0x48, 0xc7, 0xc7, 0xff, 0xff, 0xff, 0xff); // mov rdi, -1
  bytes.push(0x31, 0xf6, 0xba, 0x00, 0x00, 0x00, 0x40, 0x45, 0x31, 0xd2); // xor esi; mov edx, __WALL; xor r10d
  bytes.push(0x0f, 0x05, 0x48, 0x83, 0xf8, 0xf6, 0x75, 0xe2); // syscall; cmp rax, -ECHILD; jne back
  bytes.push(0xb8, 0xe7, 0x00, 0x00, 0x00, 0x31, 0xff, 0x0f, 0x05); // exit_group(0)
  return Uint8Array.from(bytes);
}

/** Arguments: small numbers, flags-like values, addresses in the program's page and stack, garbage. */
const argument = fc.oneof(
  fc.bigInt({ min: -2n, max: 64n }),
  fc.constantFrom(0x400000n, 0x400100n, 0x400ffcn, 0x7ffffffde000n, 0xffff800000000000n, 2n ** 63n),
  fc.bigInt({ min: 0n, max: 0x7fffffffn }),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

describe("garbage system calls", () => {
  it("random arguments to the futex, clone, epoll, signal and file calls never reach the host; the kernel survives", () => {
    const call = fc.tuple(
      fc.constantFrom(...FUZZED_SYSCALLS.map(BigInt)),
      argument,
      argument,
      argument,
      argument,
      argument,
      argument,
    );
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (calls) => {
        const result = runProgram(
          {
            program: { path: "/bin/fuzz", bytes: elfWithCode(syscallSequence(calls)) },
            argv: ["fuzz"],
            envp: [],
            quiet: true,
            cpus: 2,
            cycleLimit: 100_000_000,
          },
          { stdout: () => {}, stderr: () => {} },
        );
        // A random wait may never end (deadlock or the cycle limit); a panic would be a kernel bug.
        expect(result.message).not.toMatch(/panic/i);
        expect(["exited", "cycle-limit", "deadlock"]).toContain(result.outcome);
        // Frames all come back when init reaped every child and left by its own exit_group; an exit(2),
        // a signal or a fault may end init first, and the machine powers off with the others alive.
        const reachedTheEnd = result.outcome === "exited" && result.exitCode === 0;
        if (reachedTheEnd && !calls.some((registers) => registers[0] === BigInt(SYS.exit))) {
          expect(result.stats.frameDelta).toBe(0);
          expect(result.stats.slabObjects).toBe(0);
        }
      }),
      { numRuns: 150, seed: 0x5c15 },
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

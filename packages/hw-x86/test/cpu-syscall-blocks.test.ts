/**
 * SYSCALL inside compiled blocks (cpu.ts `syscallInBlock`): a block goes on
 * after a SYSCALL only when nothing the run loop would do differently has
 * happened. Each case runs the same code on an interpreter-only CPU and on
 * one compiling every start, with a kernel that does one unusual thing, and
 * compares what the guest and the kernel see; plus the common case, a
 * system-call loop that never leaves its block.
 */
import { describe, expect, it } from "vitest";
import { CR0, EFER, MSR, PTE } from "../src/emu/cpu/arch-bits";
import { Cpu } from "../src/emu/cpu/cpu";
import { DecodedCache } from "../src/emu/cpu/decoded-cache";
import { KernelEntries } from "../src/emu/cpu/kernel-entries";
import { PhysicalRam } from "../src/emu/physical-ram";
import { GPR } from "../src/interfaces/cpu-context";
import { TRAP_KIND, type TrapFrame } from "../src/interfaces/trap-frame";
import { CODE, DATA, Harness, USER_RO } from "./cpu-harness";

type Kernel = (frame: TrapFrame, cpu: Cpu, harness: Harness, call: number) => void;

/** Runs `hex` on both CPUs with `kernel` answering SYSCALLs; returns each one's observation. */
function both(
  hex: string,
  kernel: Kernel,
  budget = 10_000,
  setup: (harness: Harness) => void = () => {},
): { interpreter: string; compiled: string; inBlock: number } {
  const results = [false, true].map((compile) => {
    const harness = new Harness(
      32 * 1024 * 1024,
      compile ? { compileBlocks: true, blockThreshold: 1, syscallsInBlocks: true } : { compileBlocks: false },
    );
    harness.load(hex, USER_RO);
    setup(harness);
    const log: string[] = [];
    let call = 0;
    harness.onTrap = (frame, cpu) => {
      if (frame.kind !== TRAP_KIND.SYSCALL) {
        log.push(`trap ${frame.vector} at ${harness.get(16).toString(16)}`);
        cpu.requestStop();
        return;
      }
      log.push(`syscall ${call} retired ${cpu.retiredInstructions} rax ${harness.get(GPR.RAX)}`);
      kernel(frame, cpu, harness, call++);
    };
    const stop = harness.run(budget);
    const registers = Array.from({ length: 16 }, (_, reg) => harness.get(reg).toString(16)).join(" ");
    return {
      text: `${log.join("\n")}\nstop ${stop} retired ${harness.cpu.retiredInstructions} rip ${harness.cpu.state.rip.toString(16)}\n${registers}`,
      inBlock: harness.cpu.counters.syscallsInBlock,
    };
  });
  return { interpreter: results[0]!.text, compiled: results[1]!.text, inBlock: results[1]!.inBlock };
}

/** `mov eax, 39; syscall; inc rbx; cmp rbx, r12; jne <back to mov>; ud2` with R12 = count (set by the first call). */
const GETPID_LOOP = "b8 27 00 00 00 0f05 48 ff c3 4c 39 e3 75 f1 0f0b";

describe("SYSCALL inside a compiled block", () => {
  it("a getpid loop stays inside its block: every call but the first few continues in compiled code", () => {
    const result = both(GETPID_LOOP, (frame, _cpu, harness, call) => {
      if (call === 0) harness.set(GPR.R12, 1000n);
      frame.context.regs[0] = 77;
      frame.context.regs[1] = 0;
    });
    expect(result.compiled).toBe(result.interpreter);
    expect(result.inBlock).toBeGreaterThan(990);
  });

  it("with syscallsInBlocks off a SYSCALL ends its block: same results, no call continues in a block", () => {
    const kernel: Kernel = (frame, _cpu, harness, call) => {
      if (call === 0) harness.set(GPR.R12, 200n);
      frame.context.regs[0] = 5;
    };
    const on = both(GETPID_LOOP, kernel);
    const harness = new Harness(32 * 1024 * 1024, {
      compileBlocks: true,
      blockThreshold: 1,
      syscallsInBlocks: false,
    });
    harness.load(GETPID_LOOP, USER_RO);
    let call = 0;
    harness.onTrap = (frame, cpu) => {
      if (frame.kind === TRAP_KIND.SYSCALL) kernel(frame, cpu, harness, call++);
      else cpu.requestStop();
    };
    harness.run(10_000);
    expect(call).toBe(200);
    expect(harness.cpu.counters.syscallsInBlock).toBe(0);
    expect(harness.cpu.retiredInstructions).toBe(Number(on.interpreter.match(/stop \d retired (\d+)/)![1]));
    expect(harness.cache.blocks!.compiled).toBeGreaterThan(0);
  });

  it("leaves the block when the kernel remaps the code page (TLB change) and runs the new code", () => {
    // The second page holds other code at the same offsets: `mov eax, 39; syscall; mov ebx, 5; ud2`.
    const result = both(GETPID_LOOP, (_frame, cpu, harness, call) => {
      if (call === 0) harness.set(GPR.R12, 1000n);
      if (call !== 3) return;
      const frame = harness.allocateFrame();
      const replacement = Buffer.from("b8270000000f05bb050000000f0b", "hex");
      for (let i = 0; i < replacement.length; i++) harness.ram.write8(frame + i, replacement[i]!);
      harness.map(CODE, frame, PTE.P | PTE.US);
      cpu.invlpg(BigInt(CODE));
    });
    expect(result.compiled).toBe(result.interpreter);
    expect(result.compiled).toMatch(/trap 6 at 40000c/);
  });

  it("leaves the block when the kernel writes into the code page (released decoded code)", () => {
    const result = both(
      GETPID_LOOP,
      (_frame, _cpu, harness, call) => {
        if (call === 0) harness.set(GPR.R12, 1000n);
        // Turn `inc rbx` into `nop; nop; nop` on the 5th call.
        if (call === 4) for (let i = 7; i < 10; i++) harness.ram.write8(harness.physical(CODE + i), 0x90);
      },
      3_000,
    );
    expect(result.compiled).toBe(result.interpreter);
  });

  it("leaves the block when the kernel sets CR0.TS: the next SSE instruction raises #NM in both", () => {
    // mov eax, 39; syscall; movdqa xmm0, xmm1; jmp back
    const result = both("b8 27 00 00 00 0f05 66 0f 6f c1 eb f3", (_frame, cpu, _harness, call) => {
      if (call === 5) cpu.cr0 = cpu.cr0 | CR0.TS;
    });
    expect(result.compiled).toBe(result.interpreter);
    expect(result.compiled).toMatch(/trap 7 at 400007/);
  });

  it("a kernel that stops the CPU during a call stops it after that SYSCALL in both", () => {
    const result = both(GETPID_LOOP, (_frame, cpu, harness, call) => {
      if (call === 0) harness.set(GPR.R12, 1000n);
      if (call === 321) cpu.requestStop();
    });
    expect(result.compiled).toBe(result.interpreter);
    expect(result.compiled).toMatch(/syscall 321 retired 1607 [\s\S]*stop 3 retired 1607 /);
  });

  it("with EFER.SCE = 0 the SYSCALL in a block raises #UD like the interpreter", () => {
    const result = both(
      "48 ff c3 0f05 0f0b",
      () => {},
      100,
      (harness) => harness.cpu.msrs.write(MSR.EFER, BigInt(EFER.LME | EFER.LMA)),
    );
    expect(result.compiled).toBe(result.interpreter);
    expect(result.compiled).toMatch(/^trap 6 at 400003/);
  });
});

describe("SYSCALL with the DATA page as a syscall buffer", () => {
  it("a kernel write into a data page does not end the block and the guest sees it", () => {
    // mov eax, 39; syscall; mov ecx, [DATA]; add rbx, rcx; dec r12; jnz back; ud2
    const data = DATA.toString(16).padStart(8, "0");
    const address = data.match(/../g)!.reverse().join("");
    const hex = `b8 27 00 00 00 0f05 8b 0c 25 ${address} 48 01 cb 49 ff cc 75 ea 0f0b`;
    const result = both(hex, (_frame, _cpu, harness, call) => {
      if (call === 0) harness.set(GPR.R12, 100n);
      harness.poke(DATA, [call & 0xff, 0, 0, 0]);
    });
    expect(result.compiled).toBe(result.interpreter);
    expect(result.inBlock).toBeGreaterThan(90);
  });
});

describe("SYSCALL inside a compiled block, with an interrupt source", () => {
  it("an interrupt that became pending during the call is taken right after the SYSCALL in both", () => {
    const observe = (compile: boolean): string => {
      const ram = new PhysicalRam(32 * 1024 * 1024);
      const cache = new DecodedCache(
        ram,
        compile
          ? { compileBlocks: true, blockThreshold: 1, syscallsInBlocks: true }
          : { compileBlocks: false },
      );
      const entries = new KernelEntries();
      const pending: number[] = [];
      const cpu = new Cpu({
        id: 0,
        ram,
        cache,
        entries,
        interrupts: { hasPending: () => pending.length > 0, acknowledge: () => pending.shift() ?? 0xff },
      });
      const harness = new Harness({ ram, cache, entries, cpu });
      harness.load(GETPID_LOOP, USER_RO);
      harness.set(GPR.R12, 100n);
      const log: string[] = [];
      let calls = 0;
      harness.onTrap = (frame) => {
        log.push(
          `${frame.kind}/${frame.vector} at retired ${cpu.retiredInstructions} rip ${harness.get(16).toString(16)}`,
        );
        // No notifyInterrupt: the CPU must still look before the next instruction, as after any trap return.
        if (frame.kind === TRAP_KIND.SYSCALL && ++calls === 40) pending.push(0x40);
        if (frame.kind !== TRAP_KIND.SYSCALL && frame.kind !== TRAP_KIND.INTERRUPT) cpu.requestStop();
      };
      harness.run(10_000);
      return log.join("\n");
    };
    const interpreted = observe(false);
    expect(observe(true)).toBe(interpreted);
    expect(interpreted).toMatch(/0\/-1 at retired 197 rip 400007\n2\/64 at retired 197 rip 400007/);
  });
});

/**
 * Compiled blocks against the interpreter, in lockstep: the same random
 * program (test/random-instructions.ts) runs on two identical CPUs, one with
 * block compilation off, one compiling every start on its first execution,
 * and everything a guest or kernel can observe must be equal — registers,
 * RIP, RFLAGS, retired instructions, traps (vector, error code, CR2, RIP),
 * the data, stack and code pages — at random instruction budgets (so slices
 * end inside loops and blocks). Plus the guest programs: the same output and
 * the same instruction count with and without blocks.
 */
import { describe, expect, it } from "vitest";
import { findGuestBinary, readGuestBinary } from "../guest/catalog";
import { blockSource, sharedBlockCount } from "../src/emu/cpu/block-compiler";
import { BLOCK_PROBE_THRESHOLD, DEFAULT_BLOCK_THRESHOLD } from "../src/emu/cpu/block-table";
import { STOP_REASON } from "../src/emu/cpu/cpu";
import { ACCESS } from "../src/emu/cpu/cpu-state";
import { fetchInstruction } from "../src/emu/cpu/fetch";
import { readFlags } from "../src/emu/cpu/flags";
import { translate } from "../src/emu/cpu/mmu";
import { GPR, SLOT } from "../src/interfaces/cpu-context";
import { RETURN_PATH, TRAP_KIND } from "../src/interfaces/trap-frame";
import { CODE, DATA, Harness, STACK_TOP, USER_RW } from "./cpu-harness";
import { TestKernel } from "./cpu-test-kernel";
import { loopProgram, makeRandom } from "./random-instructions";

const TRIALS = process.env.TSOS_TIER === "stress" ? 100_000 : 3_000;
/** The stress tier's 100,000 trials take minutes. */
const TIMEOUT = process.env.TSOS_TIER === "stress" ? 1_800_000 : 120_000;
const DATA_PAGES = 16;
const STACK_PAGES = 16;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[random() % items.length]!;
}

function pair(syscallsInBlocks = false): [Harness, Harness] {
  const interpreter = new Harness(32 * 1024 * 1024, { compileBlocks: false });
  const compiled = new Harness(32 * 1024 * 1024, {
    compileBlocks: true,
    blockThreshold: 1,
    syscallsInBlocks,
  });
  for (const harness of [interpreter, compiled]) harness.load("90", USER_RW);
  return [interpreter, compiled];
}

/** Everything observable about one harness, as a string for readable diffs. */
function snapshot(harness: Harness, stop: number): string {
  const parts = [`stop ${stop}`, `retired ${harness.cpu.retiredInstructions}`];
  for (let reg = 0; reg < 16; reg++) parts.push(`r${reg}=${harness.get(reg).toString(16)}`);
  parts.push(
    `rip=${harness.cpu.state.rip.toString(16)}`,
    `flags=${readFlags(harness.cpu.state).toString(16)}`,
    `xmm=${Buffer.from(harness.cpu.context.xmm.buffer).toString("hex")}`,
    `mxcsr=${harness.cpu.context.mxcsr.toString(16)}`,
  );
  for (const trap of harness.traps)
    parts.push(`trap ${trap.kind}/${trap.vector}/${trap.errorCode}/${trap.cr2}/${trap.rip}`);
  return parts.join(" ");
}

function pagesDiffer(left: Harness, right: Harness, base: number, pages: number): string | undefined {
  for (let page = 0; page < pages; page++) {
    const at = base + page * 4096;
    const a = left.ram.bytes(left.physical(at), 4096);
    const b = right.ram.bytes(right.physical(at), 4096);
    if (Buffer.compare(a, b) !== 0) return `page ${at.toString(16)}`;
  }
  return undefined;
}

/** How one family of lockstep trials is shaped. */
interface TrialShape {
  /** Instructions per program (before the loop tail). */
  instructions: () => number;
  /** Loop iterations (R15). */
  iterations: () => number;
  /** Instruction budget of the observed pass. */
  budget: () => number;
  /** Slice length the observed pass is cut into. */
  slice: () => number;
}

/**
 * Runs `trials` random programs on both CPUs: a first pass from the initial
 * state compiles every start it meets, a second pass from the same state is
 * observed after every slice. Returns the mismatches and how many programs
 * ran to their final UD2.
 */
/**
 * The kernel of the SYSCALL trials: a deterministic function of the
 * caller's registers and retired count that writes RAX and RDX, and by
 * RAX's low bits sometimes stops the CPU, idles it, returns by IRET to the
 * same place, or returns by IRET to the program's start. Each call is
 * logged with the retired count.
 */
function syscallKernel(harness: Harness, log: string[]): void {
  harness.onTrap = (frame, cpu) => {
    if (frame.kind !== TRAP_KIND.SYSCALL) {
      cpu.requestStop();
      return;
    }
    const regs = frame.context.regs;
    const mixed = (regs[0]! ^ Math.imul(regs[14]!, 0x9e3779b1) ^ cpu.retiredInstructions) >>> 0;
    log.push(
      `sys ${cpu.retiredInstructions} ${regs[0]!.toString(16)} ${regs[14]!.toString(16)} -> ${mixed.toString(16)}`,
    );
    regs[0] = mixed;
    regs[1] = 0;
    regs[4] = (regs[4]! + 1) >>> 0;
    switch (mixed & 15) {
      case 0:
        cpu.requestStop();
        break;
      case 1:
        frame.returnPath = RETURN_PATH.IRET;
        break;
      case 2:
        // IRET to the program's start (execve- or signal-like): the block must not go on.
        regs[SLOT.RIP * 2] = CODE;
        regs[SLOT.RIP * 2 + 1] = 0;
        frame.returnPath = RETURN_PATH.IRET;
        break;
      case 3:
        cpu.idle();
        break;
      default:
    }
  };
}

function lockstep(
  seed: number,
  trials: number,
  shape: (random: () => number) => TrialShape,
  options: { syscalls?: boolean; syscallsInBlocks?: boolean } = {},
): {
  mismatches: string[];
  completed: number;
  compiled: number;
  failed: number;
  syscalls: number;
  syscallsInBlock: number;
} {
  const harnesses = pair(options.syscallsInBlocks);
  const logs: string[][] = [[], []];
  if (options.syscalls === true) {
    for (const [index, harness] of harnesses.entries()) syscallKernel(harness, logs[index]!);
  }
  const random = makeRandom(seed);
  const mismatches: string[] = [];
  let completed = 0;
  let syscalls = 0;
  for (let trial = 0; trial < trials && mismatches.length < 3; trial++) {
    const plan = shape(random);
    const program = loopProgram(random, plan.instructions(), options);
    const registers = Array.from({ length: 16 }, () => (BigInt(random()) << 32n) | BigInt(random()));
    const xmm = Array.from({ length: 64 }, () => random());
    // Round-to-nearest with PE clear or set (the fast path's mode), a directed mode, FTZ+DAZ, PE unmasked.
    const mxcsr = pick(random, [0x1f80, 0x1fa0, 0x1fa0, 0x3fa0, 0x9fe0, 0x0fa0]);
    const data = Array.from({ length: 64 }, () => random() & 0xff);
    const dataOffset = 0x80 + (random() % (DATA_PAGES * 4096 - 0x100));
    const iterations = plan.iterations();
    const budget = plan.budget();
    const slice = plan.slice();
    const traces: string[] = [];
    for (const harness of harnesses) {
      const start = (): void => {
        harness.traps.length = 0;
        const codeNow = harness.ram.bytes(harness.physical(CODE), program.length);
        // Rewriting unchanged code would release the page and drop its compiled blocks.
        if (!codeNow.every((byte, i) => byte === program[i])) harness.poke(CODE, program);
        harness.poke(DATA + dataOffset - 32, data);
        for (const [reg, value] of registers.entries()) harness.set(reg, value);
        harness.cpu.context.xmm.set(xmm);
        harness.cpu.context.mxcsr = mxcsr;
        harness.set(GPR.RBX, BigInt(DATA + dataOffset));
        harness.set(GPR.RSP, BigInt(STACK_TOP - 0x800));
        harness.set(GPR.R15, BigInt(iterations));
        harness.setRip(BigInt(CODE));
      };
      start();
      harness.run(budget);
      start();
      // Observed after every slice, so a divergence that later iterations would wash out
      // (a loop reaching the same fixed point) still shows.
      const observed: string[] = [];
      let stop: number = STOP_REASON.BUDGET;
      for (let executed = 0; stop === STOP_REASON.BUDGET && executed < budget; executed += slice) {
        stop = harness.run(Math.min(slice, budget - executed));
        observed.push(snapshot(harness, stop));
      }
      traces.push(observed.join("\n"));
    }
    syscalls += logs[1]!.length;
    for (const [index, log] of logs.entries()) {
      traces[index] += `\n${log.join("\n")}`;
      log.length = 0;
    }
    const [interpreter, compiled] = harnesses;
    const last = interpreter.traps[interpreter.traps.length - 1];
    if (last?.vector === 6 && last.rip === BigInt(CODE + program.length - 2)) completed++;
    const memory =
      pagesDiffer(interpreter, compiled, DATA, DATA_PAGES) ??
      pagesDiffer(interpreter, compiled, STACK_TOP - STACK_PAGES * 4096, STACK_PAGES) ??
      pagesDiffer(interpreter, compiled, CODE, 1);
    if (traces[0] !== traces[1] || memory !== undefined) {
      mismatches.push(
        `trial ${trial} (${Buffer.from(program).toString("hex")}):\n  interpreter ${traces[0]}\n  compiled    ${traces[1]}\n  ${memory ?? ""}`,
      );
    }
  }
  const blocks = harnesses[1].cache.blocks;
  return {
    mismatches,
    completed,
    compiled: blocks?.compiled ?? 0,
    failed: blocks?.failed ?? 0,
    syscalls,
    syscallsInBlock: harnesses[1].cpu.counters.syscallsInBlock,
  };
}

describe("compiled blocks agree with the interpreter", () => {
  it(`${TRIALS} short programs, one pass, the block entered at its first instruction`, {
    timeout: TIMEOUT,
  }, () => {
    const result = lockstep(0x5a17, TRIALS * 2, (random) => ({
      instructions: () => 1 + (random() % 3),
      iterations: () => 1,
      budget: () => 200,
      slice: () => 200,
    }));
    expect(result.mismatches).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.compiled).toBeGreaterThan(TRIALS);
    expect(result.completed).toBeGreaterThan(TRIALS / 2);
  });

  it(`${TRIALS} random looping programs, random budgets and slices`, { timeout: TIMEOUT }, () => {
    const result = lockstep(0xb10c, TRIALS, (random) => ({
      instructions: () => 4 + (random() % 12),
      iterations: () => 1 + (random() % 4),
      budget: () => (random() % 3 === 0 ? 1 + (random() % 120) : 2_000),
      slice: () => (random() % 2 === 0 ? 1 + (random() % 24) : 64 + (random() % 64)),
    }));
    expect(result.mismatches).toEqual([]);
    expect(result.failed).toBe(0);
    // The comparison must have exercised compiled code and most programs must have run all
    // their iterations to the final UD2 (not just faulted), or it proves little.
    expect(result.compiled).toBeGreaterThan(TRIALS);
    expect(result.completed).toBeGreaterThan(TRIALS / 3);
  });

  for (const syscallsInBlocks of [true, false]) {
    it(`${TRIALS} random looping programs with SYSCALLs to a kernel that stops, returns by SYSRET or by IRET (SYSCALL ${syscallsInBlocks ? "inside" : "ending"} its block)`, {
      timeout: TIMEOUT,
    }, () => {
      const result = lockstep(
        0x5ca11,
        TRIALS,
        (random) => ({
          instructions: () => 4 + (random() % 12),
          iterations: () => 1 + (random() % 4),
          budget: () => (random() % 3 === 0 ? 1 + (random() % 120) : 2_000),
          slice: () => (random() % 2 === 0 ? 1 + (random() % 24) : 64 + (random() % 64)),
        }),
        { syscalls: true, syscallsInBlocks },
      );
      expect(result.mismatches).toEqual([]);
      expect(result.failed).toBe(0);
      expect(result.syscalls).toBeGreaterThan(TRIALS);
      if (syscallsInBlocks) {
        // Most calls must have gone on inside their block, or the in-block path was barely tested.
        expect(result.syscallsInBlock).toBeGreaterThan(result.syscalls / 4);
      } else {
        expect(result.syscallsInBlock).toBe(0);
      }
      expect(result.completed).toBeGreaterThan(TRIALS / 4);
    });
  }

  it(`${TRIALS} random byte strings: compiled or not, the same outcome, and the compiler never fails`, () => {
    const harnesses = pair();
    const random = makeRandom(0xbad);
    const mismatches: string[] = [];
    for (let trial = 0; trial < TRIALS && mismatches.length < 3; trial++) {
      const code = Array.from({ length: 48 }, () => random() & 0xff);
      const registers = Array.from({ length: 16 }, () =>
        random() % 3 === 0
          ? BigInt(DATA + (random() % 0x8000))
          : (BigInt(random()) << 32n) | BigInt(random()),
      );
      const traces = harnesses.map((harness) => {
        harness.poke(CODE, code);
        const observed: string[] = [];
        for (let pass = 0; pass < 2; pass++) {
          harness.traps.length = 0;
          for (const [reg, value] of registers.entries()) harness.set(reg, value);
          harness.set(GPR.RSP, BigInt(STACK_TOP - 0x800));
          harness.setRip(BigInt(CODE));
          observed.push(snapshot(harness, harness.run(64)));
        }
        return observed.join("\n");
      });
      if (traces[0] !== traces[1]) {
        mismatches.push(`trial ${trial} (${Buffer.from(code).toString("hex")}):\n${traces[0]}\n${traces[1]}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(harnesses[1].cache.blocks?.failed).toBe(0);
    expect(harnesses[1].cache.blocks?.compiled).toBeGreaterThan(TRIALS / 4);
  });

  it("a block that loops on itself runs inside one call and stops exactly at the budget", () => {
    const [interpreter, compiled] = pair();
    // mov ecx, 1000; l: add rax, rcx; dec ecx; jnz l; ud2
    const code = "b9e8030000 4801c8 ffc9 75f9 0f0b";
    for (const harness of [interpreter, compiled]) {
      harness.load(code, USER_RW);
      harness.set(GPR.RAX, 0n);
    }
    for (const budget of [1, 2, 7, 500, 2999, 10_000]) {
      const a = interpreter.run(budget);
      const b = compiled.run(budget);
      expect(snapshot(compiled, b)).toBe(snapshot(interpreter, a));
    }
    expect(compiled.get(GPR.RAX)).toBe(500500n);
    expect(compiled.cache.blocks?.compiled).toBeGreaterThan(0);
  });

  it("with SSE unusable (CR4.OSFXSR = 0, or CR0.TS = 1) a block with inline SSE raises #UD / #NM like the interpreter", () => {
    // add eax, 1; pxor xmm0, xmm1; paddd xmm2, xmm3; ud2
    const code = "83c001 660fefc1 660ffed3 0f0b";
    for (const [name, change, vector] of [
      ["OSFXSR clear", (cpu: Harness["cpu"]) => (cpu.cr4 = cpu.cr4 & ~0x200), 6],
      ["TS set", (cpu: Harness["cpu"]) => (cpu.cr0 = cpu.cr0 | 0x8), 7],
    ] as const) {
      const [interpreter, compiled] = pair();
      const results = [interpreter, compiled].map((harness) => {
        harness.load(code, USER_RW);
        harness.run(); // compiles the block, SSE still usable, stops at UD2
        change(harness.cpu);
        harness.traps.length = 0;
        harness.setRip(BigInt(CODE));
        return snapshot(harness, harness.run());
      });
      expect(results[1], name).toBe(results[0]);
      expect(compiled.traps[0]?.vector, name).toBe(vector);
      expect(compiled.traps[0]?.rip, name).toBe(BigInt(CODE + 3));
    }
  });

  it("a page remapped during a SYSCALL the block goes on after is seen by the block's next access", () => {
    const [interpreter, compiled] = pair(true);
    // l: mov [rbx], edi; syscall (the kernel moves DATA to a fresh frame); inc edi; cmp edi, 6; jne l; ud2
    const code = "893b 0f05 ffc7 83ff06 75f5 0f0b";
    const framesOf = new Map<Harness, number[]>();
    for (const harness of [interpreter, compiled]) {
      harness.load(code, USER_RW);
      const frames = [harness.mapFresh(DATA, 1)];
      framesOf.set(harness, frames);
      harness.set(GPR.RBX, BigInt(DATA));
      harness.set(GPR.RDI, 0n);
      harness.onTrap = (frame, cpu) => {
        if (frame.kind !== TRAP_KIND.SYSCALL) {
          cpu.requestStop();
          return;
        }
        // A new PTE without INVLPG (so the block may go on), the old entry evicted and the
        // new one loaded, as the kernel's own accesses through the MMU could: the guest's
        // next store goes to the new frame.
        const fresh = harness.allocateFrame();
        harness.map(DATA, fresh, USER_RW);
        cpu.state.tlbTag.fill(-1);
        translate(cpu.state, DATA, ACCESS.WRITE);
        frames.push(fresh);
      };
    }
    expect(snapshot(compiled, compiled.run())).toBe(snapshot(interpreter, interpreter.run()));
    const frames = framesOf.get(compiled)!;
    // Iteration i stored i into the frame mapped during it.
    expect(frames.slice(0, 6).map((frame) => compiled.ram.read32(frame))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(compiled.cpu.counters.syscallsInBlock).toBeGreaterThan(2);
  });

  it("a store into the running block's own page ends the block and the new code runs", () => {
    const [interpreter, compiled] = pair();
    // l: mov byte [rip + patch], 0x90 ... patch: inc rax (48 ff c0) patched to nop; dec ecx; jnz l; ud2
    // c6 05 rel32 90 (7 bytes) | 48 ff c0 | ff c9 | 75 f2 | 0f 0b
    const code = "c60502000000 90 48ffc0 ffc9 75f1 0f0b";
    for (const harness of [interpreter, compiled]) {
      harness.load(code, USER_RW);
      harness.set(GPR.RCX, 5n);
      harness.set(GPR.RAX, 0n);
    }
    expect(snapshot(compiled, compiled.run())).toBe(snapshot(interpreter, interpreter.run()));
    expect(compiled.cache.invalidations).toBeGreaterThan(0);
  });

  it("generates code for the hot forms without calling their handlers", () => {
    const [, compiled] = pair();
    // add eax, ebx; cmp rax, rcx; jb +0; ud2
    compiled.load("01d8 4839c8 7200 0f0b", USER_RW);
    const state = compiled.cpu.state;
    const slot = fetchInstruction(state, compiled.cache);
    const built = blockSource(state, compiled.cache, slot);
    expect(built?.count).toBe(4);
    expect(built?.source).not.toMatch(/\bh1\(|\bh3\(|\bh45\(/);
    expect(built?.source).toMatch(/h69\(|h0\(/);
  });
});

describe("the process-wide code cache", () => {
  it("a second machine running the same program reuses every compiled block function", () => {
    const binary = findGuestBinary("crc32-O2-gpr");
    if (binary === undefined) throw new Error("no guest binary crc32-O2-gpr");
    const elf = readGuestBinary(binary);
    const run = () => {
      const kernel = new TestKernel({ blockThreshold: 2 });
      kernel.load(elf, ["crc32", ...binary.program.quickArgs]);
      return { result: kernel.run(), blocks: kernel.harness.cache.blocks! };
    };
    const first = run();
    const cached = sharedBlockCount();
    const second = run();
    expect(second.result).toEqual(first.result);
    expect(second.blocks.compiled).toBe(first.blocks.compiled);
    expect(second.blocks.compiled).toBeGreaterThan(0);
    // Same instructions, same source text: nothing new was compiled, and every block the
    // second machine runs is one of the function objects the first compiled.
    expect(sharedBlockCount()).toBe(cached);
    const firstFunctions = new Set(first.blocks.code.filter((block) => block !== undefined));
    const secondFunctions = second.blocks.code.filter((block) => block !== undefined);
    expect(secondFunctions.length).toBeGreaterThan(0);
    expect(secondFunctions.filter((block) => !firstFunctions.has(block))).toEqual([]);
  });

  it("a machine with the default (high) threshold installs blocks already compiled at the probe threshold", () => {
    const binary = findGuestBinary("sieve-O2-gpr");
    if (binary === undefined) throw new Error("no guest binary sieve-O2-gpr");
    const elf = readGuestBinary(binary);
    const run = (options: { blockThreshold?: number }) => {
      const kernel = new TestKernel(options);
      kernel.load(elf, ["sieve", ...binary.program.quickArgs]);
      return { result: kernel.run(), blocks: kernel.harness.cache.blocks! };
    };
    const cold = run({ blockThreshold: DEFAULT_BLOCK_THRESHOLD });
    const warmer = run({ blockThreshold: 2 });
    const cached = sharedBlockCount();
    const probed = run({ blockThreshold: DEFAULT_BLOCK_THRESHOLD });
    expect(probed.result).toEqual(cold.result);
    expect(DEFAULT_BLOCK_THRESHOLD).toBeGreaterThan(BLOCK_PROBE_THRESHOLD);
    // Without the cache only starts that reached the threshold compile; with it, every start
    // that reached the probe threshold and was compiled before is installed.
    expect(probed.blocks.compiled).toBeGreaterThan(cold.blocks.compiled);
    expect(probed.blocks.compiled).toBeLessThanOrEqual(warmer.blocks.compiled);
    expect(sharedBlockCount()).toBe(cached);
  });
});

describe("guest programs with and without compiled blocks", () => {
  for (const name of ["sieve-O2-gpr", "crc32-O3-sse", "control-O2-gpr", "strings-O2-sse", "arith-O0-gpr"]) {
    it(`${name}: same output and instruction count`, () => {
      const binary = findGuestBinary(name);
      if (binary === undefined) throw new Error(`no guest binary ${name}`);
      const elf = readGuestBinary(binary);
      const results = [false, true].map((compileBlocks) => {
        const kernel = new TestKernel({ compileBlocks, blockThreshold: 2 });
        kernel.load(elf, [name, ...binary.program.quickArgs]);
        return kernel.run();
      });
      expect(results[1]).toEqual(results[0]);
    });
  }
});

/**
 * Robustness: seeded random byte sequences executed at CPL 3 produce only
 * architectural outcomes — normal execution (budget used up), or a trap with
 * #DE, #DB, #BP, #UD, #SS, #GP, #PF, #MF, #XM, an INT n through a DPL 3 gate, or
 * SYSCALL — and never a host exception. 20,000 sequences in the default
 * tier, 1,000,000 with TSOS_TIER=stress.
 */
import { describe, expect, it } from "vitest";
import { STOP_REASON } from "../src/emu/cpu/cpu";
import { GPR } from "../src/interfaces/cpu-context";
import { TRAP_KIND } from "../src/interfaces/trap-frame";
import { CODE, DATA, Harness, USER_RW } from "./cpu-harness";
import { makeRandom } from "./random-instructions";

const COUNT = process.env.TSOS_TIER === "stress" ? 1_000_000 : 20_000;
// #MF and #XM: random FLDCW/LDMXCSR operands unmask floating-point exceptions.
const ALLOWED_EXCEPTIONS = new Set([0, 1, 3, 4, 6, 12, 13, 14, 16, 19, 0x80]);

describe("random code at CPL 3", () => {
  it(`${COUNT} seeded sequences give only architectural outcomes`, () => {
    const harness = new Harness();
    harness.load("90", USER_RW);
    const next = makeRandom(2024);
    const codePhysical = harness.physical(CODE);
    const outcomes = new Map<string, number>();
    const bad: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const bytes = harness.ram.bytes(codePhysical, 64);
      for (let j = 0; j < 64; j++) bytes[j] = next() & 0xff;
      harness.ram.notifyWritten(codePhysical, 64);
      for (let reg = 0; reg < 16; reg++) {
        const choice = next() % 4;
        const value =
          choice === 0
            ? BigInt(DATA + (next() % 0x8000))
            : choice === 1
              ? BigInt(next() % 256)
              : (BigInt(next()) << 32n) | BigInt(next());
        harness.set(reg, value);
      }
      harness.set(GPR.RSP, BigInt(0x7ff000 - (next() % 0x4000)));
      harness.setRip(BigInt(CODE));
      const trapsBefore = harness.traps.length;
      const stop = harness.run(32);
      let outcome: string;
      if (harness.traps.length > trapsBefore) {
        const trap = harness.lastTrap;
        outcome = trap.kind === TRAP_KIND.SYSCALL ? "syscall" : `vector ${trap.vector}`;
        if (trap.kind !== TRAP_KIND.SYSCALL && !ALLOWED_EXCEPTIONS.has(trap.vector))
          bad.push(`${i}: ${outcome}`);
        if (stop !== STOP_REASON.STOPPED) bad.push(`${i}: trap without stop (${stop})`);
      } else {
        outcome = stop === STOP_REASON.BUDGET ? "ran" : `stop ${stop}`;
        if (stop !== STOP_REASON.BUDGET) bad.push(`${i}: ${outcome}`);
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(bad.slice(0, 20)).toEqual([]);
    // The mix must include normal execution and the common faults, or the test proves nothing.
    expect(outcomes.get("ran") ?? 0).toBeGreaterThan(COUNT / 1000);
    expect(outcomes.get("vector 6") ?? 0).toBeGreaterThan(0);
    expect(outcomes.get("vector 14") ?? 0).toBeGreaterThan(0);
    expect(outcomes.get("vector 13") ?? 0).toBeGreaterThan(0);
  });
});

import { RETURN_PATH, RFLAGS, type TrapFrame } from "@tsos/hw-x86";
import { describe, expect, it } from "vitest";
import { MockCpu } from "./mock-cpu";
import { MockKernelEntries } from "./mock-kernel-entries";
import { MOCK_MSR } from "./mock-msr";

const LSTAR = 0xffffffff81000000n;

function armed(): { cpu: MockCpu; entries: MockKernelEntries } {
  const cpu = new MockCpu();
  expect(cpu.msr.write(MOCK_MSR.IA32_LSTAR, LSTAR)).toBe(true);
  expect(cpu.msr.write(MOCK_MSR.IA32_FMASK, BigInt(RFLAGS.IF | RFLAGS.DF | RFLAGS.TF | RFLAGS.AC))).toBe(
    true,
  );
  return { cpu, entries: new MockKernelEntries() };
}

describe("MockKernelEntries", () => {
  it("records binds and unbinds, keyed by the unsigned address", () => {
    const entries = new MockKernelEntries();
    const handler = (): void => {};
    entries.bind(-0x7f000000n, handler);
    expect(entries.handlerAt(0xffffffff81000000n)).toBe(handler);
    expect(entries.bindings()).toEqual([0xffffffff81000000n]);
    expect(entries.unbind(0xffffffff81000000n)).toBe(true);
    expect(entries.unbind(0xffffffff81000000n)).toBe(false);
    expect(entries.log.map((call) => [call.operation, call.found])).toEqual([
      ["bind", true],
      ["unbind", true],
      ["unbind", false],
    ]);
  });

  it("refuses a non-canonical address with RangeError and logs nothing", () => {
    const entries = new MockKernelEntries();
    expect(() => entries.bind(0x0000800000000000n, () => {})).toThrow(RangeError);
    expect(entries.log).toEqual([]);
  });
});

describe("MockCpu.syscall (SDM vol 2 SYSCALL / SYSRET)", () => {
  it("saves RCX/R11, runs the handler with FMASK applied, and SYSRETs", () => {
    const { cpu, entries } = armed();
    let seen: { rcx: bigint; r11: bigint; kind: number } | undefined;
    entries.bind(LSTAR, (frame: TrapFrame) => {
      seen = { rcx: cpu.get("rcx"), r11: cpu.get("r11"), kind: frame.kind };
      cpu.set("rax", 42n);
    });
    const userFlags = RFLAGS.FIXED | RFLAGS.IF | RFLAGS.DF | RFLAGS.CF | RFLAGS.TF;
    cpu.set("rip", 0x401000n).set("rflags", BigInt(userFlags));
    const outcome = cpu.syscall(entries);
    expect(outcome.outcome).toBe("returned");
    expect(outcome.kernelFlags).toBe(BigInt(RFLAGS.FIXED | RFLAGS.CF));
    expect(seen).toEqual({ rcx: 0x401002n, r11: BigInt(userFlags), kind: 0 });
    expect(cpu.get("rip")).toBe(0x401002n);
    expect(cpu.get("rax")).toBe(42n);
    // SYSRET restores R11 & 3C7FD7H | 2: TF (bit 8) is in that mask, so it survives.
    expect(cpu.get("rflags")).toBe(BigInt(userFlags & 0x3c7fd7) | 2n);
  });

  it("SYSRET takes R11 as the handler left it, masked to the restorable bits", () => {
    const { cpu, entries } = armed();
    entries.bind(LSTAR, () => {
      cpu.set("r11", 0xffffffffffffffffn);
    });
    cpu.syscall(entries);
    expect(cpu.get("rflags")).toBe(0x3c7fd7n | 2n);
  });

  it("is #UD with EFER.SCE clear, leaving every register alone", () => {
    const { cpu, entries } = armed();
    const efer = cpu.msr.read(MOCK_MSR.IA32_EFER)!;
    cpu.msr.write(MOCK_MSR.IA32_EFER, efer & ~1n);
    cpu.set("rip", 0x401000n);
    const before = cpu.snapshot();
    expect(cpu.syscall(entries).outcome).toBe("ud");
    expect(cpu.snapshot()).toEqual(before);
  });

  it("reports no handler bound at IA32_LSTAR", () => {
    const { cpu, entries } = armed();
    expect(cpu.syscall(entries).outcome).toBe("no-handler");
  });

  it("shuts down on SYSRET to a non-canonical RCX (CVE-2012-0217) but not on IRET to a canonical RIP", () => {
    const { cpu, entries } = armed();
    let path: 0 | 1 = RETURN_PATH.SYSRET;
    entries.bind(LSTAR, (frame: TrapFrame) => {
      cpu.set("rcx", 0x0000800000000000n);
      frame.returnPath = path;
    });
    cpu.set("rip", 0x401000n);
    expect(cpu.syscall(entries).outcome).toBe("shutdown");
    path = RETURN_PATH.IRET;
    cpu.set("rip", 0x401000n);
    const outcome = cpu.syscall(entries);
    expect(outcome).toMatchObject({ outcome: "returned", returnPath: RETURN_PATH.IRET });
    expect(cpu.get("rip")).toBe(0x401002n);
  });

  it("IRET takes RIP/RFLAGS from the slots; a non-canonical RIP is #GP", () => {
    const { cpu, entries } = armed();
    let target = 0x500000n;
    entries.bind(LSTAR, (frame: TrapFrame) => {
      cpu.set("rip", target).set("rflags", 0xffffffffn);
      frame.returnPath = RETURN_PATH.IRET;
    });
    expect(cpu.syscall(entries).outcome).toBe("returned");
    expect(cpu.get("rip")).toBe(0x500000n);
    expect(cpu.get("rflags")).toBe(BigInt(~0xffc08028 >>> 0) | 2n);
    target = 0x0000800000000000n;
    expect(cpu.syscall(entries).outcome).toBe("gp");
  });
});

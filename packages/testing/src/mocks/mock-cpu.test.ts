import { CPUID_OUT, GPR, readNumber, SLOT } from "@tsos/hw-x86";
import { describe, expect, it } from "vitest";
import { MockCpu } from "./mock-cpu";
import { MockCpuid } from "./mock-cpuid";
import { MOCK_MSR } from "./mock-msr";

/** Code under test: a "syscall" that returns arg0 + arg1, or -EINVAL (22) when arg0 is negative. */
function addSyscall(cpu: MockCpu): void {
  const first = cpu.getSigned("rdi");
  cpu.setNumber("rax", first < 0 ? -22 : first + cpu.getNumber("rsi"));
}

describe("MockCpu registers", () => {
  it("maps names onto the CpuContext slots", () => {
    const cpu = new MockCpu();
    cpu.set("rdi", 5n).set("rip", 0x401000n);
    expect(readNumber(cpu.regs, GPR.RDI)).toBe(5);
    expect(readNumber(cpu.regs, SLOT.RIP)).toBe(0x401000);
    expect(cpu.get("rflags")).toBe(2n);
  });

  it("sign-extends -errno like the kernel's helpers", () => {
    const cpu = new MockCpu().setAll({ rdi: 2n, rsi: 3n });
    addSyscall(cpu);
    expect(cpu.get("rax")).toBe(5n);
    cpu.set("rdi", -1n);
    addSyscall(cpu);
    expect(cpu.get("rax")).toBe(2n ** 64n - 22n);
    expect(cpu.getSigned("rax")).toBe(-22);
    expect(cpu.snapshot().rax).toBe(2n ** 64n - 22n);
  });
});

describe("MockMsrs", () => {
  it("faults on unknown MSRs, reserved bits and non-canonical addresses", () => {
    const { msr } = new MockCpu();
    expect(msr.read(0x12345)).toBeUndefined();
    expect(msr.write(0x12345, 0n)).toBe(false);
    expect(msr.write(MOCK_MSR.IA32_LSTAR, 0xffff800000001000n)).toBe(true);
    expect(msr.write(MOCK_MSR.IA32_LSTAR, 0x0000800000000000n)).toBe(false);
    expect(msr.read(MOCK_MSR.IA32_LSTAR)).toBe(0xffff800000001000n);
    expect(msr.write(MOCK_MSR.IA32_FMASK, 1n << 32n)).toBe(false);
    expect(msr.writeHalves(MOCK_MSR.IA32_FMASK, 0x700, 0)).toBe(true);
    expect(msr.write(MOCK_MSR.IA32_EFER, 1n << 1n)).toBe(false);
    expect(msr.writes.map((write) => write.accepted)).toEqual([false, true, false, false, true, false]);
  });
});

describe("MockCpuid", () => {
  const out = new Uint32Array(4);

  it("reports the vendor, the max leaves and the configured features", () => {
    const cpuid = new MockCpuid({ features: ["sse2", "nx", "lm", "syscall", "tsc-deadline"] });
    cpuid.query(0, 0, out);
    const vendor = [out[CPUID_OUT.EBX]!, out[CPUID_OUT.EDX]!, out[CPUID_OUT.ECX]!]
      .map((word) => String.fromCharCode(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24))
      .join("");
    expect([out[CPUID_OUT.EAX], vendor]).toEqual([7, "GenuineIntel"]);
    cpuid.query(1, 0, out);
    expect((out[CPUID_OUT.EDX]! >>> 26) & 1).toBe(1);
    expect((out[CPUID_OUT.ECX]! >>> 24) & 1).toBe(1);
    cpuid.query(0x80000001, 0, out);
    expect((out[CPUID_OUT.EDX]! >>> 20) & 1).toBe(1);
  });

  it("omits absent features and zeroes leaves beyond the maximum", () => {
    const cpuid = new MockCpuid({ features: ["lm"], maxBasicLeaf: 1 });
    cpuid.query(0x80000001, 0, out);
    expect((out[CPUID_OUT.EDX]! >>> 20) & 1).toBe(0);
    cpuid.setLeaf(7, 0, [0, 1, 0, 0]);
    cpuid.query(7, 0, out);
    expect([...out]).toEqual([0, 0, 0, 0]);
    expect(new MockCpu({ features: [] }).hasFeature("nx")).toBe(false);
  });
});

import { LINUX_STAR_HIGH, MSR, RETURN_PATH, type TrapHandler } from "@tsos/hw-x86";
import { MockCpu, MockKernelEntries } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { ERRNO } from "./abi/errno";
import { defineSyscall } from "./definition";
import { SyscallInstallError } from "./errors";
import { SyscallDispatcher } from "./syscall-dispatcher";
import { DEFAULT_FMASK, DEFAULT_LSTAR, installSyscallEntry } from "./syscall-entry";
import { SyscallTable } from "./syscall-table";

const EFER_SCE = 1n;
/** User RFLAGS with bits FMASK clears: IF, DF and AC (TF would make the dispatcher choose IRET). */
const USER_FLAGS = 0x202n | 0x400n | 0x40000n;

function getpidDispatcher(): SyscallDispatcher {
  const table = new SyscallTable();
  table.register(defineSyscall({ number: 39, name: "getpid", args: [], handler: () => 1234 }));
  return new SyscallDispatcher({ table });
}

/** A CPU whose EFER has SCE clear (firmware left SYSCALL off), and an entry table. */
function freshCpu(): { cpu: MockCpu; entries: MockKernelEntries } {
  const cpu = new MockCpu();
  cpu.msr.table.get(MSR.EFER)!.value &= ~EFER_SCE;
  return { cpu, entries: new MockKernelEntries() };
}

describe("installSyscallEntry", () => {
  it("sets EFER.SCE, programs STAR, LSTAR and FMASK as Linux does, and binds the handler at LSTAR", () => {
    const { cpu, entries } = freshCpu();
    const dispatcher = getpidDispatcher();
    expect(cpu.syscall(entries).outcome).toBe("ud");
    const installed = installSyscallEntry({ msrs: cpu.msr, entries, handler: dispatcher.handle });

    expect(cpu.msr.read(MSR.EFER)! & EFER_SCE).toBe(EFER_SCE);
    expect(cpu.msr.read(MSR.STAR)).toBe(BigInt(LINUX_STAR_HIGH) << 32n);
    expect(cpu.msr.read(MSR.STAR)! >> 48n).toBe(0x23n);
    expect((cpu.msr.read(MSR.STAR)! >> 32n) & 0xffffn).toBe(0x10n);
    expect(cpu.msr.read(MSR.LSTAR)).toBe(DEFAULT_LSTAR);
    expect(cpu.msr.read(MSR.FMASK)).toBe(0x47700n);
    expect(installed.lstar).toBe(DEFAULT_LSTAR);
    expect(entries.bindings()).toEqual([DEFAULT_LSTAR]);
    expect(entries.handlerAt(DEFAULT_LSTAR)).toBe(dispatcher.handle);
  });

  it("a SYSCALL then reaches the dispatcher with IF, DF and AC masked, and SYSRETs to the next instruction", () => {
    const { cpu, entries } = freshCpu();
    installSyscallEntry({ msrs: cpu.msr, entries, handler: getpidDispatcher().handle });
    cpu.setAll({ rip: 0x401000n, rflags: USER_FLAGS, rax: 39n });
    const outcome = cpu.syscall(entries);
    expect(outcome.outcome).toBe("returned");
    expect(outcome.returnPath).toBe(RETURN_PATH.SYSRET);
    expect(outcome.kernelFlags & BigInt(DEFAULT_FMASK)).toBe(0n);
    expect(outcome.kernelFlags & 0x2n).toBe(0x2n);
    expect(cpu.getSigned("rax")).toBe(1234);
    expect(cpu.get("rip")).toBe(0x401002n);
    expect(cpu.get("rflags")).toBe(USER_FLAGS);
  });

  it("takes another LSTAR, FMASK and STAR when asked; a negative LSTAR names the same kernel address", () => {
    const { cpu, entries } = freshCpu();
    const handler: TrapHandler = () => {};
    const installed = installSyscallEntry({
      msrs: cpu.msr,
      entries,
      handler,
      lstar: -0x10000n,
      fmask: 0x700,
      starHigh: 0x001b0008,
    });
    expect(installed.lstar).toBe(0xffffffffffff0000n);
    expect(cpu.msr.read(MSR.LSTAR)).toBe(0xffffffffffff0000n);
    expect(cpu.msr.read(MSR.FMASK)).toBe(0x700n);
    expect(cpu.msr.read(MSR.STAR)).toBe(0x001b0008n << 32n);
    expect(entries.handlerAt(0xffffffffffff0000n)).toBe(handler);
  });

  it("refuses a user-half or non-canonical LSTAR before touching any MSR", () => {
    for (const lstar of [0x401000n, 0x0000800000000000n, 0xffff7fffffffffffn]) {
      const { cpu, entries } = freshCpu();
      expect(() => installSyscallEntry({ msrs: cpu.msr, entries, handler: () => {}, lstar })).toThrow(
        SyscallInstallError,
      );
      expect(cpu.msr.writes).toEqual([]);
      expect(entries.log).toEqual([]);
    }
  });

  it("a CPU that refuses an MSR (#GP) is an install error naming the MSR, and nothing is bound", () => {
    const { cpu, entries } = freshCpu();
    cpu.msr.table.delete(MSR.FMASK);
    expect(() => installSyscallEntry({ msrs: cpu.msr, entries, handler: () => {} })).toThrow(/IA32_FMASK/);
    expect(entries.log).toEqual([]);

    const noEfer = freshCpu();
    noEfer.cpu.msr.table.delete(MSR.EFER);
    expect(() => installSyscallEntry({ msrs: noEfer.cpu.msr, entries, handler: () => {} })).toThrow(
      /IA32_EFER/,
    );
  });

  it("uninstall unbinds the handler: the next SYSCALL finds no code", () => {
    const { cpu, entries } = freshCpu();
    const installed = installSyscallEntry({ msrs: cpu.msr, entries, handler: getpidDispatcher().handle });
    installed.uninstall();
    expect(entries.bindings()).toEqual([]);
    cpu.setAll({ rip: 0x401000n, rax: 39n });
    expect(cpu.syscall(entries).outcome).toBe("no-handler");
  });
});

describe("the return path and CVE-2012-0217", () => {
  /** A SYSCALL in the last two bytes of the user half: the next RIP (RCX) is 2^47, not canonical. */
  function syscallAtTopOfUserHalf(handler: TrapHandler) {
    const { cpu, entries } = freshCpu();
    installSyscallEntry({ msrs: cpu.msr, entries, handler });
    cpu.setAll({ rip: 0x7ffffffffffen, rflags: 0x202n, rax: 39n });
    return { cpu, outcome: cpu.syscall(entries) };
  }

  it("the dispatcher returns by IRET when RCX is not canonical: #GP in the kernel, not a SYSRET fault in ring 0", () => {
    const { cpu, outcome } = syscallAtTopOfUserHalf(getpidDispatcher().handle);
    expect(cpu.get("rcx")).toBe(0x800000000000n);
    expect(outcome.returnPath).toBe(RETURN_PATH.IRET);
    expect(outcome.outcome).toBe("gp");
    expect(cpu.getSigned("rax")).toBe(1234);
  });

  it("a handler that always SYSRETs (the vulnerable kernels) shuts the CPU down on the same call", () => {
    const { outcome } = syscallAtTopOfUserHalf(() => {});
    expect(outcome.returnPath).toBe(RETURN_PATH.SYSRET);
    expect(outcome.outcome).toBe("shutdown");
  });

  it("an unknown call at the same place still answers -ENOSYS by IRET", () => {
    const { cpu, outcome } = syscallAtTopOfUserHalf((frame) => {
      frame.context.regs[0] = 400;
      getpidDispatcher().handle(frame);
    });
    expect(outcome.returnPath).toBe(RETURN_PATH.IRET);
    expect(cpu.getSigned("rax")).toBe(-ERRNO.ENOSYS);
  });
});

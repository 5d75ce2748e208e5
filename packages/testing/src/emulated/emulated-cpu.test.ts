import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MSR, TRAP_KIND } from "@tsos/hw-x86";
import { STOP_REASON } from "@tsos/hw-x86/emu";
import { describe, expect, it } from "vitest";
import { EmulatedCpu } from "./emulated-cpu";

const LSTAR = 0xffffffff81000000n;

describe("EmulatedCpu", () => {
  it("runs hand-assembled code and records #UD with the faulting RIP", () => {
    const emulated = new EmulatedCpu();
    emulated.loadCode(0x400000, "b8 07 00 00 00 0f 0b"); // mov eax, 7; ud2
    expect(emulated.run(100)).toBe(STOP_REASON.STOPPED);
    expect(emulated.traps).toEqual([{ vector: 6, errorCode: -1, rip: 0x400005, faultAddress: 0 }]);
    expect(emulated.cpu.context.regs[0]).toBe(7);
  });

  it("records #PF with CR2 for an unmapped access; NX pages do not execute", () => {
    const emulated = new EmulatedCpu();
    emulated.loadCode(0x400000, "8b 04 25 00 00 90 00"); // mov eax, [0x900000]
    emulated.run(100);
    expect(emulated.traps[0]).toMatchObject({ vector: 14, faultAddress: 0x900000, rip: 0x400000 });
  });

  it("leaves LSTAR to the code under test: a bound handler sees RCX = next RIP", () => {
    const emulated = new EmulatedCpu();
    emulated.loadCode(0x400000, "0f 05 0f 0b");
    let rcx = -1;
    emulated.entries.bind(LSTAR, (frame) => {
      expect(frame.kind).toBe(TRAP_KIND.SYSCALL);
      rcx = frame.context.regs[2]!;
    });
    emulated.cpu.msrs.write(MSR.LSTAR, LSTAR);
    emulated.run(100);
    expect(rcx).toBe(0x400002);
  });

  it("loads a static ELF with argv and runs it to exit_group", () => {
    const elf = new Uint8Array(
      readFileSync(fileURLToPath(new URL("../../../hw-x86/guest/bin/syscalls-O2-gpr", import.meta.url))),
    );
    const emulated = new EmulatedCpu();
    const output: number[] = [];
    let status = -1;
    emulated.entries.bind(LSTAR, (frame) => {
      const regs = frame.context.regs;
      const number = regs[0]!;
      let result = -38;
      if (number === 1) {
        const bytes = new Uint8Array(regs[4]!);
        result = emulated.memory.read(regs[12]! + regs[13]! * 2 ** 32, bytes) ? bytes.length : -14;
        output.push(...bytes);
      } else if (number === 231) {
        status = regs[14]!;
        emulated.cpu.requestStop();
      }
      regs[0] = result >>> 0;
      regs[1] = result < 0 ? 0xffffffff : 0;
    });
    emulated.cpu.msrs.write(MSR.LSTAR, LSTAR);
    emulated.loadStaticElf(elf, ["syscalls", "0"]);
    expect(emulated.run(50_000_000)).toBe(STOP_REASON.STOPPED);
    const text = Buffer.from(output).toString("latin1");
    expect(text).toMatch(/^argc=2\nargv 0\ncheck argv-null ok\ncheck auxv-pagesz ok\n/);
    expect(status).toBeGreaterThan(0); // ENOSYS for brk/mmap/... makes checks fail, but nothing crashes.
  });

  it("refuses non-ELF input with one clear sentence; user memory reads of unmapped pages fail", () => {
    const emulated = new EmulatedCpu();
    expect(() => emulated.loadStaticElf(new Uint8Array(100), [])).toThrow("not an ELF file");
    expect(emulated.memory.read(0x12345000, new Uint8Array(4))).toBe(false);
    expect(emulated.memory.read(2 ** 47 - 2, new Uint8Array(4))).toBe(false);
  });
});

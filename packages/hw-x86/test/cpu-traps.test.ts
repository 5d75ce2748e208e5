/**
 * Privilege transitions: SYSCALL/SYSRET register semantics, the refused
 * return to a non-canonical RIP, exceptions through IDT gates (vectors,
 * error codes, fault vs trap RIP), software interrupts and gate DPL,
 * double and triple faults, external interrupts and idling, and decoded-
 * code invalidation on self-modifying code.
 */
import { describe, expect, it } from "vitest";
import { EFER, MSR } from "../src/emu/cpu/arch-bits";
import { Cpu, STOP_REASON } from "../src/emu/cpu/cpu";
import { DecodedCache } from "../src/emu/cpu/decoded-cache";
import { GPR, SLOT } from "../src/interfaces/cpu-context";
import { RETURN_PATH, TRAP_KIND } from "../src/interfaces/trap-frame";
import { CODE, GATE_BASE, Harness, runSnippet, USER_RW } from "./cpu-harness";

describe("SYSCALL / SYSRET", () => {
  it("applies IA32_FMASK and returns with SYSRET semantics (RIP ← RCX, RFLAGS ← R11 & 3C7FD7H | 2)", () => {
    const h = new Harness();
    // std ; syscall ; pushfq ; pop rbx ; syscall
    h.load("fd 0f05 9c 5b 0f05");
    h.cpu.msrs.write(MSR.FMASK, 0x700n);
    let calls = 0;
    h.onTrap = (frame, cpu) => {
      calls++;
      if (calls === 1) {
        expect(frame.kind).toBe(TRAP_KIND.SYSCALL);
        expect(frame.context.regs[GPR.R11 * 2]! & 0x400).toBe(0x400);
        expect(cpu.state.flagBits & 0x400).toBe(0);
        // The kernel sets a return value and a modified R11 (CF set, DF kept).
        frame.context.regs[GPR.RAX * 2] = 42;
        frame.context.regs[GPR.R11 * 2] = 0x603;
      } else cpu.requestStop();
    };
    expect(h.run()).toBe(STOP_REASON.STOPPED);
    expect(h.get(GPR.RAX)).toBe(42n);
    expect(h.get(GPR.RBX) & 0xfffn).toBe(0x603n);
  });

  it("a SYSRET to a non-canonical RCX shuts the CPU down (Intel's #GP at CPL 0 on the user stack)", () => {
    const h = new Harness();
    h.load("0f05");
    let calls = 0;
    h.onTrap = (frame) => {
      calls++;
      frame.context.regs[GPR.RCX * 2 + 1] = 0x8000;
    };
    expect(h.run()).toBe(STOP_REASON.SHUTDOWN);
    expect(h.cpu.shutdownCause).toMatch(/SYSRET to a non-canonical RCX.*CVE-2012-0217/);
    expect(calls).toBe(1);
  });

  it("an IRET-path return to a non-canonical RIP is refused: #GP(0) to the kernel, context unchanged", () => {
    const h = new Harness();
    h.load("0f05");
    let calls = 0;
    h.onTrap = (frame, cpu) => {
      calls++;
      if (calls === 1) {
        frame.context.regs[SLOT.RIP * 2 + 1] = 0x8000;
        frame.returnPath = RETURN_PATH.IRET;
        return;
      }
      expect(frame.vector).toBe(13);
      expect(frame.errorCode).toBe(0);
      expect(frame.context.regs[SLOT.RIP * 2 + 1]).toBe(0x8000);
      expect(frame.context.regs[GPR.RCX * 2]).toBe(CODE + 2);
      cpu.requestStop();
    };
    expect(h.run()).toBe(STOP_REASON.STOPPED);
    expect(calls).toBe(2);
  });

  it("a SYSCALL frame starts on the SYSRET path; exception frames are IRET only", () => {
    const h = new Harness();
    h.load("0f05 0f0b");
    const seen: [number, number][] = [];
    h.onTrap = (frame, cpu) => {
      seen.push([frame.kind, frame.returnPath]);
      if (frame.kind !== TRAP_KIND.SYSCALL) cpu.requestStop();
    };
    h.run();
    expect(seen).toEqual([
      [TRAP_KIND.SYSCALL, RETURN_PATH.SYSRET],
      [TRAP_KIND.EXCEPTION, RETURN_PATH.IRET],
    ]);
  });

  it("SYSCALL with EFER.SCE = 0 raises #UD", () => {
    const h = runSnippet("", (harness) => harness.cpu.msrs.write(MSR.EFER, BigInt(EFER.LME | EFER.LMA)));
    expect(h.lastTrap.vector).toBe(6);
  });
});

describe("exceptions and interrupts", () => {
  it("ud2 is a fault (RIP at ud2); int3 is a trap (RIP after)", () => {
    let h = runSnippet("90 0f0b");
    expect(h.lastTrap.vector).toBe(6);
    expect(h.lastTrap.rip).toBe(BigInt(CODE + 1));
    h = runSnippet("90 cc");
    expect(h.lastTrap.vector).toBe(3);
    expect(h.lastTrap.kind).toBe(TRAP_KIND.EXCEPTION);
    expect(h.lastTrap.rip).toBe(BigInt(CODE + 2));
  });
  it("int n through a DPL 3 gate is delivered; through a DPL 0 gate it is #GP(n·8+2)", () => {
    let h = runSnippet("cd80");
    expect(h.lastTrap.vector).toBe(0x80);
    expect(h.lastTrap.rip).toBe(BigInt(CODE + 2));
    h = runSnippet("cd21");
    expect(h.lastTrap.vector).toBe(13);
    expect(h.lastTrap.errorCode).toBe(0x21 * 8 + 2);
  });
  it("privileged instructions at CPL 3 raise #GP(0)", () => {
    for (const hex of ["f4", "fa", "fb", "e460", "ee", "0f30", "0f32", "0f07"]) {
      const h = runSnippet(hex);
      expect([hex, h.lastTrap.vector, h.lastTrap.errorCode]).toEqual([hex, 13, 0]);
      expect(h.lastTrap.rip).toBe(BigInt(CODE));
    }
  });
  it("an instruction longer than 15 bytes raises #GP(0); an unknown opcode #UD", () => {
    expect(runSnippet("66666666666666666666666666666690").lastTrap.vector).toBe(13);
    expect(runSnippet("0f0e").lastTrap.vector).toBe(6);
    expect(runSnippet("f00140").lastTrap.vector).toBe(14); // lock add [rax+0x0], eax: valid, faults on memory
    expect(runSnippet("f001c0").lastTrap.vector).toBe(6); // lock with a register destination
  });
  it("a missing gate becomes #DF; a missing #DF gate shuts the CPU down", () => {
    const h = new Harness();
    h.load("0f0b");
    h.writeGate(6, GATE_BASE + 6n * 16n, 0xe, 0, false);
    h.run();
    expect(h.lastTrap.vector).toBe(8);
    expect(h.lastTrap.errorCode).toBe(0);
    h.writeGate(8, GATE_BASE + 8n * 16n, 0xe, 0, false);
    h.setRip(BigInt(CODE));
    expect(h.run()).toBe(STOP_REASON.SHUTDOWN);
    expect(h.cpu.shutdownCause).toMatch(/triple fault/);
  });
  it("external interrupts are taken when IF=1; idle() waits for the next one", () => {
    const pending: number[] = [];
    const h = new Harness();
    const cpu = new Cpu({
      id: 1,
      ram: h.ram,
      cache: h.cache,
      entries: h.entries,
      interrupts: { hasPending: () => pending.length > 0, acknowledge: () => pending.shift() ?? 0xff },
    });
    cpu.cr3 = h.cpu.cr3;
    cpu.setIdtr(0xffff800000001000n, 4095);
    cpu.context.regs.set(h.cpu.context.regs);
    h.load("ebfe"); // jmp $
    cpu.context.regs[SLOT.RIP * 2] = CODE;
    cpu.context.regs[SLOT.RFLAGS * 2] = 0x202;
    expect(cpu.loadContext()).toBe(true);
    expect(cpu.run(100)).toBe(STOP_REASON.BUDGET);
    const seen: number[] = [];
    h.onTrap = (frame) => {
      seen.push(frame.vector);
      expect(frame.kind).toBe(TRAP_KIND.INTERRUPT);
      if (seen.length === 1) cpu.idle();
    };
    pending.push(0x30);
    cpu.notifyInterrupt();
    expect(cpu.run(100)).toBe(STOP_REASON.IDLE);
    expect(cpu.isIdle).toBe(true);
    expect(cpu.run(100)).toBe(STOP_REASON.IDLE);
    pending.push(0x31);
    expect(cpu.run(100)).toBe(STOP_REASON.BUDGET);
    expect(seen).toEqual([0x30, 0x31]);
    expect(cpu.counters.interrupts).toBe(2);
  });
  it("interrupts stay pending while IF=0", () => {
    const h = new Harness();
    let asked = 0;
    const cpu = new Cpu({
      id: 2,
      ram: h.ram,
      cache: new DecodedCache(h.ram, 4),
      entries: h.entries,
      interrupts: {
        hasPending: () => {
          asked++;
          return true;
        },
        acknowledge: () => 0x40,
      },
    });
    cpu.cr3 = h.cpu.cr3;
    h.load("ebfe");
    cpu.context.regs[SLOT.RIP * 2] = CODE;
    cpu.context.regs[SLOT.RFLAGS * 2] = 0x2;
    cpu.loadContext();
    expect(cpu.run(50)).toBe(STOP_REASON.BUDGET);
    expect(asked).toBe(0);
  });
});

describe("self-modifying code", () => {
  it("a store into a cached instruction's bytes takes effect", () => {
    const h = new Harness();
    //  0: 31c9                 xor ecx, ecx
    //  2: b001             L:  mov al, 1
    //  4: ffc1                 inc ecx
    //  6: 83f902               cmp ecx, 2
    //  9: 7409                 je done (0x14)
    //  b: c605f1ffffff05       mov byte [rip-15], 5   ; patches the imm8 of "mov al, 1"
    // 12: ebee                 jmp L
    // 14: 89ce            done: mov esi, ecx ; syscall
    h.load("31c9 b001 ffc1 83f902 7409 c605f1ffffff05 ebee 89ce 0f05", USER_RW);
    h.run();
    expect(h.get(GPR.RAX) & 0xffn).toBe(5n);
    expect(h.get(GPR.RSI)).toBe(2n);
    expect(h.cache.invalidations).toBeGreaterThan(0);
  });
  it("a write through PhysicalMemory (DMA path) invalidates decoded code", () => {
    const h = new Harness();
    h.load("b001 0f05", USER_RW);
    h.run();
    expect(h.get(GPR.RAX) & 0xffn).toBe(1n);
    h.ram.write8(h.physical(CODE + 1), 7);
    h.setRip(BigInt(CODE));
    h.run();
    expect(h.get(GPR.RAX) & 0xffn).toBe(7n);
    const view = h.ram.bytes(h.physical(CODE + 1), 1);
    view[0] = 9;
    h.ram.notifyWritten(h.physical(CODE + 1), 1);
    h.setRip(BigInt(CODE));
    h.run();
    expect(h.get(GPR.RAX) & 0xffn).toBe(9n);
  });
  it("an instruction straddling two pages executes and its second page may fault", () => {
    const h = new Harness();
    h.load("90", USER_RW);
    const boundary = 0x900000;
    h.mapFresh(boundary - 4096, 2, USER_RW);
    // mov eax, 0x11223344 ; syscall — split 2 bytes / 3+2 bytes across the boundary.
    h.poke(boundary - 2, [0xb8, 0x44, 0x33, 0x22, 0x11, 0x0f, 0x05]);
    h.setRip(BigInt(boundary - 2));
    h.run();
    expect(h.get(GPR.RAX)).toBe(0x11223344n);
    // Without the second page: #PF on the fetch, CR2 = the second page, RIP = the instruction.
    const g = new Harness();
    g.load("90", USER_RW);
    g.mapFresh(boundary - 4096, 1, USER_RW);
    g.poke(boundary - 2, [0xb8, 0x44]);
    g.setRip(BigInt(boundary - 2));
    g.run();
    expect(g.lastTrap.vector).toBe(14);
    expect(g.lastTrap.cr2).toBe(BigInt(boundary));
    expect(g.lastTrap.rip).toBe(BigInt(boundary - 2));
  });
});

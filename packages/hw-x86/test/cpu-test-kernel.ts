/**
 * A minimal test kernel (not the real one): loads a static x86-64 ELF's
 * PT_LOAD segments into fresh page tables (NX on non-executable segments),
 * builds the SysV initial stack (argc, argv, envp, auxv with AT_PAGESZ and
 * AT_RANDOM), and implements write, exit, exit_group, brk, mmap (anonymous),
 * munmap, getpid, clock_gettime (virtual time from the TSC) and nanosleep;
 * anything else returns -ENOSYS. Any CPU exception stops the run and is
 * reported.
 */

import { EFER, MSR, PTE, PTE_HIGH_XD } from "../src/emu/cpu/arch-bits";
import { STOP_REASON, type StopReason } from "../src/emu/cpu/cpu";
import type { DecodedCacheOptions } from "../src/emu/cpu/decoded-cache";
import { GPR, readBig, readNumber, SLOT, writeNumber } from "../src/interfaces/cpu-context";
import { TRAP_KIND, type TrapFrame } from "../src/interfaces/trap-frame";
import { Harness } from "./cpu-harness";

const ENOSYS = 38;
const EINVAL = 22;
const STACK_TOP = 0x7ffffffff000;
const STACK_PAGES = 64;
const MMAP_TOP = 0x7f0000000000;
const TSC_HZ = 1_000_000_000;

export interface GuestResult {
  stdout: string;
  exitStatus: number | null;
  stop: StopReason;
  exception: { vector: number; errorCode: number; rip: bigint; cr2: bigint } | null;
  instructions: number;
}

export class TestKernel {
  readonly harness: Harness;
  private output: number[] = [];
  private exitStatus: number | null = null;
  private exception: GuestResult["exception"] = null;
  private brkStart = 0;
  private brkEnd = 0;
  private mmapNext = MMAP_TOP;

  /** `cacheOptions` choose the interpreter alone or with compiled blocks (default: blocks on). */
  constructor(cacheOptions: DecodedCacheOptions = {}) {
    this.harness = new Harness(64 * 1024 * 1024, cacheOptions);
    const cpu = this.harness.cpu;
    cpu.msrs.write(MSR.EFER, BigInt(EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE));
    this.harness.onTrap = (frame) => this.trap(frame);
  }

  /** Loads `elf` with `args` (argv[0] first). Throws on a malformed ELF (host-side bad input). */
  load(elf: Uint8Array, args: string[]): void {
    const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
    if (view.getUint32(0, false) !== 0x7f454c46 || elf[4] !== 2 || view.getUint16(18, true) !== 62) {
      throw new Error("not an ELF64 x86-64 file");
    }
    const entry = Number(view.getBigUint64(24, true));
    const phoff = Number(view.getBigUint64(32, true));
    const phentsize = view.getUint16(54, true);
    const phnum = view.getUint16(56, true);
    let highest = 0;
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      if (view.getUint32(at, true) !== 1) continue;
      const flags = view.getUint32(at + 4, true);
      const offset = Number(view.getBigUint64(at + 8, true));
      const vaddr = Number(view.getBigUint64(at + 16, true));
      const filesz = Number(view.getBigUint64(at + 32, true));
      const memsz = Number(view.getBigUint64(at + 40, true));
      const first = vaddr - (vaddr % 4096);
      const last = vaddr + memsz;
      for (let page = first; page < last; page += 4096) {
        if (this.harness.entryAddress(page, 1, false) >= 0 && this.isMapped(page)) continue;
        const frame = this.harness.allocateFrame();
        const pteFlags = PTE.P | PTE.US | (flags & 2 ? PTE.RW : 0);
        this.harness.map(page, frame, pteFlags, 1, flags & 1 ? 0 : PTE_HIGH_XD);
      }
      for (let i2 = 0; i2 < filesz; i2++)
        this.harness.ram.write8(this.harness.physical(vaddr + i2), elf[offset + i2]!);
      highest = Math.max(highest, last);
    }
    this.brkStart = Math.ceil(highest / 4096) * 4096;
    this.brkEnd = this.brkStart;
    this.buildStack(args);
    this.harness.setRip(BigInt(entry));
  }

  private isMapped(page: number): boolean {
    const entry = this.harness.entryAddress(page, 1, false);
    return entry >= 0 && (this.harness.ram.read32(entry) & PTE.P) !== 0;
  }

  private buildStack(args: string[]): void {
    const h = this.harness;
    h.mapFresh(STACK_TOP - STACK_PAGES * 4096, STACK_PAGES);
    let top = STACK_TOP;
    const pointers: number[] = [];
    for (const arg of args) {
      const bytes = Buffer.from(`${arg}\0`, "utf8");
      top -= bytes.length;
      h.poke(top, bytes);
      pointers.push(top);
    }
    top -= 16;
    const random = top;
    h.poke(
      random,
      Array.from({ length: 16 }, (_, i) => i * 17 + 3),
    );
    top -= top % 16;
    const words = [args.length, ...pointers, 0, 0, 6, 4096, 25, random, 0, 0];
    if (words.length % 2 === 1) top -= 8;
    top -= words.length * 8;
    words.forEach((word, i) => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(word), true);
      h.poke(top + i * 8, bytes);
    });
    h.set(GPR.RSP, BigInt(top));
  }

  /** Runs until exit, an exception or `budget` instructions. */
  run(budget = 2_000_000_000): GuestResult {
    const cpu = this.harness.cpu;
    let stop: StopReason = STOP_REASON.BUDGET;
    let remaining = budget;
    const start = cpu.retiredInstructions;
    while (remaining > 0) {
      const slice = Math.min(remaining, 10_000_000);
      stop = cpu.run(slice);
      remaining -= slice;
      if (stop !== STOP_REASON.BUDGET) break;
    }
    return {
      stdout: Buffer.from(this.output).toString("latin1"),
      exitStatus: this.exitStatus,
      stop,
      exception: this.exception,
      instructions: cpu.retiredInstructions - start,
    };
  }

  private trap(frame: TrapFrame): void {
    const cpu = this.harness.cpu;
    if (frame.kind !== TRAP_KIND.SYSCALL) {
      this.exception = {
        vector: frame.vector,
        errorCode: frame.errorCode,
        rip: readBig(frame.context.regs, SLOT.RIP),
        cr2: (BigInt(frame.faultAddressHigh) << 32n) | BigInt(frame.faultAddressLow),
      };
      cpu.requestStop();
      return;
    }
    const regs = frame.context.regs;
    const number = regs[GPR.RAX * 2]!;
    const a0 = readNumber(regs, GPR.RDI);
    const a1 = readNumber(regs, GPR.RSI);
    const a2 = readNumber(regs, GPR.RDX);
    let result: number;
    switch (number) {
      case 1:
        result = this.write(a0, a1, a2);
        break;
      case 60:
      case 231:
        this.exitStatus = regs[GPR.RDI * 2]! & 0xff;
        cpu.requestStop();
        return;
      case 12:
        result = this.brk(a0);
        break;
      case 9:
        result = this.mmap(a1, regs[GPR.R10 * 2]!);
        break;
      case 11:
        result = a0 % 4096 === 0 ? 0 : -EINVAL;
        break;
      case 35:
        result = this.nanosleep(a0);
        break;
      case 39:
        result = 1;
        break;
      case 228:
        result = this.clockGettime(a1);
        break;
      default:
        result = -ENOSYS;
    }
    writeNumber(regs, GPR.RAX, result);
  }

  private write(fd: number, buffer: number, length: number): number {
    if (fd !== 1 && fd !== 2) return -9;
    for (let i = 0; i < length; i++) {
      if (!this.isMapped(buffer + i - ((buffer + i) % 4096))) return -14;
      this.output.push(this.harness.ram.read8(this.harness.physical(buffer + i)));
    }
    return length;
  }

  private brk(requested: number): number {
    if (requested === 0 || requested < this.brkStart) return this.brkEnd;
    const target = Math.ceil(requested / 4096) * 4096;
    for (let page = Math.ceil(this.brkEnd / 4096) * 4096; page < target; page += 4096) {
      if (!this.isMapped(page)) this.harness.mapFresh(page, 1);
    }
    this.brkEnd = requested;
    return requested;
  }

  private mmap(length: number, flags: number): number {
    const MAP_ANONYMOUS = 0x20;
    if ((flags & MAP_ANONYMOUS) === 0 || length <= 0) return -EINVAL;
    const pages = Math.ceil(length / 4096);
    this.mmapNext -= pages * 4096;
    this.harness.mapFresh(this.mmapNext, pages);
    return this.mmapNext;
  }

  /** nanosleep: validates the timespec and advances virtual time (the TSC) by the requested amount. */
  private nanosleep(pointer: number): number {
    if (!this.isMapped(pointer - (pointer % 4096))) return -14;
    const seconds = this.harness.ram.read64Number(this.harness.physical(pointer));
    const nanos = this.harness.ram.read64Number(this.harness.physical(pointer + 8));
    if (!(nanos >= 0 && nanos < 1e9) || !(seconds >= 0)) return -EINVAL;
    const cpu = this.harness.cpu;
    cpu.state.tscOffset += seconds * TSC_HZ + nanos;
    return 0;
  }

  private clockGettime(pointer: number): number {
    if (!this.isMapped(pointer - (pointer % 4096)) || !this.isMapped(pointer + 15 - ((pointer + 15) % 4096)))
      return -14;
    // CLOCK_REALTIME (0) counts from a fixed epoch offset (2026-01-01), the others from boot.
    const clock = this.harness.cpu.context.regs[GPR.RDI * 2]!;
    const tsc = this.harness.cpu.tsc + (clock === 0 ? 1_767_225_600 * TSC_HZ : 0);
    const seconds = Math.floor(tsc / TSC_HZ);
    const nanos = tsc % TSC_HZ;
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(seconds), true);
    view.setBigUint64(8, BigInt(nanos), true);
    this.harness.poke(pointer, bytes);
    return 0;
  }
}

/**
 * `EmulatedCpu`: one emulated x86-64 CPU from `@tsos/hw-x86/emu`, set up
 * the way a long-mode kernel leaves it for user code, for the tests and
 * benchmarks of packages that program against the hw-x86 interfaces
 * (syscall, sched, kernel): RAM, 4-level page tables, an IDT whose gates
 * all lead to one exception handler, EFER = SCE | LME | LMA | NXE, and a
 * loader for static x86-64 ELF executables with the System V initial
 * stack. It deliberately does NOT bind IA32_LSTAR: the code under test
 * installs its own SYSCALL entry through `cpu.msrs` and `entries`.
 *
 * Layout (physical): page-table and other frames from a bump allocator
 * starting at 1 MiB; the IDT at physical 0x1000, mapped at the kernel-half
 * address {@link IDT_ADDRESS}; gates point at {@link GATE_BASE} + 16·vector.
 * Virtual: the ELF's PT_LOAD segments where they ask; the stack's top at
 * {@link STACK_TOP} (64 pages).
 *
 * Host-side bad input (not an ELF, wrong machine, not ET_EXEC) throws an
 * Error with one clear sentence; guest-side faults are recorded in `traps`
 * and stop the CPU by default.
 */
import { EFER, GPR, MSR, PTE, PTE_HIGH, SLOT, type TrapFrame } from "@tsos/hw-x86";
import {
  Cpu,
  type CpuInterruptSource,
  DecodedCache,
  type DecodedCacheOptions,
  KernelEntries,
  PhysicalRam,
  STOP_REASON,
  type StopReason,
} from "@tsos/hw-x86/emu";
import { buildInitialStack, parseStaticElf } from "./static-elf";

/** Kernel-half virtual address of the IDT. */
export const IDT_ADDRESS = 0xffff800000001000n;
/** Kernel-half address of gate 0's handler; gate `v` is at `GATE_BASE + 16·v`. */
export const GATE_BASE = 0xffffffff81100000n;
/** Top of the user stack (exclusive). */
export const STACK_TOP = 0x7ffffffde000;
const STACK_PAGES = 64;
const IDT_PHYSICAL = 0x1000;
const FIRST_FRAME = 0x100000;
const PAGE = 4096;
const TWO_POW_32 = 4294967296;

/** Options of {@link EmulatedCpu}. */
export interface EmulatedCpuOptions {
  /** RAM in bytes (default 64 MiB). */
  readonly memoryBytes?: number;
  /** Compile hot code (default true). */
  readonly compileBlocks?: boolean;
  /** Deliver SYSCALL inside compiled blocks, which go on after it (default false, as DecodedCache). */
  readonly syscallsInBlocks?: boolean;
  /** Further decoded-cache options. */
  readonly cache?: DecodedCacheOptions;
  /** Where external interrupts come from (a LAPIC, or a test's timer); call `cpu.notifyInterrupt()` when one is raised. */
  readonly interrupts?: CpuInterruptSource;
}

/** Page permissions for {@link EmulatedCpu.mapFresh}. */
export interface PagePermissions {
  /** Writable (default true). */
  readonly writable?: boolean;
  /** Executable (default false: NX set). */
  readonly executable?: boolean;
  /** User-accessible (default true). */
  readonly user?: boolean;
}

/** A recorded exception or interrupt. */
export interface RecordedTrap {
  /** Vector. */
  readonly vector: number;
  /** Error code, or -1. */
  readonly errorCode: number;
  /** RIP in the frame (the faulting instruction for faults). */
  readonly rip: number;
  /** CR2 for #PF (low 48 bits), else 0. */
  readonly faultAddress: number;
}

/** Copies to and from user virtual memory through the page tables (no faults: false when unmapped). */
export interface EmulatedUserMemory {
  /** Fills `into` from `address`; false when a byte is not on a mapped user page. */
  read(address: number, into: Uint8Array): boolean;
  /** Writes `bytes` at `address`; false when a byte is not on a mapped, writable user page. */
  write(address: number, bytes: Uint8Array): boolean;
}

/** One emulated CPU ready for user code (see the file header). */
export class EmulatedCpu {
  /** Guest RAM. */
  readonly ram: PhysicalRam;
  /** The decoded-instruction cache. */
  readonly cache: DecodedCache;
  /** Kernel entry bindings (bind LSTAR here). */
  readonly entries: KernelEntries;
  /** The CPU. */
  readonly cpu: Cpu;
  /** Exceptions and interrupts seen by the default handler. */
  readonly traps: RecordedTrap[] = [];
  /** Called for every exception or interrupt; default: record and stop. */
  onException: (frame: TrapFrame, cpu: Cpu) => void;
  /** User memory through the page tables. */
  readonly memory: EmulatedUserMemory;
  /** Physical address of the PML4. */
  readonly pml4: number;
  private nextFrame = FIRST_FRAME;

  constructor(options: EmulatedCpuOptions = {}) {
    this.ram = new PhysicalRam(options.memoryBytes ?? 64 * 1024 * 1024);
    this.cache = new DecodedCache(this.ram, {
      ...options.cache,
      compileBlocks: options.compileBlocks ?? true,
      syscallsInBlocks: options.syscallsInBlocks ?? false,
    });
    this.entries = new KernelEntries();
    this.cpu = new Cpu({
      id: 0,
      ram: this.ram,
      cache: this.cache,
      entries: this.entries,
      ...(options.interrupts === undefined ? {} : { interrupts: options.interrupts }),
    });
    this.cpu.msrs.write(MSR.EFER, BigInt(EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE));
    this.pml4 = this.allocateFrame();
    this.cpu.cr3 = BigInt(this.pml4);
    this.onException = (frame, cpu) => {
      this.traps.push({
        vector: frame.vector,
        errorCode: frame.errorCode,
        rip: frame.context.regs[SLOT.RIP * 2 + 1]! * TWO_POW_32 + frame.context.regs[SLOT.RIP * 2]!,
        faultAddress: (frame.faultAddressHigh & 0xffff) * TWO_POW_32 + frame.faultAddressLow,
      });
      cpu.requestStop();
    };
    this.installIdt();
    this.memory = {
      read: (address, into) => this.copy(address, into, false),
      write: (address, bytes) => this.copy(address, bytes, true),
    };
  }

  /** A zeroed physical frame from the bump allocator. */
  allocateFrame(): number {
    const frame = this.nextFrame;
    if (frame + PAGE > this.ram.size) throw new Error("EmulatedCpu: out of RAM for frames");
    this.nextFrame += PAGE;
    this.ram.bytes(frame, PAGE).fill(0);
    return frame;
  }

  /** Maps the 4 KiB page at `virtual` to `physical` with PTE `flags` (low word) and `highFlags` (e.g. NX). */
  map(virtual: number, physical: number, flags: number, highFlags = 0): void {
    const entry = this.entryFor(virtual, true);
    this.ram.write32(entry, (physical % TWO_POW_32) | flags);
    this.ram.write32(entry + 4, Math.floor(physical / TWO_POW_32) | highFlags);
    this.cpu.invlpg(BigInt(virtual));
  }

  /** Maps `pages` fresh zeroed pages at `virtual`; returns the first frame. */
  mapFresh(virtual: number, pages: number, permissions: PagePermissions = {}): number {
    const flags =
      PTE.P | (permissions.writable === false ? 0 : PTE.RW) | (permissions.user === false ? 0 : PTE.US);
    const high = permissions.executable === true ? 0 : PTE_HIGH.NX;
    let first = -1;
    for (let page = 0; page < pages; page++) {
      const frame = this.allocateFrame();
      if (first < 0) first = frame;
      this.map(virtual + page * PAGE, frame, flags, high);
    }
    return first;
  }

  /** Physical address of `virtual`, or -1 when its page is not present. */
  translate(virtual: number): number {
    const entry = this.entryFor(virtual, false);
    if (entry < 0) return -1;
    const low = this.ram.read32(entry);
    if ((low & PTE.P) === 0) return -1;
    return (
      (this.ram.read32(entry + 4) & 0xfffff) * TWO_POW_32 + ((low & 0xfffff000) >>> 0) + (virtual % PAGE)
    );
  }

  /** Writes bytes at user `virtual` regardless of the RW bit (loader side); throws when unmapped. */
  poke(virtual: number, bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) {
      const physical = this.translate(virtual + i);
      if (physical < 0) throw new Error(`EmulatedCpu.poke: 0x${(virtual + i).toString(16)} is not mapped`);
      this.ram.write8(physical, bytes[i]!);
    }
  }

  /** Reads bytes at `virtual`; throws when unmapped. */
  peek(virtual: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (!this.copy(virtual, out, false, false))
      throw new Error(`EmulatedCpu.peek: 0x${virtual.toString(16)} is not mapped`);
    return out;
  }

  /** Maps an executable page (and a stack), writes `code` (bytes or hex) at `virtual`, and points RIP there. */
  loadCode(virtual: number, code: Uint8Array | string): void {
    const bytes =
      typeof code === "string" ? Uint8Array.from(Buffer.from(code.replace(/\s+/g, ""), "hex")) : code;
    const first = Math.floor(virtual / PAGE) * PAGE;
    this.mapFresh(first, Math.ceil((virtual + bytes.length - first) / PAGE), {
      writable: false,
      executable: true,
    });
    this.poke(virtual, bytes);
    this.mapFresh(STACK_TOP - STACK_PAGES * PAGE, STACK_PAGES);
    this.setEntry(virtual, STACK_TOP - 64);
  }

  /**
   * Loads a static ELF64 x86-64 executable and builds its initial stack
   * (argc, argv, envp, auxv); RIP = entry. Returns the entry and the first
   * page above the image (the program break).
   */
  loadStaticElf(
    bytes: Uint8Array,
    argv: readonly string[],
    envp: readonly string[] = [],
  ): { entry: number; brk: number } {
    const image = parseStaticElf(bytes);
    let brk = 0;
    for (const segment of image.segments) {
      const first = Math.floor(segment.address / PAGE) * PAGE;
      const end = segment.address + segment.memorySize;
      for (let page = first; page < end; page += PAGE) {
        if (this.translate(page) >= 0) continue;
        this.mapFresh(page, 1, { writable: segment.writable, executable: segment.executable });
      }
      this.poke(segment.address, bytes.subarray(segment.fileOffset, segment.fileOffset + segment.fileSize));
      brk = Math.max(brk, Math.ceil(end / PAGE) * PAGE);
    }
    this.mapFresh(STACK_TOP - STACK_PAGES * PAGE, STACK_PAGES);
    const stack = buildInitialStack(STACK_TOP, argv, envp, image);
    this.poke(stack.pointer, stack.bytes);
    this.setEntry(image.entry, stack.pointer);
    return { entry: image.entry, brk };
  }

  /** Runs until the CPU stops for a reason other than the budget, or `budget` instructions ran. */
  run(budget = Number.MAX_SAFE_INTEGER): StopReason {
    let remaining = budget;
    while (remaining > 0) {
      const slice = Math.min(remaining, 50_000_000);
      const stop = this.cpu.run(slice);
      remaining -= slice;
      if (stop !== STOP_REASON.BUDGET) return stop;
    }
    return STOP_REASON.BUDGET;
  }

  private setEntry(rip: number, rsp: number): void {
    const regs = this.cpu.context.regs;
    regs[SLOT.RIP * 2] = rip % TWO_POW_32;
    regs[SLOT.RIP * 2 + 1] = Math.floor(rip / TWO_POW_32);
    regs[SLOT.RFLAGS * 2] = 0x202;
    regs[SLOT.RFLAGS * 2 + 1] = 0;
    regs[GPR.RSP * 2] = rsp % TWO_POW_32;
    regs[GPR.RSP * 2 + 1] = Math.floor(rsp / TWO_POW_32);
    if (!this.cpu.loadContext()) throw new Error(`EmulatedCpu: entry 0x${rip.toString(16)} is not canonical`);
  }

  private installIdt(): void {
    this.map(Number(IDT_ADDRESS & 0xffffffffffffn), IDT_PHYSICAL, PTE.P | PTE.RW);
    const handler = (frame: TrapFrame) => this.onException(frame, this.cpu);
    for (let vector = 0; vector < 256; vector++) {
      const target = GATE_BASE + BigInt(vector * 16);
      const at = IDT_PHYSICAL + vector * 16;
      // 64-bit interrupt gate (type 0xE), present; DPL 3 for #BP, #OF and INT 0x80 as Linux sets them.
      const dpl = vector === 3 || vector === 4 || vector === 0x80 ? 3 : 0;
      this.ram.write16(at, Number(target & 0xffffn));
      this.ram.write16(at + 2, 0x10);
      this.ram.write8(at + 4, 0);
      this.ram.write8(at + 5, 0x80 | (dpl << 5) | 0xe);
      this.ram.write16(at + 6, Number((target >> 16n) & 0xffffn));
      this.ram.write32(at + 8, Number((target >> 32n) & 0xffffffffn));
      this.ram.write32(at + 12, 0);
      this.entries.bind(target, handler);
    }
    this.cpu.setIdtr(IDT_ADDRESS, 256 * 16 - 1);
  }

  /** The PTE address for `virtual` (creating tables when `create`), or -1. */
  private entryFor(virtual: number, create: boolean): number {
    let table = this.pml4;
    for (let level = 4; level > 1; level--) {
      const entry = table + (Math.floor(virtual / 2 ** (12 + 9 * (level - 1))) & 511) * 8;
      let low = this.ram.read32(entry);
      if ((low & PTE.P) === 0) {
        if (!create) return -1;
        const next = this.allocateFrame();
        this.ram.write32(entry, next | PTE.P | PTE.RW | PTE.US);
        this.ram.write32(entry + 4, 0);
        low = this.ram.read32(entry);
      }
      table = (low & 0xfffff000) >>> 0;
    }
    return table + (Math.floor(virtual / PAGE) & 511) * 8;
  }

  /** Copies between `buffer` and user memory; honours U/S (and RW for writes unless `checked` is false). */
  private copy(address: number, buffer: Uint8Array, toGuest: boolean, checked = true): boolean {
    if (!(Number.isSafeInteger(address) && address >= 0 && address + buffer.length <= 2 ** 47)) return false;
    let done = 0;
    while (done < buffer.length) {
      const at = address + done;
      const entry = this.entryFor(at, false);
      if (entry < 0) return false;
      const low = this.ram.read32(entry);
      if ((low & PTE.P) === 0 || (checked && (low & PTE.US) === 0)) return false;
      if (toGuest && checked && (low & PTE.RW) === 0) return false;
      const physical = this.translate(at);
      const chunk = Math.min(buffer.length - done, PAGE - (at % PAGE));
      if (toGuest) {
        this.ram.u8.set(buffer.subarray(done, done + chunk), physical);
        this.ram.notifyWritten(physical, chunk);
      } else {
        buffer.set(this.ram.u8.subarray(physical, physical + chunk), done);
      }
      done += chunk;
    }
    return true;
  }
}

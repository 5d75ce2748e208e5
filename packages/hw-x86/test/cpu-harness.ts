/**
 * Test harness for the CPU: a machine with RAM, 4-level page tables built
 * by a bump allocator, an IDT whose 256 gates are bound to recording
 * handlers, and a SYSCALL entry. By default every trap stops `run`, so a
 * test runs guest bytes until the first trap and inspects registers.
 */

import { MSR, PTE } from "../src/emu/cpu/arch-bits";
import { Cpu, type StopReason } from "../src/emu/cpu/cpu";
import { DecodedCache, type DecodedCacheOptions } from "../src/emu/cpu/decoded-cache";
import { KernelEntries } from "../src/emu/cpu/kernel-entries";
import { PhysicalRam } from "../src/emu/physical-ram";
import { GPR, readBig, SLOT, writeBig } from "../src/interfaces/cpu-context";
import { TRAP_KIND, type TrapFrame, type TrapHandler } from "../src/interfaces/trap-frame";

export const CODE = 0x400000;
export const DATA = 0x600000;
export const STACK_TOP = 0x7ff000;
export const IDT_VIRTUAL = 0xffff800000001000n;
export const IDT_PHYSICAL = 0x1000;
export const LSTAR = 0xffffffff81000000n;
export const GATE_BASE = 0xffffffff81100000n;

/** User page flags. */
export const USER_RW = PTE.P | PTE.RW | PTE.US;
export const USER_RO = PTE.P | PTE.US;

export interface Trap {
  kind: number;
  vector: number;
  errorCode: number;
  cr2: bigint;
  rip: bigint;
}

/** An existing CPU and what it is built on (e.g. one of a `Machine`'s CPUs) for the harness to drive. */
export interface HarnessParts {
  ram: PhysicalRam;
  cache: DecodedCache;
  entries: KernelEntries;
  cpu: Cpu;
}

export class Harness {
  readonly ram: PhysicalRam;
  readonly cache: DecodedCache;
  readonly entries: KernelEntries;
  readonly cpu: Cpu;
  readonly traps: Trap[] = [];
  /** What a trap handler does after recording; default stops the CPU. */
  onTrap: (frame: TrapFrame, cpu: Cpu) => void = (_frame, cpu) => cpu.requestStop();
  private nextFrame = 0x100000;
  readonly pml4: number;

  /** A fresh single-CPU setup with `parts` bytes of RAM, or the given CPU and its machine. */
  constructor(parts: number | HarnessParts = 32 * 1024 * 1024, cacheOptions: DecodedCacheOptions = {}) {
    if (typeof parts === "number") {
      this.ram = new PhysicalRam(parts);
      this.cache = new DecodedCache(this.ram, { codeBlocks: 64, ...cacheOptions });
      this.entries = new KernelEntries();
      this.cpu = new Cpu({ id: 0, ram: this.ram, cache: this.cache, entries: this.entries });
    } else {
      ({ ram: this.ram, cache: this.cache, entries: this.entries, cpu: this.cpu } = parts);
    }
    this.pml4 = this.allocateFrame();
    this.cpu.cr3 = BigInt(this.pml4);
    const record: TrapHandler = (frame) => {
      this.traps.push({
        kind: frame.kind,
        vector: frame.vector,
        errorCode: frame.errorCode,
        cr2: (BigInt(frame.faultAddressHigh) << 32n) | BigInt(frame.faultAddressLow),
        rip: readBig(frame.context.regs, SLOT.RIP),
      });
      this.onTrap(frame, this.cpu);
    };
    this.entries.bind(LSTAR, record);
    this.cpu.msrs.write(MSR.LSTAR, LSTAR);
    this.map(Number(IDT_VIRTUAL & 0xffffffffffffn), IDT_PHYSICAL, PTE.P | PTE.RW);
    for (let vector = 0; vector < 256; vector++) {
      const target = GATE_BASE + BigInt(vector * 16);
      this.writeGate(vector, target, 0xe, vector === 3 || vector === 4 || vector === 0x80 ? 3 : 0);
      this.entries.bind(target, record);
    }
    this.cpu.setIdtr(IDT_VIRTUAL, 256 * 16 - 1);
  }

  /** Writes IDT gate `vector` (present, `type`, `dpl`) pointing at `target`. */
  writeGate(vector: number, target: bigint, type: number, dpl: number, present = true): void {
    const at = IDT_PHYSICAL + vector * 16;
    const offset = BigInt.asUintN(64, target);
    this.ram.write16(at, Number(offset & 0xffffn));
    this.ram.write16(at + 2, 0x10);
    this.ram.write8(at + 4, 0);
    this.ram.write8(at + 5, (present ? 0x80 : 0) | (dpl << 5) | type);
    this.ram.write16(at + 6, Number((offset >> 16n) & 0xffffn));
    this.ram.write32(at + 8, Number((offset >> 32n) & 0xffffffffn));
    this.ram.write32(at + 12, 0);
  }

  allocateFrame(): number {
    const frame = this.nextFrame;
    this.nextFrame += 4096;
    this.ram.bytes(frame, 4096).fill(0);
    return frame;
  }

  /** Physical address of the entry for `virtual` at `level` (4..1), creating tables down to it. */
  entryAddress(virtual: number, level: number, create = true, tableFlags = USER_RW): number {
    let table = this.pml4;
    for (let current = 4; current > level; current--) {
      const index = Math.floor(virtual / 2 ** (12 + 9 * (current - 1))) & 511;
      const entry = table + index * 8;
      let low = this.ram.read32(entry);
      if ((low & PTE.P) === 0) {
        if (!create) return -1;
        const next = this.allocateFrame();
        this.ram.write32(entry, next | tableFlags);
        this.ram.write32(entry + 4, 0);
        low = this.ram.read32(entry);
      }
      table = (low & 0xfffff000) >>> 0;
    }
    return table + (Math.floor(virtual / 2 ** (12 + 9 * (level - 1))) & 511) * 8;
  }

  /** Maps one 4 KiB page (or a 2 MiB / 1 GiB page with `level` 2 / 3 and PS). */
  map(virtual: number, physical: number, flags: number, level = 1, highBits = 0): number {
    const entry = this.entryAddress(virtual, level);
    this.ram.write32(entry, (physical % 2 ** 32) | flags | (level > 1 ? PTE.PS : 0));
    this.ram.write32(entry + 4, Math.floor(physical / 2 ** 32) | highBits);
    return entry;
  }

  /** Maps `pages` fresh zeroed user pages at `virtual`. */
  mapFresh(virtual: number, pages: number, flags = USER_RW): number {
    let first = -1;
    for (let i = 0; i < pages; i++) {
      const frame = this.allocateFrame();
      if (first < 0) first = frame;
      this.map(virtual + i * 4096, frame, flags);
    }
    return first;
  }

  /** Physical address of user virtual `virtual` (walks the tables; test-side). */
  physical(virtual: number): number {
    const entry = this.entryAddress(virtual, 1, false);
    if (entry < 0) throw new Error(`unmapped ${virtual.toString(16)}`);
    return ((this.ram.read32(entry) & 0xfffff000) >>> 0) + (virtual & 4095);
  }

  /** Writes guest bytes at a mapped virtual address. */
  poke(virtual: number, bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.ram.write8(this.physical(virtual + i), bytes[i]!);
  }

  /** Maps code (RX user pages) at CODE with `hex` (whitespace allowed), a stack, a data area; sets RIP and RSP. */
  load(hex: string, codeFlags = USER_RO): void {
    const bytes = Buffer.from(hex.replace(/\s+/g, ""), "hex");
    const pages = Math.max(1, Math.ceil(bytes.length / 4096));
    if (
      this.entryAddress(CODE, 1, false) < 0 ||
      (this.ram.read32(this.entryAddress(CODE, 1)) & PTE.P) === 0
    ) {
      this.mapFresh(CODE, pages + 1, codeFlags);
      this.mapFresh(STACK_TOP - 16 * 4096, 16);
      this.mapFresh(DATA, 16);
    }
    this.poke(CODE, bytes);
    this.setRip(BigInt(CODE));
    this.set(GPR.RSP, BigInt(STACK_TOP));
  }

  setRip(rip: bigint): void {
    writeBig(this.cpu.context.regs, SLOT.RIP, rip);
    writeBig(this.cpu.context.regs, SLOT.RFLAGS, 0x202n);
    if (!this.cpu.loadContext()) throw new Error("non-canonical RIP");
  }

  set(slot: number, value: bigint): void {
    writeBig(this.cpu.context.regs, slot, value);
  }

  get(slot: number): bigint {
    return readBig(this.cpu.context.regs, slot);
  }

  /** Runs until the first trap (or `budget` instructions); returns the stop reason. */
  run(budget = 1_000_000): StopReason {
    return this.cpu.run(budget);
  }

  /** The last trap recorded. */
  get lastTrap(): Trap {
    const trap = this.traps[this.traps.length - 1];
    if (trap === undefined) throw new Error("no trap recorded");
    return trap;
  }
}

/** Runs `hex` followed by `syscall` (0F 05) and returns the harness stopped at that SYSCALL. */
export function runSnippet(hex: string, setup?: (harness: Harness) => void): Harness {
  const harness = new Harness();
  harness.load(`${hex} 0f05`);
  setup?.(harness);
  harness.run();
  return harness;
}

export { TRAP_KIND };

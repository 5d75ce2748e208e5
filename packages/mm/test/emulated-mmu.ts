/**
 * Test helper: an emulated x86-64 CPU (from `@tsos/hw-x86/emu`) whose CR3
 * points at page tables that `@tsos/mm` builds in the CPU's own RAM, with
 * frames from mm's BuddyAllocator. Lets a test run a few guest bytes at
 * CPL 3 and see whether the MMU agrees with what mm wrote.
 *
 * Layout:
 * - The IDT sits in a buddy frame mapped supervisor-only, read/write, NX at
 *   {@link IDT_VIRTUAL}; its 256 gates point at kernel entries bound to one
 *   recording handler (the kernel side is TypeScript, as in the emulator).
 * - Guest code lives in one user, read-only, executable page at
 *   {@link CODE}; tests place short sequences there with {@link MmuRig.run}.
 * - EFER = SCE | LME | LMA | NXE, so PTE bit 63 is XD and #PF reports I.
 *
 * Invariants: every trap is recorded in `traps`; by default a trap stops
 * `run` (`onTrap` may instead resolve it and return, so the CPU retries).
 * Nothing here knows mm's internals: only PageTable's public API.
 */
import {
  EFER,
  GPR,
  MSR,
  PAGE_SIZE,
  PTE,
  PTE_HIGH,
  readBig,
  SLOT,
  type TrapFrame,
  writeBig,
} from "@tsos/hw-x86";
import { Cpu, DecodedCache, KernelEntries, PhysicalRam, type StopReason } from "@tsos/hw-x86/emu";
import { BuddyAllocator, ENOMEM, PageTable, type TlbShootdown } from "../src/index";
import { simpleMemoryMap } from "../src/test-helpers";

/** Guest code page (user, read-only, executable). */
export const CODE = 0x40_0000;
/** Where the IDT is mapped (a kernel address, as a signed number). */
export const IDT_VIRTUAL = -(2 ** 47) + 0x1000;
/** First kernel entry address the IDT gates point at (gate n at +16·n). */
const GATE_BASE = 0xffff_ffff_8110_0000n;
/** SYSCALL entry (IA32_LSTAR): guest sequences end with `syscall` to stop cleanly. */
const LSTAR = 0xffff_ffff_8100_0000n;
/** IDT gate type "64-bit interrupt gate" with P = 1, DPL 0 (SDM vol 3A §6.14.1, fig. 6-8). */
const GATE_ATTRIBUTES = 0x8e;
/** Kernel code selector in the gates (unused by the emulator, kept realistic). */
const KERNEL_CS = 0x10;
/** #PF vector (SDM vol 3A §6.15, interrupt 14). */
export const VECTOR_PF = 14;
/** `syscall` (0F 05). */
export const SYSCALL = "0f05";
/** Trap kind value of a recorded SYSCALL (hw-x86's TRAP_KIND.SYSCALL). */
export const SYSCALL_VECTOR = -1;

/** What the CPU reported at one trap. */
export interface RecordedTrap {
  /** Exception vector, or -1 for SYSCALL. */
  vector: number;
  /** Error code pushed (or -1). */
  errorCode: number;
  /** CR2 for a #PF (unsigned 64-bit). */
  cr2: bigint;
  /** RIP saved in the frame. */
  rip: number;
}

/** Emulated CPUs (one by default) running on page tables mm builds. */
export class MmuRig {
  readonly ram: PhysicalRam;
  readonly cache: DecodedCache;
  readonly entries = new KernelEntries();
  /** Every CPU of the rig; they share RAM, the decoded cache, the IDT and the kernel entries. */
  readonly cpus: Cpu[] = [];
  readonly buddy: BuddyAllocator;
  readonly table: PageTable;
  readonly traps: RecordedTrap[] = [];
  /** Physical frame behind {@link CODE}. */
  readonly codeFrame: number;
  /** Physical frame holding the IDT. */
  readonly idtFrame: number;
  /** Called after a trap is recorded; the default stops the CPU. Return normally to retry the instruction. */
  onTrap: (frame: TrapFrame, rig: MmuRig) => void = (_frame, rig) => rig.cpu.requestStop();
  /** mm's TLB obligations discharged on every CPU (what INVLPG plus shootdown IPIs achieve). */
  readonly shootdown: TlbShootdown;
  private active = 0;

  constructor(mebibytes = 16) {
    this.ram = new PhysicalRam(mebibytes * 2 ** 20);
    this.cache = new DecodedCache(this.ram, 16);
    this.buddy = new BuddyAllocator(simpleMemoryMap(mebibytes));
    const table = PageTable.create(this.ram, this.buddy);
    if (table === ENOMEM) throw new Error("no frame for the PML4");
    this.table = table;
    this.shootdown = shootdownOn(this.cpus);
    const record = (frame: TrapFrame): void => {
      this.traps.push({
        vector: frame.vector,
        errorCode: frame.errorCode,
        cr2: (BigInt(frame.faultAddressHigh) << 32n) | BigInt(frame.faultAddressLow),
        rip: Number(readBig(frame.context.regs, SLOT.RIP)),
      });
      this.onTrap(frame, this);
    };
    this.entries.bind(LSTAR, record);
    this.idtFrame = this.frame();
    for (let vector = 0; vector < 256; vector++) {
      const target = GATE_BASE + BigInt(vector * 16);
      this.writeGate(this.idtFrame + vector * 16, target);
      this.entries.bind(target, record);
    }
    this.codeFrame = this.frame();
    this.addKernelPages(table);
    this.addCpu();
    this.switchTo(table);
  }

  /** The CPU that `run` drives. */
  get cpu(): Cpu {
    return this.cpus[this.active]!;
  }

  /** Makes CPU `index` the one `run` drives. */
  select(index: number): void {
    this.active = index;
  }

  /** Adds a CPU (EFER.NXE, LSTAR, IDTR set; CR3 as CPU 0's) and returns its index. */
  addCpu(): number {
    const index = this.cpus.length;
    const cpu = new Cpu({ id: index, ram: this.ram, cache: this.cache, entries: this.entries });
    cpu.msrs.write(MSR.EFER, BigInt(EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE));
    cpu.msrs.write(MSR.LSTAR, LSTAR);
    cpu.setIdtr(BigInt.asUintN(64, BigInt(IDT_VIRTUAL)), 256 * 16 - 1);
    if (index > 0) cpu.cr3 = this.cpus[0]!.cr3;
    this.cpus.push(cpu);
    return index;
  }

  /** Maps the IDT (supervisor, RW, NX) and the code page (user, RO, executable) into `table`. */
  addKernelPages(table: PageTable): void {
    mustMap(table, IDT_VIRTUAL, this.idtFrame, PTE.RW, PTE_HIGH.NX);
    mustMap(table, CODE, this.codeFrame, PTE.US, 0);
  }

  /** Loads the current CPU's CR3 with `table`'s root (flushing its non-global TLB entries). */
  switchTo(table: PageTable): void {
    this.cpu.cr3 = BigInt(table.root);
  }

  /** A zeroed 4 KiB frame from the buddy allocator. */
  frame(order = 0): number {
    const address = this.buddy.allocate(order);
    if (address < 0) throw new Error("out of frames");
    this.ram.bytes(address, PAGE_SIZE.SIZE_4K << order).fill(0);
    this.ram.notifyWritten(address, PAGE_SIZE.SIZE_4K << order);
    return address;
  }

  /** `table.map` on the rig's own table that must succeed. */
  mustMap(virtual: number, physical: number, flags: number, highFlags: number, size = 4096): void {
    mustMap(this.table, virtual, physical, flags, highFlags, size);
  }

  /**
   * Places `hex` (whitespace allowed) at CODE, sets RBX = `rbx`, RAX = `rax`,
   * RIP = CODE and runs until the first trap that stops the CPU. Returns the
   * stop reason; the traps are in `traps`.
   */
  run(hex: string, rbx: number, rax = 0, budget = 1000): StopReason {
    const bytes = Buffer.from(hex.replace(/\s+/g, ""), "hex");
    this.ram.bytes(this.codeFrame, bytes.length).set(bytes);
    this.ram.notifyWritten(this.codeFrame, bytes.length);
    const regs = this.cpu.context.regs;
    writeBig(regs, GPR.RBX, BigInt.asUintN(64, BigInt(rbx)));
    writeBig(regs, GPR.RAX, BigInt(rax));
    writeBig(regs, SLOT.RIP, BigInt(CODE));
    writeBig(regs, SLOT.RFLAGS, 0x202n);
    if (!this.cpu.loadContext()) throw new Error("bad RIP");
    return this.cpu.run(budget);
  }

  /** The last recorded trap. */
  get lastTrap(): RecordedTrap {
    const trap = this.traps[this.traps.length - 1];
    if (trap === undefined) throw new Error("no trap recorded");
    return trap;
  }

  /** Low byte of RAX. */
  get al(): number {
    return Number(readBig(this.cpu.context.regs, GPR.RAX) & 0xffn);
  }

  /** A user load of one byte at `address`: the byte, or the #PF trap. */
  load(address: number): { byte: number } | { fault: RecordedTrap } {
    // mov al, [rbx] ; syscall
    this.run(`8a03 ${SYSCALL}`, address);
    const trap = this.lastTrap;
    return trap.vector === SYSCALL_VECTOR ? { byte: this.al } : { fault: trap };
  }

  /** A user store of `value` at `address`: true, or the #PF trap. */
  store(address: number, value: number): true | { fault: RecordedTrap } {
    // mov [rbx], al ; syscall
    this.run(`8803 ${SYSCALL}`, address, value);
    const trap = this.lastTrap;
    return trap.vector === SYSCALL_VECTOR ? true : { fault: trap };
  }

  /** Jumps to `address` (which should hold `syscall`): true when it executed, else the #PF trap. */
  execute(address: number): true | { fault: RecordedTrap } {
    // jmp rbx
    this.run("ffe3", address);
    const trap = this.lastTrap;
    return trap.vector === SYSCALL_VECTOR ? true : { fault: trap };
  }

  private writeGate(at: number, target: bigint): void {
    const offset = BigInt.asUintN(64, target);
    this.ram.write16(at, Number(offset & 0xffffn));
    this.ram.write16(at + 2, KERNEL_CS);
    this.ram.write8(at + 4, 0);
    this.ram.write8(at + 5, GATE_ATTRIBUTES);
    this.ram.write16(at + 6, Number((offset >> 16n) & 0xffffn));
    this.ram.write32(at + 8, Number((offset >> 32n) & 0xffffffffn));
    this.ram.write32(at + 12, 0);
  }
}

/** `table.map` that must succeed. */
export function mustMap(
  table: PageTable,
  virtual: number,
  physical: number,
  flags: number,
  highFlags: number,
  size = 4096,
): void {
  const result = table.map(virtual, physical, size, flags, highFlags);
  if (result < 0) throw new Error(`map ${virtual.toString(16)} failed: ${result}`);
}

/**
 * A TlbShootdown that invalidates on each of `cpus` (the array is read at
 * every call): INVLPG per page; for a full flush a CR3 reload, or a CR4
 * write (which also drops global entries, as Linux's PGE toggle) when
 * global pages are involved.
 */
export function shootdownOn(cpus: readonly Cpu[]): TlbShootdown {
  return {
    flushPages: (pages, count) => {
      for (const cpu of cpus) for (let index = 0; index < count; index++) cpu.invlpg(BigInt(pages[index]!));
    },
    flushAll: (includeGlobal) => {
      for (const cpu of cpus) {
        if (includeGlobal) {
          const cr4 = cpu.cr4;
          cpu.cr4 = cr4;
        } else {
          const cr3 = cpu.cr3;
          cpu.cr3 = cr3;
        }
      }
    },
  };
}

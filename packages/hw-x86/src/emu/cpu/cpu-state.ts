/**
 * The state of one emulated CPU core that the interpreter's hot paths touch:
 * the live register file (a {@link CpuContext}), a hot copy of RIP, lazy
 * arithmetic flags, the software TLB, and the pending-exception record.
 *
 * Invariants:
 * - `context.regs` is the architectural GPR file at all times; `rip` and the
 *   flags are hot copies written back to the context before any trap handler
 *   runs and reloaded after it returns (`syncOut` / `syncIn` in cpu.ts).
 * - `rip` is a canonical address as a signed number in [-2^47, 2^47).
 * - Linear addresses passed to the memory functions are canonical addresses
 *   reduced modulo 2^48, i.e. numbers in [0, 2^48).
 * - A guest fault never throws: the instruction sets `exceptionVector`
 *   (and `exceptionError`, `faultAddress`) and returns; the run loop
 *   delivers it. Handlers check `exceptionVector >= 0` after each memory
 *   access before committing any register state.
 */
import { type CpuContext, createCpuContext } from "../../interfaces/cpu-context";
import type { Cpuid } from "../../interfaces/cpuid";
import type { PhysicalRam } from "../physical-ram";
import { RFLAGS } from "./arch-bits";
import { type DecodedCache, NO_FETCH_WINDOW } from "./decoded-cache";

/** A narrow view of the machine bus for physical addresses outside RAM (unclaimed reads are all-ones). */
export interface MmioBus {
  /** Reads `width` bytes (1, 2, 4) at physical `address`. */
  readMmio(address: number, width: number): number;
  /** Writes the low `width` bytes of `value` at physical `address`. */
  writeMmio(address: number, width: number, value: number): void;
}

/** Number of software TLB entries (direct-mapped by virtual page number). */
export const TLB_ENTRIES = 4096;
/** Index mask of the software TLB. */
export const TLB_MASK = TLB_ENTRIES - 1;

/** A PCID's TLB while another PCID is current: the arrays and scalars of CpuState's tlb* fields. */
export interface TlbContext {
  /** The PCID these entries belong to. */
  pcid: number;
  /** CPU-local use counter at the last switch to it (least recently used is evicted). */
  lastUse: number;
  /** Per slot: the virtual page cached there (CpuState's `tlbTag`). */
  tag: Float64Array;
  /** Per slot: the physical page (`tlbPhysical`). */
  physical: Float64Array;
  /** Per slot: the ACCESS bits allowed (`tlbAccess`). */
  access: Uint8Array;
  /** Per slot: 1 for a global translation (`tlbGlobal`). */
  global: Uint8Array;
  /** Slots filled since the last flush (`tlbFilled`). */
  filled: Int32Array;
  /** How many of `filled` are in use. */
  filledCount: number;
  /** Per slot: 1 when listed in `filled`. */
  listed: Uint8Array;
  /** A 2 MiB / 1 GiB translation is cached (`tlbHasLarge`: INVLPG then flushes everything). */
  hasLarge: boolean;
}

/** TLB permission bits (what a cached translation allows a CPL 3 access to do). */
export const ACCESS = { READ: 1, WRITE: 2, EXECUTE: 4 } as const;

/**
 * Lazy-flags operation kinds (see flags.ts). SHIFT: CF in `lazyCarry`, OF in
 * `lazySrcLow`, SF/ZF/PF from the result, AF = 0 (SHL/SHR/SAR).
 */
export const LAZY = { NONE: 0, ADD: 1, ADC: 2, SUB: 3, SBB: 4, LOGIC: 5, INC: 6, DEC: 7, SHIFT: 8 } as const;

/** No exception pending. */
export const NO_EXCEPTION = -1;
/** Pseudo-vector recorded by the SYSCALL instruction. */
export const SYSCALL_EVENT = 256;

/** Hot state of one CPU core (see the file header for invariants). */
export class CpuState {
  /** The live user register file the kernel sees at traps. */
  readonly context: CpuContext;
  /** `context.regs`, cached. */
  readonly regs: Uint32Array;
  /** RIP, hot copy (signed canonical number). */
  rip = 0;
  /** RIP of the next instruction, set before execution; branches overwrite it. */
  nextRip = 0;
  /** RFLAGS bits other than the six status flags, plus the status flags when `lazyOp` is NONE. */
  flagBits: number = RFLAGS.FIXED;
  /** `LAZY` kind of the last flag-setting operation; NONE = the status flags are in `flagBits`. */
  lazyOp = 0;
  /** Operand size in bytes (1, 2, 4, 8) of the last lazy operation. */
  lazySize = 4;
  /** Destination operand, low half (masked to `lazySize` when below 8 bytes). */
  lazyDstLow = 0;
  /** Destination operand, high half (meaningful only when `lazySize` is 8). */
  lazyDstHigh = 0;
  /** Source operand, low half. */
  lazySrcLow = 0;
  /** Source operand, high half (meaningful only when `lazySize` is 8). */
  lazySrcHigh = 0;
  /** Result, low half (masked to `lazySize`). */
  lazyResLow = 0;
  /** Result, high half (meaningful only when `lazySize` is 8). */
  lazyResHigh = 0;
  /** Carry-in of ADC/SBB, or the preserved CF of INC/DEC. */
  lazyCarry = 0;
  /** High 32 bits returned by functions whose result is 64-bit (low half is the return value). */
  high = 0;
  /** Low half of the operand read by the last read-modify-write access (high half in `high`). */
  operandLow = 0;
  /** Effective address halves computed by `effectiveAddress` (before segment base): low 32 bits. */
  eaLow = 0;
  /** High 32 bits of the effective address (0 under a 32-bit address-size prefix). */
  eaHigh = 0;

  /** Pending exception vector, or NO_EXCEPTION. */
  exceptionVector = NO_EXCEPTION;
  /** Its error code, or -1 for none. */
  exceptionError = -1;
  /** The pending event is a trap: it is reported with RIP after the instruction (INT n, INT3, SYSCALL). */
  exceptionIsTrap = false;
  /** The pending event is a software interrupt (INT n / INT3): the gate's DPL must be 3. */
  exceptionIsSoftware = false;
  /**
   * Set when a compiled block must return to the run loop after its current
   * instruction: an exception was raised, a decoded code page was released,
   * an interrupt may be deliverable, or a stop was requested. The run loop
   * clears it before entering a block.
   */
  blockStop = 0;
  /**
   * Delivers the SYSCALL trap a compiled block's SYSCALL just raised and
   * returns 1 when the block may continue at `expectedRip`, 0 when it must
   * return to the run loop (the trap was delivered either way), 2 when it
   * was not delivered (no CPU owns this state; the block leaves it pending).
   * Set by the owning Cpu.
   */
  syscallInBlock: (expectedRip: number) => number = () => 2;
  /** Retired instructions (drives the TSC). */
  retired = 0;
  /** TSC = retired + tscOffset. */
  tscOffset = 0;
  /** The CPUID implementation the instruction queries. */
  cpuid: Cpuid | null = null;
  /** Linear address of the last #PF (CR2), as an unsigned 48-bit number (sign-extended when reported). */
  faultAddress = 0;

  /** Guest RAM at physical address 0. */
  readonly ram: PhysicalRam;
  /** `ram.size`, cached: physical addresses at or above it go to `bus`. */
  readonly ramSize: number;
  /** `ram.u8`, cached (byte accesses). */
  readonly u8: Uint8Array;
  /** `ram.view`, cached (little-endian 16/32-bit accesses). */
  readonly view: DataView;
  /** `ram.codePages`, cached: stores to a flagged page invalidate its decoded code. */
  readonly codePages: Uint8Array;
  /** The decoded-instruction cache shared by the machine's CPUs. */
  readonly cache: DecodedCache;
  /** Physical accesses outside RAM; null = unclaimed (reads all-ones, writes dropped). */
  bus: MmioBus | null;

  /**
   * Software TLB of the current PCID (tlb-contexts.ts swaps these for
   * another context's on a CR3 load): tag = virtual page number (2^36
   * range) or -1.
   */
  tlbTag: Float64Array = new Float64Array(TLB_ENTRIES).fill(-1);
  /** Physical address of the page. */
  tlbPhysical: Float64Array = new Float64Array(TLB_ENTRIES);
  /** ACCESS bits the cached translation grants. */
  tlbAccess: Uint8Array = new Uint8Array(TLB_ENTRIES);
  /** 1 when the entry came from a global page (survives CR3 reloads). */
  tlbGlobal: Uint8Array = new Uint8Array(TLB_ENTRIES);
  /**
   * Slots filled since they were last flushed, so a flush visits only those
   * (a CR3 load costs what the process touched, not the TLB's size). A slot
   * is listed at most once (`tlbListed`); listed slots may have been
   * invalidated since.
   */
  tlbFilled: Int32Array = new Int32Array(TLB_ENTRIES);
  /** Number of slots in `tlbFilled`. */
  tlbFilledCount = 0;
  /** 1 while the slot is in `tlbFilled`. */
  tlbListed: Uint8Array = new Uint8Array(TLB_ENTRIES);
  /** Entries cached from 2 MiB / 1 GiB pages are present (INVLPG then flushes everything). */
  tlbHasLarge = false;
  /** The PCID whose translations the tlb* arrays hold (0 while CR4.PCIDE = 0). */
  tlbPcid = 0;
  /** Other PCIDs' TLBs kept while another is current (tlb-contexts.ts). */
  readonly tlbContexts: TlbContext[] = [];
  /** Increases whenever translations may have changed (flushes, INVLPG, CR3/CR4/EFER writes). */
  tlbEpoch = 0;

  /** Physical address of that page. */
  fetchPhysical = 0;
  /** First decoded-cache slot of that page's block. */
  fetchBase = 0;
  /** RIP (signed) of the first byte of the current code page; NO_FETCH_WINDOW when invalid (reset by TLB flushes and by every decoded-cache invalidation). */
  fetchRipBase = NO_FETCH_WINDOW;

  /** CR0 (PG | ET | PE at creation: paging on, as a long-mode kernel runs). */
  cr0 = 0x80000011;
  /** CR3, low 32 bits (page-table root and flags). */
  cr3Low = 0;
  /** CR3, high 32 bits. */
  cr3High = 0;
  /** PAE | OSFXSR | OSXMMEXCPT: the state a long-mode kernel with SSE enabled sets up. */
  cr4 = 0x620;
  /** IA32_EFER low word (SCE | LME | LMA at creation). */
  efer = 0x501;

  constructor(ram: PhysicalRam, cache: DecodedCache, bus: MmioBus | null) {
    this.context = createCpuContext();
    this.regs = this.context.regs;
    this.ram = ram;
    this.ramSize = ram.size;
    this.u8 = ram.u8;
    this.view = ram.view;
    this.codePages = ram.codePages;
    this.cache = cache;
    this.bus = bus;
    cache.addFetchWindow(this);
  }

  /** Records a fault (or trap) for the run loop to deliver; the instruction must then return without committing. */
  raise(vector: number, errorCode: number): void {
    this.blockStop = 1;
    if (this.exceptionVector === NO_EXCEPTION) {
      this.exceptionVector = vector;
      this.exceptionError = errorCode;
      this.exceptionIsTrap = false;
      this.exceptionIsSoftware = false;
    }
  }
}

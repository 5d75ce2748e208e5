/**
 * One emulated x86-64 CPU core running user code at CPL 3 (DESIGN §2), with
 * the CPL 0 side implemented by TypeScript trap handlers.
 *
 * Run loop: fetch through the TLB (execute permission), look the physical
 * address up in the shared {@link DecodedCache} (decoding on a miss), execute,
 * retire. Guest faults are values recorded in the state, never exceptions;
 * the loop delivers them between instructions. When the fetched instruction
 * starts a compiled block (block-compiler.ts; hot starts are compiled after
 * the cache's threshold of interpreted executions) and the whole block fits
 * in the remaining budget, the block runs instead, with the same
 * guest-visible outcome.
 *
 * Privilege transitions (SDM vol 2 SYSCALL/SYSRET, vol 3 §6.12):
 * - SYSCALL (EFER.SCE = 1, else #UD): RCX ← next RIP, R11 ← RFLAGS, the
 *   context's RIP/RFLAGS slots ← the same values, RFLAGS &= ~IA32_FMASK;
 *   then the handler bound to IA32_LSTAR runs with kind SYSCALL. On return
 *   the CPU applies SYSRET: RIP ← RCX, RFLAGS ← (R11 & 3C7FD7H) | 2 — unless
 *   the handler set the frame's `returnPath` to IRET (or called
 *   {@link Cpu.returnWithIret}), in which case RIP and RFLAGS come from the
 *   context's RIP/RFLAGS slots (IRET semantics, the path for context
 *   switches, execve and signal delivery). A SYSRET to a non-canonical RCX
 *   shuts the CPU down: on Intel hardware it raises #GP at CPL 0 on the
 *   user's stack (CVE-2012-0217), a kernel bug, so a kernel must take the
 *   IRET path for such a return.
 * - SYSCALL inside a compiled block: the block calls {@link CpuState}'s
 *   `syscallInBlock`, which delivers the trap exactly as the run loop would
 *   and lets the block go on after it when user mode resumed at the next
 *   instruction (by SYSRET, or by IRET to the same place, e.g. another
 *   thread of the process) and the run loop would have nothing to do (no
 *   stop, idle, shutdown, deliverable interrupt, TLB or code change, CR0/CR4
 *   write). So a loop of system calls can stay inside one block call.
 * - Exceptions and interrupts: the gate for the vector is read from the IDT
 *   at IDTR (16-byte IA-32e gates: P, type 0xE/0xF, DPL; INT n / INT3 need
 *   DPL 3, else #GP(vector·8 + 2)); the handler bound to the gate's offset
 *   runs; return uses IRET semantics (RIP/RFLAGS from the context slots,
 *   RFLAGS masked to the user-restorable bits; TF is not emulated).
 * - An IRET-style return to a non-canonical RIP is refused: user mode is NOT entered,
 *   and #GP(0) is delivered to the kernel's vector-13 handler with the
 *   context left exactly as the handler left it (so the kernel sees its own
 *   bad RIP/RCX). If that handler again returns to a non-canonical RIP, the
 *   CPU shuts down (triple fault).
 * - A gate that is missing, not present, of the wrong type, outside the
 *   IDT limit, or whose offset has no bound handler causes #DF (vector 8,
 *   error 0); a failing #DF delivery shuts the CPU down (the "kernel panic"
 *   outcome, STOP_REASON.SHUTDOWN). A missing LSTAR handler also gives #DF.
 *   (Simplification: the SDM's benign/contributory table is not applied.)
 * - External interrupts are accepted between instructions when RFLAGS.IF =
 *   1 or the CPU is idle, checked at the start of `run` and after every
 *   trap return (user code cannot change IF at IOPL 0), or after
 *   {@link Cpu.notifyInterrupt}.
 */

import { type CpuContext, GPR, SLOT } from "../../interfaces/cpu-context";
import type { Cpuid } from "../../interfaces/cpuid";
import type { MsrAccess } from "../../interfaces/msr-access";
import type { Processor } from "../../interfaces/processor";
import {
  NO_ERROR_CODE,
  NO_VECTOR,
  RETURN_PATH,
  TRAP_KIND,
  type TrapHandler,
  type TrapKind,
} from "../../interfaces/trap-frame";
import type { CpuInterruptSource } from "../cpu-interrupt-source";
import { IRET_USER_MASK, RFLAGS, SYSRET_FLAGS_MASK, VECTOR } from "./arch-bits";
import { compileBlock as compileBlockImport } from "./block-compiler";
import { CpuFeatures } from "./cpu-features";
import { CpuMsrs } from "./cpu-msrs";
import { CpuState, NO_EXCEPTION as NO_EXCEPTIONImport, SYSCALL_EVENT } from "./cpu-state";
import { CpuTrapFrame } from "./cpu-trap-frame";
import { type CpuCounters, type CpuOptions, STOP_REASON, type StopReason } from "./cpu-types";
import type { DecodedCache } from "./decoded-cache";
import { addressFromHalves } from "./exec-control";
import { execute as executeImport } from "./execute";
import { FETCH_FAILED as FETCH_FAILEDImport, fetchInstruction as fetchInstructionImport } from "./fetch";
import { readFlags, writeFlags } from "./flags";
import { GATE_MISSING, GATE_PRIVILEGED, gateOffset, readIdtGate } from "./idt-gate";
import type { KernelEntries } from "./kernel-entries";
import { flushTlb, invalidatePage } from "./mmu";
import { invalidatePcid, switchTlbContext } from "./tlb-contexts";

/** CR4.PCIDE (bit 17). */
const CR4_PCIDE = 0x20000;
/** CR0.PG (bit 31) and CR0.WP (bit 16). */
const CR0_PG = 0x80000000;
const CR0_WP = 0x10000;

export { type CpuCounters, type CpuOptions, STOP_REASON, type StopReason } from "./cpu-types";

// Module-local aliases for the run loop: transformed ESM imports are getter calls.
const execute = executeImport;
const fetchInstruction = fetchInstructionImport;
const FETCH_FAILED = FETCH_FAILEDImport;
const NO_EXCEPTION = NO_EXCEPTIONImport;
const compileBlock = compileBlockImport;

/** `syscallInBlock` results (block-builder.ts reads them). */
const SYSCALL_LEAVE_BLOCK = 0;
const SYSCALL_CONTINUE_BLOCK = 1;
const TWO_POW_32 = 4294967296;

/** An x86-64 CPU core at CPL 3 whose CPL 0 is TypeScript (see the file header). */
export class Cpu implements Processor {
  /** CPU id from {@link CpuOptions.id} (also its initial APIC id in CPUID). */
  readonly id: number;
  /** Interpreter state (registers, TLB); exposed for the machine and tests. */
  readonly state: CpuState;
  /** The live user register file. */
  readonly context: CpuContext;
  /** `rdmsr` / `wrmsr`. */
  readonly msrs: MsrAccess;
  /** `cpuid`. */
  readonly cpuid: Cpuid;
  /** Event counters (monotonic). */
  readonly counters: CpuCounters = {
    syscalls: 0,
    exceptions: 0,
    interrupts: 0,
    pageFaults: 0,
    syscallsInBlock: 0,
  };
  /** Why the CPU shut down, when it did. */
  shutdownCause = "";
  private readonly msrFile: CpuMsrs;
  private readonly cache: DecodedCache;
  private readonly entries: KernelEntries;
  private readonly interrupts: CpuInterruptSource | null;
  private readonly frame: CpuTrapFrame;
  private idtBase = 0;
  private idtLimit = 0;
  private halted = false;
  private stopRequested = false;
  private isShutdown = false;
  /** The handler bound at IA32_LSTAR, cached against the MSR halves and the entry table's version. */
  private lstarHandler: TrapHandler | undefined = undefined;
  private lstarCachedLow = -1;
  private lstarCachedHigh = -1;
  private lstarCachedVersion = -1;
  private returnFailures = 0;
  private deliveringDoubleFault = false;
  private interruptCheckNeeded = true;
  /** Set whenever one of the flags above may need handling before the next instruction. */
  private attention = true;

  constructor(options: CpuOptions) {
    this.id = options.id;
    this.cache = options.cache;
    this.entries = options.entries;
    this.interrupts = options.interrupts ?? null;
    this.state = new CpuState(options.ram, options.cache, options.bus ?? null);
    this.context = this.state.context;
    this.msrFile = new CpuMsrs(this.state, options.id === 0);
    this.msrs = this.msrFile;
    const features = new CpuFeatures({
      apicId: options.id,
      tscDeadline: options.tscDeadline,
      x2apic: options.x2apic,
    });
    this.cpuid = features;
    this.state.cpuid = features;
    this.frame = new CpuTrapFrame(options.id, this.context);
    this.state.syscallInBlock = (expectedRip) => this.syscallInBlock(expectedRip);
  }

  /** Retired instructions. */
  get retiredInstructions(): number {
    return this.state.retired;
  }

  /** Time-stamp counter: retired instructions plus the offset set through IA32_TSC. */
  get tsc(): number {
    return this.state.retired + this.state.tscOffset;
  }

  /**
   * Advances the TSC by `cycles` without retiring instructions: the machine
   * calls this for time spent idle (all CPUs halted, time fast-forwarded), so
   * the TSC keeps tracking virtual time.
   */
  advanceTsc(cycles: number): void {
    this.state.tscOffset += cycles;
  }

  /**
   * Loads RIP and RFLAGS from the context's slots (IRET semantics) to start
   * or resume user mode outside a trap handler. Returns false, changing
   * nothing, if RIP is not canonical.
   */
  loadContext(): boolean {
    const regs = this.state.regs;
    const target = addressFromHalves(regs[SLOT.RIP * 2]!, regs[SLOT.RIP * 2 + 1]!);
    if (Number.isNaN(target)) return false;
    this.state.rip = target;
    writeFlags(this.state, (regs[SLOT.RFLAGS * 2]! & IRET_USER_MASK) | RFLAGS.FIXED);
    this.halted = false;
    this.interruptCheckNeeded = true;
    return true;
  }

  /** Makes the CPU idle (HLT in the kernel) until the next interrupt; called from a trap handler. */
  idle(): void {
    this.halted = true;
    this.attention = true;
  }

  /** True while idle. */
  get isIdle(): boolean {
    return this.halted;
  }

  /** Makes `run` return STOP_REASON.STOPPED (now if called from a handler, else at its next call). */
  requestStop(): void {
    this.stopRequested = true;
    this.attention = true;
    this.state.blockStop = 1;
  }

  /** From a SYSCALL handler: return with IRET semantics (RIP/RFLAGS from the context slots) instead of SYSRET. */
  returnWithIret(): void {
    this.frame.returnPath = RETURN_PATH.IRET;
  }

  /** Tells the CPU an interrupt may have become deliverable (checked before the next instruction). */
  notifyInterrupt(): void {
    this.interruptCheckNeeded = true;
    this.attention = true;
    this.state.blockStop = 1;
  }

  /**
   * Executes up to `maxInstructions` instructions (each trap delivery counts
   * as one). A compiled block (block-compiler.ts) is entered only when all of
   * its instructions fit in the remaining budget, so the count at which `run`
   * returns is the interpreter's.
   */
  run(maxInstructions: number): StopReason {
    const state = this.state;
    const cache = this.cache;
    const blocks = cache.blocks;
    let executed = 0;
    this.attention = true;
    while (executed < maxInstructions) {
      if (this.attention) {
        // Slow checks, only after something changed (trap return, notifyInterrupt, stop, idle).
        this.attention = this.halted;
        if (this.stopRequested) {
          this.stopRequested = false;
          return STOP_REASON.STOPPED;
        }
        if (this.isShutdown) return STOP_REASON.SHUTDOWN;
        if (this.interruptCheckNeeded || this.halted) {
          this.interruptCheckNeeded = false;
          if (this.acceptInterrupt()) {
            executed++;
            continue;
          }
        }
        if (this.halted) return STOP_REASON.IDLE;
      }
      const slot = fetchInstruction(state, cache);
      executed++;
      if (slot === FETCH_FAILED) {
        this.deliverPending();
        continue;
      }
      if (blocks !== null) {
        const block = blocks.code[slot];
        if (block !== undefined) {
          const remaining = maxInstructions - executed + 1;
          if (blocks.count[slot]! <= remaining) {
            state.blockStop = 0;
            const ran = block(state, remaining, slot);
            if (ran > 0) {
              executed += ran - 1;
              if (state.exceptionVector === NO_EXCEPTION) continue;
              if (state.exceptionIsTrap) {
                state.rip = state.nextRip;
                state.retired++;
              }
              this.deliverPending();
              continue;
            }
            // The block stopped before its first instruction: interpret that one below.
          }
        } else {
          const heat = blocks.heat[slot]!;
          if (heat < blocks.threshold) {
            blocks.heat[slot] = heat + 1;
            if (heat + 1 === blocks.threshold || heat + 1 === blocks.probeThreshold) {
              compileBlock(state, cache, blocks, slot);
            }
          }
        }
      }
      state.nextRip = state.rip + cache.length[slot]!;
      execute(state, cache, slot);
      if (state.exceptionVector === NO_EXCEPTION) {
        state.rip = state.nextRip;
        state.retired++;
        continue;
      }
      if (state.exceptionIsTrap) {
        state.rip = state.nextRip;
        state.retired++;
      }
      this.deliverPending();
    }
    if (this.stopRequested) {
      this.stopRequested = false;
      return STOP_REASON.STOPPED;
    }
    return this.isShutdown ? STOP_REASON.SHUTDOWN : STOP_REASON.BUDGET;
  }

  private acceptInterrupt(): boolean {
    const source = this.interrupts;
    if (source === null) return false;
    if (!this.halted && (this.state.flagBits & RFLAGS.IF) === 0) return false;
    if (!source.hasPending()) return false;
    const vector = source.acknowledge();
    this.halted = false;
    this.counters.interrupts++;
    this.deliverVector(vector, NO_ERROR_CODE, TRAP_KIND.INTERRUPT, false);
    return true;
  }

  private deliverPending(): void {
    const state = this.state;
    const vector = state.exceptionVector;
    const error = state.exceptionError;
    const software = state.exceptionIsSoftware;
    state.exceptionVector = NO_EXCEPTION;
    if (vector === SYSCALL_EVENT) {
      this.enterSyscall();
      return;
    }
    this.counters.exceptions++;
    const kind = software && vector >= 32 ? TRAP_KIND.INTERRUPT : TRAP_KIND.EXCEPTION;
    this.deliverVector(vector, error, kind, software);
  }

  private syncOut(): void {
    const regs = this.state.regs;
    const rip = this.state.rip;
    const high = Math.floor(rip / TWO_POW_32);
    regs[SLOT.RIP * 2] = rip - high * TWO_POW_32;
    regs[SLOT.RIP * 2 + 1] = high >>> 0;
    regs[SLOT.RFLAGS * 2] = readFlags(this.state);
    regs[SLOT.RFLAGS * 2 + 1] = 0;
  }

  private enterSyscall(): void {
    const state = this.state;
    const regs = state.regs;
    this.counters.syscalls++;
    this.syncOut();
    regs[GPR.RCX * 2] = regs[SLOT.RIP * 2]!;
    regs[GPR.RCX * 2 + 1] = regs[SLOT.RIP * 2 + 1]!;
    const flags = regs[SLOT.RFLAGS * 2]!;
    regs[GPR.R11 * 2] = flags;
    regs[GPR.R11 * 2 + 1] = 0;
    // syncOut evaluated the lazy flags once; evaluating them again would cost as much.
    writeFlags(state, flags & ~this.msrFile.fmask());
    const handler = this.syscallHandler();
    if (handler === undefined) {
      this.doubleFault();
      return;
    }
    this.frame.set(TRAP_KIND.SYSCALL, NO_VECTOR, NO_ERROR_CODE, 0, 0);
    this.callHandler(handler);
  }

  /** The handler at IA32_LSTAR (looked up again only after LSTAR or a binding changed). */
  private syscallHandler(): TrapHandler | undefined {
    const low = this.msrFile.lstarLow();
    const high = this.msrFile.lstarHigh();
    const version = this.entries.version;
    if (low !== this.lstarCachedLow || high !== this.lstarCachedHigh || version !== this.lstarCachedVersion) {
      this.lstarHandler = this.entries.lookup(low, high);
      this.lstarCachedLow = low;
      this.lstarCachedHigh = high;
      this.lstarCachedVersion = version;
    }
    return this.lstarHandler;
  }

  /**
   * A compiled block's SYSCALL (block-builder.ts): the handler just raised
   * the SYSCALL trap with `nextRip` = `expectedRip`. Retires it and delivers
   * it as the run loop does, then answers whether the block may go on at
   * `expectedRip`: only when user mode resumed exactly there (registers and
   * flags are reloaded by the block, so SYSRET or IRET does not matter) and
   * the run loop would find nothing to do before that instruction.
   */
  private syscallInBlock(expectedRip: number): number {
    const state = this.state;
    state.rip = state.nextRip;
    state.retired++;
    state.exceptionVector = NO_EXCEPTION;
    state.blockStop = 0;
    const epoch = state.tlbEpoch;
    this.enterSyscall();
    // blockStop covers a stop request, an interrupt notification, released code and a
    // nested fault; tlbEpoch covers INVLPG, CR3 and (through their flushes) CR0/CR4 writes.
    if (
      this.isShutdown ||
      this.halted ||
      state.blockStop !== 0 ||
      state.rip !== expectedRip ||
      state.tlbEpoch !== epoch
    ) {
      return SYSCALL_LEAVE_BLOCK;
    }
    const source = this.interrupts;
    if (source !== null && (state.flagBits & RFLAGS.IF) !== 0 && source.hasPending())
      return SYSCALL_LEAVE_BLOCK;
    this.counters.syscallsInBlock++;
    return SYSCALL_CONTINUE_BLOCK;
  }

  /** Delivers through the IDT; `keepContext` leaves the RIP/RFLAGS slots as they are (a refused return). */
  private deliverVector(
    vector: number,
    errorCode: number,
    kind: TrapKind,
    software: boolean,
    keepContext = false,
  ): void {
    if (!keepContext) this.syncOut();
    const gate = readIdtGate(this.state, this.idtBase, this.idtLimit, vector);
    if (gate === GATE_MISSING) {
      this.doubleFault();
      return;
    }
    if (software && gate === GATE_PRIVILEGED) {
      this.counters.exceptions++;
      this.deliverVector(VECTOR.GP, vector * 8 + 2, TRAP_KIND.EXCEPTION, false);
      return;
    }
    const handler = this.entries.lookup(gateOffset[0]!, gateOffset[1]!);
    if (handler === undefined) {
      this.doubleFault();
      return;
    }
    let faultLow = 0;
    let faultHigh = 0;
    if (vector === VECTOR.PF && kind === TRAP_KIND.EXCEPTION) {
      this.counters.pageFaults++;
      const linear = this.state.faultAddress;
      faultHigh = Math.floor(linear / TWO_POW_32);
      faultLow = linear - faultHigh * TWO_POW_32;
      if (faultHigh >= 0x8000) faultHigh = (faultHigh | 0xffff0000) >>> 0;
      this.cr2Low = faultLow;
      this.cr2High = faultHigh;
    }
    this.frame.set(kind, vector, errorCode, faultLow, faultHigh);
    this.callHandler(handler);
  }

  private doubleFault(): void {
    if (this.deliveringDoubleFault) {
      this.shutdown("triple fault: the #DF gate or its handler is missing");
      return;
    }
    this.deliveringDoubleFault = true;
    this.counters.exceptions++;
    this.deliverVector(VECTOR.DF, 0, TRAP_KIND.EXCEPTION, false);
    this.deliveringDoubleFault = false;
  }

  private shutdown(cause: string): void {
    this.isShutdown = true;
    this.attention = true;
    this.shutdownCause = cause;
  }

  private callHandler(handler: TrapHandler): void {
    handler(this.frame);
    this.interruptCheckNeeded = true;
    this.attention = true;
    if (this.stopRequested || this.isShutdown || this.halted) return;
    this.returnToUser();
  }

  private returnToUser(): void {
    const state = this.state;
    const regs = state.regs;
    let ripLow: number;
    let ripHigh: number;
    let flags: number;
    const frame = this.frame;
    if (frame.kind === TRAP_KIND.SYSCALL && frame.returnPath === RETURN_PATH.SYSRET) {
      ripLow = regs[GPR.RCX * 2]!;
      ripHigh = regs[GPR.RCX * 2 + 1]!;
      if (Number.isNaN(addressFromHalves(ripLow, ripHigh))) {
        this.shutdown("SYSRET to a non-canonical RCX: #GP at CPL 0 on the user stack (CVE-2012-0217)");
        return;
      }
      // TF is dropped: single-step traps are not emulated (see IRET_USER_MASK).
      flags = (regs[GPR.R11 * 2]! & SYSRET_FLAGS_MASK & ~RFLAGS.TF) | RFLAGS.FIXED;
    } else {
      ripLow = regs[SLOT.RIP * 2]!;
      ripHigh = regs[SLOT.RIP * 2 + 1]!;
      flags = (regs[SLOT.RFLAGS * 2]! & IRET_USER_MASK) | RFLAGS.FIXED;
    }
    const target = addressFromHalves(ripLow, ripHigh);
    if (Number.isNaN(target)) {
      this.returnFailures++;
      if (this.returnFailures > 1) {
        this.shutdown("return to a non-canonical RIP refused twice");
        return;
      }
      this.counters.exceptions++;
      this.deliverVector(VECTOR.GP, 0, TRAP_KIND.EXCEPTION, false, true);
      this.returnFailures = 0;
      return;
    }
    this.returnFailures = 0;
    state.rip = target;
    writeFlags(state, flags);
    regs[SLOT.RIP * 2] = ripLow;
    regs[SLOT.RIP * 2 + 1] = ripHigh;
    regs[SLOT.RFLAGS * 2] = flags;
    regs[SLOT.RFLAGS * 2 + 1] = 0;
  }

  // ---- control registers and system tables (the kernel's CPL 0 view) ----

  private cr2Low = 0;
  private cr2High = 0;

  /** CR0. Changing PG or WP flushes the TLB. */
  get cr0(): number {
    return this.state.cr0;
  }
  /**
   * Writes CR0 (kept as uint32). The TLB is flushed (every PCID, global
   * entries included) only when PG or WP changes: SDM vol 3A §4.10.4.1
   * lists clearing PG; WP changes what cached writable entries allow. A
   * CR0.TS toggle (lazy FPU switching, on every context switch) keeps it.
   */
  set cr0(value: number) {
    const previous = this.state.cr0;
    this.state.cr0 = value >>> 0;
    if (((previous ^ value) & (CR0_PG | CR0_WP)) !== 0) flushTlb(this.state, true);
    // A compiled block that goes on after a SYSCALL must not keep its CR0-based checks (SSE allowed): a new epoch stops it.
    else this.state.tlbEpoch++;
  }

  /** CR2: the last #PF address. */
  get cr2(): bigint {
    return (BigInt(this.cr2High) << 32n) | BigInt(this.cr2Low);
  }

  /** CR3. Writing it flushes non-global TLB entries. */
  get cr3(): bigint {
    return (BigInt(this.state.cr3High) << 32n) | BigInt(this.state.cr3Low);
  }
  /**
   * Writes CR3 (wrapped to 64 bits). Without CR4.PCIDE: flushes the
   * non-global TLB entries. With it: switches to the TLB context of the PCID
   * in bits 11:0, dropping its non-global entries unless bit 63 ("no
   * flush") is set; bit 63 is not stored (SDM vol 3A §4.10.4.1).
   */
  set cr3(value: bigint) {
    const wrapped = BigInt.asUintN(64, value);
    this.loadCr3(Number(wrapped & 0xffffffffn), Number(wrapped >> 32n));
  }

  /** MOV to CR3 with the operand as two unsigned 32-bit halves (the same rules as {@link cr3}, no bigint). */
  loadCr3(low: number, high: number): void {
    const state = this.state;
    state.cr3Low = low >>> 0;
    if ((state.cr4 & CR4_PCIDE) === 0) {
      state.cr3High = high >>> 0;
      flushTlb(state, false);
      return;
    }
    state.cr3High = (high & 0x7fffffff) >>> 0;
    switchTlbContext(state, low & 0xfff, (high & 0x80000000) !== 0);
  }

  /** CR4. Writing it flushes the whole TLB (PGE changes included). */
  get cr4(): number {
    return this.state.cr4;
  }
  /** Writes CR4 (kept as uint32) and flushes the whole TLB (every PCID context). */
  set cr4(value: number) {
    this.state.cr4 = value >>> 0;
    flushTlb(this.state, true);
    // With PCIDs off, everything runs in PCID 0 again.
    if ((value & CR4_PCIDE) === 0 && this.state.tlbPcid !== 0) switchTlbContext(this.state, 0, false);
  }

  /** IA32_EFER (also through `msrs`). */
  get efer(): number {
    return this.state.efer;
  }

  /** INVPCID (types in tlb-contexts.ts): 0 one address of `pcid`, 1 all of `pcid`, 2 everything, 3 everything but global pages. */
  invpcid(type: number, pcid: number, address: bigint): void {
    invalidatePcid(this.state, type, pcid & 0xfff, Number(BigInt.asUintN(48, address)));
  }

  /** INVLPG. */
  invlpg(address: bigint): void {
    const linear = Number(BigInt.asUintN(48, address));
    invalidatePage(this.state, linear);
  }

  /** LIDT: `base` is a linear (virtual) address, `limit` the last valid byte offset. */
  setIdtr(base: bigint, limit: number): void {
    this.idtBase = Number(BigInt.asIntN(64, base));
    this.idtLimit = limit & 0xffff;
  }

  /** SIDT. */
  get idtr(): {
    /** IDT linear base address (unsigned 64-bit). */
    base: bigint;
    /** IDT limit: offset of its last valid byte (16 bits). */
    limit: number;
  } {
    return { base: BigInt.asUintN(64, BigInt(this.idtBase)), limit: this.idtLimit };
  }
}

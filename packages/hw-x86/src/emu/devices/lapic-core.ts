/**
 * The interrupt state machine of a local APIC (Intel SDM vol 3 ch. 11):
 * IRR/ISR/TMR, priorities, acceptance of bus messages, EOI, errors, the LVT
 * and the timer. {@link Lapic} adds the register interfaces (xAPIC MMIO page,
 * MSRs) on top; the split only keeps files small.
 *
 * Scheme (SDM vol 3 §11.8): accepted fixed interrupts set their IRR bit (and
 * TMR for level-triggered ones). The CPU sees an interrupt when the highest
 * IRR vector's priority class (bits 7:4) is above the PPR's class, where
 * PPR = TPR if TPR[7:4] ≥ ISRV[7:4], else ISRV[7:4]:0 (ISRV = highest ISR
 * vector). Acknowledging moves the vector from IRR to ISR; EOI clears the
 * highest ISR bit and, when its TMR bit is set, broadcasts the EOI to the
 * IOAPIC. A vector can thus be pending once in IRR and once in ISR; more
 * arrivals collapse (SDM vol 3 §11.8.4). The deliverable vector is cached
 * until IRR, ISR or TPR change, so the CPU's per-instruction check is cheap.
 *
 * - Software-disabled (SVR bit 8 clear): LVT masks are forced on, fixed and
 *   lowest-priority messages are refused, IRR/ISR keep their bits, NMI, INIT
 *   and SIPI still arrive (SDM vol 3 §11.4.7.2). Globally disabled
 *   (IA32_APIC_BASE.EN clear): every message is refused.
 * - SMI and ExtINT (no 8259 in this machine) are counted as unsupported and dropped.
 * - INIT resets every register except the APIC ID (and IA32_APIC_BASE) and
 *   then calls `onInit`; STARTUP records its vector and calls `onStartup`.
 *   Whether the CPU is in wait-for-SIPI is the machine's concern.
 */
import { DELIVERY_MODE } from "../../arch/apic-fields";
import {
  ESR,
  LAPIC_ID_SHIFT,
  LOGICAL_DESTINATION,
  lapicIdRegister,
  SVR,
  TPR,
} from "../../arch/lapic-registers";
import { APIC_BASE } from "../../arch/msr";
import type { IrqLine } from "../../interfaces/irq-line";
import type { CpuInterruptSource } from "../cpu-interrupt-source";
import type { ApicBus, ApicBusTarget } from "./apic-bus";
import { arbitrationPriority, deliverableVector, processorPriority } from "./apic-priority";
import { LapicTimer } from "./lapic-timer";
import { createLapicStats, type LapicOptions, type LapicStats } from "./lapic-types";
import { LapicVectorTable, LVT_INDEX } from "./lapic-vector-table";
import { x2apicLogicalId } from "./lapic-x2apic";
import { createVectorSet, vectorSetAdd, vectorSetDelete, vectorSetHas, vectorSetHighest } from "./vector-set";

const FIRST_LEGAL_VECTOR = 16;
/** Deliverable-vector cache marker: recompute. */
const STALE = -2;
const TPR_MASK = TPR.CLASS_MASK | TPR.SUBCLASS_MASK;
/** xAPIC cluster model: cluster in destination bits 7:4 (15 = all clusters), members in 3:0 (SDM vol 3 §11.6.2.2). */
const ALL_CLUSTERS = 0xf;
const CLUSTER_MEMBER_MASK = 0xf;
/** x2APIC logical destinations: cluster in bits 31:16, members in 15:0 (SDM vol 3 §11.12.10.2). */
const X2APIC_CLUSTER_SHIFT = 16;
const X2APIC_MEMBER_MASK = 0xffff;

/** The interrupt logic of one LAPIC; see the file header. Construct {@link Lapic}, not this. */
export abstract class LapicCore implements CpuInterruptSource, ApicBusTarget {
  /** Event counts (messages accepted and refused, EOIs, IPIs, spurious acknowledges). */
  readonly stats: LapicStats = createLapicStats();
  /** Interrupt request, in-service and trigger-mode registers (8 × uint32 each); read-only to callers. */
  readonly irr = createVectorSet();
  /** In-service register: vectors the CPU acknowledged and no EOI has retired yet (read-only to callers). */
  readonly isr = createVectorSet();
  /** Trigger-mode register: set for vectors accepted as level-triggered (read-only to callers). */
  readonly tmr = createVectorSet();
  /** The timer (register accesses arrive through the MMIO table, IA32_TSC_DEADLINE through the MSR methods). */
  readonly timer: LapicTimer;
  /** The local vector table (timer, thermal, performance, LINT0, LINT1, error). */
  readonly lvt: LapicVectorTable;
  /** The LINT0 input pin (behaviour set by LVT entry LINT0). */
  readonly lint0: IrqLine;
  /** The LINT1 input pin (behaviour set by LVT entry LINT1). */
  readonly lint1: IrqLine;

  /** Register state, shared with the register table and the MSR interface. */
  readonly state = {
    /** ID register: the APIC ID in bits 31:24 (read-only to the guest). */
    id: 0,
    /** Task-priority register, bits 7:0. */
    tpr: 0,
    /** Logical destination register (xAPIC: logical ID in bits 31:24; x2APIC: derived from the APIC ID). */
    ldr: 0,
    /** Destination format register: model in bits 31:28, other bits read 1. */
    dfr: 0,
    /** Spurious-interrupt vector register (vector, APIC software enable, focus check disable). */
    svr: 0,
    /** Error status register as last latched by an ESR write. */
    esr: 0,
    /** Error bits recorded since the last ESR write; the next write latches them into `esr`. */
    pendingErrors: 0,
    /** Interrupt command register, bits 31:0 (writing it sends the IPI). */
    icrLow: 0,
    /** Interrupt command register, bits 63:32 (the destination). */
    icrHigh: 0,
    /** IA32_APIC_BASE bits 31:0 (page base, EN, EXTD, BSP). */
    apicBaseLow: 0,
    /** IA32_APIC_BASE bits 63:32 (high part of the page base). */
    apicBaseHigh: 0,
  };
  /** The bus the LAPIC sends IPIs and EOI broadcasts on, and receives messages from. */
  protected readonly bus: ApicBus;
  private nmiPending = false;
  private cachedDeliverable = STALE;
  private readonly onInit: ((apicId: number) => void) | undefined;
  private readonly onStartup: ((apicId: number, vector: number) => void) | undefined;

  protected constructor(options: LapicOptions) {
    this.bus = options.bus;
    this.onInit = options.onInit;
    this.onStartup = options.onStartup;
    this.state.id = lapicIdRegister(options.apicId);
    const bsp = (options.bootstrapProcessor ?? options.apicId === 0) ? APIC_BASE.BSP : 0;
    this.state.apicBaseLow = APIC_BASE.DEFAULT_BASE | APIC_BASE.EN | bsp;
    this.timer = new LapicTimer(options.clock, options.cyclesPerTimerTick ?? 1, () =>
      this.lvt.fire(LVT_INDEX.TIMER),
    );
    this.lvt = new LapicVectorTable(this, this.timer);
    this.lint0 = this.lvt.pin(LVT_INDEX.LINT0);
    this.lint1 = this.lvt.pin(LVT_INDEX.LINT1);
    this.resetRegisters();
  }

  /** The APIC ID (ID register bits 31:24). */
  get apicId(): number {
    return this.state.id >>> LAPIC_ID_SHIFT;
  }

  /** IA32_APIC_BASE.EN: the APIC is globally enabled (a disabled one ignores messages and MMIO). */
  get globallyEnabled(): boolean {
    return (this.state.apicBaseLow & APIC_BASE.EN) !== 0;
  }

  /** IA32_APIC_BASE EN and EXTD: registers are MSRs 0x800–0x8FF and the MMIO page is off. */
  get x2apicMode(): boolean {
    return (this.state.apicBaseLow & (APIC_BASE.EN | APIC_BASE.EXTD)) === (APIC_BASE.EN | APIC_BASE.EXTD);
  }

  /** True when SVR bit 8 (APIC software enable) is set. */
  get softwareEnabled(): boolean {
    return (this.state.svr & SVR.APIC_ENABLE) !== 0;
  }

  // ---- CpuInterruptSource ----------------------------------------------------

  /** True if the highest IRR vector's class is above the PPR's class. */
  hasPending(): boolean {
    return this.deliverable() >= 0;
  }

  /** INTA: moves the highest deliverable vector from IRR to ISR, or returns the spurious vector. */
  acknowledge(): number {
    const vector = this.deliverable();
    if (vector < 0) {
      this.stats.spurious++;
      return this.state.svr & SVR.VECTOR_MASK;
    }
    vectorSetDelete(this.irr, vector);
    vectorSetAdd(this.isr, vector);
    this.cachedDeliverable = STALE;
    return vector;
  }

  /** The deliverable vector or -1, cached until IRR, ISR or TPR change (the CPU asks between instructions). */
  private deliverable(): number {
    if (this.cachedDeliverable === STALE) {
      this.cachedDeliverable = deliverableVector(this.state.tpr, this.irr, this.isr);
    }
    return this.cachedDeliverable;
  }

  /** True if an NMI is waiting for the CPU (NMIs bypass IRR and RFLAGS.IF). */
  hasPendingNmi(): boolean {
    return this.nmiPending;
  }

  /** Takes the pending NMI; returns `false` if there was none. */
  acknowledgeNmi(): boolean {
    const was = this.nmiPending;
    this.nmiPending = false;
    return was;
  }

  // ---- priorities ------------------------------------------------------------

  /** PPR (SDM vol 3 §11.8.3.1). */
  processorPriority(): number {
    return processorPriority(this.state.tpr, this.isr);
  }

  /** APR, used for lowest-priority arbitration (SDM vol 3 §11.8.3.1). */
  arbitrationPriority(): number {
    return arbitrationPriority(this.state.tpr, this.irr, this.isr);
  }

  // ---- the bus side ----------------------------------------------------------

  /** Logical destination match with the LDR under the DFR model (SDM vol 3 §11.6.2.2). */
  matchesLogical(destination: number): boolean {
    if (this.x2apicMode) {
      const ldr = this.state.ldr;
      const sameCluster = ldr >>> X2APIC_CLUSTER_SHIFT === destination >>> X2APIC_CLUSTER_SHIFT;
      return sameCluster && (ldr & destination & X2APIC_MEMBER_MASK) !== 0;
    }
    const logicalId = this.state.ldr >>> LAPIC_ID_SHIFT;
    if ((this.state.dfr & LOGICAL_DESTINATION.DFR_MODEL_MASK) === LOGICAL_DESTINATION.DFR_MODEL_FLAT)
      return (logicalId & destination) !== 0;
    const cluster = destination >>> 4;
    if (cluster !== ALL_CLUSTERS && cluster !== logicalId >>> 4) return false;
    return (logicalId & destination & CLUSTER_MEMBER_MASK) !== 0;
  }

  /** Accepts a message from the bus or a local source; see {@link ApicBusTarget.accept}. */
  accept(deliveryMode: number, vector: number, levelTriggered: boolean): boolean {
    if (!this.globallyEnabled) {
      this.stats.refusedWhileDisabled++;
      return false;
    }
    switch (deliveryMode) {
      case DELIVERY_MODE.FIXED:
      case DELIVERY_MODE.LOWEST_PRIORITY:
        return this.acceptFixed(vector, levelTriggered);
      case DELIVERY_MODE.NMI:
        this.stats.nmisReceived++;
        this.nmiPending = true;
        return true;
      case DELIVERY_MODE.INIT:
        this.stats.initsReceived++;
        this.resetRegisters();
        this.onInit?.(this.apicId);
        return true;
      case DELIVERY_MODE.STARTUP:
        this.stats.startupsReceived++;
        this.stats.lastStartupVector = vector;
        this.onStartup?.(this.apicId, vector);
        return true;
      default:
        this.stats.unsupported++;
        return false;
    }
  }

  private acceptFixed(vector: number, levelTriggered: boolean): boolean {
    if (!this.softwareEnabled) {
      this.stats.refusedWhileDisabled++;
      return false;
    }
    if (vector < FIRST_LEGAL_VECTOR) {
      this.signalError(ESR.RECEIVE_ILLEGAL_VECTOR);
      return true;
    }
    vectorSetAdd(this.irr, vector);
    this.cachedDeliverable = STALE;
    if (levelTriggered) vectorSetAdd(this.tmr, vector);
    else vectorSetDelete(this.tmr, vector);
    this.stats.accepted++;
    return true;
  }

  /** Records an APIC error; a newly set bit raises the LVT error interrupt unless masked. */
  signalError(bit: number): void {
    if ((this.state.pendingErrors & bit) !== 0) return;
    this.state.pendingErrors |= bit;
    this.lvt.fire(LVT_INDEX.ERROR);
  }

  // ---- register behaviour (called by the register table) ----------------------

  /** EOI register write: retires the highest in-service vector. */
  endOfInterrupt(): void {
    const vector = vectorSetHighest(this.isr);
    if (vector < 0) {
      this.stats.strayEndOfInterrupts++;
      return;
    }
    vectorSetDelete(this.isr, vector);
    this.cachedDeliverable = STALE;
    this.stats.endOfInterrupts++;
    if (!vectorSetHas(this.tmr, vector)) return;
    this.lvt.endOfInterrupt(vector);
    this.bus.broadcastEoi(vector);
  }

  /** TPR write: bits 7:0 (SDM vol 3 §11.8.3.1). */
  writeTaskPriority(value: number): void {
    this.state.tpr = value & TPR_MASK;
    this.cachedDeliverable = STALE;
  }

  /** SVR write: a cleared enable bit masks every LVT entry. */
  writeSpuriousVector(value: number): void {
    this.state.svr = value & (SVR.VECTOR_MASK | SVR.APIC_ENABLE | SVR.FOCUS_CHECK_DISABLE);
    if (!this.softwareEnabled) this.lvt.maskAll();
  }

  /** ESR write: latches the errors seen since the last write and clears them (SDM vol 3 §11.5.3). */
  writeErrorStatus(): void {
    this.state.esr = this.state.pendingErrors;
    this.state.pendingErrors = 0;
  }

  /** Power-up state of every register except the APIC ID and IA32_APIC_BASE (INIT, global enable changes). */
  resetToPowerUp(): void {
    this.resetRegisters();
  }

  /** Power-up / INIT state of every register except the APIC ID (SDM vol 3 §11.4.7.1). */
  private resetRegisters(): void {
    const state = this.state;
    state.tpr = 0;
    state.ldr = 0;
    state.dfr = LOGICAL_DESTINATION.DFR_RESET_VALUE;
    state.svr = SVR.RESET_VALUE;
    state.esr = 0;
    state.pendingErrors = 0;
    state.icrLow = 0;
    state.icrHigh = 0;
    this.irr.fill(0);
    this.isr.fill(0);
    this.tmr.fill(0);
    this.cachedDeliverable = STALE;
    this.nmiPending = false;
    this.timer.reset();
    this.lvt.reset();
    if (this.x2apicMode) state.ldr = x2apicLogicalId(this.apicId);
  }
}

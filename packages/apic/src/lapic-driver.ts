/**
 * Driver for one CPU's local APIC in xAPIC mode, over its MMIO page:
 * bring-up, the fast EOI, task priority, error status, and IPIs through the
 * interrupt command register (ICR).
 *
 * Invariants:
 * - {@link LapicDriver.endOfInterrupt} is exactly one 32-bit write of 0 to
 *   the EOI register and nothing else (SDM vol 3A §10.8.5): no read, no
 *   bookkeeping. Statistics belong to the dispatcher.
 * - Every ICR send first waits, for at most `icrPollLimit` reads, for the
 *   delivery-status bit (ICR bit 12) to clear; if it never does, nothing is
 *   written, `false` is returned and `icrTimeouts` counts it. Then ICR_HIGH
 *   (destination) is written before ICR_LOW, whose write sends
 *   (SDM vol 3A §10.6.1).
 * - IPI methods allocate nothing. Bring-up allocates its result.
 * - Only xAPIC MMIO is driven; the x2APIC MSR interface is not implemented.
 *
 * Source: Intel SDM vol 3A chapter 10: §10.4.7 (enabling), §10.5.1 (LVT),
 * §10.5.3 (ESR: write before read), §10.6.1 (ICR), §10.8.3.1 (TPR),
 * §10.9 (SVR, spurious interrupts).
 */
import {
  APIC_FIELD,
  DELIVERY_MODE,
  encodeIcrHigh,
  encodeIcrLowFast,
  ICR_SHORTHAND,
  LAPIC,
  LVT_RESET_VALUE,
  lapicIdFromRegister,
  lapicMaxLvtEntry,
  lapicVersion,
  type MmioRegion,
  SVR,
  TPR,
} from "@tsos/hw-x86";
import { APIC_ERROR, type ApicResult, apicFail, apicOk } from "./errors";

/** Options of {@link LapicDriver.bringUp}. */
export interface LapicBringUpOptions {
  /** Spurious-interrupt vector written to SVR bits 7:0 (default 0xFF). */
  readonly spuriousVector?: number;
  /** Vector of the LVT error interrupt (default 0xFE). */
  readonly errorVector?: number;
  /** Initial TPR (default 0: accept every priority class). */
  readonly taskPriority?: number;
}

/** What bring-up found. */
export interface LapicInfo {
  /** APIC ID (ID register bits 31:24). */
  readonly apicId: number;
  /** Version register bits 7:0. */
  readonly version: number;
  /** Number of LVT entries (max LVT entry + 1). */
  readonly lvtEntries: number;
  /** ESR bits latched during bring-up (errors from before it; normally 0). */
  readonly errorsBeforeBringUp: number;
  /** The spurious vector now in SVR. */
  readonly spuriousVector: number;
}

/** Default spurious vector: 0xFF (its low nibble is 1s, as P6-era APICs require; SDM vol 3A §10.9). */
export const DEFAULT_SPURIOUS_VECTOR = 0xff;
/** Default LVT error vector. */
export const DEFAULT_ERROR_VECTOR = 0xfe;
/** Default bound on ICR delivery-status polls before a send gives up. */
export const DEFAULT_ICR_POLL_LIMIT = 1000;

const ALL_ONES = 0xffffffff;
/** LVT entries present when max LVT entry ≥ 4 (perf), ≥ 5 (thermal), ≥ 6 (CMCI); SDM vol 3A §10.5.1. */
const MAX_LVT_WITH_PERF = 4;
const MAX_LVT_WITH_THERMAL = 5;
const MAX_LVT_WITH_CMCI = 6;
const FIRST_LEGAL_IPI_VECTOR = 16;
const VECTOR_LIMIT = 256;
const APIC_ID_LIMIT = 256;
const INIT_LOW = encodeIcrLowFast(0, DELIVERY_MODE.INIT, ICR_SHORTHAND.NONE, false, true, false);

/** Counters of one {@link LapicDriver} (plain numbers; one writer, the owning CPU). */
export interface LapicDriverCounters {
  /** ICR writes that sent a message. */
  ipisSent: number;
  /** Sends abandoned because the ICR stayed busy for the whole poll bound. */
  icrTimeouts: number;
}

/** One CPU's local APIC; see the file header. */
export class LapicDriver {
  /** Send counters. */
  readonly counters: LapicDriverCounters = { ipisSent: 0, icrTimeouts: 0 };
  private readonly icrPollLimit: number;

  /**
   * @param mmio the LAPIC's register page (offsets from the APIC base).
   * @param icrPollLimit reads of ICR_LOW before a send is abandoned.
   */
  constructor(
    readonly mmio: MmioRegion,
    icrPollLimit: number = DEFAULT_ICR_POLL_LIMIT,
  ) {
    this.icrPollLimit = Math.max(1, icrPollLimit | 0);
  }

  /**
   * Brings the LAPIC up: checks it answers, sets TPR, masks every LVT entry
   * the version register announces, software-enables it with the spurious
   * vector, unmasks the error LVT with its vector, and clears ESR.
   */
  bringUp(options: LapicBringUpOptions = {}): ApicResult<LapicInfo> {
    const spuriousVector = options.spuriousVector ?? DEFAULT_SPURIOUS_VECTOR;
    const errorVector = options.errorVector ?? DEFAULT_ERROR_VECTOR;
    for (const vector of [spuriousVector, errorVector]) {
      if (!(vector >= FIRST_LEGAL_IPI_VECTOR && vector < VECTOR_LIMIT && Number.isInteger(vector)))
        return apicFail(APIC_ERROR.INVALID_VECTOR, `LAPIC vector ${vector} is not in 16..255`);
    }
    const versionRegister = this.mmio.read32(LAPIC.VERSION);
    if (versionRegister === ALL_ONES) {
      return apicFail(
        APIC_ERROR.LAPIC_NOT_RESPONDING,
        "the LAPIC version register reads all-ones: the APIC is globally disabled (IA32_APIC_BASE.EN), in x2APIC mode, or not mapped here",
      );
    }
    const maxLvt = lapicMaxLvtEntry(versionRegister);
    this.setTaskPriority(options.taskPriority ?? 0);
    this.maskLocalVectors(maxLvt);
    this.mmio.write32(LAPIC.SVR, SVR.APIC_ENABLE | (spuriousVector & SVR.VECTOR_MASK));
    this.mmio.write32(LAPIC.LVT_ERROR, errorVector & APIC_FIELD.VECTOR_MASK);
    const errorsBeforeBringUp = this.readErrorStatus();
    return apicOk({
      apicId: this.apicId(),
      version: lapicVersion(versionRegister),
      lvtEntries: maxLvt + 1,
      errorsBeforeBringUp,
      spuriousVector,
    });
  }

  /** Fast EOI: one 32-bit write of 0 to the EOI register, nothing else (SDM vol 3A §10.8.5). */
  endOfInterrupt(): void {
    this.mmio.write32(LAPIC.EOI, 0);
  }

  /** The APIC ID from the ID register. */
  apicId(): number {
    return lapicIdFromRegister(this.mmio.read32(LAPIC.ID));
  }

  /** Sets TPR bits 7:0: interrupts of priority class ≤ bits 7:4 are held pending (SDM vol 3A §10.8.3.1). */
  setTaskPriority(priority: number): void {
    this.mmio.write32(LAPIC.TPR, priority & (TPR.CLASS_MASK | TPR.SUBCLASS_MASK));
  }

  /** The current TPR. */
  taskPriority(): number {
    return this.mmio.read32(LAPIC.TPR);
  }

  /** Latches and returns the ESR: a write, then a read (SDM vol 3A §10.5.3). Bits are `ESR` values. */
  readErrorStatus(): number {
    this.mmio.write32(LAPIC.ESR, 0);
    return this.mmio.read32(LAPIC.ESR);
  }

  /** Waits (bounded) until ICR delivery status reads idle; `true` when idle. */
  waitForIcrIdle(): boolean {
    for (let poll = 0; poll < this.icrPollLimit; poll++) {
      if ((this.mmio.read32(LAPIC.ICR_LOW) & APIC_FIELD.DELIVERY_STATUS) === 0) return true;
    }
    return false;
  }

  /**
   * Sends one ICR command: waits for idle, writes `high` then `low`.
   * Returns `false` (nothing written, `icrTimeouts` counted) if the ICR stayed busy.
   */
  sendIcr(high: number, low: number): boolean {
    if (!this.waitForIcrIdle()) {
      this.counters.icrTimeouts++;
      return false;
    }
    this.mmio.write32(LAPIC.ICR_HIGH, high);
    this.mmio.write32(LAPIC.ICR_LOW, low);
    this.counters.ipisSent++;
    return true;
  }

  /** Fixed, edge, physical-destination IPI with `vector` (16–255) to APIC ID `apicId`; `false` if refused or busy. */
  sendFixedIpi(apicId: number, vector: number): boolean {
    if (!isIpiVector(vector) || !isApicId(apicId)) return false;
    return this.sendIcr(
      encodeIcrHigh(apicId),
      encodeIcrLowFast(vector, DELIVERY_MODE.FIXED, ICR_SHORTHAND.NONE, false, true, false),
    );
  }

  /**
   * Fixed IPI with `vector` to a destination shorthand: {@link ICR_SHORTHAND}
   * SELF, ALL_INCLUDING_SELF or ALL_EXCLUDING_SELF. `false` if refused or busy.
   */
  broadcastIpi(vector: number, shorthand: number): boolean {
    if (!isIpiVector(vector) || shorthand === ICR_SHORTHAND.NONE) return false;
    if (shorthand !== (shorthand & ICR_SHORTHAND.ALL_EXCLUDING_SELF)) return false;
    return this.sendIcr(0, encodeIcrLowFast(vector, DELIVERY_MODE.FIXED, shorthand, false, true, false));
  }

  /** INIT IPI (level assert, edge) to `apicId`; `false` if refused or busy. */
  sendInit(apicId: number): boolean {
    if (!isApicId(apicId)) return false;
    return this.sendIcr(encodeIcrHigh(apicId), INIT_LOW);
  }

  /** STARTUP IPI to `apicId`: the AP starts in real mode at `startPage` × 4 KiB (SDM vol 3A §10.6.1). */
  sendStartup(apicId: number, startPage: number): boolean {
    if (!isApicId(apicId) || !(startPage >= 0 && startPage < VECTOR_LIMIT)) return false;
    return this.sendIcr(
      encodeIcrHigh(apicId),
      encodeIcrLowFast(startPage, DELIVERY_MODE.STARTUP, ICR_SHORTHAND.NONE, false, true, false),
    );
  }

  /** Masks every LVT entry the version register announces (`maxLvt` = max LVT entry). */
  private maskLocalVectors(maxLvt: number): void {
    this.mmio.write32(LAPIC.LVT_TIMER, LVT_RESET_VALUE);
    if (maxLvt >= MAX_LVT_WITH_THERMAL) this.mmio.write32(LAPIC.LVT_THERMAL, LVT_RESET_VALUE);
    if (maxLvt >= MAX_LVT_WITH_PERF) this.mmio.write32(LAPIC.LVT_PERF, LVT_RESET_VALUE);
    this.mmio.write32(LAPIC.LVT_LINT0, LVT_RESET_VALUE);
    this.mmio.write32(LAPIC.LVT_LINT1, LVT_RESET_VALUE);
    this.mmio.write32(LAPIC.LVT_ERROR, LVT_RESET_VALUE);
    if (maxLvt >= MAX_LVT_WITH_CMCI) this.mmio.write32(LAPIC.LVT_CMCI, LVT_RESET_VALUE);
  }
}

/** True for a vector a fixed IPI may carry (16–255; lower ones set ESR "send illegal vector"). */
function isIpiVector(vector: number): boolean {
  return vector >= FIRST_LEGAL_IPI_VECTOR && vector < VECTOR_LIMIT && (vector | 0) === vector;
}

/** True for an 8-bit xAPIC ID (0xFF, the broadcast ID, included). */
function isApicId(apicId: number): boolean {
  return apicId >= 0 && apicId < APIC_ID_LIMIT && (apicId | 0) === apicId;
}

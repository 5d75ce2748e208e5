/**
 * The local APIC timer (Intel SDM vol 3 §11.5.4): one-shot, periodic and
 * TSC-deadline modes, driven by the machine {@link Clock}.
 *
 * Scheme: nothing is decremented per tick. While counting, the timer keeps
 * `baseCycle` (when the count was `countAtBase`); the current count is derived
 * from `clock.now()`, and one Clock event is scheduled for the next expiry.
 * A timer tick lasts `divisor × cyclesPerTick` cycles, where the divisor
 * comes from the divide configuration register and `cyclesPerTick` is the
 * timer's input clock period in Clock cycles (1 by default: the timer input
 * runs at the TSC rate).
 *
 * TSC-deadline mode: the deadline is compared with the TSC, which this model
 * takes to be `clock.now()`. On expiry the timer fires once and clears the
 * deadline; writing 0 disarms it; in this mode the initial count is ignored
 * and the current count reads 0 (SDM vol 3 §11.5.4.1).
 *
 * Invariants:
 * - At most one Clock event is pending (`eventHandle !== 0` iff armed).
 * - A write of 0 to the initial count stops one-shot and periodic counting.
 * - Any change of timer mode disarms the timer (SDM vol 3 §11.5.4.1).
 * - Periodic expiries are computed from the previous expiry, not from the
 *   time the event ran, so late event processing does not drift the period.
 */

import { LVT_TIMER_MODE } from "../../arch/lapic-lvt";
import { TIMER_DIVIDE, timerDivisor } from "../../arch/lapic-registers";
import type { Clock } from "../../interfaces/clock";

const TWO_POW_32 = 4294967296;
/** Deadlines whose high half exceeds this are beyond 2^53 cycles: treated as never reached. */
const MAX_SAFE_HIGH = 0x1fffff;

/** The LAPIC timer; the owning LAPIC forwards its register accesses here. */
export class LapicTimer {
  private mode: number = LVT_TIMER_MODE.ONE_SHOT;
  private initialCount = 0;
  private divideConfiguration = 0;
  private divisor = 2;
  private counting = false;
  private baseCycle = 0;
  private countAtBase = 0;
  private expiryCycle = 0;
  private eventHandle = 0;
  private deadlineLow = 0;
  private deadlineHigh = 0;
  private readonly onExpiry: (firedAt: number) => void;

  /**
   * @param clock the machine's virtual time.
   * @param cyclesPerTick Clock cycles per timer input tick (before the divider); positive (a host bug otherwise: throws `RangeError`).
   * @param fire called at each expiry; the LAPIC raises the LVT timer interrupt unless masked.
   */
  constructor(
    private readonly clock: Clock,
    private readonly cyclesPerTick: number,
    private readonly fire: () => void,
  ) {
    if (!(cyclesPerTick > 0 && Number.isFinite(cyclesPerTick))) {
      throw new RangeError(`LapicTimer: cyclesPerTick ${cyclesPerTick} is not a positive finite number`);
    }
    this.onExpiry = (firedAt) => this.expire(firedAt);
  }

  /** Applies the LVT timer mode (bits 18:17 value); a change disarms the timer. */
  setMode(mode: number): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.disarm();
    this.initialCount = 0;
    this.deadlineLow = 0;
    this.deadlineHigh = 0;
  }

  /** Back to the power-up state: one-shot, count 0, divide by 2, disarmed. */
  reset(): void {
    this.disarm();
    this.mode = LVT_TIMER_MODE.ONE_SHOT;
    this.initialCount = 0;
    this.divideConfiguration = 0;
    this.divisor = 2;
    this.deadlineLow = 0;
    this.deadlineHigh = 0;
  }

  /** Initial count register (0x380) value. */
  readInitialCount(): number {
    return this.initialCount;
  }

  /** Writes the initial count: (re)starts counting from it, or stops on 0; ignored in TSC-deadline mode. */
  writeInitialCount(value: number): void {
    if (this.mode === LVT_TIMER_MODE.TSC_DEADLINE) return;
    this.disarm();
    this.initialCount = value >>> 0;
    if (this.initialCount === 0) return;
    this.startCounting(this.clock.now(), this.initialCount);
  }

  /** Current count register (0x390): derived from virtual time; 0 when stopped or in TSC-deadline mode. */
  readCurrentCount(): number {
    if (!this.counting) return 0;
    const elapsed = Math.floor((this.clock.now() - this.baseCycle) / this.tickCycles());
    if (elapsed < this.countAtBase) return this.countAtBase - elapsed;
    if (this.mode !== LVT_TIMER_MODE.PERIODIC) return 0;
    return this.initialCount - ((elapsed - this.countAtBase) % this.initialCount);
  }

  /** Divide configuration register (0x3E0) value. */
  readDivideConfiguration(): number {
    return this.divideConfiguration;
  }

  /** Writes the divide configuration; a running count continues from its current value at the new rate. */
  writeDivideConfiguration(value: number): void {
    this.divideConfiguration = value & TIMER_DIVIDE.MASK;
    const wasCounting = this.counting && this.mode !== LVT_TIMER_MODE.TSC_DEADLINE;
    const current = wasCounting ? this.readCurrentCount() : 0;
    this.divisor = timerDivisor(this.divideConfiguration);
    if (!wasCounting) return;
    this.disarm();
    if (current > 0) this.startCounting(this.clock.now(), current);
  }

  /** IA32_TSC_DEADLINE low half as `rdmsr` returns it (0 once fired or disarmed). */
  readDeadlineLow(): number {
    return this.deadlineLow;
  }

  /** IA32_TSC_DEADLINE high half. */
  readDeadlineHigh(): number {
    return this.deadlineHigh;
  }

  /**
   * `wrmsr IA32_TSC_DEADLINE`: arms (non-zero) or disarms (zero) the timer in
   * TSC-deadline mode. In other modes the value is stored but arms nothing,
   * as the SDM specifies.
   */
  writeDeadline(low: number, high: number): void {
    this.deadlineLow = low >>> 0;
    this.deadlineHigh = high >>> 0;
    if (this.mode !== LVT_TIMER_MODE.TSC_DEADLINE) return;
    this.disarm();
    if (this.deadlineLow === 0 && this.deadlineHigh === 0) return;
    if (this.deadlineHigh > MAX_SAFE_HIGH) return;
    this.counting = true;
    this.expiryCycle = this.deadlineHigh * TWO_POW_32 + this.deadlineLow;
    this.eventHandle = this.clock.schedule(Math.max(this.expiryCycle, this.clock.now()), this.onExpiry);
  }

  /** True while an expiry is scheduled. */
  get armed(): boolean {
    return this.eventHandle !== 0;
  }

  private tickCycles(): number {
    return this.divisor * this.cyclesPerTick;
  }

  private startCounting(at: number, count: number): void {
    this.counting = true;
    this.baseCycle = at;
    this.countAtBase = count;
    this.expiryCycle = at + Math.ceil(count * this.tickCycles());
    this.eventHandle = this.clock.schedule(this.expiryCycle, this.onExpiry);
  }

  private disarm(): void {
    if (this.eventHandle !== 0) this.clock.cancel(this.eventHandle);
    this.eventHandle = 0;
    this.counting = false;
  }

  private expire(_firedAt: number): void {
    this.eventHandle = 0;
    if (this.mode === LVT_TIMER_MODE.PERIODIC) {
      this.startCounting(this.expiryCycle, this.initialCount);
    } else {
      this.counting = false;
      if (this.mode === LVT_TIMER_MODE.TSC_DEADLINE) {
        this.deadlineLow = 0;
        this.deadlineHigh = 0;
      }
    }
    this.fire();
  }
}

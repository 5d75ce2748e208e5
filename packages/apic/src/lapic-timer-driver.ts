/**
 * The LAPIC timer of one CPU: periodic, one-shot and TSC-deadline ticks
 * (Intel SDM vol 3A §10.5.4).
 *
 * - Periodic / one-shot: divide configuration, then the LVT timer entry
 *   (vector, mode, unmasked), then the initial count, whose write starts
 *   counting. Re-arming a one-shot is one write of the initial count.
 * - TSC-deadline: the LVT timer entry in mode 2, then each tick is one
 *   `wrmsr IA32_TSC_DEADLINE` through {@link MsrAccess.writeHalves} (no
 *   bigint). The SDM asks for a serializing step between the LVT write and
 *   the first deadline write on hardware (MFENCE); MMIO and MSR calls here
 *   are synchronous, so program order already holds.
 *
 * Latency bookkeeping: with an {@link AssertionRecorder} and this CPU's id,
 * every TSC-deadline arm announces the exact assertion cycle (the deadline),
 * and every one-shot arm announces an estimate (now + count × divisor × TSC
 * cycles per timer input tick, from calibration; needs a clock). Periodic
 * ticks announce nothing: their latency is counted as unknown.
 *
 * Invariants: arm methods allocate nothing and return `false` instead of
 * throwing; configuration methods return an {@link ApicResult}.
 */
import {
  type Clock,
  encodeLvtTimer,
  encodeTimerDivide,
  LAPIC,
  LVT_TIMER_MODE,
  type MmioRegion,
  MSR,
  type MsrAccess,
} from "@tsos/hw-x86";
import { APIC_ERROR, type ApicResult, apicFail, apicOk } from "./errors";
import type { AssertionRecorder } from "./interrupt-statistics";
import type { TimerCalibration } from "./timer-calibration";

/** Construction parameters of a {@link LapicTimerDriver}. */
export interface LapicTimerDriverOptions {
  /** MSR access of this CPU (needed for TSC-deadline mode). */
  readonly msrs?: MsrAccess;
  /** This CPU's id, for latency announcements. */
  readonly cpu?: number;
  /** Receives assertion times (the dispatcher's statistics). */
  readonly recorder?: AssertionRecorder;
  /** Virtual time (= TSC), for one-shot assertion estimates. */
  readonly clock?: Clock;
  /** Calibration result, for one-shot assertion estimates. */
  readonly calibration?: TimerCalibration;
}

const TWO_POW_32 = 4294967296;
const MAX_COUNT = 0xffffffff;
const FIRST_TIMER_VECTOR = 16;
const VECTOR_LIMIT = 256;
const MAX_SAFE_HIGH = 0x1fffff;
const MODE_STOPPED = -1;

/** One CPU's LAPIC timer; see the file header. */
export class LapicTimerDriver {
  private mode = MODE_STOPPED;
  private vector = 0;
  private divisor = 2;
  private readonly msrs: MsrAccess | null;
  private readonly cpu: number;
  private readonly recorder: AssertionRecorder | null;
  private readonly clock: Clock | null;
  private readonly tscCyclesPerInputTick: number;

  constructor(
    readonly lapic: MmioRegion,
    options: LapicTimerDriverOptions = {},
  ) {
    this.msrs = options.msrs ?? null;
    this.cpu = options.cpu ?? 0;
    this.recorder = options.cpu === undefined ? null : (options.recorder ?? null);
    this.clock = options.clock ?? null;
    const calibration = options.calibration;
    this.tscCyclesPerInputTick =
      calibration && calibration.tscHz > 0 ? calibration.tscHz / calibration.timerInputHz : Number.NaN;
  }

  /** The active {@link LVT_TIMER_MODE}, or -1 when stopped. */
  get activeMode(): number {
    return this.mode;
  }

  /** Starts periodic ticks of `vector` every `initialCount` timer ticks at `divisor`. */
  startPeriodic(vector: number, initialCount: number, divisor: number): ApicResult<number> {
    const checked = this.configure(vector, LVT_TIMER_MODE.PERIODIC, divisor);
    if (!checked.ok) return checked;
    if (!isCount(initialCount)) return badSetting(`initial count ${initialCount} is not in 1..2^32-1`);
    this.lapic.write32(LAPIC.TIMER_INITIAL_COUNT, initialCount);
    return apicOk(initialCount);
  }

  /** Programs one-shot mode with `vector` at `divisor`; each {@link armOneShot} then fires once. */
  configureOneShot(vector: number, divisor: number): ApicResult<number> {
    return this.configure(vector, LVT_TIMER_MODE.ONE_SHOT, divisor);
  }

  /** One-shot: fires after `count` timer ticks (restarts a running count). `false` if not in one-shot mode or a bad count. */
  armOneShot(count: number): boolean {
    if (this.mode !== LVT_TIMER_MODE.ONE_SHOT || !isCount(count)) return false;
    this.lapic.write32(LAPIC.TIMER_INITIAL_COUNT, count);
    const clock = this.clock;
    if (this.recorder !== null && clock !== null && this.tscCyclesPerInputTick > 0) {
      const cycles = Math.ceil(count * this.divisor * this.tscCyclesPerInputTick);
      this.recorder.noteAssertion(this.cpu, this.vector, clock.now() + cycles);
    }
    return true;
  }

  /**
   * Programs TSC-deadline mode with `vector`. The caller checks CPUID first
   * (`requireTscDeadline`); fails when no `MsrAccess` was given.
   */
  enableTscDeadline(vector: number): ApicResult<number> {
    if (this.msrs === null)
      return apicFail(APIC_ERROR.MSR_REFUSED, "TSC-deadline mode needs MsrAccess for IA32_TSC_DEADLINE");
    if (!isVector(vector))
      return apicFail(APIC_ERROR.INVALID_VECTOR, `timer vector ${vector} is not 16..255`);
    this.lapic.write32(LAPIC.LVT_TIMER, encodeLvtTimer(vector, LVT_TIMER_MODE.TSC_DEADLINE, false));
    this.mode = LVT_TIMER_MODE.TSC_DEADLINE;
    this.vector = vector;
    return apicOk(vector);
  }

  /** Arms the deadline at TSC = `high`:`low` (0:0 disarms). `false` if not in TSC-deadline mode or the wrmsr was refused. */
  armDeadline(low: number, high: number): boolean {
    if (this.mode !== LVT_TIMER_MODE.TSC_DEADLINE) return false;
    if (!this.msrs!.writeHalves(MSR.TSC_DEADLINE, low, high)) return false;
    if (this.recorder !== null && (low | high) !== 0 && high <= MAX_SAFE_HIGH)
      this.recorder.noteAssertion(this.cpu, this.vector, high * TWO_POW_32 + (low >>> 0));
    return true;
  }

  /** Arms the deadline at TSC cycle `cycle` (a non-negative integer below 2^53). */
  armDeadlineAt(cycle: number): boolean {
    const high = Math.floor(cycle / TWO_POW_32);
    return this.armDeadline(cycle - high * TWO_POW_32, high);
  }

  /** Stops the timer: LVT masked, initial count 0, deadline cleared in TSC-deadline mode. */
  stop(): void {
    if (this.mode === LVT_TIMER_MODE.TSC_DEADLINE) this.msrs!.writeHalves(MSR.TSC_DEADLINE, 0, 0);
    this.lapic.write32(LAPIC.LVT_TIMER, encodeLvtTimer(this.vector, LVT_TIMER_MODE.ONE_SHOT, true));
    this.lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 0);
    this.mode = MODE_STOPPED;
  }

  /** The current count register (0 when stopped or in TSC-deadline mode). */
  currentCount(): number {
    return this.lapic.read32(LAPIC.TIMER_CURRENT_COUNT);
  }

  private configure(vector: number, mode: number, divisor: number): ApicResult<number> {
    if (!isVector(vector))
      return apicFail(APIC_ERROR.INVALID_VECTOR, `timer vector ${vector} is not 16..255`);
    const divideCode = encodeTimerDivide(divisor);
    if (divideCode < 0) return badSetting(`timer divisor ${divisor} is not 1, 2, 4, ..., 128`);
    this.lapic.write32(LAPIC.TIMER_DIVIDE, divideCode);
    this.lapic.write32(LAPIC.LVT_TIMER, encodeLvtTimer(vector, mode, false));
    this.mode = mode;
    this.vector = vector;
    this.divisor = divisor;
    return apicOk(vector);
  }
}

function isVector(vector: number): boolean {
  return Number.isInteger(vector) && vector >= FIRST_TIMER_VECTOR && vector < VECTOR_LIMIT;
}

function isCount(count: number): boolean {
  return Number.isInteger(count) && count >= 1 && count <= MAX_COUNT;
}

function badSetting<T>(message: string): ApicResult<T> {
  return apicFail(APIC_ERROR.INVALID_TIMER_SETTING, message);
}

/**
 * One counter of the 8254 programmable interval timer (Intel 8254 datasheet),
 * counting the 1.193182 MHz PIT clock derived from virtual time.
 *
 * Scheme: no per-tick work. While counting, the channel knows when it
 * started (`startCycle`) and how many PIT ticks had elapsed before that
 * (`ticksBefore`, from earlier gate-high periods); the count, OUT and the
 * next OUT rising edge are computed from the Clock. A channel with an output
 * {@link IrqLine} (channel 0 → IRQ 0) schedules one Clock event per rising edge.
 *
 * Modes (datasheet "Operation"): 0 interrupt on terminal count (OUT low,
 * high after N ticks, stays high; the count wraps and keeps going), 2 rate
 * generator (period N, OUT low during the tick the count is 1), 3 square wave
 * (OUT high ⌈N/2⌉ ticks, low ⌊N/2⌋ ticks; the count steps by 2), 4 software
 * strobe (one OUT low tick after N ticks). 6 and 7 alias 2 and 3. Modes 1
 * and 5 (gate-triggered) are not implemented: the channel does not count and
 * `unsupportedMode` is set.
 *
 * Simplifications, deliberate: a count takes effect at the write (no extra
 * load tick; in modes 2 and 3 a new count restarts the period instead of
 * waiting for the current one to end); the IRQ line follows OUT in mode 0 and
 * gets one pulse per rising edge of OUT in the periodic modes; odd counts in
 * mode 3 read back as the even count below them.
 *
 * Invariants: at most one Clock event pending per channel; counts are in
 * [1, 65536] (10000 in BCD); nothing throws.
 */
import type { Clock } from "../../interfaces/clock";
import type { IrqLine } from "../../interfaces/irq-line";

/** The PIT input clock (8254 on PC: 14.31818 MHz / 12). */
export const PIT_FREQUENCY_HZ = 1_193_182;

/** Counter modes (8254 datasheet, control word bits 3:1). */
export const PIT_MODE = {
  /** Mode 0: OUT goes high after N ticks and stays high. */
  INTERRUPT_ON_TERMINAL_COUNT: 0,
  /** Mode 1: gate-triggered one-shot (not emulated). */
  HARDWARE_ONE_SHOT: 1,
  /** Mode 2: periodic, OUT low for one tick every N ticks. */
  RATE_GENERATOR: 2,
  /** Mode 3: periodic square wave of period N. */
  SQUARE_WAVE: 3,
  /** Mode 4: one OUT low tick after N ticks. */
  SOFTWARE_STROBE: 4,
  /** Mode 5: gate-triggered strobe (not emulated). */
  HARDWARE_STROBE: 5,
} as const;

const BINARY_RANGE = 0x10000;
const BCD_RANGE = 10000;

/** PIT ticks in `cycles` Clock cycles, exact below 2^53 without overflow. */
export function pitTicksIn(cycles: number, frequencyHz: number): number {
  const seconds = Math.floor(cycles / frequencyHz);
  const rest = cycles - seconds * frequencyHz;
  return seconds * PIT_FREQUENCY_HZ + Math.floor((rest * PIT_FREQUENCY_HZ) / frequencyHz);
}

/** Clock cycles until `ticks` PIT ticks have elapsed (rounded up). */
export function cyclesForPitTicks(ticks: number, frequencyHz: number): number {
  const seconds = Math.floor(ticks / PIT_FREQUENCY_HZ);
  const rest = ticks - seconds * PIT_FREQUENCY_HZ;
  return Math.ceil(seconds * frequencyHz + (rest * frequencyHz) / PIT_FREQUENCY_HZ);
}

/** One 8254 counter; the {@link Pit} decodes ports and forwards here. */
export class PitChannel {
  /** Programmed counter mode, a {@link PIT_MODE} value (6 and 7 stored as 2 and 3). */
  mode = 0;
  /** BCD counting (control word bit 0): counts are 4 BCD digits. */
  bcd = false;
  /** Count N in effect (1–65536), 0 before the first count is written. */
  reload = 0;
  /** True between a control word and the count that completes it (status bit 6). */
  nullCount = true;
  /** Mode 1 or 5 was programmed: not emulated. */
  unsupportedMode = false;
  private gate = true;
  private counting = false;
  private startCycle = 0;
  private ticksBefore = 0;
  private eventHandle = 0;
  private readonly onEdge: (firedAt: number) => void;

  constructor(
    private readonly clock: Clock,
    private readonly output: IrqLine | null,
  ) {
    this.onEdge = () => this.edge();
  }

  /** A control word selected `mode`: stops counting until a count is written. */
  program(mode: number, bcd: boolean): void {
    this.stop();
    this.mode = mode > PIT_MODE.HARDWARE_STROBE ? mode & 3 : mode;
    this.bcd = bcd;
    this.reload = 0;
    this.nullCount = true;
    this.unsupportedMode = this.mode === PIT_MODE.HARDWARE_ONE_SHOT || this.mode === PIT_MODE.HARDWARE_STROBE;
    if (this.mode === PIT_MODE.INTERRUPT_ON_TERMINAL_COUNT) this.output?.lower();
  }

  /** A complete count was written (raw register value; 0 means the maximum). */
  load(raw: number): void {
    this.stop();
    this.reload = raw === 0 ? (this.bcd ? BCD_RANGE : BINARY_RANGE) : this.bcd ? fromBcd(raw) : raw;
    this.nullCount = false;
    if (this.unsupportedMode) return;
    if (this.mode === PIT_MODE.INTERRUPT_ON_TERMINAL_COUNT) this.output?.lower();
    this.ticksBefore = 0;
    if (this.gate) this.start();
  }

  /** Gate input (channel 2: port 0x61 bit 0; channels 0 and 1 are tied high). */
  setGate(high: boolean): void {
    if (high === this.gate) return;
    this.gate = high;
    if (this.reload === 0 || this.unsupportedMode) return;
    const periodic = this.mode === PIT_MODE.RATE_GENERATOR || this.mode === PIT_MODE.SQUARE_WAVE;
    if (!high) {
      this.ticksBefore = this.elapsedTicks(); // the count holds while the gate is low
      this.stop();
    } else {
      if (periodic) this.ticksBefore = 0;
      this.start();
    }
  }

  /** The counting element's value as a read would see it (BCD-encoded in BCD mode). */
  currentCount(): number {
    if (this.reload === 0 || this.unsupportedMode) return 0;
    const elapsed = this.elapsedTicks();
    const n = this.reload;
    let value: number;
    switch (this.mode) {
      case PIT_MODE.RATE_GENERATOR:
        value = n - (elapsed % n);
        break;
      case PIT_MODE.SQUARE_WAVE: {
        const high = Math.ceil(n / 2);
        const phase = elapsed % n;
        value = (n & ~1) - 2 * (phase < high ? phase : phase - high);
        if (value <= 0) value = 2;
        break;
      }
      default: {
        const range = this.bcd ? BCD_RANGE : BINARY_RANGE;
        value = (((n - elapsed) % range) + range) % range;
      }
    }
    return this.bcd ? toBcd(value % BCD_RANGE) : value & 0xffff;
  }

  /** The OUT pin now. */
  out(): boolean {
    if (this.reload === 0 || this.unsupportedMode) return this.mode !== PIT_MODE.INTERRUPT_ON_TERMINAL_COUNT;
    const elapsed = this.elapsedTicks();
    const n = this.reload;
    switch (this.mode) {
      case PIT_MODE.INTERRUPT_ON_TERMINAL_COUNT:
        return elapsed >= n;
      case PIT_MODE.RATE_GENERATOR:
        return !this.gate || elapsed % n !== n - 1;
      case PIT_MODE.SQUARE_WAVE:
        return !this.gate || elapsed % n < Math.ceil(n / 2);
      default:
        return elapsed !== n;
    }
  }

  private elapsedTicks(): number {
    if (!this.counting) return this.ticksBefore;
    return this.ticksBefore + pitTicksIn(this.clock.now() - this.startCycle, this.clock.frequencyHz);
  }

  private start(): void {
    this.counting = true;
    this.startCycle = this.clock.now();
    this.scheduleNextEdge();
  }

  private stop(): void {
    this.counting = false;
    if (this.eventHandle !== 0) this.clock.cancel(this.eventHandle);
    this.eventHandle = 0;
  }

  /** Schedules the next rising edge of OUT, if this channel drives a line and one is ahead. */
  private scheduleNextEdge(): void {
    if (this.output === null) return;
    const elapsed = this.elapsedTicks();
    const n = this.reload;
    let edge: number;
    if (this.mode === PIT_MODE.RATE_GENERATOR || this.mode === PIT_MODE.SQUARE_WAVE) {
      edge = (Math.floor(elapsed / n) + 1) * n;
    } else if (elapsed < n) {
      edge = n;
    } else {
      return;
    }
    const at = this.startCycle + cyclesForPitTicks(edge - this.ticksBefore, this.clock.frequencyHz);
    this.eventHandle = this.clock.schedule(at, this.onEdge);
  }

  private edge(): void {
    this.eventHandle = 0;
    if (this.mode === PIT_MODE.INTERRUPT_ON_TERMINAL_COUNT) {
      this.output?.raise();
      return;
    }
    this.output?.pulse();
    if (this.mode === PIT_MODE.RATE_GENERATOR || this.mode === PIT_MODE.SQUARE_WAVE) this.scheduleNextEdge();
  }
}

/** BCD → binary for a 4-digit BCD count. */
export function fromBcd(value: number): number {
  return (
    ((value >>> 12) & 0xf) * 1000 + ((value >>> 8) & 0xf) * 100 + ((value >>> 4) & 0xf) * 10 + (value & 0xf)
  );
}

/** Binary (0–9999) → 4-digit BCD. */
export function toBcd(value: number): number {
  return (
    (Math.floor(value / 1000) << 12) |
    ((Math.floor(value / 100) % 10) << 8) |
    ((Math.floor(value / 10) % 10) << 4) |
    (value % 10)
  );
}

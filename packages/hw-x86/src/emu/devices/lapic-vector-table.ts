/**
 * The local vector table of a LAPIC (Intel SDM vol 3 §11.5.1): timer,
 * thermal, performance-counter, LINT0, LINT1 and error entries, and the two
 * LINT input pins.
 *
 * Scheme: `fire(index)` turns a local event into a message for the owning
 * LAPIC according to the entry (vector, delivery mode, mask). LINT pins are
 * {@link IrqLine}s: an edge-triggered entry fires on each transition to the
 * asserted level (high, or low when the polarity bit is set); a
 * level-triggered fixed entry fires while asserted and sets remote IRR until
 * the LAPIC's EOI for its vector, then fires again if still asserted.
 *
 * Invariants:
 * - Writes keep only each entry's writable bits; delivery status reads 0
 *   (delivery is synchronous) and remote IRR is read-only.
 * - While the LAPIC is software-disabled every mask bit is set and cannot be
 *   cleared (SDM vol 3 §11.4.7.2).
 * - The thermal and performance entries are stored and readable, but this
 *   machine has no thermal sensor or counter overflow, so they never fire.
 */

import { APIC_FIELD, DELIVERY_MODE } from "../../arch/apic-fields";
import { applyLvtWrite, LVT, LVT_RESET_VALUE, LVT_WRITABLE } from "../../arch/lapic-lvt";
import type { IrqLine } from "../../interfaces/irq-line";

/** Indices of the LVT entries, in register order from 0x320. */
export const LVT_INDEX = {
  /** LVT timer register (0x320). */
  TIMER: 0,
  /** LVT thermal sensor register (0x330). */
  THERMAL: 1,
  /** LVT performance monitoring counters register (0x340). */
  PERFORMANCE: 2,
  /** LVT LINT0 register (0x350). */
  LINT0: 3,
  /** LVT LINT1 register (0x360). */
  LINT1: 4,
  /** LVT error register (0x370). */
  ERROR: 5,
} as const;

/** Number of LVT entries (max LVT entry in the version register + 1). */
export const LVT_COUNT = 6;

const WRITABLE = [
  LVT_WRITABLE.TIMER,
  LVT_WRITABLE.WITH_DELIVERY_MODE,
  LVT_WRITABLE.WITH_DELIVERY_MODE,
  LVT_WRITABLE.LINT,
  LVT_WRITABLE.LINT,
  LVT_WRITABLE.ERROR,
] as const;

const RESERVED_TIMER_MODE = 3;

/** What the vector table needs from its LAPIC. */
export interface LvtOwner {
  /** SVR bit 8 (APIC software enable); while false, writes cannot clear LVT mask bits. */
  readonly softwareEnabled: boolean;
  /** Accepts a local interrupt as a message with the given delivery mode. */
  accept(deliveryMode: number, vector: number, levelTriggered: boolean): boolean;
}

/** What the vector table needs from the timer. */
export interface LvtTimerControl {
  /** Applies the timer mode from LVT timer bits 18:17 (`LVT_TIMER_MODE`). */
  setMode(mode: number): void;
}

/** The six LVT entries and the LINT pins of one LAPIC. */
export class LapicVectorTable {
  /** Raw entry values, indexed by {@link LVT_INDEX}. */
  readonly entries = new Uint32Array(LVT_COUNT);
  private readonly pinLevels = new Uint8Array(LVT_COUNT);

  constructor(
    private readonly owner: LvtOwner,
    private readonly timer: LvtTimerControl,
  ) {
    this.entries.fill(LVT_RESET_VALUE);
  }

  /** Power-up state: every entry masked, timer mode one-shot. Pin levels are wires and keep their state. */
  reset(): void {
    this.entries.fill(LVT_RESET_VALUE);
  }

  /** Sets every mask bit (the LAPIC was software-disabled). */
  maskAll(): void {
    for (let index = 0; index < LVT_COUNT; index++)
      this.entries[index] = this.entries[index]! | APIC_FIELD.MASKED;
  }

  /** Register read. */
  read(index: number): number {
    return this.entries[index]!;
  }

  /** Register write; see the file header for which bits stick. */
  write(index: number, value: number): void {
    const previous = this.entries[index]!;
    let entry = applyLvtWrite(previous, value, WRITABLE[index]!, this.owner.softwareEnabled);
    if (
      index === LVT_INDEX.TIMER &&
      (entry & LVT.TIMER_MODE_MASK) >>> LVT.TIMER_MODE_SHIFT === RESERVED_TIMER_MODE
    ) {
      entry = ((entry & ~LVT.TIMER_MODE_MASK) | (previous & LVT.TIMER_MODE_MASK)) >>> 0;
    }
    this.entries[index] = entry;
    if (index === LVT_INDEX.TIMER) {
      this.timer.setMode((entry & LVT.TIMER_MODE_MASK) >>> LVT.TIMER_MODE_SHIFT);
    } else if (index === LVT_INDEX.LINT0 || index === LVT_INDEX.LINT1) {
      this.evaluateLevel(index);
    }
  }

  /** The current timer mode (`LVT_TIMER_MODE`). */
  timerMode(): number {
    return (this.entries[LVT_INDEX.TIMER]! & LVT.TIMER_MODE_MASK) >>> LVT.TIMER_MODE_SHIFT;
  }

  /** A local event for entry `index`: delivers it unless masked. Returns `true` if the LAPIC accepted it. */
  fire(index: number): boolean {
    const entry = this.entries[index]!;
    if ((entry & APIC_FIELD.MASKED) !== 0) return false;
    const hasDeliveryMode = index !== LVT_INDEX.TIMER && index !== LVT_INDEX.ERROR;
    const mode = hasDeliveryMode
      ? (entry & APIC_FIELD.DELIVERY_MODE_MASK) >>> APIC_FIELD.DELIVERY_MODE_SHIFT
      : DELIVERY_MODE.FIXED;
    const level = this.isLevelFixed(index, entry);
    return this.owner.accept(mode, entry & APIC_FIELD.VECTOR_MASK, level);
  }

  /** The LAPIC retired level-triggered `vector`: clears a LINT remote IRR and re-fires if still asserted. */
  endOfInterrupt(vector: number): void {
    this.retireLevel(LVT_INDEX.LINT0, vector);
    this.retireLevel(LVT_INDEX.LINT1, vector);
  }

  private retireLevel(index: number, vector: number): void {
    const entry = this.entries[index]!;
    if ((entry & APIC_FIELD.REMOTE_IRR) === 0 || (entry & APIC_FIELD.VECTOR_MASK) !== vector) return;
    this.entries[index] = entry & ~APIC_FIELD.REMOTE_IRR;
    this.evaluateLevel(index);
  }

  /** The {@link IrqLine} driving pin LINT0 or LINT1. */
  pin(index: number): IrqLine {
    return {
      raise: () => this.setPinLevel(index, 1),
      lower: () => this.setPinLevel(index, 0),
      pulse: () => {
        this.setPinLevel(index, 1);
        this.setPinLevel(index, 0);
      },
    };
  }

  private setPinLevel(index: number, level: number): void {
    if (this.pinLevels[index] === level) return;
    this.pinLevels[index] = level;
    const entry = this.entries[index]!;
    if (this.isLevelFixed(index, entry)) this.evaluateLevel(index);
    else if (this.isAsserted(index, entry)) this.fire(index);
  }

  private isAsserted(index: number, entry: number): boolean {
    const activeLow = (entry & APIC_FIELD.POLARITY_LOW) !== 0;
    return (this.pinLevels[index] === 1) !== activeLow;
  }

  private isLevelFixed(index: number, entry: number): boolean {
    if (index !== LVT_INDEX.LINT0 && index !== LVT_INDEX.LINT1) return false;
    const mode = (entry & APIC_FIELD.DELIVERY_MODE_MASK) >>> APIC_FIELD.DELIVERY_MODE_SHIFT;
    return (entry & APIC_FIELD.TRIGGER_LEVEL) !== 0 && mode === DELIVERY_MODE.FIXED;
  }

  private evaluateLevel(index: number): void {
    const entry = this.entries[index]!;
    if (!this.isLevelFixed(index, entry) || (entry & (APIC_FIELD.REMOTE_IRR | APIC_FIELD.MASKED)) !== 0)
      return;
    if (!this.isAsserted(index, entry)) return;
    if (this.fire(index)) this.entries[index] = this.entries[index]! | APIC_FIELD.REMOTE_IRR;
  }
}

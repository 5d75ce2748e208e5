/**
 * Local vector table (LVT) entries of the LAPIC: timer, CMCI, LINT0/1,
 * error, performance and thermal. Field constants, the writable mask of each
 * entry kind, timer modes, and encode/decode helpers.
 *
 * Layout (one 32-bit register each): vector 7:0, delivery mode 10:8 (not in
 * the timer and error entries), delivery status 12 (read-only), polarity 13,
 * remote IRR 14 (read-only) and trigger mode 15 (LINT0/1 only), mask 16,
 * timer mode 18:17 (timer only). Other bits are reserved.
 *
 * Invariants:
 * - Every entry reads {@link LVT_RESET_VALUE} (masked) after reset and after
 *   the APIC is software-disabled.
 * - A register write keeps only the bits in {@link LVT_WRITABLE} for its kind;
 *   read-only bits come from the APIC's own state.
 *
 * Source: Intel SDM vol 3A §10.5.1 (fig. 10-8), §10.5.4 (timer modes).
 */
import { APIC_FIELD } from "./apic-fields";

/** LVT-specific fields beyond {@link APIC_FIELD} (Intel SDM vol 3A §10.5.1, fig. 10-8). */
export const LVT = {
  /** Timer mode, bits 18:17 of the LVT timer entry (values in {@link LVT_TIMER_MODE}). */
  TIMER_MODE_MASK: 0x60000,
  /** Shift of the timer-mode field. */
  TIMER_MODE_SHIFT: 17,
} as const;

/** Timer modes, bits 18:17 of LVT timer (Intel SDM vol 3A §10.5.4, fig. 10-8). */
export const LVT_TIMER_MODE = {
  /** Count down once from the initial count, then stop. */
  ONE_SHOT: 0,
  /** Reload the initial count and count down again each time it reaches 0. */
  PERIODIC: 1,
  /** Fire when the TSC reaches IA32_TSC_DEADLINE (needs CPUID.01H:ECX.TSC_Deadline). */
  TSC_DEADLINE: 2,
} as const;

/** One of the {@link LVT_TIMER_MODE} values (3 is reserved). */
export type LvtTimerMode = (typeof LVT_TIMER_MODE)[keyof typeof LVT_TIMER_MODE];

/** LVT entry value after reset: only the mask bit set (Intel SDM vol 3A §10.4.7.1). */
export const LVT_RESET_VALUE = APIC_FIELD.MASKED;

/** Bits software can write in each kind of LVT entry; all others are read-only or reserved (SDM vol 3A fig. 10-8). */
export const LVT_WRITABLE = {
  /** Timer: vector, mask, timer mode. */
  TIMER: APIC_FIELD.VECTOR_MASK | APIC_FIELD.MASKED | LVT.TIMER_MODE_MASK,
  /** LINT0 / LINT1: vector, delivery mode, polarity, trigger mode, mask. */
  LINT:
    APIC_FIELD.VECTOR_MASK |
    APIC_FIELD.DELIVERY_MODE_MASK |
    APIC_FIELD.POLARITY_LOW |
    APIC_FIELD.TRIGGER_LEVEL |
    APIC_FIELD.MASKED,
  /** Error: vector, mask. */
  ERROR: APIC_FIELD.VECTOR_MASK | APIC_FIELD.MASKED,
  /** CMCI, thermal, performance: vector, delivery mode, mask. */
  WITH_DELIVERY_MODE: APIC_FIELD.VECTOR_MASK | APIC_FIELD.DELIVERY_MODE_MASK | APIC_FIELD.MASKED,
} as const;

/** Read-only LVT bits the APIC itself sets: delivery status (12) and remote IRR (14). */
export const LVT_READ_ONLY = APIC_FIELD.DELIVERY_STATUS | APIC_FIELD.REMOTE_IRR;

/** Every field of an LVT entry (see {@link decodeLvt} / {@link encodeLvt}). */
export interface LvtEntry {
  /** Vector, 0–255. */
  readonly vector: number;
  /** Delivery mode (a `DELIVERY_MODE` value); 0 for timer and error entries. */
  readonly deliveryMode: number;
  /** Delivery status (read-only): an interrupt is pending delivery. */
  readonly sendPending: boolean;
  /** Input pin polarity (LINT only): true = active low. */
  readonly activeLow: boolean;
  /** Remote IRR (LINT only, read-only): a level-triggered interrupt is in service. */
  readonly remoteIrr: boolean;
  /** Trigger mode (LINT only): true = level. */
  readonly levelTriggered: boolean;
  /** Mask: true = inhibited. */
  readonly masked: boolean;
  /** Timer mode (timer only; an {@link LVT_TIMER_MODE} value, 3 = reserved). */
  readonly timerMode: number;
}

/** Decodes an LVT register value of any kind (cold path: allocates). */
export function decodeLvt(value: number): LvtEntry {
  return {
    vector: value & APIC_FIELD.VECTOR_MASK,
    deliveryMode: (value & APIC_FIELD.DELIVERY_MODE_MASK) >>> APIC_FIELD.DELIVERY_MODE_SHIFT,
    sendPending: (value & APIC_FIELD.DELIVERY_STATUS) !== 0,
    activeLow: (value & APIC_FIELD.POLARITY_LOW) !== 0,
    remoteIrr: (value & APIC_FIELD.REMOTE_IRR) !== 0,
    levelTriggered: (value & APIC_FIELD.TRIGGER_LEVEL) !== 0,
    masked: (value & APIC_FIELD.MASKED) !== 0,
    timerMode: lvtTimerMode(value),
  };
}

/**
 * Encodes an LVT register value; missing fields are 0/false. Fields that do
 * not exist for a given entry kind are the caller's to leave out (the APIC
 * drops them through {@link LVT_WRITABLE}). Inverse of {@link decodeLvt}.
 */
export function encodeLvt(fields: Partial<LvtEntry>): number {
  let value = (fields.vector ?? 0) & APIC_FIELD.VECTOR_MASK;
  value |= ((fields.deliveryMode ?? 0) << APIC_FIELD.DELIVERY_MODE_SHIFT) & APIC_FIELD.DELIVERY_MODE_MASK;
  if (fields.sendPending) value |= APIC_FIELD.DELIVERY_STATUS;
  if (fields.activeLow) value |= APIC_FIELD.POLARITY_LOW;
  if (fields.remoteIrr) value |= APIC_FIELD.REMOTE_IRR;
  if (fields.levelTriggered) value |= APIC_FIELD.TRIGGER_LEVEL;
  if (fields.masked) value |= APIC_FIELD.MASKED;
  value |= ((fields.timerMode ?? 0) << LVT.TIMER_MODE_SHIFT) & LVT.TIMER_MODE_MASK;
  return value >>> 0;
}

/** An LVT timer entry, allocation-free: `vector`, `mode` ({@link LVT_TIMER_MODE}), `masked`. */
export function encodeLvtTimer(vector: number, mode: number, masked: boolean): number {
  const maskBit = masked ? APIC_FIELD.MASKED : 0;
  return (
    ((vector & APIC_FIELD.VECTOR_MASK) | ((mode << LVT.TIMER_MODE_SHIFT) & LVT.TIMER_MODE_MASK) | maskBit) >>>
    0
  );
}

/** The timer-mode field (bits 18:17) of an LVT timer value. */
export function lvtTimerMode(value: number): number {
  return (value & LVT.TIMER_MODE_MASK) >>> LVT.TIMER_MODE_SHIFT;
}

/**
 * The register value after software writes `written` to an LVT entry whose
 * current value is `current`: writable bits (`writableMask`, one of
 * {@link LVT_WRITABLE}) come from `written`, read-only status bits are kept.
 * While the APIC is software-disabled (SVR bit 8 = 0) the mask bit stays set.
 */
export function applyLvtWrite(
  current: number,
  written: number,
  writableMask: number,
  apicEnabled: boolean,
): number {
  const merged = (written & writableMask) | (current & LVT_READ_ONLY);
  return (apicEnabled ? merged : merged | APIC_FIELD.MASKED) >>> 0;
}

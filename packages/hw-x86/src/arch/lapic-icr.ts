/**
 * The LAPIC interrupt command register (ICR), which sends IPIs: its fields,
 * destination shorthands, and encode/decode helpers for the two 32-bit
 * halves. In xAPIC mode software writes ICR_HIGH (destination) first, then
 * ICR_LOW; the write to ICR_LOW sends the IPI.
 *
 * Layout (Intel SDM vol 3A §10.6.1, fig. 10-12):
 * - low: vector 7:0, delivery mode 10:8, destination mode 11, delivery status
 *   12 (read-only), level 14, trigger mode 15, destination shorthand 19:18;
 *   bits 13, 17:16, 31:20 reserved.
 * - high: destination field in bits 31:24 (bits 63:56 of the 64-bit ICR);
 *   bits 23:0 reserved.
 *
 * Invariants: helpers return unsigned numbers; the fast encoder allocates
 * nothing. A write keeps only {@link ICR_LOW_WRITABLE} / {@link ICR_HIGH_WRITABLE}.
 */
import { APIC_FIELD, DELIVERY_MODE } from "./apic-fields";

/** ICR-specific fields beyond {@link APIC_FIELD} (Intel SDM vol 3A §10.6.1, fig. 10-12). */
export const ICR = {
  /** Destination shorthand, bits 19:18 of the low half (values in {@link ICR_SHORTHAND}). */
  SHORTHAND_MASK: 0xc0000,
  /** Shift of the shorthand field. */
  SHORTHAND_SHIFT: 18,
  /** Destination field, bits 31:24 of the high half (bits 63:56 of the ICR). */
  DESTINATION_MASK_HIGH: 0xff000000,
  /** Shift of the destination field within the high half. */
  DESTINATION_SHIFT_HIGH: 24,
} as const;

/** Destination shorthands, ICR bits 19:18 (Intel SDM vol 3A §10.6.1). */
export const ICR_SHORTHAND = {
  /** Use the destination field. */
  NONE: 0,
  /** The sending APIC only. */
  SELF: 1,
  /** All APICs including the sender. */
  ALL_INCLUDING_SELF: 2,
  /** All APICs except the sender (the usual INIT/SIPI broadcast). */
  ALL_EXCLUDING_SELF: 3,
} as const;

/** Low-half bits software writes (everything but delivery status and reserved bits; SDM vol 3A fig. 10-12). */
export const ICR_LOW_WRITABLE =
  APIC_FIELD.VECTOR_MASK |
  APIC_FIELD.DELIVERY_MODE_MASK |
  APIC_FIELD.DESTINATION_LOGICAL |
  APIC_FIELD.LEVEL_ASSERT |
  APIC_FIELD.TRIGGER_LEVEL |
  ICR.SHORTHAND_MASK;

/** High-half bits software writes: the destination field. */
export const ICR_HIGH_WRITABLE = ICR.DESTINATION_MASK_HIGH;

/** Every field of the ICR (see {@link decodeIcr} / {@link encodeIcrLow}). */
export interface IcrFields {
  /** Vector, 0–255 (the start page for a SIPI). */
  readonly vector: number;
  /** A `DELIVERY_MODE` value (3 and 7 are reserved in the ICR). */
  readonly deliveryMode: number;
  /** Destination mode: true = logical, false = physical. */
  readonly logicalDestination: boolean;
  /** Delivery status (read-only): the IPI has not been accepted yet. */
  readonly sendPending: boolean;
  /** Level: true = assert (false only for an INIT level de-assert). */
  readonly assert: boolean;
  /** Trigger mode: true = level. */
  readonly levelTriggered: boolean;
  /** An {@link ICR_SHORTHAND} value. */
  readonly shorthand: number;
  /** Destination APIC ID (physical) or logical destination mask (logical), 0–255. */
  readonly destination: number;
}

/**
 * Low half of the ICR, allocation-free: `vector`, `deliveryMode`,
 * `shorthand`, `logical` destination mode, level `assert`, `levelTriggered`.
 */
export function encodeIcrLowFast(
  vector: number,
  deliveryMode: number,
  shorthand: number,
  logical: boolean,
  assert: boolean,
  levelTriggered: boolean,
): number {
  let value = vector & APIC_FIELD.VECTOR_MASK;
  value |= (deliveryMode << APIC_FIELD.DELIVERY_MODE_SHIFT) & APIC_FIELD.DELIVERY_MODE_MASK;
  value |= (shorthand << ICR.SHORTHAND_SHIFT) & ICR.SHORTHAND_MASK;
  if (logical) value |= APIC_FIELD.DESTINATION_LOGICAL;
  if (assert) value |= APIC_FIELD.LEVEL_ASSERT;
  if (levelTriggered) value |= APIC_FIELD.TRIGGER_LEVEL;
  return value >>> 0;
}

/** Low half of the ICR from named fields; missing fields are 0/false (`assert` defaults to true). */
export function encodeIcrLow(fields: Partial<IcrFields>): number {
  const value = encodeIcrLowFast(
    fields.vector ?? 0,
    fields.deliveryMode ?? DELIVERY_MODE.FIXED,
    fields.shorthand ?? ICR_SHORTHAND.NONE,
    fields.logicalDestination ?? false,
    fields.assert ?? true,
    fields.levelTriggered ?? false,
  );
  return (fields.sendPending ? value | APIC_FIELD.DELIVERY_STATUS : value) >>> 0;
}

/** High half of the ICR: the 8-bit destination in bits 31:24. */
export function encodeIcrHigh(destination: number): number {
  return ((destination << ICR.DESTINATION_SHIFT_HIGH) & ICR.DESTINATION_MASK_HIGH) >>> 0;
}

/** Decodes the ICR from its halves (cold path: allocates). Inverse of {@link encodeIcrLow} + {@link encodeIcrHigh}. */
export function decodeIcr(low: number, high: number): IcrFields {
  return {
    vector: low & APIC_FIELD.VECTOR_MASK,
    deliveryMode: (low & APIC_FIELD.DELIVERY_MODE_MASK) >>> APIC_FIELD.DELIVERY_MODE_SHIFT,
    logicalDestination: (low & APIC_FIELD.DESTINATION_LOGICAL) !== 0,
    sendPending: (low & APIC_FIELD.DELIVERY_STATUS) !== 0,
    assert: (low & APIC_FIELD.LEVEL_ASSERT) !== 0,
    levelTriggered: (low & APIC_FIELD.TRIGGER_LEVEL) !== 0,
    shorthand: icrShorthand(low),
    destination: icrDestination(high),
  };
}

/** The shorthand field (bits 19:18) of the ICR low half. */
export function icrShorthand(low: number): number {
  return (low & ICR.SHORTHAND_MASK) >>> ICR.SHORTHAND_SHIFT;
}

/** The destination field (bits 31:24) of the ICR high half. */
export function icrDestination(high: number): number {
  return (high & ICR.DESTINATION_MASK_HIGH) >>> ICR.DESTINATION_SHIFT_HIGH;
}

/** Low half of a physical-mode, edge-triggered fixed IPI with `vector`; pair it with {@link encodeIcrHigh}(destination). */
export function fixedIpiLow(vector: number): number {
  return encodeIcrLowFast(vector, DELIVERY_MODE.FIXED, ICR_SHORTHAND.NONE, false, true, false);
}

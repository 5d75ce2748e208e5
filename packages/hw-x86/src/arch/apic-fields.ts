/**
 * Bit fields shared by the three interrupt-routing formats of the APIC
 * architecture: LAPIC LVT entries, the LAPIC ICR and IOAPIC redirection
 * entries. All three put the vector in bits 7:0, the delivery mode in 10:8,
 * the delivery status in bit 12 and the trigger mode in bit 15; LVT and
 * redirection entries also share polarity (13), remote IRR (14) and mask (16).
 *
 * Invariants: every constant is a non-negative number below 2^32 and names
 * the same bit in each format that has it; format-specific bits live in
 * `lapic-lvt.ts`, `lapic-icr.ts` and `ioapic-registers.ts`.
 *
 * Source: Intel SDM vol 3A §10.5.1 (LVT, fig. 10-8), §10.6.1 (ICR,
 * fig. 10-12); Intel 82093AA IOAPIC datasheet §3.2.4 (redirection table).
 */

/** Delivery modes, bits 10:8 (Intel SDM vol 3A §10.5.1, §10.6.1; 82093AA §3.2.4). */
export const DELIVERY_MODE = {
  /** Deliver the vector in bits 7:0. */
  FIXED: 0,
  /** Lowest priority among the destinations (ICR and IOAPIC only). */
  LOWEST_PRIORITY: 1,
  /** System management interrupt; the vector field must be 0. */
  SMI: 2,
  /** Non-maskable interrupt; the vector is ignored (vector 2 is used). */
  NMI: 4,
  /** INIT: reset the target to its wait-for-SIPI state; the vector is ignored. */
  INIT: 5,
  /** Start-up IPI (ICR only): the target starts real-mode code at vector * 0x1000. */
  STARTUP: 6,
  /** External interrupt: the vector comes from an 8259-compatible controller (LVT LINT and IOAPIC only). */
  EXTINT: 7,
} as const;

/** One of the {@link DELIVERY_MODE} values. */
export type DeliveryMode = (typeof DELIVERY_MODE)[keyof typeof DELIVERY_MODE];

/** Masks and shifts of the shared fields (Intel SDM vol 3A fig. 10-8 and 10-12; 82093AA §3.2.4). */
export const APIC_FIELD = {
  /** Interrupt vector, bits 7:0. */
  VECTOR_MASK: 0xff,
  /** Delivery mode, bits 10:8 (values in {@link DELIVERY_MODE}). */
  DELIVERY_MODE_MASK: 0x700,
  /** Shift of the delivery-mode field. */
  DELIVERY_MODE_SHIFT: 8,
  /** Destination mode, bit 11 (ICR, IOAPIC): 0 physical, 1 logical. */
  DESTINATION_LOGICAL: 0x800,
  /** Delivery status, bit 12 (read-only): 1 = send pending. */
  DELIVERY_STATUS: 0x1000,
  /** Input pin polarity, bit 13 (LVT LINT, IOAPIC): 1 = active low. */
  POLARITY_LOW: 0x2000,
  /** Remote IRR, bit 14 (LVT LINT, IOAPIC; read-only): a level interrupt was accepted and awaits EOI. */
  REMOTE_IRR: 0x4000,
  /** Level, bit 14 of the ICR: 1 = assert (0 = de-assert, only for INIT level de-assert). */
  LEVEL_ASSERT: 0x4000,
  /** Trigger mode, bit 15: 1 = level, 0 = edge. */
  TRIGGER_LEVEL: 0x8000,
  /** Mask, bit 16 (LVT, IOAPIC): 1 = interrupt inhibited. */
  MASKED: 0x10000,
} as const;

/** The vector field (bits 7:0) of an LVT entry, ICR low word or redirection entry low half. */
export function fieldVector(value: number): number {
  return value & APIC_FIELD.VECTOR_MASK;
}

/** The delivery-mode field (bits 10:8) of an LVT entry, ICR low word or redirection entry low half. */
export function fieldDeliveryMode(value: number): number {
  return (value & APIC_FIELD.DELIVERY_MODE_MASK) >>> APIC_FIELD.DELIVERY_MODE_SHIFT;
}

/** True if the mask bit (16) of an LVT entry or redirection entry low half is set. */
export function isFieldMasked(value: number): boolean {
  return (value & APIC_FIELD.MASKED) !== 0;
}

/** True if the trigger-mode bit (15) selects level triggering. */
export function isFieldLevelTriggered(value: number): boolean {
  return (value & APIC_FIELD.TRIGGER_LEVEL) !== 0;
}

/** Priority class of a vector or of TPR/PPR: bits 7:4 (Intel SDM vol 3A §10.8.3.1). */
export function priorityClass(vectorOrPriority: number): number {
  return (vectorOrPriority & APIC_FIELD.VECTOR_MASK) >>> 4;
}

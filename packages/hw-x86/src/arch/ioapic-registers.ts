/**
 * The I/O APIC: its two-register MMIO window, its indirect registers (ID,
 * version, arbitration, redirection table), and redirection-entry
 * encode/decode as two uint32 halves.
 *
 * Access protocol: write a register index to IOREGSEL (offset 0x00), then
 * read or write the 32-bit register through IOWIN (offset 0x10). Redirection
 * entry `n` is 64 bits: index 0x10 + 2n holds the low half, 0x11 + 2n the high.
 *
 * Redirection entry (82093AA §3.2.4): low = vector 7:0, delivery mode 10:8,
 * destination mode 11, delivery status 12 (read-only), polarity 13, remote
 * IRR 14 (read-only), trigger mode 15, mask 16; high = destination 63:56
 * (bits 31:24 of the high half). Other bits are reserved.
 *
 * Invariants: helpers return unsigned numbers; the fast encoders allocate
 * nothing. After reset every entry is masked ({@link REDIRECTION_RESET_LOW}).
 *
 * Source: Intel 82093AA I/O APIC datasheet §3.0–3.2 (register map, IOAPICID,
 * IOAPICVER, IOAPICARB, IOREDTBL).
 */
import { APIC_FIELD } from "./apic-fields";

/** IOAPIC MMIO offsets from its base (Intel 82093AA datasheet §3.0, table 2). */
export const IOAPIC_MMIO = {
  /** I/O register select: the index of the register IOWIN accesses (bits 7:0). */
  IOREGSEL: 0x00,
  /** I/O window: reads/writes the selected register. */
  IOWIN: 0x10,
} as const;

/** Default physical base of the first IOAPIC (82093AA §3.0; MP spec). */
export const IOAPIC_DEFAULT_BASE = 0xfec00000;
/** Bytes of MMIO the IOAPIC decodes (IOREGSEL and IOWIN, padded to 32 bytes). */
export const IOAPIC_MMIO_SIZE = 0x20;

/** Indirect register indices written to IOREGSEL (Intel 82093AA datasheet §3.1, table 3). */
export const IOAPIC_REGISTER = {
  /** IOAPICID: the IOAPIC's ID in bits 27:24. */
  ID: 0x00,
  /** IOAPICVER (read-only): version and max redirection entry. */
  VERSION: 0x01,
  /** IOAPICARB (read-only): arbitration ID in bits 27:24. */
  ARBITRATION: 0x02,
  /** First redirection-table register (entry 0, low half). */
  REDIRECTION_BASE: 0x10,
} as const;

/** IOAPICID / IOAPICARB field: ID in bits 27:24 (Intel 82093AA §3.2.1, §3.2.3). */
export const IOAPIC_ID = {
  /** Mask of the ID field. */
  MASK: 0xf000000,
  /** Shift of the ID field. */
  SHIFT: 24,
} as const;

/** IOAPICVER fields (Intel 82093AA §3.2.2). */
export const IOAPIC_VERSION = {
  /** Version, bits 7:0 (0x11 for the 82093AA, 0x20 for later PCH IOAPICs). */
  VERSION_MASK: 0xff,
  /** Maximum redirection entry, bits 23:16: entry count minus 1 (0x17 for 24 entries). */
  MAX_ENTRY_MASK: 0xff0000,
  /** Shift of the max-redirection-entry field. */
  MAX_ENTRY_SHIFT: 16,
} as const;

/** Redirection-entry fields beyond {@link APIC_FIELD} (Intel 82093AA §3.2.4). */
export const REDIRECTION = {
  /** Destination field, bits 31:24 of the high half (bits 63:56 of the entry). */
  DESTINATION_MASK_HIGH: 0xff000000,
  /** Shift of the destination field within the high half. */
  DESTINATION_SHIFT_HIGH: 24,
} as const;

/** Low-half bits software writes; delivery status (12) and remote IRR (14) are read-only (82093AA §3.2.4). */
export const REDIRECTION_LOW_WRITABLE =
  APIC_FIELD.VECTOR_MASK |
  APIC_FIELD.DELIVERY_MODE_MASK |
  APIC_FIELD.DESTINATION_LOGICAL |
  APIC_FIELD.POLARITY_LOW |
  APIC_FIELD.TRIGGER_LEVEL |
  APIC_FIELD.MASKED;

/** Read-only low-half bits the IOAPIC itself maintains (82093AA §3.2.4). */
export const REDIRECTION_LOW_READ_ONLY = APIC_FIELD.DELIVERY_STATUS | APIC_FIELD.REMOTE_IRR;

/** Low half of every redirection entry after reset: masked, everything else 0 (82093AA §3.2.4). */
export const REDIRECTION_RESET_LOW = APIC_FIELD.MASKED;

/** Register index of the low half of redirection entry `entry`; the high half is at index + 1. */
export function redirectionRegisterIndex(entry: number): number {
  return IOAPIC_REGISTER.REDIRECTION_BASE + 2 * entry;
}

/** Encodes IOAPICVER from `version` and the entry count (`maxEntry` = count - 1). */
export function encodeIoapicVersion(version: number, entryCount: number): number {
  const maxEntry = ((entryCount - 1) << IOAPIC_VERSION.MAX_ENTRY_SHIFT) & IOAPIC_VERSION.MAX_ENTRY_MASK;
  return ((version & IOAPIC_VERSION.VERSION_MASK) | maxEntry) >>> 0;
}

/** Number of redirection entries an IOAPICVER value announces (max entry + 1). */
export function ioapicEntryCount(versionRegister: number): number {
  return ((versionRegister & IOAPIC_VERSION.MAX_ENTRY_MASK) >>> IOAPIC_VERSION.MAX_ENTRY_SHIFT) + 1;
}

/** Every field of a redirection entry (see {@link decodeRedirection}). */
export interface RedirectionEntry {
  /** Vector, 0–255 (16–254 are valid for fixed delivery). */
  readonly vector: number;
  /** A `DELIVERY_MODE` value (fixed, lowest priority, SMI, NMI, INIT, ExtINT). */
  readonly deliveryMode: number;
  /** Destination mode: true = logical, false = physical (APIC ID). */
  readonly logicalDestination: boolean;
  /** Delivery status (read-only): the interrupt is waiting to be delivered. */
  readonly sendPending: boolean;
  /** Input pin polarity: true = active low. */
  readonly activeLow: boolean;
  /** Remote IRR (read-only, level-triggered only): accepted by a LAPIC, EOI not yet received. */
  readonly remoteIrr: boolean;
  /** Trigger mode: true = level. */
  readonly levelTriggered: boolean;
  /** Mask: true = the pin is ignored. */
  readonly masked: boolean;
  /** Destination: APIC ID (physical) or logical destination set (logical), 0–255. */
  readonly destination: number;
}

/** Low half of a redirection entry, allocation-free. */
export function encodeRedirectionLowFast(
  vector: number,
  deliveryMode: number,
  logical: boolean,
  activeLow: boolean,
  levelTriggered: boolean,
  masked: boolean,
): number {
  let value =
    (vector & APIC_FIELD.VECTOR_MASK) |
    ((deliveryMode << APIC_FIELD.DELIVERY_MODE_SHIFT) & APIC_FIELD.DELIVERY_MODE_MASK);
  if (logical) value |= APIC_FIELD.DESTINATION_LOGICAL;
  if (activeLow) value |= APIC_FIELD.POLARITY_LOW;
  if (levelTriggered) value |= APIC_FIELD.TRIGGER_LEVEL;
  if (masked) value |= APIC_FIELD.MASKED;
  return value >>> 0;
}

/** Low half of a redirection entry from named fields (missing = 0/false), read-only bits included when given. */
export function encodeRedirectionLow(fields: Partial<RedirectionEntry>): number {
  let value = encodeRedirectionLowFast(
    fields.vector ?? 0,
    fields.deliveryMode ?? 0,
    fields.logicalDestination ?? false,
    fields.activeLow ?? false,
    fields.levelTriggered ?? false,
    fields.masked ?? false,
  );
  if (fields.sendPending) value |= APIC_FIELD.DELIVERY_STATUS;
  if (fields.remoteIrr) value |= APIC_FIELD.REMOTE_IRR;
  return value >>> 0;
}

/** High half of a redirection entry: the 8-bit destination in bits 31:24. */
export function encodeRedirectionHigh(destination: number): number {
  return ((destination << REDIRECTION.DESTINATION_SHIFT_HIGH) & REDIRECTION.DESTINATION_MASK_HIGH) >>> 0;
}

/** The destination field of a redirection entry's high half. */
export function redirectionDestination(high: number): number {
  return (high & REDIRECTION.DESTINATION_MASK_HIGH) >>> REDIRECTION.DESTINATION_SHIFT_HIGH;
}

/** Decodes a redirection entry from its halves (cold path: allocates). */
export function decodeRedirection(low: number, high: number): RedirectionEntry {
  return {
    vector: low & APIC_FIELD.VECTOR_MASK,
    deliveryMode: (low & APIC_FIELD.DELIVERY_MODE_MASK) >>> APIC_FIELD.DELIVERY_MODE_SHIFT,
    logicalDestination: (low & APIC_FIELD.DESTINATION_LOGICAL) !== 0,
    sendPending: (low & APIC_FIELD.DELIVERY_STATUS) !== 0,
    activeLow: (low & APIC_FIELD.POLARITY_LOW) !== 0,
    remoteIrr: (low & APIC_FIELD.REMOTE_IRR) !== 0,
    levelTriggered: (low & APIC_FIELD.TRIGGER_LEVEL) !== 0,
    masked: (low & APIC_FIELD.MASKED) !== 0,
    destination: redirectionDestination(high),
  };
}

/**
 * The low half after software writes `written` over `current`: writable bits
 * from `written`, read-only delivery status and remote IRR kept from `current`.
 */
export function applyRedirectionLowWrite(current: number, written: number): number {
  return ((written & REDIRECTION_LOW_WRITABLE) | (current & REDIRECTION_LOW_READ_ONLY)) >>> 0;
}

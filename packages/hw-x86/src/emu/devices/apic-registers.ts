/**
 * Device-side constants of the emulated APICs that `arch/` (the
 * architectural register definitions shared with drivers) leaves to the
 * implementation: which version this machine's LAPIC and IOAPIC report, and
 * the broadcast destination.
 */
import { encodeIoapicVersion, IOAPIC_ID } from "../../arch/ioapic-registers";
import { encodeLapicVersion } from "../../arch/lapic-registers";

/** LAPIC version: integrated APIC 0x14 (SDM vol 3 §11.4.8). */
export const LAPIC_VERSION_NUMBER = 0x14;
/** Six LVT entries (timer, thermal, performance, LINT0, LINT1, error; no CMCI): max LVT entry 5. */
export const LAPIC_MAX_LVT_ENTRY = 5;
/** The version register value this LAPIC reports; no EOI-broadcast suppression. */
export const LAPIC_VERSION_VALUE = encodeLapicVersion(LAPIC_VERSION_NUMBER, LAPIC_MAX_LVT_ENTRY);

/** xAPIC destination 0xFF: broadcast in physical mode, every logical ID in flat mode (SDM vol 3 §11.6.2). */
export const APIC_BROADCAST_DESTINATION = 0xff;
/** Physical broadcast as the APIC bus carries it: the x2APIC broadcast ID (SDM vol 3 §11.12.9). */
export const APIC_PHYSICAL_BROADCAST = 0xffffffff;

/** An 8-bit xAPIC / IOAPIC destination as the bus carries it (physical 0xFF becomes {@link APIC_PHYSICAL_BROADCAST}). */
export function busDestination(destination8: number, logical: boolean): number {
  return !logical && destination8 === APIC_BROADCAST_DESTINATION ? APIC_PHYSICAL_BROADCAST : destination8;
}

/** Number of IOAPIC inputs (82093AA: 24). */
export const IOAPIC_PIN_COUNT = 24;
/** 82093AA version number (82093AA datasheet §3.2.2). */
export const IOAPIC_VERSION_NUMBER = 0x11;
/** IOAPICVER value: version 0x11, max redirection entry 23. */
export const IOAPIC_VERSION_VALUE = encodeIoapicVersion(IOAPIC_VERSION_NUMBER, IOAPIC_PIN_COUNT);
/** Writable bits of IOAPICID. */
export const IOAPIC_ID_WRITABLE = IOAPIC_ID.MASK;

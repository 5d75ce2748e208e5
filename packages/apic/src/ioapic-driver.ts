/**
 * Driver for one I/O APIC over its two-register MMIO window: indirect
 * register access, redirection-entry programming, and fast mask / unmask.
 *
 * Access protocol (82093AA datasheet §3.0): write the register index to
 * IOREGSEL (offset 0x00), then read or write IOWIN (offset 0x10). Entry `n`
 * is two registers: 0x10 + 2n (low: vector, mode, polarity, trigger, mask)
 * and 0x11 + 2n (high: destination in bits 31:24).
 *
 * Invariants:
 * - {@link IoapicDriver.writeEntry} writes the high half first, then the low
 *   half, so an unmasking write never goes out with a stale destination; to
 *   mask, only the low half is written.
 * - The driver keeps a shadow of every low half it wrote (read-only bits
 *   excluded), so mask / unmask are one IOREGSEL write plus one IOWIN write,
 *   with no read and no allocation.
 * - {@link IoapicDriver.init} masks every entry (low half first, then it
 *   clears the destination); before it the driver knows no entry count and
 *   refuses every pin.
 *
 * Source: Intel 82093AA I/O APIC datasheet §3.0–3.2.4.
 */
import {
  APIC_FIELD,
  encodeRedirectionHigh,
  IOAPIC_ID,
  IOAPIC_MMIO,
  IOAPIC_REGISTER,
  IOAPIC_VERSION,
  ioapicEntryCount,
  type MmioRegion,
  REDIRECTION_LOW_WRITABLE,
  REDIRECTION_RESET_LOW,
  redirectionRegisterIndex,
} from "@tsos/hw-x86";
import { APIC_ERROR, type ApicResult, apicFail, apicOk } from "./errors";

/** What {@link IoapicDriver.init} found. */
export interface IoapicInfo {
  /** IOAPICID bits 27:24. */
  readonly id: number;
  /** IOAPICVER bits 7:0. */
  readonly version: number;
  /** Number of redirection entries (inputs). */
  readonly entryCount: number;
  /** First global system interrupt this IOAPIC serves. */
  readonly gsiBase: number;
}

const ALL_ONES = 0xffffffff;
/** Upper bound of entries an IOAPICVER can announce (8-bit max entry + 1). */
const MAX_ENTRIES = 256;

/** One IOAPIC; see the file header. */
export class IoapicDriver {
  private entryCountValue = 0;
  private readonly shadowLow = new Uint32Array(MAX_ENTRIES).fill(REDIRECTION_RESET_LOW);

  /**
   * @param mmio the IOAPIC window (IOREGSEL at 0x00, IOWIN at 0x10).
   * @param gsiBase first global system interrupt of this IOAPIC (from the MADT; 0 for the first).
   */
  constructor(
    readonly mmio: MmioRegion,
    readonly gsiBase = 0,
  ) {}

  /** Number of redirection entries (0 before {@link IoapicDriver.init}). */
  get entryCount(): number {
    return this.entryCountValue;
  }

  /** Reads ID and version, learns the entry count and masks every entry. */
  init(): ApicResult<IoapicInfo> {
    const versionRegister = this.readRegister(IOAPIC_REGISTER.VERSION);
    if (versionRegister === ALL_ONES) {
      return apicFail(APIC_ERROR.IOAPIC_NOT_RESPONDING, "IOAPICVER reads all-ones: no IOAPIC at this window");
    }
    this.entryCountValue = ioapicEntryCount(versionRegister);
    for (let pin = 0; pin < this.entryCountValue; pin++) {
      const index = redirectionRegisterIndex(pin);
      this.writeLow(pin, index, REDIRECTION_RESET_LOW); // mask first: firmware may have left it live
      this.writeRegister(index + 1, 0);
    }
    const id = (this.readRegister(IOAPIC_REGISTER.ID) & IOAPIC_ID.MASK) >>> IOAPIC_ID.SHIFT;
    return apicOk({
      id,
      version: versionRegister & IOAPIC_VERSION.VERSION_MASK,
      entryCount: this.entryCountValue,
      gsiBase: this.gsiBase,
    });
  }

  /** True if `gsi` is one of this IOAPIC's inputs. */
  servesGsi(gsi: number): boolean {
    return gsi >= this.gsiBase && gsi < this.gsiBase + this.entryCountValue;
  }

  /** Indirect read: IOREGSEL ← `index`, then IOWIN. */
  readRegister(index: number): number {
    this.mmio.write32(IOAPIC_MMIO.IOREGSEL, index);
    return this.mmio.read32(IOAPIC_MMIO.IOWIN);
  }

  /** Indirect write: IOREGSEL ← `index`, then IOWIN ← `value`. */
  writeRegister(index: number, value: number): void {
    this.mmio.write32(IOAPIC_MMIO.IOREGSEL, index);
    this.mmio.write32(IOAPIC_MMIO.IOWIN, value);
  }

  /** Writes entry `pin`: high half (destination) first, then `low`. `false` for an unknown pin. */
  writeEntry(pin: number, low: number, high: number): boolean {
    if (!this.isPin(pin)) return false;
    const index = redirectionRegisterIndex(pin);
    this.writeRegister(index + 1, high);
    this.writeLow(pin, index, low);
    return true;
  }

  /** Routes `pin` as a fixed, physical-destination interrupt to APIC ID `destination`. */
  writeFixedEntry(pin: number, low: number, destination: number): boolean {
    return this.writeEntry(pin, low, encodeRedirectionHigh(destination));
  }

  /** Reads entry `pin` as `[low, high]` (includes the read-only delivery-status and remote-IRR bits); cold path. */
  readEntry(pin: number): [number, number] | undefined {
    if (!this.isPin(pin)) return undefined;
    const index = redirectionRegisterIndex(pin);
    return [this.readRegister(index), this.readRegister(index + 1)];
  }

  /** The low half last written to entry `pin` (writable bits only). */
  shadow(pin: number): number {
    return this.shadowLow[pin] ?? REDIRECTION_RESET_LOW;
  }

  /** Sets the mask bit of `pin`: one IOREGSEL + one IOWIN write. `false` for an unknown pin. */
  mask(pin: number): boolean {
    if (!this.isPin(pin)) return false;
    this.writeLow(pin, redirectionRegisterIndex(pin), this.shadowLow[pin]! | APIC_FIELD.MASKED);
    return true;
  }

  /** Clears the mask bit of `pin`. `false` for an unknown pin. */
  unmask(pin: number): boolean {
    if (!this.isPin(pin)) return false;
    this.writeLow(pin, redirectionRegisterIndex(pin), this.shadowLow[pin]! & ~APIC_FIELD.MASKED);
    return true;
  }

  private writeLow(pin: number, index: number, low: number): void {
    const value = (low & REDIRECTION_LOW_WRITABLE) >>> 0;
    this.shadowLow[pin] = value;
    this.writeRegister(index, value);
  }

  private isPin(pin: number): boolean {
    return pin >= 0 && pin < this.entryCountValue && (pin | 0) === pin;
  }
}

/**
 * IRQ routing through the machine's IOAPICs: an ISA IRQ (or a GSI) becomes
 * a vector on a destination CPU, with its trigger mode and polarity, and can
 * be masked and unmasked by number.
 *
 * IRQ numbering (the one `InterruptController.maskIrq` uses): 0–15 are ISA
 * IRQs, resolved through the override table (IRQ 0 may be GSI 2); 16 and
 * above are GSIs. Each GSI belongs to the IOAPIC whose
 * [gsiBase, gsiBase + entryCount) holds it.
 *
 * Invariants: routes are fixed delivery, physical destination (an 8-bit
 * APIC ID), vectors 32–255; a route is written masked-last (high half, then
 * low) by {@link IoapicDriver.writeEntry}; mask / unmask do a table lookup
 * and two MMIO writes, no allocation. Failures are values.
 */
import { DELIVERY_MODE, encodeRedirectionLowFast, FIRST_INTERRUPT_VECTOR, VECTOR_COUNT } from "@tsos/hw-x86";
import { APIC_ERROR, type ApicResult, apicFail, apicOk } from "./errors";
import type { IoapicDriver } from "./ioapic-driver";
import { ISA_IRQ_COUNT, type IsaOverride, resolveIsaIrq } from "./isa-overrides";

/** Electrical options of a GSI route (ISA routes take them from the override table). */
export interface GsiRouteOptions {
  /** Active-low input (default false). */
  readonly activeLow?: boolean;
  /** Level-triggered input (default false: edge). */
  readonly levelTriggered?: boolean;
  /** Leave the entry masked (default false). */
  readonly masked?: boolean;
}

/** A programmed route. */
export interface IrqRoute {
  /** The IRQ as the caller named it (ISA IRQ or GSI). */
  readonly irq: number;
  /** Its global system interrupt. */
  readonly gsi: number;
  /** Index of the IOAPIC in the router's list. */
  readonly ioapic: number;
  /** Input pin on that IOAPIC. */
  readonly pin: number;
  /** Vector delivered. */
  readonly vector: number;
  /** Destination APIC ID. */
  readonly destination: number;
  /** Active-low input. */
  readonly activeLow: boolean;
  /** Level-triggered input. */
  readonly levelTriggered: boolean;
}

const APIC_ID_LIMIT = 256;

/** Routes IRQs over a set of IOAPICs; see the file header. */
export class IrqRouter {
  private readonly isaGsi = new Int32Array(ISA_IRQ_COUNT);
  private readonly isaActiveLow = new Uint8Array(ISA_IRQ_COUNT);
  private readonly isaLevel = new Uint8Array(ISA_IRQ_COUNT);

  /**
   * @param ioapics the machine's IOAPIC drivers, already `init()`ed.
   * @param overrides the machine description's ISA interrupt source overrides.
   */
  constructor(
    readonly ioapics: readonly IoapicDriver[],
    readonly overrides: readonly IsaOverride[] = [],
  ) {
    for (let irq = 0; irq < ISA_IRQ_COUNT; irq++) {
      const line = resolveIsaIrq(irq, overrides)!;
      this.isaGsi[irq] = line.gsi;
      this.isaActiveLow[irq] = line.activeLow ? 1 : 0;
      this.isaLevel[irq] = line.levelTriggered ? 1 : 0;
    }
  }

  /** The GSI of IRQ `irq` (ISA IRQs through the overrides), or -1 for a negative / non-integer number. */
  gsiOf(irq: number): number {
    if (!((irq | 0) === irq && irq >= 0)) return -1;
    return irq < ISA_IRQ_COUNT ? this.isaGsi[irq]! : irq;
  }

  /** Routes ISA IRQ `isaIrq` to `vector` on APIC ID `destination`, with the override table's polarity and trigger. */
  routeIsaIrq(isaIrq: number, vector: number, destination: number, masked = false): ApicResult<IrqRoute> {
    if (!((isaIrq | 0) === isaIrq && isaIrq >= 0 && isaIrq < ISA_IRQ_COUNT))
      return apicFail(APIC_ERROR.UNKNOWN_IRQ, `ISA IRQ ${isaIrq} is not 0..15`);
    return this.program(isaIrq, this.isaGsi[isaIrq]!, vector, destination, {
      activeLow: this.isaActiveLow[isaIrq] === 1,
      levelTriggered: this.isaLevel[isaIrq] === 1,
      masked,
    });
  }

  /** Routes global system interrupt `gsi` to `vector` on APIC ID `destination`. */
  routeGsi(
    gsi: number,
    vector: number,
    destination: number,
    options: GsiRouteOptions = {},
  ): ApicResult<IrqRoute> {
    return this.program(gsi, gsi, vector, destination, options);
  }

  /** Masks IRQ `irq`; `false` when no IOAPIC serves it. */
  maskIrq(irq: number): boolean {
    const gsi = this.gsiOf(irq);
    const ioapic = this.ioapicFor(gsi);
    if (ioapic === null) return false;
    return ioapic.mask(gsi - ioapic.gsiBase);
  }

  /** Unmasks IRQ `irq`; `false` when no IOAPIC serves it. */
  unmaskIrq(irq: number): boolean {
    const gsi = this.gsiOf(irq);
    const ioapic = this.ioapicFor(gsi);
    if (ioapic === null) return false;
    return ioapic.unmask(gsi - ioapic.gsiBase);
  }

  private program(
    irq: number,
    gsi: number,
    vector: number,
    destination: number,
    options: GsiRouteOptions,
  ): ApicResult<IrqRoute> {
    if (!(Number.isInteger(vector) && vector >= FIRST_INTERRUPT_VECTOR && vector < VECTOR_COUNT))
      return apicFail(APIC_ERROR.INVALID_VECTOR, `IRQ vector ${vector} is not 32..255`);
    if (!(Number.isInteger(destination) && destination >= 0 && destination < APIC_ID_LIMIT))
      return apicFail(APIC_ERROR.UNKNOWN_CPU, `destination APIC ID ${destination} is not 0..255`);
    const index = this.ioapicIndexFor(gsi);
    if (index < 0) return apicFail(APIC_ERROR.UNKNOWN_IRQ, `no IOAPIC serves GSI ${gsi} (IRQ ${irq})`);
    const ioapic = this.ioapics[index]!;
    const pin = gsi - ioapic.gsiBase;
    const activeLow = options.activeLow ?? false;
    const levelTriggered = options.levelTriggered ?? false;
    const low = encodeRedirectionLowFast(
      vector,
      DELIVERY_MODE.FIXED,
      false,
      activeLow,
      levelTriggered,
      options.masked ?? false,
    );
    ioapic.writeFixedEntry(pin, low, destination);
    return apicOk({ irq, gsi, ioapic: index, pin, vector, destination, activeLow, levelTriggered });
  }

  private ioapicFor(gsi: number): IoapicDriver | null {
    const index = this.ioapicIndexFor(gsi);
    return index < 0 ? null : this.ioapics[index]!;
  }

  private ioapicIndexFor(gsi: number): number {
    if (gsi < 0) return -1;
    for (let index = 0; index < this.ioapics.length; index++)
      if (this.ioapics[index]!.servesGsi(gsi)) return index;
    return -1;
  }
}

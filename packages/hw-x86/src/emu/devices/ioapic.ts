/**
 * The emulated I/O APIC (Intel 82093AA datasheet): 24 interrupt inputs,
 * each routed by a 64-bit redirection entry to LAPICs over the
 * {@link ApicBus}. MMIO at 0xFEC00000 through IOREGSEL (index) and IOWIN (data).
 *
 * Input semantics (82093AA §3.2.4):
 * - Each input is an {@link IrqLine} carrying the electrical level; an entry
 *   with the polarity bit set treats low as asserted, so ISA lines (active
 *   high) and PCI lines (active low) both work once the entry says which.
 * - Edge-triggered: each transition to asserted, while unmasked, sends one
 *   message. Edges that occur while masked are lost.
 * - Level-triggered: while asserted, unmasked and remote IRR clear, the
 *   entry sends a message and sets remote IRR when a LAPIC accepted it. An
 *   EOI broadcast for the entry's vector clears remote IRR; if the line is
 *   still asserted the interrupt is delivered again. Unmasking an asserted
 *   level line delivers it.
 * - Rewriting an entry as edge-triggered clears its remote IRR (the
 *   datasheet leaves this undefined; Linux relies on it to unstick lines).
 *
 * Invariants: delivery status always reads idle (the bus is synchronous);
 * reserved and read-only bits ignore writes; unknown register indices read
 * all-ones and are counted; nothing throws. SMI and ExtINT delivery modes
 * (no 8259 here) are counted as unsupported and dropped.
 */
import { APIC_FIELD, DELIVERY_MODE } from "../../arch/apic-fields";
import {
  applyRedirectionLowWrite,
  IOAPIC_MMIO,
  IOAPIC_MMIO_SIZE,
  IOAPIC_REGISTER,
  REDIRECTION,
  REDIRECTION_RESET_LOW,
  redirectionDestination,
} from "../../arch/ioapic-registers";
import { ICR_SHORTHAND } from "../../arch/lapic-icr";
import type { IrqLine } from "../../interfaces/irq-line";
import type { MmioRegion } from "../../interfaces/mmio-region";
import type { ApicBus, EoiListener } from "./apic-bus";
import { busDestination, IOAPIC_ID_WRITABLE, IOAPIC_PIN_COUNT, IOAPIC_VERSION_VALUE } from "./apic-registers";
import { createAccessCounters, type DeviceAccessCounters } from "./register-table";

const ALL_ONES = 0xffffffff;
const IOREGSEL_MASK = 0xff;
const LAST_REDIRECTION_REGISTER = IOAPIC_REGISTER.REDIRECTION_BASE + 2 * IOAPIC_PIN_COUNT - 1;

/** Event counts of the IOAPIC. */
export interface IoapicStats {
  /** Messages sent per input pin. */
  readonly deliveries: Uint32Array;
  /** Messages no LAPIC accepted. */
  undelivered: number;
  /** SMI / ExtINT / reserved delivery modes dropped. */
  unsupported: number;
}

/** The IOAPIC; see the file header. */
export class Ioapic implements MmioRegion, EoiListener {
  /** Bytes of MMIO decoded: IOREGSEL at 0x00, IOWIN at 0x10. */
  readonly size = IOAPIC_MMIO_SIZE;
  /** Ignored accesses (unknown offsets and register indices, read-only writes, narrow accesses). */
  readonly counters: DeviceAccessCounters = createAccessCounters();
  /** Delivery counts per pin, and messages undelivered or dropped. */
  readonly stats: IoapicStats = {
    deliveries: new Uint32Array(IOAPIC_PIN_COUNT),
    undelivered: 0,
    unsupported: 0,
  };
  /** Input pins 0–23 (ISA IRQ n is pin n unless the machine's override table says otherwise). */
  readonly inputs: readonly IrqLine[];
  private readonly low = new Uint32Array(IOAPIC_PIN_COUNT);
  private readonly high = new Uint32Array(IOAPIC_PIN_COUNT);
  private readonly levels = new Uint8Array(IOAPIC_PIN_COUNT);
  private selected = 0;
  private idRegister = 0;

  /**
   * @param bus the APIC bus; the IOAPIC registers itself for EOI broadcasts.
   * @param ioapicId the initial IOAPIC ID (bits 27:24 of IOAPICID).
   */
  constructor(
    private readonly bus: ApicBus,
    ioapicId = 0,
  ) {
    this.idRegister = (ioapicId << 24) & IOAPIC_ID_WRITABLE;
    this.low.fill(REDIRECTION_RESET_LOW);
    const inputs: IrqLine[] = [];
    for (let pin = 0; pin < IOAPIC_PIN_COUNT; pin++) inputs.push(this.createInput(pin));
    this.inputs = inputs;
    bus.attachEoiListener(this);
  }

  /** The {@link IrqLine} of input `pin`, or `undefined` outside 0–23. */
  input(pin: number): IrqLine | undefined {
    return this.inputs[pin];
  }

  // ---- MmioRegion ------------------------------------------------------------

  read32(offset: number): number {
    if (offset === IOAPIC_MMIO.IOREGSEL) return this.selected;
    if (offset === IOAPIC_MMIO.IOWIN) return this.readRegister(this.selected);
    this.counters.unknownReads++;
    return ALL_ONES;
  }

  write32(offset: number, value: number): void {
    if (offset === IOAPIC_MMIO.IOREGSEL) this.selected = value & IOREGSEL_MASK;
    else if (offset === IOAPIC_MMIO.IOWIN) this.writeRegister(this.selected, value >>> 0);
    else this.counters.unknownWrites++;
  }

  /** IOREGSEL accepts byte writes; IOWIN is 32-bit only (narrow reads return the low bytes). */
  read8(offset: number): number {
    if (offset !== IOAPIC_MMIO.IOREGSEL) this.counters.badWidthAccesses++;
    return this.read32(offset & ~3) & 0xff;
  }

  read16(offset: number): number {
    this.counters.badWidthAccesses++;
    return this.read32(offset & ~3) & 0xffff;
  }

  write8(offset: number, value: number): void {
    if (offset === IOAPIC_MMIO.IOREGSEL) this.selected = value & IOREGSEL_MASK;
    else this.counters.badWidthAccesses++;
  }

  write16(_offset: number, _value: number): void {
    this.counters.badWidthAccesses++;
  }

  // ---- indirect registers ---------------------------------------------------

  /** Reads indirect register `index` (as IOWIN does after IOREGSEL = index). */
  readRegister(index: number): number {
    if (index === IOAPIC_REGISTER.ID) return this.idRegister;
    if (index === IOAPIC_REGISTER.VERSION) return IOAPIC_VERSION_VALUE;
    if (index === IOAPIC_REGISTER.ARBITRATION) return this.idRegister;
    if (index < IOAPIC_REGISTER.REDIRECTION_BASE || index > LAST_REDIRECTION_REGISTER) {
      this.counters.unknownReads++;
      return ALL_ONES;
    }
    const pin = (index - IOAPIC_REGISTER.REDIRECTION_BASE) >>> 1;
    return (index & 1) === 0 ? this.low[pin]! : this.high[pin]!;
  }

  /** Writes indirect register `index`. */
  writeRegister(index: number, value: number): void {
    if (index === IOAPIC_REGISTER.ID) {
      this.idRegister = (value & IOAPIC_ID_WRITABLE) >>> 0;
    } else if (index === IOAPIC_REGISTER.VERSION || index === IOAPIC_REGISTER.ARBITRATION) {
      this.counters.readOnlyWrites++;
    } else if (index < IOAPIC_REGISTER.REDIRECTION_BASE || index > LAST_REDIRECTION_REGISTER) {
      this.counters.unknownWrites++;
    } else {
      const pin = (index - IOAPIC_REGISTER.REDIRECTION_BASE) >>> 1;
      if ((index & 1) === 0) this.writeLow(pin, value);
      else this.high[pin] = (value & REDIRECTION.DESTINATION_MASK_HIGH) >>> 0;
    }
  }

  private writeLow(pin: number, value: number): void {
    let entry = applyRedirectionLowWrite(this.low[pin]!, value);
    if ((entry & APIC_FIELD.TRIGGER_LEVEL) === 0) entry = (entry & ~APIC_FIELD.REMOTE_IRR) >>> 0;
    this.low[pin] = entry;
    if ((entry & APIC_FIELD.TRIGGER_LEVEL) !== 0) this.evaluateLevel(pin);
  }

  // ---- inputs and delivery ---------------------------------------------------

  /** EOI broadcast: clears remote IRR of level entries with `vector` and re-delivers asserted lines. */
  endOfInterrupt(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PIN_COUNT; pin++) {
      const entry = this.low[pin]!;
      if ((entry & APIC_FIELD.REMOTE_IRR) === 0 || (entry & APIC_FIELD.VECTOR_MASK) !== vector) continue;
      this.low[pin] = (entry & ~APIC_FIELD.REMOTE_IRR) >>> 0;
      this.evaluateLevel(pin);
    }
  }

  private createInput(pin: number): IrqLine {
    return {
      raise: () => this.setLevel(pin, 1),
      lower: () => this.setLevel(pin, 0),
      pulse: () => {
        this.setLevel(pin, 1);
        this.setLevel(pin, 0);
      },
    };
  }

  private setLevel(pin: number, level: number): void {
    if (this.levels[pin] === level) return;
    this.levels[pin] = level;
    const entry = this.low[pin]!;
    if ((entry & APIC_FIELD.TRIGGER_LEVEL) !== 0) this.evaluateLevel(pin);
    else if (this.isAsserted(pin, entry) && (entry & APIC_FIELD.MASKED) === 0) this.send(pin, entry);
  }

  private isAsserted(pin: number, entry: number): boolean {
    return (this.levels[pin] === 1) !== ((entry & APIC_FIELD.POLARITY_LOW) !== 0);
  }

  private evaluateLevel(pin: number): void {
    const entry = this.low[pin]!;
    if ((entry & (APIC_FIELD.MASKED | APIC_FIELD.REMOTE_IRR)) !== 0 || !this.isAsserted(pin, entry)) return;
    if (this.send(pin, entry)) this.low[pin] = (this.low[pin]! | APIC_FIELD.REMOTE_IRR) >>> 0;
  }

  /** Sends the entry's message; returns `true` if some LAPIC accepted it. */
  private send(pin: number, entry: number): boolean {
    const mode = (entry & APIC_FIELD.DELIVERY_MODE_MASK) >>> APIC_FIELD.DELIVERY_MODE_SHIFT;
    const supported =
      mode === DELIVERY_MODE.FIXED ||
      mode === DELIVERY_MODE.LOWEST_PRIORITY ||
      mode === DELIVERY_MODE.NMI ||
      mode === DELIVERY_MODE.INIT;
    if (!supported) {
      this.stats.unsupported++;
      return false;
    }
    const level = (entry & APIC_FIELD.TRIGGER_LEVEL) !== 0;
    const logical = (entry & APIC_FIELD.DESTINATION_LOGICAL) !== 0;
    const accepted = this.bus.deliver(
      null,
      ICR_SHORTHAND.NONE,
      logical,
      busDestination(redirectionDestination(this.high[pin]!), logical),
      mode,
      entry & APIC_FIELD.VECTOR_MASK,
      level,
    );
    this.stats.deliveries[pin] = this.stats.deliveries[pin]! + 1;
    if (accepted === 0) this.stats.undelivered++;
    return accepted > 0;
  }
}

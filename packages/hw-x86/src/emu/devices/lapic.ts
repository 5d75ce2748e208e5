/**
 * The emulated local APIC of one CPU (Intel SDM vol 3 ch. 11): the
 * interrupt logic of {@link LapicCore} plus its register interfaces, the
 * xAPIC MMIO page (an {@link MmioRegion}, declarative table in
 * `lapic-register-table.ts`) and the MSRs it owns (IA32_APIC_BASE,
 * IA32_TSC_DEADLINE, x2APIC 0x800–0x8FF in `lapic-x2apic.ts`). It is the
 * CPU's {@link CpuInterruptSource}; IPIs leave through the {@link ApicBus}.
 *
 * Choices where the SDM leaves room, documented once:
 * - The ID register is read-only (Nehalem and later).
 * - Reserved offsets read 0, ignore writes, are counted and set ESR bit 7
 *   (illegal register address). Sub-dword writes are ignored and counted;
 *   sub-dword reads return the bytes of the containing register.
 * - Delivery is synchronous, so ICR and LVT delivery status always read idle.
 * - While globally disabled or in x2APIC mode the page does not decode:
 *   reads are all-ones, writes are dropped, both counted.
 * - The TSC that IA32_TSC_DEADLINE compares with is the Clock's cycle count.
 */
import { APIC_FIELD } from "../../arch/apic-fields";
import { ICR, ICR_LOW_WRITABLE } from "../../arch/lapic-icr";
import { ESR, LAPIC_MMIO_SIZE, LAPIC_VECTOR_REGISTER_STRIDE } from "../../arch/lapic-registers";
import { APIC_BASE, MSR } from "../../arch/msr";
import { isX2apicMsrRange } from "../../arch/x2apic-msr";
import type { MmioRegion } from "../../interfaces/mmio-region";
import { busDestination } from "./apic-registers";
import { LapicCore } from "./lapic-core";
import { sendIpi } from "./lapic-ipi";
import { buildLapicRegisterTable } from "./lapic-register-table";
import type { LapicOptions } from "./lapic-types";
import { readX2apicMsr, writeApicBase, writeX2apicMsr } from "./lapic-x2apic";
import { createAccessCounters, type DeviceAccessCounters, type RegisterTable } from "./register-table";

const TWO_POW_32 = 4294967296;
/** Registers sit at 16-byte boundaries; accesses elsewhere touch reserved bytes (SDM vol 3 §11.4.1). */
const REGISTER_ALIGNMENT_MASK = LAPIC_VECTOR_REGISTER_STRIDE - 1;

/** One CPU's local APIC; see the file header. */
export class Lapic extends LapicCore implements MmioRegion {
  /** Size of the xAPIC register page. */
  readonly size = LAPIC_MMIO_SIZE;
  /** Ignored accesses (reserved offsets, read-only writes, bad widths, accesses while the page is off). */
  readonly counters: DeviceAccessCounters = createAccessCounters();
  private readonly registers: RegisterTable;

  /** Creates the LAPIC and attaches it to `options.bus`; a duplicate APIC ID is a host bug and throws. */
  constructor(options: LapicOptions) {
    super(options);
    this.registers = buildLapicRegisterTable(this, this.counters);
    if (!this.bus.attachLapic(this))
      throw new Error(`Lapic: APIC ID ${options.apicId} is already on the bus`);
  }

  /** Physical base of the xAPIC page from IA32_APIC_BASE (the machine maps the page there). */
  get baseAddress(): number {
    return this.state.apicBaseHigh * TWO_POW_32 + ((this.state.apicBaseLow & APIC_BASE.BASE_MASK_LOW) >>> 0);
  }

  /** `wrmsr IA32_TSC_DEADLINE` forwarded by the CPU (EDX:EAX); see {@link LapicTimer#writeDeadline}. */
  writeTscDeadline(low: number, high: number): void {
    this.timer.writeDeadline(low, high);
  }

  /** `rdmsr IA32_TSC_DEADLINE`: the armed deadline as a bigint, 0 once fired or disarmed (cold path). */
  readTscDeadline(): bigint {
    return (BigInt(this.timer.readDeadlineHigh()) << 32n) | BigInt(this.timer.readDeadlineLow());
  }

  /** True for the MSRs this LAPIC implements: IA32_APIC_BASE, IA32_TSC_DEADLINE, 0x800–0x8FF. */
  ownsMsr(index: number): boolean {
    return index === MSR.APIC_BASE || index === MSR.TSC_DEADLINE || isX2apicMsrRange(index);
  }

  /** `rdmsr` of an MSR this LAPIC owns; `undefined` where hardware raises #GP (cold path). */
  readMsr(index: number): bigint | undefined {
    if (index === MSR.APIC_BASE)
      return (BigInt(this.state.apicBaseHigh) << 32n) | BigInt(this.state.apicBaseLow);
    if (index === MSR.TSC_DEADLINE) return this.readTscDeadline();
    return isX2apicMsrRange(index) ? readX2apicMsr(this, index) : undefined;
  }

  /** `wrmsr` of an MSR this LAPIC owns with EDX:EAX = `high`:`low`; `false` where hardware raises #GP. */
  writeMsrHalves(index: number, low: number, high: number): boolean {
    if (index === MSR.APIC_BASE) return writeApicBase(this, low >>> 0, high >>> 0);
    if (index === MSR.TSC_DEADLINE) {
      this.writeTscDeadline(low, high);
      return true;
    }
    return isX2apicMsrRange(index) && writeX2apicMsr(this, index, low >>> 0, high >>> 0);
  }

  /** ICR low write: sends the IPI it describes (SDM vol 3 §11.6.1; rules in `lapic-ipi.ts`). */
  writeIcrLow(value: number): void {
    this.state.icrLow = (value & ICR_LOW_WRITABLE) >>> 0;
    const logical = (this.state.icrLow & APIC_FIELD.DESTINATION_LOGICAL) !== 0;
    sendIpi(
      this,
      this.bus,
      this.state.icrLow,
      busDestination(this.state.icrHigh >>> ICR.DESTINATION_SHIFT_HIGH, logical),
    );
  }

  /** Sends ICR low word `low` to bus destination `destination` (x2APIC ICR and SELF IPI writes). */
  sendIcr(low: number, destination: number): void {
    sendIpi(this, this.bus, low, destination);
  }

  /** Register-table read at xAPIC `offset`, whatever the mode (the x2APIC MSR path). */
  readRegister(offset: number): number {
    return this.registers.read(offset >>> 4, 0) >>> 0;
  }

  /** Register-table write at xAPIC `offset`, whatever the mode (the x2APIC MSR path). */
  writeRegister(offset: number, value: number): void {
    this.registers.write(offset >>> 4, value >>> 0);
  }

  // ---- MmioRegion ------------------------------------------------------------

  /** 32-bit register read; offsets not at the start of a 16-byte register read 0 (reserved). */
  read32(offset: number): number {
    if (!this.globallyEnabled || this.x2apicMode) return this.offlineRead();
    const slot = offset >>> 4;
    if ((offset & REGISTER_ALIGNMENT_MASK) !== 0 || !this.registers.isReadable(slot))
      return this.reservedRead(slot);
    return this.registers.read(slot, 0) >>> 0;
  }

  /** 32-bit register write; reserved offsets are ignored (ESR bit 7). */
  write32(offset: number, value: number): void {
    if (!this.globallyEnabled || this.x2apicMode) {
      this.counters.unknownWrites++;
      return;
    }
    const slot = offset >>> 4;
    if ((offset & REGISTER_ALIGNMENT_MASK) !== 0 || !this.registers.isDecoded(slot)) {
      this.counters.unknownWrites++;
      this.signalError(ESR.ILLEGAL_REGISTER_ADDRESS);
      return;
    }
    this.registers.write(slot, value >>> 0);
  }

  read8(offset: number): number {
    this.counters.badWidthAccesses++;
    return (this.read32(offset & ~3) >>> ((offset & 3) * 8)) & 0xff;
  }

  read16(offset: number): number {
    this.counters.badWidthAccesses++;
    return (this.read32(offset & ~3) >>> ((offset & 2) * 8)) & 0xffff;
  }

  write8(_offset: number, _value: number): void {
    this.counters.badWidthAccesses++;
  }

  write16(_offset: number, _value: number): void {
    this.counters.badWidthAccesses++;
  }

  /** The page does not decode while globally disabled or in x2APIC mode (SDM vol 3 §11.12.1.2): all-ones. */
  private offlineRead(): number {
    this.counters.unknownReads++;
    return 0xffffffff;
  }

  private reservedRead(slot: number): number {
    if (!this.registers.isDecoded(slot)) this.signalError(ESR.ILLEGAL_REGISTER_ADDRESS);
    this.counters.unknownReads++;
    return 0;
  }
}

/**
 * hw-x86's {@link InterruptController} over the LAPIC and IOAPIC drivers:
 * what the scheduler (reschedule IPIs), mm (TLB shootdowns) and device
 * drivers (mask / unmask their line, EOI) see of the interrupt hardware.
 *
 * Invariants:
 * - CPU ids are `0 .. cpuCount - 1`, mapped to APIC IDs by `apicIds`
 *   (default: identical, as in this machine).
 * - `sendIpi` is sent from the CPU `currentCpu()` names (default 0), through
 *   that CPU's LAPIC: fixed, physical destination. `false` for an unknown
 *   target, a vector below 16, or an ICR that stayed busy.
 * - `endOfInterrupt` on an unknown CPU does nothing (the interface returns
 *   nothing); on a known one it is the LAPIC driver's one-write EOI.
 * - IRQ numbers follow {@link IrqRouter}: 0–15 ISA (overrides applied), ≥ 16 GSI.
 */
import type { InterruptController } from "@tsos/hw-x86";
import type { IrqRouter } from "./irq-router";
import type { LapicDriver } from "./lapic-driver";

/** Construction parameters of an {@link ApicInterruptController}. */
export interface ApicInterruptControllerOptions {
  /** LAPIC driver of each CPU, indexed by CPU id. */
  readonly lapics: readonly LapicDriver[];
  /** IOAPIC routing. */
  readonly router: IrqRouter;
  /** APIC ID of each CPU (default: CPU id). */
  readonly apicIds?: readonly number[];
  /** The CPU executing the caller (default: always 0). */
  readonly currentCpu?: () => number;
}

const FIRST_LEGAL_IPI_VECTOR = 16;
const VECTOR_LIMIT = 256;

/** The machine's interrupt controllers behind the `InterruptController` contract. */
export class ApicInterruptController implements InterruptController {
  /** Number of CPUs. */
  readonly cpuCount: number;
  private readonly lapics: readonly LapicDriver[];
  private readonly router: IrqRouter;
  private readonly apicIds: Int32Array;
  private readonly currentCpu: () => number;

  constructor(options: ApicInterruptControllerOptions) {
    this.lapics = options.lapics;
    this.router = options.router;
    this.cpuCount = options.lapics.length;
    this.apicIds = new Int32Array(this.cpuCount);
    for (let cpu = 0; cpu < this.cpuCount; cpu++) this.apicIds[cpu] = options.apicIds?.[cpu] ?? cpu;
    this.currentCpu = options.currentCpu ?? (() => 0);
  }

  /** EOI on `cpu`'s LAPIC (one 32-bit write); nothing for an unknown CPU. */
  endOfInterrupt(cpu: number): void {
    const lapic = this.lapics[cpu];
    if (lapic !== undefined) lapic.endOfInterrupt();
  }

  /** Masks IRQ `irq` at its IOAPIC; `false` for an unknown IRQ. */
  maskIrq(irq: number): boolean {
    return this.router.maskIrq(irq);
  }

  /** Unmasks IRQ `irq` at its IOAPIC; `false` for an unknown IRQ. */
  unmaskIrq(irq: number): boolean {
    return this.router.unmaskIrq(irq);
  }

  /** Fixed IPI with `vector` to `targetCpu`, from the current CPU. */
  sendIpi(targetCpu: number, vector: number): boolean {
    if (!(targetCpu >= 0 && targetCpu < this.cpuCount && (targetCpu | 0) === targetCpu)) return false;
    if (!(vector >= FIRST_LEGAL_IPI_VECTOR && vector < VECTOR_LIMIT)) return false;
    const sender = this.lapics[this.currentCpu()];
    if (sender === undefined) return false;
    return sender.sendFixedIpi(this.apicIds[targetCpu]!, vector);
  }
}

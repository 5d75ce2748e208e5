/**
 * Construction options and event counters of an emulated {@link Lapic}.
 * Counters are plain numbers updated in place; no allocation after construction.
 */
import type { Clock } from "../../interfaces/clock";
import type { ApicBus } from "./apic-bus";
import type { Lapic } from "./lapic";

/** Event counts of one LAPIC. */
export interface LapicStats {
  /** Fixed / lowest-priority interrupts accepted into IRR. */
  accepted: number;
  /** Acknowledge cycles that found nothing deliverable (returned the spurious vector). */
  spurious: number;
  /** EOI writes that completed an in-service vector. */
  endOfInterrupts: number;
  /** EOI writes with nothing in service. */
  strayEndOfInterrupts: number;
  /** ICR writes that sent a message. */
  ipisSent: number;
  /** Fixed messages refused while software-disabled. */
  refusedWhileDisabled: number;
  /** SMI, ExtINT or reserved delivery modes, and invalid ICR combinations. */
  unsupported: number;
  /** NMI messages received. */
  nmisReceived: number;
  /** INIT messages received. */
  initsReceived: number;
  /** STARTUP (SIPI) messages received. */
  startupsReceived: number;
  /** Vector of the last STARTUP message, or -1. */
  lastStartupVector: number;
}

/** Zeroed {@link LapicStats}. */
export function createLapicStats(): LapicStats {
  return {
    accepted: 0,
    spurious: 0,
    endOfInterrupts: 0,
    strayEndOfInterrupts: 0,
    ipisSent: 0,
    refusedWhileDisabled: 0,
    unsupported: 0,
    nmisReceived: 0,
    initsReceived: 0,
    startupsReceived: 0,
    lastStartupVector: -1,
  };
}

/** Construction parameters of a {@link Lapic}. */
export interface LapicOptions {
  /** The APIC ID (0–254); also the CPU id. */
  readonly apicId: number;
  /** Virtual time, for the timer. */
  readonly clock: Clock;
  /** The bus to the other LAPICs and the IOAPIC; the LAPIC attaches itself. */
  readonly bus: ApicBus;
  /** Clock cycles per timer input tick, before the divider (default 1). */
  readonly cyclesPerTimerTick?: number;
  /** Called after an INIT message reset this LAPIC. */
  readonly onInit?: (apicId: number) => void;
  /** Called when a STARTUP (SIPI) message arrives, with its vector (the start page number). */
  readonly onStartup?: (apicId: number, vector: number) => void;
  /** Whether IA32_APIC_BASE.BSP is set (default: APIC ID 0). */
  readonly bootstrapProcessor?: boolean;
}

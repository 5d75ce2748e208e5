/**
 * What a kernel subsystem needs from the machine's interrupt controllers,
 * whatever they are: `@tsos/apic` implements it over the LAPIC and IOAPIC,
 * `@tsos/testing`'s `MockInterruptController` implements it for unit tests.
 *
 * Outcomes are values: an IRQ or CPU that does not exist gives `false`;
 * nothing throws.
 */
export interface InterruptController {
  /** Number of CPUs that can receive interrupts; ids are `0 .. cpuCount - 1`. */
  readonly cpuCount: number;
  /** Signals end of interrupt for the highest-priority in-service vector on `cpu`. */
  endOfInterrupt(cpu: number): void;
  /** Stops delivery of external line `irq` (its level is remembered). Returns `false` for an unknown IRQ. */
  maskIrq(irq: number): boolean;
  /** Resumes delivery of external line `irq`. Returns `false` for an unknown IRQ. */
  unmaskIrq(irq: number): boolean;
  /** Sends a fixed-delivery inter-processor interrupt with `vector` to `targetCpu`. Returns `false` for an unknown CPU or a vector below 16. */
  sendIpi(targetCpu: number, vector: number): boolean;
}

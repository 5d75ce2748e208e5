/**
 * What the kernel needs of a machine, as `@tsos/hw-x86` interfaces only
 * (DESIGN §1): the emulated machine provides it in `apps/machine`, a test
 * may provide mocks. The kernel never imports `@tsos/hw-x86/emu`.
 *
 * Rules:
 * - `processors[i]`, `lapics[i]` and `msrs(i)` are CPU i; CPU 0 is the
 *   bootstrap processor, already running; the others are parked until the
 *   kernel starts them with INIT-SIPI-SIPI, after which the machine calls
 *   the kernel's `applicationProcessorStarted(cpu)`.
 * - `memoryMap` says which physical ranges are RAM the kernel may manage
 *   ("usable") and which it must not touch ("reserved": firmware areas,
 *   MMIO holes); ranges not listed are not RAM.
 * - `clock` is the machine's virtual timeline (the TSC's frequency and
 *   events); the kernel schedules nothing on it except AP start-up delays.
 * - `powerOff()` ends the machine's run once the current handler returns.
 */
import type {
  Clock,
  KernelEntryTable,
  MmioRegion,
  MsrAccess,
  PhysicalMemory,
  PortIo,
  Processor,
} from "@tsos/hw-x86";
import type { MemoryRegion } from "@tsos/mm";

/** The machine as the kernel sees it. */
export interface KernelHardware {
  /** Physical memory. */
  readonly memory: PhysicalMemory;
  /** The physical memory map (an e820 table). */
  readonly memoryMap: readonly MemoryRegion[];
  /** The CPUs, by id. */
  readonly processors: readonly Processor[];
  /** Where trap handlers are bound (IA32_LSTAR, IDT gate targets). */
  readonly entries: KernelEntryTable;
  /** I/O ports (UART, PIT, RTC, i8042). */
  readonly ports: PortIo;
  /** Each CPU's local APIC registers. */
  readonly lapics: readonly MmioRegion[];
  /** The I/O APIC's registers. */
  readonly ioapic: MmioRegion;
  /** CPU `cpu`'s MSRs, its LAPIC's included (IA32_TSC_DEADLINE, IA32_APIC_BASE). */
  msrs(cpu: number): MsrAccess;
  /** The virtual timeline. */
  readonly clock: Clock;
  /** Ends the machine's run (after the current handler returns). */
  powerOff(): void;
  /** A PAUSE in a polling loop: on the emulator, lets a few microseconds of virtual time pass. */
  pause(): void;
}

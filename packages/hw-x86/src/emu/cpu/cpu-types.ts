/**
 * Public types of the CPU: why `run` returns, what a CPU is built from, and
 * its event counters.
 */

import type { CpuInterruptSource } from "../cpu-interrupt-source";
import type { PhysicalRam } from "../physical-ram";
import type { MmioBus } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import type { KernelEntries } from "./kernel-entries";

/** Why `run` returned. */
export const STOP_REASON = {
  /** The instruction budget was used up. */
  BUDGET: 0,
  /** The kernel made the CPU idle (`idle()`) and no interrupt is deliverable. */
  IDLE: 1,
  /** Triple fault: the CPU cannot deliver a double fault (kernel panic). */
  SHUTDOWN: 2,
  /** The kernel asked the CPU to stop (`requestStop()`), e.g. at power-off. */
  STOPPED: 3,
} as const;

/** One of the {@link STOP_REASON} values. */
export type StopReason = (typeof STOP_REASON)[keyof typeof STOP_REASON];

/** What a {@link Cpu} is built from. */
export interface CpuOptions {
  /** CPU (and initial APIC) id. */
  id: number;
  /** Guest physical memory the CPU executes from and accesses directly. */
  ram: PhysicalRam;
  /** Decoded-instruction cache over `ram`, shared by the machine's CPUs. */
  cache: DecodedCache;
  /** Kernel entry points, shared by the machine's CPUs. */
  entries: KernelEntries;
  /** Physical accesses outside RAM; absent = unclaimed (reads all-ones). */
  bus?: MmioBus;
  /** The LAPIC side of INTR/INTA; absent = no external interrupts. */
  interrupts?: CpuInterruptSource;
  /** CPUID advertises TSC-deadline / x2APIC (set when the machine's LAPIC implements them). */
  tscDeadline?: boolean;
  /** CPUID advertises x2APIC (CPUID.1:ECX bit 21); absent = not advertised. */
  x2apic?: boolean;
}

/** Event counters of one CPU (monotonic). */
export interface CpuCounters {
  /** SYSCALL instructions that entered the kernel. */
  syscalls: number;
  /** Exceptions raised to the kernel (faults, INT n / INT3, #DF, #GP on a refused return), #PF included. */
  exceptions: number;
  /** External interrupts acknowledged from the interrupt source and delivered. */
  interrupts: number;
  /** #PF exceptions delivered (also counted in `exceptions`). */
  pageFaults: number;
  /** SYSCALLs (also counted in `syscalls`) after which a compiled block went on running, without returning to the run loop. */
  syscallsInBlock: number;
}

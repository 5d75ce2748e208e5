/**
 * The report of a run: what the kernel did, collected from its counters
 * after the machine stopped (nothing here runs while the guest does).
 *
 * Two sections, kept apart as DESIGN §5 keeps the two clocks apart:
 * - `virtual`: everything measured on the virtual clock or counted — the
 *   same for the same seed, configuration and input, byte for byte;
 * - `host`: figures of the host running the emulator (time, MIPS, the
 *   kernel's host-time syscall latencies) — different on every run.
 *
 * Latency percentiles come from log2 histograms: a p99 of "≤ 2048" means
 * the bucket [1024, 2048) held the 99th percentile.
 */

import { STAT } from "@tsos/apic";
import type { Machine } from "@tsos/hw-x86/emu";
import {
  commandLineText,
  describeWaitStatus,
  KERNEL_VECTOR,
  type Kernel,
  PROCESS_STATE,
  type ProcessRecord,
  shellStatus,
} from "@tsos/kernel";
import type { FaultCountersSnapshot } from "@tsos/mm";

/** Buddy orders reported (0 … MAX_ORDER of the default allocator). */
const ORDERS = 11;
const VECTORS = 256;

/** A whole report. */
export interface MachineReport {
  readonly virtual: VirtualReport;
  readonly host: HostReport;
}

/** Everything identical for the same seed, configuration and input. */
export interface VirtualReport {
  readonly machine: { readonly cpus: number; readonly memoryBytes: number; readonly seed: number };
  /** How the run ended (RunResult's outcome) and the status a shell reports. */
  readonly outcome: string;
  readonly exitCode: number;
  /** Virtual time at the end and when init started (ns). */
  readonly timeNs: number;
  readonly bootNs: number;
  /** Guest instructions retired on all CPUs. */
  readonly instructions: number;
  readonly cpus: readonly CpuReport[];
  readonly syscalls: SyscallSection;
  readonly interrupts: InterruptSection;
  readonly pageFaults: FaultCountersSnapshot;
  readonly memory: MemorySection;
  readonly processes: ProcessSection;
}

/** One CPU. */
export interface CpuReport {
  readonly cpu: number;
  readonly instructions: number;
  /** Virtual ns in the idle task, and the share of the run it is. */
  readonly idleNs: number;
  readonly busyPercent: number;
  readonly contextSwitches: number;
  readonly ticks: number;
  /** Ticks that ended the running task's slice. */
  readonly reschedulingTicks: number;
  /** Wake-ups placed on this CPU, those that preempted the running task, tasks pulled by load balancing. */
  readonly wakeups: number;
  readonly wakeupPreemptions: number;
  readonly pulled: number;
  readonly reschedulingIpis: number;
  /** Traps this CPU took: SYSCALL instructions, exceptions (page faults included), external interrupts. */
  readonly syscalls: number;
  readonly exceptions: number;
  readonly pageFaults: number;
  readonly interrupts: number;
}

/** System calls by name. */
export interface SyscallSection {
  readonly total: number;
  /** Calls of numbers outside the table (answered -ENOSYS). */
  readonly outOfRange: number;
  readonly calls: readonly SyscallRow[];
}

/** One system call's virtual figures. */
export interface SyscallRow {
  readonly name: string;
  readonly number: number;
  readonly calls: number;
  readonly errors: number;
  /** Error returns by errno name, most frequent first. */
  readonly errnos: Readonly<Record<string, number>>;
  /** Virtual cycles from entry to completion (0 for a call the kernel answered at once; the wait for one that blocked). */
  readonly meanCycles: number | null;
  readonly p50Cycles: number | null;
  readonly p99Cycles: number | null;
}

/** Interrupts per vector per CPU. */
export interface InterruptSection {
  readonly vectors: readonly {
    readonly vector: number;
    readonly name: string;
    readonly perCpu: readonly number[];
    readonly total: number;
  }[];
  /** Assertion-to-delivery latency per CPU, virtual cycles (bucket bounds; null without samples). */
  readonly latency: readonly {
    readonly cpu: number;
    readonly samples: number;
    readonly p50Cycles: number | null;
    readonly p99Cycles: number | null;
    readonly maxCycles: number;
  }[];
}

/** Frames and slab caches at the end of the run. */
export interface MemorySection {
  readonly managedFrames: number;
  readonly freeFrames: number;
  readonly freeFramesAfterBoot: number;
  /** Free blocks per buddy order (null for an allocator without per-order lists). */
  readonly freeBlocksPerOrder: readonly number[] | null;
  readonly slabCaches: readonly {
    readonly name: string;
    readonly objectSize: number;
    readonly objectsInUse: number;
    readonly objectsCached: number;
    readonly slabs: number;
  }[];
}

/** Every process: those that ended (oldest first) and those still alive at the end. */
export interface ProcessSection {
  readonly created: number;
  readonly ended: readonly ProcessRow[];
  /** Ended processes the kernel's history no longer held. */
  readonly dropped: number;
  readonly alive: readonly { readonly pid: number; readonly name: string; readonly command: string }[];
}

/** One ended process. */
export interface ProcessRow extends ProcessRecord {
  /** "exited 0", "killed by SIGSEGV". */
  readonly status: string;
  /** As a shell reports it (128 + signal when killed). */
  readonly exitCode: number;
}

/** Host figures (change from run to run). */
export interface HostReport {
  /** Host time of the whole run and up to init's first instruction (ms). */
  readonly timeMs: number;
  readonly bootMs: number;
  /** Guest instructions per host second, in millions: all CPUs, and each CPU's share. */
  readonly mips: number;
  readonly mipsPerCpu: readonly number[];
  /** Machine slices run, and times every CPU idled and time jumped. */
  readonly slices: number;
  readonly fastForwards: number;
  /** The kernel's host time per system call (sampled calls). */
  readonly syscalls: readonly {
    readonly name: string;
    readonly samples: number;
    readonly meanNs: number | null;
    readonly p50Ns: number | null;
    readonly p99Ns: number | null;
  }[];
}

/** What {@link collectReport} needs besides the kernel and the machine. */
export interface ReportInputs {
  readonly seed: number;
  readonly memoryBytes: number;
  readonly outcome: string;
  readonly exitCode: number;
  readonly bootNs: number;
  readonly hostMs: number;
  readonly bootHostMs: number;
}

/** Collects the report of a stopped machine. */
export function collectReport(kernel: Kernel, machine: Machine, inputs: ReportInputs): MachineReport {
  const nsPerCycle = 1e9 / machine.timeline.frequencyHz;
  const timeNs = machine.timeline.now() * nsPerCycle;
  const cpus = machine.cpus.map((cpu, index): CpuReport => {
    const stats = kernel.scheduler.runQueues[index]?.stats;
    const idleNs = stats?.idleNs ?? 0;
    return {
      cpu: index,
      instructions: cpu.retiredInstructions,
      idleNs,
      busyPercent: timeNs > 0 ? round(100 * (1 - Math.min(idleNs, timeNs) / timeNs), 1) : 0,
      contextSwitches: stats?.switches ?? 0,
      ticks: stats?.ticks ?? 0,
      reschedulingTicks: stats?.reschedulingTicks ?? 0,
      wakeups: stats?.wakeups ?? 0,
      wakeupPreemptions: stats?.wakeupPreemptions ?? 0,
      pulled: stats?.pulled ?? 0,
      reschedulingIpis: stats?.reschedulingIpis ?? 0,
      syscalls: cpu.counters.syscalls,
      exceptions: cpu.counters.exceptions,
      pageFaults: cpu.counters.pageFaults,
      interrupts: cpu.counters.interrupts,
    };
  });
  const instructions = cpus.reduce((sum, cpu) => sum + cpu.instructions, 0);
  const dispatcher = kernel.dispatcher;
  const rows = dispatcher.stats.top(dispatcher.stats.size, (number) => dispatcher.nameOf(number));
  const virtual: VirtualReport = {
    machine: { cpus: machine.cpus.length, memoryBytes: inputs.memoryBytes, seed: inputs.seed },
    outcome: inputs.outcome,
    exitCode: inputs.exitCode,
    timeNs: Math.round(timeNs),
    bootNs: Math.round(inputs.bootNs),
    instructions,
    cpus,
    syscalls: {
      total: dispatcher.stats.totalCalls(),
      outOfRange: dispatcher.stats.outOfRange,
      calls: rows.map((row) => ({
        name: row.name,
        number: row.number,
        calls: row.calls,
        errors: row.errors,
        errnos: Object.fromEntries(row.errnos.map(({ errno, count }) => [errno, count])),
        meanCycles: finite(round(row.virtualMeanCycles, 1)),
        p50Cycles: finite(row.virtualP50Cycles),
        p99Cycles: finite(row.virtualP99Cycles),
      })),
    },
    interrupts: interruptSection(kernel, machine.cpus.length),
    pageFaults: kernel.faultCounters.snapshot(),
    memory: memorySection(kernel),
    processes: processSection(kernel),
  };
  const seconds = inputs.hostMs / 1000;
  const host: HostReport = {
    timeMs: round(inputs.hostMs, 1),
    bootMs: round(inputs.bootHostMs, 1),
    mips: seconds > 0 ? round(instructions / seconds / 1e6, 1) : 0,
    mipsPerCpu: cpus.map((cpu) => (seconds > 0 ? round(cpu.instructions / seconds / 1e6, 1) : 0)),
    slices: machine.stats.slices,
    fastForwards: machine.stats.fastForwards,
    syscalls: rows
      .filter((row) => row.hostSamples > 0)
      .map((row) => ({
        name: row.name,
        samples: row.hostSamples,
        meanNs: finite(round(row.hostMeanNs, 1)),
        p50Ns: finite(row.hostP50Ns),
        p99Ns: finite(row.hostP99Ns),
      })),
  };
  return { virtual, host };
}

/** A name for an interrupt vector of this kernel. */
export function vectorName(vector: number): string {
  switch (vector) {
    case KERNEL_VECTOR.SERIAL:
      return "COM1 (IRQ 4)";
    case KERNEL_VECTOR.TIMER:
      return "LAPIC timer";
    case KERNEL_VECTOR.RESCHEDULE:
      return "reschedule IPI";
    case KERNEL_VECTOR.ERROR:
      return "LAPIC error";
    case KERNEL_VECTOR.SPURIOUS:
      return "spurious";
    default:
      if (vector >= KERNEL_VECTOR.ISA_BASE && vector < KERNEL_VECTOR.ISA_BASE + 16)
        return `IRQ ${vector - KERNEL_VECTOR.ISA_BASE}`;
      return `vector 0x${vector.toString(16)}`;
  }
}

function interruptSection(kernel: Kernel, cpuCount: number): InterruptSection {
  const statistics = kernel.interruptStatistics;
  const vectors: InterruptSection["vectors"][number][] = [];
  for (let vector = 0; vector < VECTORS; vector++) {
    const total = statistics.vectorTotal(vector);
    if (total === 0) continue;
    const perCpu = Array.from({ length: cpuCount }, (_, cpu) => statistics.count(cpu, vector));
    vectors.push({ vector, name: vectorName(vector), perCpu, total });
  }
  const latency = Array.from({ length: cpuCount }, (_, cpu) => ({
    cpu,
    samples: statistics.summary(cpu, STAT.LATENCY_SAMPLES),
    p50Cycles: finite(statistics.latencyQuantileBound(cpu, 0.5)),
    p99Cycles: finite(statistics.latencyQuantileBound(cpu, 0.99)),
    maxCycles: statistics.summary(cpu, STAT.LATENCY_MAX),
  }));
  return { vectors, latency };
}

function memorySection(kernel: Kernel): MemorySection {
  const frames = kernel.frames;
  const freeBlocks = frames.freeBlocks;
  return {
    managedFrames: frames.managedFrames,
    freeFrames: frames.freeFrames,
    freeFramesAfterBoot: kernel.freeFramesAfterBoot,
    freeBlocksPerOrder:
      freeBlocks === undefined
        ? null
        : Array.from({ length: ORDERS }, (_, order) => freeBlocks.call(frames, order)),
    slabCaches: kernel.slabCaches.map((cache) => {
      const statistics = cache.statistics();
      return {
        name: statistics.name,
        objectSize: statistics.objectSize,
        objectsInUse: statistics.objectsInUse,
        objectsCached: statistics.objectsCached,
        slabs: statistics.slabsFull + statistics.slabsPartial + statistics.slabsEmpty,
      };
    }),
  };
}

function processSection(kernel: Kernel): ProcessSection {
  const ended = kernel.exitedProcesses.map(
    (record): ProcessRow => ({
      ...record,
      status: describeWaitStatus(record.waitStatus),
      exitCode: shellStatus(record.waitStatus),
    }),
  );
  const alive = [...kernel.processes.values()]
    .filter((process) => process.state === PROCESS_STATE.ALIVE)
    .sort((left, right) => left.pid - right.pid)
    .map((process) => ({
      pid: process.pid,
      name: process.name,
      command: commandLineText(process.commandLine),
    }));
  return { created: kernel.processesCreated, ended, dropped: kernel.exitedProcessesDropped, alive };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

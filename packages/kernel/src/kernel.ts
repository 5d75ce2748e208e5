/**
 * The kernel: `createKernel` composes the subsystems — `@tsos/mm` (frames,
 * address spaces, faults), `@tsos/sched` (run queues, wait queues, timers),
 * `@tsos/syscall` (the SYSCALL entry and the typed table), `@tsos/apic`
 * (LAPIC, IOAPIC, interrupt dispatch, timer calibration, AP start-up) —
 * over a machine seen only through `@tsos/hw-x86` interfaces
 * ({@link KernelHardware}). Each subsystem can be swapped through
 * {@link KernelOptions}: another scheduling policy, another frame allocator.
 *
 * Execution model (DESIGN §3): every entry from user mode — SYSCALL, a CPU
 * exception, an interrupt — runs a TypeScript handler to completion, then
 * {@link Kernel.returnToUser}: a thread whose process is dying exits there,
 * the scheduler switches if need-resched is set (registers into the
 * outgoing task, the incoming task's into the CPU, CR3 through the
 * address-space hook), and a CPU with nothing to run halts. Blocking calls
 * park by continuation on a wait queue. Time is the TSC, converted to ns
 * with the calibrated TSC rate; the LAPIC timer runs in TSC-deadline mode,
 * armed for the next tick while a CPU has work and for the next sleeper's
 * deadline otherwise (tickless idle).
 *
 * Nothing a guest does reaches the host as an exception: guest faults
 * become signals; an exception thrown by kernel code itself is caught at
 * the entry and becomes a panic report on the console, after which the
 * machine powers off ({@link Kernel.panicReport}).
 */

import {
  calibrateLapicTimer,
  checkApicSupport,
  InterruptDispatcher,
  InterruptStatistics,
  IoapicDriver,
  IrqRouter,
  LapicDriver,
  LapicTimerDriver,
  PC_TIMER_OVERRIDE,
  startApplicationProcessor,
  type TimerCalibration,
} from "@tsos/apic";
import {
  CPUID_FEATURE,
  type CpuContext,
  CR0,
  CR4,
  createCpuContext,
  EFER,
  EXCEPTION,
  type FrameFreeResult,
  GPR,
  hasFeature,
  MSR,
  PTE,
  RETURN_PATH,
  readNumber,
  SLOT,
  TRAP_KIND,
  type TrapFrame,
} from "@tsos/hw-x86";
import { I8042Keyboard } from "@tsos/io";
import {
  AddressSpace,
  BuddyAllocator,
  copyFromUser,
  copyToUser,
  FAULT,
  FaultCounters,
  FrameOwnerTable,
  FrameRefCounts,
  type MemoryRegion,
  PageTable,
  type SlabCache,
  type TlbShootdown,
} from "@tsos/mm";
import {
  expireWaitTimeouts,
  type SchedPolicy,
  Scheduler,
  type Task,
  TimerQueue,
  WaitQueue,
  type WaitQueueTimer,
} from "@tsos/sched";
import {
  type Continuation,
  type ContinuationHost,
  installSyscallEntry,
  SYSCALL_BLOCKED,
  type SyscallCall,
  SyscallDispatcher,
  SyscallTable,
  type UserMemory,
} from "@tsos/syscall";
import { CONSOLE_ERROR_STREAM, SerialConsole } from "./console";
import {
  baseName,
  commandLineOf,
  commandLineText,
  hardwareCapabilities,
  loadProgram,
  type ProgramImage,
  resetContext,
} from "./exec";
import { FileTable, O, OpenFile } from "./files";
import { Futexes } from "./futex";
import type { KernelHardware } from "./hardware";
import { AP_TRAMPOLINE, GATE_BASE, IDT_BYTES, IDT_VIRTUAL, KERNEL_VECTOR, SYSCALL_ENTRY } from "./layout";
import { Pipe } from "./pipe";
import {
  defaultLimits,
  PROCESS_STATE,
  Process,
  ProcessMemory,
  type ProcessRecord,
  Thread,
  ThreadTask,
} from "./process";
import { ProcFs } from "./procfs";
import { KernelRandom } from "./random";
import { SI, SIG_DFL, SIG_IGN, Signals } from "./signal-delivery";
import { SigInfoStore } from "./signal-queue";
import { exitedStatus, SIGNAL, siCodeForException, signaledStatus, signalForException } from "./signals";
import { registerEpollCalls } from "./syscalls/epoll";
import { registerFsCalls } from "./syscalls/fs";
import { registerFutexCalls } from "./syscalls/futex";
import { registerInfoCalls } from "./syscalls/info";
import { registerIoCalls } from "./syscalls/io";
import { registerMemoryCalls } from "./syscalls/memory";
import { registerPollCalls } from "./syscalls/poll";
import { registerProcessCalls } from "./syscalls/process";
import { registerSignalCalls } from "./syscalls/signal";
import { registerTimeCalls } from "./syscalls/time";
import { KernelFileSystem } from "./vfs";

/** A frame allocator the kernel can run on (the buddy allocator's shape). */
export interface KernelFrameAllocator {
  allocate(order: number): number;
  free(address: number, order: number): FrameFreeResult;
  /** One past the highest frame number it manages. */
  readonly frameCount: number;
  /** Free frames now (leak checks, sysinfo). */
  readonly freeFrames: number;
  /** Frames it manages in all. */
  readonly managedFrames: number;
  /** Free blocks of order `order` (2^order frames each), where the allocator keeps such lists (reports). */
  freeBlocks?(order: number): number;
}

/**
 * What a {@link Kernel.observer} is told, at the TSC cycle of the CPU it
 * happened on. Threads are null for the CPU's idle task. System calls are
 * the dispatcher's tracer's (`@tsos/syscall` SyscallTraceSink).
 */
export interface KernelObserver {
  /** `cpu` stopped running `from` and runs `to` now. */
  contextSwitch(cpu: number, from: Thread | null, to: Thread | null, cycle: number): void;
  /** An external interrupt or IPI of `vector` entered the kernel on `cpu`. */
  interrupt(cpu: number, vector: number, cycle: number): void;
  /** `thread` raised exception `vector` (a page fault, #UD, …) on `cpu`. */
  exception(cpu: number, vector: number, thread: Thread, cycle: number): void;
}

/** Options of {@link createKernel}. */
export interface KernelOptions {
  /** The machine. */
  readonly hardware: KernelHardware;
  /** Scheduling policies in priority order (default: realtime, then EEVDF). */
  readonly policies?: readonly SchedPolicy[];
  /** Builds the frame allocator from the usable memory map (default: the buddy allocator). */
  readonly frameAllocator?: (regions: readonly MemoryRegion[]) => KernelFrameAllocator;
  /** Seed of every random choice (getrandom, AT_RANDOM, treap priorities). Default 1. */
  readonly seed?: number;
  /** Hide the boot log (panics still print). */
  readonly quiet?: boolean;
  /** How many ended processes {@link Kernel.exitedProcesses} keeps (default 4096; 0 keeps none). */
  readonly processHistory?: number;
  /**
   * Make the console a terminal: the PS/2 keyboard (IRQ 1) and COM1's input
   * go through a line discipline — echo, line editing, ^C/^\/^Z as signals to
   * the foreground process group, termios — as on a Linux VT. Default false:
   * console input is plain bytes (a file or pipe on standard input, so runs
   * compare with native ones).
   */
  readonly terminal?: boolean;
  /** Scheduler tick rate (default 250 Hz, Linux's HZ on most distributions). */
  readonly tickHz?: number;
  /** Number of CPUs to bring up (default: all the machine has). */
  readonly cpus?: number;
  /**
   * Switch XMM state lazily (default false: eager, as Linux since 4.x): a
   * switch moves the general registers only and sets CR0.TS; the first SSE
   * instruction of the incoming task traps (#NM) and its state is moved
   * then. Code that reads or writes the running task's XMM state (fork,
   * exec) calls {@link Kernel.syncFpu} first. Measured here, it saves
   * nothing on a switch-bound benchmark and adds a trap per switch for
   * programs whose libc uses SSE (most), hence off by default.
   */
  readonly lazyFpu?: boolean;
  /** The initramfs (`cpio newc`), unpacked into the root at boot. */
  readonly initramfs?: Uint8Array;
  /** Extra files put into the root at boot (after the initramfs, before it turns read-only). */
  readonly files?: readonly { readonly path: string; readonly bytes: Uint8Array; readonly mode?: number }[];
}

/** Per-CPU kernel state. */
interface CpuState {
  online: boolean;
  lapic: LapicDriver;
  timer: LapicTimerDriver;
  /** TSC cycle the timer is armed for (Infinity: disarmed). */
  armedAt: number;
  /** The armed deadline is a scheduler tick (not a sleeper's deadline). */
  tickArmed: boolean;
  /** Which space each PCID's TLB entries on this CPU belong to. */
  readonly pcidOwners: (ProcessMemory | null)[];
}

/** Why the machine stopped, once it has. */
export interface KernelHalt {
  /** "init-exited" or "panic". */
  readonly reason: "init-exited" | "panic";
  /** init's wait status (init-exited). */
  readonly status: number;
  /** The panic message (panic). */
  readonly message: string;
}

/** Below this much physical memory the kernel keeps its hands off (real-mode area, AP trampoline). */
const LOW_MEMORY_RESERVED = 0x100000;
/** The timeout result of a sleep whose timeout completes the call with a value of its own (never a real result). */
const TIMED_OUT = -0x7fff_0002;
/** Pauses to wait for the application processors (each ~5 µs on the emulator: 50 ms in all). */
const AP_WAIT_POLLS = 10_000;
const PAGE = 4096;
/** PCIDs a CR3 can name. */
const PCID_COUNT = 4096;
/** INVPCID types. */
const INVPCID_ADDRESS = 0;
const INVPCID_SINGLE = 1;
const INVPCID_ALL_WITH_GLOBAL = 2;
/** Linux's TASK_SIZE on x86-64 with 4-level paging (the top user page is left unmapped). */
const TASK_SIZE = 0x7fff_ffff_f000;
/** Linux's MIN_GAP between the stack top and mmap_base. */
const MIN_MMAP_GAP = 128 * 1024 * 1024;
const NS_PER_SECOND = 1e9;
/** Linux's TASK_COMM_LEN − 1. */
const COMM_LENGTH = 15;

/** Builds a kernel on `options.hardware`; call {@link Kernel.boot} next. */
export function createKernel(options: KernelOptions): Kernel {
  return new Kernel(options);
}

/** Linux's names of the traps it reports (arch/x86/kernel/traps.c). */
const TRAP_NAMES: Record<number, string> = {
  [EXCEPTION.DE]: "trap divide error",
  [EXCEPTION.BP]: "trap int3",
  [EXCEPTION.UD]: "trap invalid opcode",
  [EXCEPTION.GP]: "general protection fault",
  [EXCEPTION.MF]: "trap coprocessor error",
  [EXCEPTION.XM]: "trap SIMD floating point exception",
  [EXCEPTION.AC]: "trap alignment check",
};

/** The composed kernel. */
export class Kernel {
  readonly hardware: KernelHardware;
  readonly frames: KernelFrameAllocator;
  readonly refCounts: FrameRefCounts;
  readonly scheduler: Scheduler<ProcessMemory>;
  readonly table = new SyscallTable();
  readonly dispatcher: SyscallDispatcher;
  readonly interruptStatistics: InterruptStatistics;
  readonly interrupts: InterruptDispatcher;
  readonly console: SerialConsole;
  readonly random: KernelRandom;
  /** The root file system (initramfs, /dev, /tmp). */
  readonly fileSystem: KernelFileSystem;
  /** Live and zombie processes by pid. */
  readonly processes = new Map<number, Process>();
  /** Live threads by tid. */
  readonly threads = new Map<number, Thread>();
  /** Sleeping tasks' deadlines (nanosleep, timeouts), in ns. */
  readonly timers = new TimerQueue<WaitQueueTimer>();
  /** nanosleep sleepers. */
  readonly sleepers: WaitQueue;
  /** Readers blocked on the console. */
  readonly consoleReaders: WaitQueue;
  /** poll/ppoll sleepers: woken (to look again) by any change of a pipe or the console. */
  readonly pollWaiters: WaitQueue;
  /** pause and sigsuspend sleep here: only a signal ends their wait. */
  readonly signalWaiters: WaitQueue;
  /** Owners of the frames the kernel's slab caches hold. */
  readonly slabOwners: FrameOwnerTable;
  /** Signal generation and delivery; its store is the `sigqueue` slab cache. */
  readonly signals: Signals;
  /** /proc (after boot mounted the root). */
  procfs: ProcFs | null = null;
  /** Futex wait queues (futex(2), pthread_join's CLONE_CHILD_CLEARTID wake). */
  readonly futexes: Futexes;
  /** Set once the machine is powering off. */
  halt: KernelHalt | null = null;
  /** The calibrated timer (after boot). */
  calibration: TimerCalibration | null = null;
  /** Kernel log lines (the boot log), also printed unless quiet. */
  readonly log: string[] = [];
  /** The CPU whose trap is being handled. */
  currentCpu = 0;
  /** Told of context switches, interrupts and exceptions (a timeline trace); null: nobody (one test per event). */
  observer: KernelObserver | null = null;
  /** Processes created since boot. */
  processesCreated = 0;
  /**
   * Processes that ended, oldest first (at most `processHistory` of them;
   * older ones are dropped and counted in {@link exitedProcessesDropped}).
   */
  readonly exitedProcesses: ProcessRecord[] = [];
  /** Records dropped from {@link exitedProcesses} to keep it within `processHistory`. */
  exitedProcessesDropped = 0;
  /** Page faults of every address space, by kind. */
  readonly faultCounters = new FaultCounters();
  /** Pipes created since boot (their inode numbers). */
  pipeCount = 0;
  /** Free frames right after boot (leak checks compare against it). */
  freeFramesAfterBoot = 0;
  /** Wall-clock time at boot (ns since the epoch, from the RTC) and the monotonic time it was read at. */
  private bootEpochNs = 0;
  private bootMonotonicNs = 0;

  private readonly quiet: boolean;
  private readonly processHistory: number;
  private readonly terminalConsole: boolean;
  /** The keyboard driver (terminal mode). */
  keyboard: I8042Keyboard | null = null;
  private readonly initramfs: Uint8Array | null;
  private readonly extraFiles: NonNullable<KernelOptions["files"]>;
  private readonly cpuCount: number;
  private readonly cpus: CpuState[] = [];
  private readonly tickNs: number;
  private kernelTable!: PageTable;
  private idtFrame = 0;
  private nsPerCycle = 1;
  /** The latest {@link nowNs} reading. */
  private latestNs = 0;
  private tickCycles = 4_000_000;
  private nextPid = 1;
  private readonly reapable: Task<ProcessMemory>[] = [];
  private readonly shootdown: TlbShootdown;
  private readonly cpuidOut = new Uint32Array(4);
  /** The CPUs tag TLB entries with PCIDs (CPUID PCID and INVPCID; decided on the bootstrap CPU). */
  private usePcids = false;
  /** PCIDs not in use by any space (1..4095; 0 is the kernel's). */
  private readonly freePcids: number[] = [];

  constructor(options: KernelOptions) {
    const hardware = options.hardware;
    this.hardware = hardware;
    this.quiet = options.quiet ?? false;
    this.processHistory = options.processHistory ?? 4096;
    this.terminalConsole = options.terminal ?? false;
    this.cpuCount = Math.max(
      1,
      Math.min(options.cpus ?? hardware.processors.length, hardware.processors.length),
    );
    this.tickNs = NS_PER_SECOND / (options.tickHz ?? 250);
    this.random = new KernelRandom(options.seed ?? 1);
    const usable = usableRegions(hardware.memoryMap);
    this.frames = options.frameAllocator?.(usable) ?? new BuddyAllocator(usable);
    this.refCounts = new FrameRefCounts(this.frames.frameCount);
    this.console = new SerialConsole(hardware.ports, () => this.nowNs());
    this.fileSystem = new KernelFileSystem(() => this.realtimeNs(), this.console, this.random);
    this.initramfs = options.initramfs ?? null;
    this.extraFiles = options.files ?? [];
    this.shootdown = {
      flushPages: (pages, count) => {
        for (let cpu = 0; cpu < this.cpuCount; cpu++) {
          if (!this.cpus[cpu]?.online) continue;
          const processor = hardware.processors[cpu]!;
          for (let index = 0; index < count; index++) processor.invlpg(BigInt(pages[index]!));
        }
      },
      flushAll: (includeGlobal) => {
        for (let cpu = 0; cpu < this.cpuCount; cpu++) {
          if (!this.cpus[cpu]?.online) continue;
          const processor = hardware.processors[cpu]!;
          // Reloading CR3 drops the non-global entries; rewriting CR4 (PGE toggle) drops them all.
          if (includeGlobal) {
            const cr4 = processor.cr4;
            processor.cr4 = cr4;
          } else {
            const cr3 = processor.cr3;
            processor.cr3 = cr3;
          }
        }
      },
    };
    this.scheduler = new Scheduler<ProcessMemory>({
      cpuCount: this.cpuCount,
      clock: () => this.nowNs(),
      ...(options.policies === undefined ? {} : { policies: options.policies }),
      lazyFpu: options.lazyFpu ?? false,
      hooks: {
        requestReschedule: (cpu) => this.requestReschedule(cpu),
        switchAddressSpace: (cpu, _from, to) => this.loadAddressSpace(cpu, to),
        setFpuTrap: (cpu, armed) => {
          const processor = hardware.processors[cpu]!;
          const cr0 = processor.cr0;
          const wanted = armed ? (cr0 | CR0.TS) >>> 0 : (cr0 & ~CR0.TS) >>> 0;
          if (wanted !== cr0) processor.cr0 = wanted;
        },
      },
    });
    const waker = {
      wake: (task: Task) => void this.scheduler.wake(task as Task<ProcessMemory>, this.currentCpu),
    };
    this.sleepers = new WaitQueue(waker, this.timers);
    this.consoleReaders = new WaitQueue(waker, this.timers);
    this.console.attachReaders(this.consoleReaders);
    this.pollWaiters = new WaitQueue(waker, this.timers);
    this.signalWaiters = new WaitQueue(waker, this.timers);
    this.slabOwners = new FrameOwnerTable(this.frames.frameCount);
    this.signals = new Signals(this, new SigInfoStore(hardware.memory, this.frames, this.slabOwners));
    this.futexes = new Futexes(this, waker, this.timers);
    this.console.changed = () => void this.pollWaiters.wakeAll();
    const host: ContinuationHost = {
      park: (continuation) => this.threadOfCall(continuation).task.context,
      resume: (continuation) =>
        void this.scheduler.wake(this.threadOfCall(continuation).task, this.currentCpu),
    };
    this.dispatcher = new SyscallDispatcher({
      table: this.table,
      host,
      virtualClock: { now: () => hardware.processors[this.currentCpu]!.tsc },
    });
    registerProcessCalls(this, this.table);
    registerMemoryCalls(this, this.table);
    registerIoCalls(this, this.table);
    registerTimeCalls(this, this.table);
    registerInfoCalls(this, this.table);
    registerFsCalls(this, this.table);
    registerPollCalls(this, this.table);
    registerFutexCalls(this, this.table);
    registerEpollCalls(this, this.table);
    registerSignalCalls(this, this.table);
    this.interruptStatistics = new InterruptStatistics(this.cpuCount);
    this.interrupts = new InterruptDispatcher({
      lapics: Array.from({ length: this.cpuCount }, (_, cpu) => ({
        endOfInterrupt: () => this.cpus[cpu]?.lapic.endOfInterrupt(),
      })),
      statistics: this.interruptStatistics,
      spuriousVector: KERNEL_VECTOR.SPURIOUS,
      clock: { now: () => hardware.clock.now() },
    });
  }

  // ---- boot ----

  /**
   * Boots the bootstrap processor and starts the others: checks the CPU,
   * builds the kernel page table and IDT, brings up the LAPIC, calibrates
   * its timer against the PIT, routes the serial interrupt through the
   * IOAPIC, installs the SYSCALL entry, and sends INIT-SIPI-SIPI to each
   * application processor (they come up as the machine runs). Returns
   * false (after a panic report) if the machine cannot run the kernel.
   */
  boot(): boolean {
    return this.guard(0, () => {
      this.print(`tsos: booting on ${this.hardware.processors.length} CPU(s), seed-driven virtual time\n`);
      this.checkProcessor(0);
      this.usePcids = this.hasPcids(0);
      if (this.usePcids) for (let pcid = PCID_COUNT - 1; pcid >= 1; pcid--) this.freePcids.push(pcid);
      this.console.initialise();
      const managed = this.frames.managedFrames * PAGE;
      this.print(`mm: ${Math.floor(managed / 1024)} KiB managed, low 1 MiB and holes reserved\n`);
      const table = PageTable.create(this.hardware.memory, this.frames);
      if (typeof table === "number") throw new Error("no memory for the kernel page table");
      this.kernelTable = table;
      this.idtFrame = this.allocateZeroedFrame();
      this.writeIdt();
      if (this.mapKernelPages(table) < 0) throw new Error("cannot map the IDT into the kernel page table");
      this.bindEntries();
      this.bringUpCpu(0);
      this.calibrate();
      this.bootEpochNs = this.readRtc();
      this.bootMonotonicNs = this.nowNs();
      this.print(`rtc: ${new Date(this.bootEpochNs / 1e6).toISOString()}\n`);
      this.routeInterrupts();
      this.mountRoot();
      this.print(
        `syscall: ${this.table.numbers().length} system calls registered at LSTAR ${hex(SYSCALL_ENTRY)}\n`,
      );
      for (let cpu = 1; cpu < this.cpuCount; cpu++) this.startApplicationProcessor(cpu);
      // Wait for the APs to check in (Linux waits too): the INIT-SIPI-SIPI delays need virtual time to pass.
      for (let polls = 0; polls < AP_WAIT_POLLS && this.onlineCpus < this.cpuCount; polls++)
        this.hardware.pause();
      if (this.onlineCpus < this.cpuCount)
        throw new Error(`only ${this.onlineCpus} of ${this.cpuCount} CPUs came up`);
      this.print(`smp: ${this.onlineCpus} CPU(s) online\n`);
      this.freeFramesAfterBoot = this.frames.freeFrames;
    });
  }

  /** The machine reports that CPU `cpu` received its STARTUP IPI (it is idle, at CPL 0). */
  applicationProcessorStarted(cpu: number): void {
    if (cpu <= 0 || cpu >= this.cpuCount || this.cpus[cpu]?.online) return;
    this.guard(cpu, () => {
      this.checkProcessor(cpu);
      this.bringUpCpu(cpu);
      this.hardware.processors[cpu]!.idle();
    });
  }

  /** CPUs that have come up. */
  get onlineCpus(): number {
    let count = 0;
    for (const state of this.cpus) if (state?.online) count++;
    return count;
  }

  private checkProcessor(cpu: number): void {
    const cpuid = this.hardware.processors[cpu]!.cpuid;
    const out = this.cpuidOut;
    const apic = checkApicSupport(cpuid);
    if (!apic.ok) throw new Error(`CPU ${cpu}: ${apic.error.message}`);
    if (!apic.value.tscDeadline) throw new Error(`CPU ${cpu}: no TSC-deadline timer (CPUID.1:ECX[24])`);
    cpuid.query(CPUID_FEATURE.LM.leaf, 0, out);
    const missing: string[] = [];
    if (!hasFeature(out, CPUID_FEATURE.LM)) missing.push("long mode");
    if (!hasFeature(out, CPUID_FEATURE.SYSCALL)) missing.push("SYSCALL");
    if (!hasFeature(out, CPUID_FEATURE.NX)) missing.push("NX");
    if (missing.length > 0) throw new Error(`CPU ${cpu} lacks ${missing.join(", ")}`);
    cpuid.query(CPUID_FEATURE.SSE2.leaf, 0, out);
    // x86-64 implies SSE2; the emulated CPU implements a subset and says so in CPUID.
    if (cpu === 0 && !hasFeature(out, CPUID_FEATURE.SSE2))
      this.print("cpu: SSE2 not reported; SSE instructions it lacks raise #UD (SIGILL)\n");
  }

  private hasPcids(cpu: number): boolean {
    const out = this.cpuidOut;
    const cpuid = this.hardware.processors[cpu]!.cpuid;
    cpuid.query(CPUID_FEATURE.PCID.leaf, 0, out);
    if (!hasFeature(out, CPUID_FEATURE.PCID)) return false;
    cpuid.query(CPUID_FEATURE.INVPCID.leaf, CPUID_FEATURE.INVPCID.subleaf, out);
    return hasFeature(out, CPUID_FEATURE.INVPCID);
  }

  private bringUpCpu(cpu: number): void {
    const hardware = this.hardware;
    const processor = hardware.processors[cpu]!;
    const msrs = hardware.msrs(cpu);
    const efer = EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE;
    if (!processor.msrs.write(MSR.EFER, BigInt(efer))) throw new Error(`CPU ${cpu}: EFER write refused`);
    processor.cr3 = BigInt(this.kernelTable.root);
    processor.setIdtr(BigInt.asUintN(64, BigInt(IDT_VIRTUAL)), IDT_BYTES - 1);
    installSyscallEntry({
      msrs: processor.msrs,
      entries: hardware.entries,
      handler: (frame) => this.syscallEntry(frame),
      lstar: SYSCALL_ENTRY,
    });
    const lapic = new LapicDriver(hardware.lapics[cpu]!);
    const up = lapic.bringUp({ spuriousVector: KERNEL_VECTOR.SPURIOUS, errorVector: KERNEL_VECTOR.ERROR });
    if (!up.ok) throw new Error(`CPU ${cpu}: ${up.error.message}`);
    const timer = new LapicTimerDriver(hardware.lapics[cpu]!, {
      msrs,
      cpu,
      recorder: this.interruptStatistics,
      clock: hardware.clock,
      ...(this.calibration === null ? {} : { calibration: this.calibration }),
    });
    const deadline = timer.enableTscDeadline(KERNEL_VECTOR.TIMER);
    if (!deadline.ok) throw new Error(`CPU ${cpu}: ${deadline.error.message}`);
    if (this.usePcids) processor.cr4 = processor.cr4 | CR4.PCIDE;
    this.cpus[cpu] = {
      online: true,
      lapic,
      timer,
      armedAt: Number.POSITIVE_INFINITY,
      tickArmed: false,
      pcidOwners: Array.from({ length: PCID_COUNT }, () => null),
    };
  }

  private calibrate(): void {
    const clock = this.hardware.clock;
    const result = calibrateLapicTimer({
      lapic: this.hardware.lapics[0]!,
      ports: this.hardware.ports,
      pause: () => this.hardware.pause(),
      clock,
    });
    if (!result.ok) throw new Error(`timer calibration: ${result.error.message}`);
    this.calibration = result.value;
    this.nsPerCycle = NS_PER_SECOND / result.value.tscHz;
    this.tickCycles = Math.round(this.tickNs / this.nsPerCycle);
    const mhz = (value: number) => (value / 1e6).toFixed(1);
    this.print(
      `timer: TSC ${mhz(result.value.tscHz)} MHz, LAPIC timer ${mhz(result.value.timerInputHz)} MHz (PIT-calibrated), tick ${this.tickNs / 1e6} ms, TSC-deadline\n`,
    );
    // The timer was re-armed with the calibration's one-shot mode during calibration: back to TSC-deadline.
    const deadline = this.cpus[0]!.timer.enableTscDeadline(KERNEL_VECTOR.TIMER);
    if (!deadline.ok) throw new Error(deadline.error.message);
  }

  private routeInterrupts(): void {
    const ioapic = new IoapicDriver(this.hardware.ioapic, 0);
    const info = ioapic.init();
    if (!info.ok) throw new Error(`ioapic: ${info.error.message}`);
    const router = new IrqRouter([ioapic], [PC_TIMER_OVERRIDE]);
    const route = router.routeIsaIrq(4, KERNEL_VECTOR.SERIAL, 0);
    if (!route.ok) throw new Error(`ioapic: ${route.error.message}`);
    this.interrupts.register(KERNEL_VECTOR.SERIAL, () => this.console.receiveInterrupt());
    this.interrupts.register(KERNEL_VECTOR.TIMER, (frame) => this.timerInterrupt(frame.cpuId));
    this.interrupts.register(KERNEL_VECTOR.RESCHEDULE, () => {});
    this.interrupts.register(KERNEL_VECTOR.ERROR, (frame) => {
      this.cpus[frame.cpuId]?.lapic.readErrorStatus();
    });
    this.print(
      `ioapic: ${info.value.entryCount} pins; COM1 (IRQ 4) -> vector ${hex(KERNEL_VECTOR.SERIAL)} on CPU 0\n`,
    );
    if (this.terminalConsole) this.startTerminal(router);
  }

  /** Terminal mode: the keyboard driver on IRQ 1 and the console's line discipline. */
  private startTerminal(router: IrqRouter): void {
    this.console.becomeTerminal((group, signal) => this.signalGroup(group, signal));
    const keyboard = new I8042Keyboard(this.hardware.ports, (bytes) => this.console.keyboardInput(bytes));
    const ready = keyboard.initialise();
    if (!ready.ok) {
      this.print(`keyboard: ${ready.error}; the console takes serial input only\n`);
      return;
    }
    const route = router.routeIsaIrq(1, KERNEL_VECTOR.KEYBOARD, 0);
    if (!route.ok) throw new Error(`ioapic: ${route.error.message}`);
    this.interrupts.register(KERNEL_VECTOR.KEYBOARD, () => keyboard.interrupt());
    this.keyboard = keyboard;
    this.print(
      `keyboard: i8042 + PS/2 keyboard (IRQ 1) -> vector ${hex(KERNEL_VECTOR.KEYBOARD)} on CPU 0; the console is a terminal\n`,
    );
  }

  /** A signal from the kernel (a terminal's ^C) to every live process of group `group`. */
  signalGroup(group: number, signal: number): void {
    for (const process of this.processes.values())
      if (process.state === PROCESS_STATE.ALIVE && process.pgid === group)
        this.sendSignal(process, signal, this.signals.kernelInfo(signal));
  }

  private mountRoot(): void {
    const fs = this.fileSystem;
    if (this.initramfs !== null) {
      const problem = fs.unpack(this.initramfs);
      if (problem !== null) throw new Error(`initramfs: ${problem}`);
    }
    for (const file of this.extraFiles) {
      const result = fs.addFile(file.path, file.bytes, file.mode ?? 0o755);
      if (result < 0) throw new Error(`cannot add ${file.path} to the root (errno ${-result})`);
    }
    const sealed = fs.seal();
    if (sealed !== null) throw new Error(sealed);
    this.procfs = new ProcFs(this, fs.ramfs, fs.procMount!);
    const files = this.initramfs === null ? 0 : this.initramfs.length;
    this.print(
      `vfs: initramfs ${Math.ceil(files / 1024)} KiB${this.extraFiles.length > 0 ? ` + ${this.extraFiles.length} file(s)` : ""}, root read-only, /tmp writable\n`,
    );
  }

  private startApplicationProcessor(cpu: number): void {
    startApplicationProcessor({
      lapic: this.cpus[0]!.lapic,
      clock: this.hardware.clock,
      apicId: cpu,
      startAddress: AP_TRAMPOLINE,
      hasStarted: () => this.cpus[cpu]?.online === true,
      onDone: (result) => {
        if (!result.ok || !result.value.started)
          this.print(`smp: CPU ${cpu} did not start (${result.ok ? "no answer" : result.error.message})\n`);
      },
    });
  }

  // ---- IDT and entries ----

  private writeIdt(): void {
    const memory = this.hardware.memory;
    for (let vector = 0; vector < 256; vector++) {
      const at = this.idtFrame + vector * 16;
      const target = GATE_BASE + BigInt(vector * 16);
      const low = Number(target & 0xffffn);
      const middle = Number((target >> 16n) & 0xffffn);
      const high = Number((target >> 32n) & 0xffffffffn);
      // A user-mode int3 reaches #BP (DPL 3); every other gate is for CPL 0 only.
      const dpl = vector === EXCEPTION.BP || vector === EXCEPTION.OF ? 3 : 0;
      memory.write16(at, low);
      memory.write16(at + 2, 0x10); // kernel code selector
      memory.write8(at + 4, 0);
      memory.write8(at + 5, 0x80 | (dpl << 5) | 0x0e); // present, 64-bit interrupt gate
      memory.write16(at + 6, middle);
      memory.write32(at + 8, high);
      memory.write32(at + 12, 0);
    }
  }

  private bindEntries(): void {
    const entries = this.hardware.entries;
    for (let vector = 0; vector < 256; vector++) {
      const target = GATE_BASE + BigInt(vector * 16);
      if (vector < 32) entries.bind(target, (frame) => this.exceptionEntry(frame));
      else entries.bind(target, (frame) => this.interruptEntry(frame));
    }
  }

  /** Maps the kernel pages every address space needs (the IDT: supervisor, read-only, global). */
  private mapKernelPages(table: PageTable): number {
    return table.map(IDT_VIRTUAL, this.idtFrame, PAGE, PTE.G);
  }

  private allocateZeroedFrame(): number {
    const frame = this.frames.allocate(0);
    if (frame < 0) throw new Error("out of memory during boot");
    this.hardware.memory.bytes(frame, PAGE).fill(0);
    this.hardware.memory.notifyWritten(frame, PAGE);
    return frame;
  }

  // ---- trap entries ----

  private syscallEntry(frame: TrapFrame): void {
    const cpu = frame.cpuId;
    this.currentCpu = cpu;
    try {
      const thread = this.currentThread(cpu);
      if (thread === null) throw new Error("SYSCALL with no thread running");
      this.dispatcher.callRecord(cpu, frame).task = thread;
      this.dispatcher.dispatch(frame);
      this.returnToUser(frame);
    } catch (error) {
      this.panic(cpu, frame, error);
    }
  }

  private exceptionEntry(frame: TrapFrame): void {
    const cpu = frame.cpuId;
    this.currentCpu = cpu;
    try {
      const thread = this.currentThread(cpu);
      if (thread === null)
        throw new Error(`exception ${frame.vector} with no thread running (error code ${frame.errorCode})`);
      this.observer?.exception(cpu, frame.vector, thread, this.hardware.processors[cpu]!.tsc);
      this.userException(thread, frame);
      this.returnToUser(frame);
    } catch (error) {
      this.panic(cpu, frame, error);
    }
  }

  private interruptEntry(frame: TrapFrame): void {
    const cpu = frame.cpuId;
    this.currentCpu = cpu;
    try {
      this.observer?.interrupt(cpu, frame.vector, this.hardware.processors[cpu]!.tsc);
      this.interrupts.dispatch(frame);
      this.returnToUser(frame);
    } catch (error) {
      this.panic(cpu, frame, error);
    }
  }

  private userException(thread: Thread, frame: TrapFrame): void {
    const process = thread.process;
    const vector = frame.vector;
    if (vector === EXCEPTION.PF) {
      const address = frame.faultAddressHigh * 2 ** 32 + frame.faultAddressLow;
      const result = process.memory!.space.handlePageFault(address, frame.errorCode);
      if (result === FAULT.RESOLVED) return;
      if (result === FAULT.OOM) {
        this.print(`Out of memory: Killed process ${process.pid} (${process.name})\n`);
        this.killProcess(process, SIGNAL.SIGKILL);
        return;
      }
      // Linux's set_signal_archinfo: the user bit, and the protection bit for a kernel address.
      thread.trapNumber = vector;
      thread.errorCode = (frame.errorCode | 4 | (address >= 2 ** 47 ? 1 : 0)) >>> 0;
      thread.faultAddress = address;
      this.signals.force(thread, SIGNAL.SIGSEGV, this.signals.faultInfo(SIGNAL.SIGSEGV, result, address));
      return;
    }
    if (vector === EXCEPTION.NM && this.scheduler.fpuTrap(frame.cpuId, frame.context)) return;
    if (vector === EXCEPTION.DF || vector === EXCEPTION.MC)
      throw new Error(`${vector === EXCEPTION.DF ? "double fault" : "machine check"} in user mode`);
    const signal = signalForException(vector);
    thread.trapNumber = vector;
    thread.errorCode = Math.max(frame.errorCode, 0);
    // A user RIP (below 2^47): readNumber is exact.
    const rip = readNumber(frame.context.regs, SLOT.RIP);
    const code = siCodeForException(vector, frame.context);
    if (!this.hasHandler(process, signal)) this.logTrap(process, vector, frame, rip);
    this.signals.force(thread, signal, this.signals.faultInfo(signal, code, code === SI.KERNEL ? 0 : rip));
  }

  private hasHandler(process: Process, signal: number): boolean {
    return (process.actions[signal]?.handler ?? SIG_DFL) > SIG_IGN;
  }

  /**
   * Linux's show_signal line for a fatal trap (printed when the signal has
   * no handler, as with show_unhandled_signals = 1), with the 16 code bytes
   * at RIP, so an unimplemented instruction is one look away.
   */
  private logTrap(process: Process, vector: number, frame: TrapFrame, rip: number): void {
    const bytes = new Uint8Array(16);
    const code = process.memory?.access.read(rip, bytes)
      ? ` code: ${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ")}`
      : "";
    const sp = readNumber(frame.context.regs, GPR.RSP);
    const name = TRAP_NAMES[vector] ?? `trap ${vector}`;
    this.print(
      `traps: ${process.name}[${process.pid}] ${name} ip:${rip.toString(16)} sp:${sp.toString(16)} error:${Math.max(frame.errorCode, 0).toString(16)}${code}\n`,
    );
  }

  private timerInterrupt(cpu: number): void {
    expireWaitTimeouts(this.timers, this.nowNs());
    this.scheduler.tick(cpu);
    // The deadline fired (IA32_TSC_DEADLINE clears itself): nothing is armed now.
    const state = this.cpus[cpu]!;
    state.armedAt = Number.POSITIVE_INFINITY;
    state.tickArmed = false;
  }

  /**
   * The way back to user mode on the frame's CPU: exits threads of dying
   * processes, switches if need-resched is set, halts with nothing to run,
   * and re-arms the timer when the CPU's situation changed.
   */
  returnToUser(frame: TrapFrame): void {
    const cpu = frame.cpuId;
    const scheduler = this.scheduler;
    const idle = scheduler.runQueues[cpu]!.idle;
    const first = scheduler.current(cpu);
    // The common case: the running thread goes on and the scheduler has nothing to do.
    if (
      first !== idle &&
      !(first as ThreadTask).thread.signalCheck &&
      !isDying((first as ThreadTask).thread.process) &&
      !scheduler.wantsSchedule(cpu)
    ) {
      if (this.cpus[cpu]!.armedAt === Number.POSITIVE_INFINITY) this.armTimer(cpu);
      return;
    }
    let switched = false;
    for (;;) {
      const current = scheduler.current(cpu);
      if (current !== idle) {
        const thread = (current as ThreadTask).thread;
        const process = thread.process;
        if (process.killedBy !== 0 || process.groupExitStatus >= 0) {
          this.exitCurrentThread(
            cpu,
            thread,
            process.killedBy !== 0 ? signaledStatus(process.killedBy) : process.groupExitStatus,
          );
        } else if (thread.exitStatus >= 0) this.exitCurrentThread(cpu, thread, thread.exitStatus);
        else if (process.stopped) scheduler.stop(current, cpu);
      }
      const next = scheduler.schedule(cpu, frame.context);
      if (next !== current) switched = true;
      this.reapTasks();
      if (next === idle) {
        if (first !== idle) this.observeSwitch(cpu, first, idle);
        this.armTimer(cpu);
        this.hardware.processors[cpu]!.idle();
        return;
      }
      const thread = (next as ThreadTask).thread;
      if (isDying(thread.process) || thread.exitStatus >= 0) continue;
      if (thread.signalCheck && this.signals.deliver(cpu, thread, frame.context)) switched = true;
      if (!isDying(thread.process)) break;
    }
    if (switched) {
      const last = scheduler.current(cpu);
      if (last !== first) this.observeSwitch(cpu, first, last);
      frame.returnPath = RETURN_PATH.IRET;
      this.armTimer(cpu);
    } else if (this.cpus[cpu]!.armedAt === Number.POSITIVE_INFINITY) this.armTimer(cpu);
  }

  private observeSwitch(cpu: number, from: Task, to: Task): void {
    const observer = this.observer;
    if (observer === null) return;
    const idle = this.scheduler.runQueues[cpu]!.idle;
    observer.contextSwitch(
      cpu,
      from === idle ? null : (from as ThreadTask).thread,
      to === idle ? null : (to as ThreadTask).thread,
      this.hardware.processors[cpu]!.tsc,
    );
  }

  /**
   * Arms `cpu`'s TSC-deadline timer for its next event: the next tick while
   * it has work (a tick already armed in the future is kept, so a switch
   * costs no MSR write), the earliest sleeper's deadline, or nothing
   * (tickless idle).
   */
  private armTimer(cpu: number): void {
    const state = this.cpus[cpu]!;
    const now = this.hardware.processors[cpu]!.tsc;
    let deadline = Number.POSITIVE_INFINITY;
    if (this.scheduler.tickNeeded(cpu))
      deadline = state.armedAt > now && state.tickArmed ? state.armedAt : now + this.tickCycles;
    const tick = deadline;
    const sleeper = this.timers.nextDeadline();
    if (sleeper !== Number.POSITIVE_INFINITY)
      deadline = Math.min(deadline, Math.max(now + 1, Math.ceil(sleeper / this.nsPerCycle)));
    state.tickArmed = deadline === tick && tick !== Number.POSITIVE_INFINITY;
    if (deadline === state.armedAt) return;
    if (deadline === Number.POSITIVE_INFINITY) state.timer.armDeadline(0, 0);
    else state.timer.armDeadlineAt(deadline);
    state.armedAt = deadline;
  }

  /** Asks `cpu` to pass through its way back to user mode soon (a reschedule IPI). */
  requestReschedule(cpu: number): void {
    const from = this.cpus[this.currentCpu];
    if (from === undefined || !this.cpus[cpu]?.online) return;
    from.lapic.sendFixedIpi(cpu, KERNEL_VECTOR.RESCHEDULE);
  }

  /**
   * Loads `to`'s page tables on `cpu` (the kernel's when null). With PCIDs
   * the CPU keeps each space's translations: the load keeps them (CR3 bit
   * 63) when this CPU last used the PCID for this same space, and flushes
   * the PCID's entries once when it was another's.
   */
  private loadAddressSpace(cpu: number, to: ProcessMemory | null): void {
    const processor = this.hardware.processors[cpu]!;
    const root = to === null ? this.kernelTable.root : to.space.pageTable.root;
    // The 64-bit operand as halves: no bigint on the switch path.
    const high = Math.floor(root / 4294967296);
    const low = root - high * 4294967296;
    if (to === null || to.pcid === 0 || !this.usePcids) processor.loadCr3(low, high);
    else {
      const owners = this.cpus[cpu]!.pcidOwners;
      const keep = owners[to.pcid] === to;
      owners[to.pcid] = to;
      processor.loadCr3(low + to.pcid, keep ? (high | 0x80000000) >>> 0 : high);
    }
    this.dispatcher.setMemory(cpu, to?.access ?? null);
  }

  /**
   * Virtual time in ns on the CPU whose trap is being handled, never less
   * than any earlier reading on any CPU: the machine runs CPUs a slice each
   * in turn, so their TSCs may differ by up to a slice, and kernel time
   * (CLOCK_MONOTONIC, process start and end, timers) must not go backwards
   * when a process moves between CPUs.
   */
  nowNs(): number {
    const ns = this.hardware.processors[this.currentCpu]!.tsc * this.nsPerCycle;
    if (ns > this.latestNs) this.latestNs = ns;
    return this.latestNs;
  }

  /** CLOCK_MONOTONIC: ns since the machine started. */
  monotonicNs(): number {
    return this.nowNs();
  }

  /** CLOCK_REALTIME: ns since the epoch (the RTC's time at boot plus the time since). */
  realtimeNs(): number {
    return this.bootEpochNs + this.nowNs() - this.bootMonotonicNs;
  }

  /** The scheduler tick in ns (CLOCK_*_COARSE resolution). */
  get tickNanoseconds(): number {
    return this.tickNs;
  }

  /** CPU time of `thread` so far, the running slice included (ns). */
  cpuTimeNs(thread: Thread): number {
    const accounting = thread.task.accounting;
    let total = accounting.userTime + accounting.kernelTime;
    if (thread.task.state === 1 /* RUNNING */)
      total += Math.max(0, this.nowNs() - this.scheduler.runQueues[thread.task.cpu]!.lastAccounted);
    return total;
  }

  /** Reads the CMOS RTC (MC146818: BCD or binary, 12/24 h per status register B) as ns since the epoch. */
  private readRtc(): number {
    const ports = this.hardware.ports;
    const read = (register: number) => {
      ports.out8(0x70, register);
      return ports.in8(0x71);
    };
    // Wait out an update in progress (status A bit 7), bounded.
    for (let tries = 0; tries < 1000 && (read(0x0a) & 0x80) !== 0; tries++) this.hardware.pause();
    const statusB = read(0x0b);
    const binary = (statusB & 0x04) !== 0;
    const decode = (value: number) => (binary ? value : (value >> 4) * 10 + (value & 0x0f));
    const second = decode(read(0x00));
    const minute = decode(read(0x02));
    let hour = read(0x04);
    const pm = (hour & 0x80) !== 0;
    hour = decode(hour & 0x7f);
    if ((statusB & 0x02) === 0) hour = (hour % 12) + (pm ? 12 : 0);
    const day = decode(read(0x07));
    const month = decode(read(0x08));
    const year = decode(read(0x09));
    const centuryRegister = decode(read(0x32));
    const century = centuryRegister >= 19 && centuryRegister <= 30 ? centuryRegister : 20;
    const milliseconds = Date.UTC(century * 100 + year, month - 1, day, hour, minute, second);
    return Number.isFinite(milliseconds) ? milliseconds * 1e6 : 0;
  }

  // ---- processes ----

  /** The thread running on `cpu`, or null when it is idle. */
  currentThread(cpu: number): Thread | null {
    const task = this.scheduler.current(cpu);
    return task.id < 0 ? null : (task as ThreadTask).thread;
  }

  /** The thread that made a parked call. */
  private threadOfCall(continuation: Continuation): Thread {
    return continuation.task as Thread;
  }

  /** The calling thread of a system call. */
  threadOf(call: SyscallCall): Thread {
    return call.task as Thread;
  }

  /**
   * A fresh address space with the kernel pages mapped; -ENOMEM. Its mmap
   * area starts below the stack's reach as Linux's mmap_base does:
   * TASK_SIZE − clamp(RLIMIT_STACK, 128 MiB, 5/6 TASK_SIZE).
   */
  createMemory(stackLimit = 8 * 1024 * 1024): ProcessMemory | number {
    const gap = Math.min(Math.max(stackLimit, MIN_MMAP_GAP), (TASK_SIZE / 6) * 5);
    const space = AddressSpace.create({
      memory: this.hardware.memory,
      frames: this.frames,
      refCounts: this.refCounts,
      shootdown: this.shootdown,
      faultCounters: this.faultCounters,
      mmapBase: Math.floor((TASK_SIZE - gap) / PAGE) * PAGE,
      stackLimit,
    });
    if (typeof space === "number") return space;
    return this.wrapSpace(space);
  }

  /** A copy-on-write copy of `memory` (fork); -ENOMEM. */
  forkMemory(memory: ProcessMemory): ProcessMemory | number {
    const space = memory.space.fork();
    if (typeof space === "number") return space;
    space.shootdown = this.shootdown;
    return this.wrapSpace(space);
  }

  private wrapSpace(space: AddressSpace): ProcessMemory | number {
    const mapped = this.mapKernelPages(space.pageTable);
    if (mapped < 0) {
      space.destroy();
      return mapped;
    }
    const memory = this.hardware.memory;
    const access: UserMemory = {
      read: (address, into) => copyFromUser(space, memory, address, into) === 0,
      write: (address, bytes) => copyToUser(space, memory, address, bytes) === 0,
    };
    const pcid = this.usePcids ? (this.freePcids.pop() ?? 0) : 0;
    if (pcid !== 0) space.shootdown = this.pcidShootdown(pcid);
    return new ProcessMemory(space, access, pcid);
  }

  /**
   * TLB invalidation for the space tagged `pcid`, on every CPU: INVPCID of
   * each page (or of the whole context), whichever PCID the CPU runs now,
   * since a CPU keeps other PCIDs' translations across switches.
   */
  private pcidShootdown(pcid: number): TlbShootdown {
    const processors = this.hardware.processors;
    return {
      flushPages: (pages, count) => {
        for (let cpu = 0; cpu < this.cpuCount; cpu++) {
          if (!this.cpus[cpu]?.online) continue;
          const processor = processors[cpu]!;
          for (let index = 0; index < count; index++)
            processor.invpcid(INVPCID_ADDRESS, pcid, BigInt(pages[index]!));
        }
      },
      flushAll: (includeGlobal) => {
        for (let cpu = 0; cpu < this.cpuCount; cpu++) {
          if (!this.cpus[cpu]?.online) continue;
          processors[cpu]!.invpcid(includeGlobal ? INVPCID_ALL_WITH_GLOBAL : INVPCID_SINGLE, pcid, 0n);
        }
      },
    };
  }

  /** Drops one user of `memory`; the last one frees it (no CPU keeps its page tables loaded). */
  releaseMemory(memory: ProcessMemory): void {
    memory.users--;
    if (memory.users > 0) return;
    const root = BigInt(memory.space.pageTable.root);
    for (let cpu = 0; cpu < this.cpuCount; cpu++) {
      const processor = this.hardware.processors[cpu]!;
      if (this.cpus[cpu]?.online && (processor.cr3 & ~0xfffn) === root) {
        processor.cr3 = BigInt(this.kernelTable.root);
        this.dispatcher.setMemory(cpu, null);
      }
    }
    memory.space.destroy();
    if (memory.pcid !== 0) this.freePcids.push(memory.pcid);
  }

  /** The next free pid (tids share the space, as in Linux); pid_max is 4,194,304. */
  allocatePid(): number {
    for (let attempt = 0; attempt < 4_194_304; attempt++) {
      const pid = this.nextPid;
      this.nextPid = pid >= 4_194_303 ? 2 : pid + 1;
      if (!this.processes.has(pid) && !this.threads.has(pid)) return pid;
    }
    return -1;
  }

  /** Creates a process around `memory` with one thread whose registers are `context` (not started). */
  createProcess(
    parent: Process | null,
    memory: ProcessMemory,
    files: FileTable,
    context: CpuContext,
    name: string,
    executable: string,
  ): Thread | number {
    const pid = this.allocatePid();
    if (pid < 0) return -11; // EAGAIN
    const waker = {
      wake: (task: Task) => void this.scheduler.wake(task as Task<ProcessMemory>, this.currentCpu),
    };
    const process = new Process(pid, parent, memory, files, {
      name: name.slice(0, COMM_LENGTH),
      executable,
      limits: parent === null ? defaultLimits() : parent.limits.map((limit) => ({ ...limit })),
      childWaiters: new WaitQueue(waker, this.timers),
      vforkWaiters: new WaitQueue(waker, this.timers),
      threadExitWaiters: new WaitQueue(waker, this.timers),
      startNs: this.nowNs(),
    });
    if (parent !== null) {
      parent.children.add(process);
      process.uid = parent.uid;
      process.gid = parent.gid;
      process.umask = parent.umask;
      for (let signal = 0; signal < parent.actions.length; signal++) {
        const action = parent.actions[signal];
        process.actions[signal] = action === null || action === undefined ? null : { ...action };
      }
    }
    process.cwd = parent?.cwd ?? this.fileSystem.ramfs.root;
    files.limit = process.limits[7]!.soft;
    const task = new ThreadTask({ id: pid, addressSpace: memory, name: process.name, context });
    const thread = new Thread(process, task);
    process.threads.add(thread);
    this.processes.set(pid, process);
    this.threads.set(pid, thread);
    this.processesCreated++;
    return thread;
  }

  /**
   * A new thread of `process` (clone with CLONE_THREAD) whose registers are
   * `context` (not started): its own tid, the process's memory and files.
   */
  createThread(process: Process, context: CpuContext): Thread | number {
    const tid = this.allocatePid();
    if (tid < 0) return -11; // EAGAIN
    const task = new ThreadTask({ id: tid, addressSpace: process.memory!, name: process.name, context });
    const thread = new Thread(process, task);
    process.threads.add(thread);
    this.threads.set(tid, thread);
    return thread;
  }

  /** Starts a created thread (it runs on an idle CPU if there is one). */
  startThread(thread: Thread): void {
    this.scheduler.start(thread.task, -1);
  }

  /**
   * Starts the first process, pid 1, running `image` with `argv` and
   * `envp`, its descriptors 0, 1 and 2 on the console. Returns its pid or
   * -errno (a bad ELF: -ENOEXEC; too many arguments: -E2BIG).
   */
  spawnInit(image: ProgramImage, argv: readonly string[], envp: readonly string[]): number {
    if (this.processes.has(1)) return -17; // EEXIST
    const files = new FileTable();
    const console = this.openConsole();
    files.install(console, false, 0);
    files.install(console, false, 1);
    files.install(new OpenFile(this.console, O.RDWR, "/dev/console", CONSOLE_ERROR_STREAM), false, 2);
    const context = createCpuContext();
    const placeholder = this.createMemory();
    if (typeof placeholder === "number") return placeholder;
    const created = this.createProcess(null, placeholder, files, context, baseName(image.path), image.path);
    if (typeof created === "number") {
      this.releaseMemory(placeholder);
      return created;
    }
    const process = created.process;
    const loaded = loadProgram(this, process, image, argv, envp);
    if (typeof loaded === "number") {
      this.discardUnstarted(created);
      return loaded;
    }
    this.releaseMemory(placeholder);
    process.memory = loaded.memory;
    process.commandLine = commandLineOf(argv);
    created.task.addressSpace = loaded.memory;
    resetContext(created.task.context, loaded.entry, loaded.stackPointer);
    this.startThread(created);
    // The bootstrap CPU is not in a trap handler yet: switch to init and resume user mode now.
    this.currentCpu = 0;
    this.scheduler.schedule(0, this.hardware.processors[0]!.context);
    if (!this.hardware.processors[0]!.loadContext()) return -14; // EFAULT: not reachable for a loaded image
    this.armTimer(0);
    return process.pid;
  }

  /** {@link spawnInit} of a program in the root file system (Linux's /init): its pid or -errno (ENOENT, EACCES, ENOEXEC). */
  spawnInitFromPath(path: string, argv: readonly string[], envp: readonly string[]): number {
    const inode = this.fileSystem.ramfs.lookup(this.fileSystem.ramfs.root, path, true);
    if (typeof inode === "number") return inode;
    if (!inode.isRegular || (inode.mode & 0o111) === 0) return -13; // EACCES
    return this.spawnInit({ path, bytes: inode.data.slice(0, inode.size) }, argv, envp);
  }

  /** Makes the running task's XMM state the live one on `cpu` (lazy FPU), before kernel code reads or replaces it. */
  syncFpu(cpu: number, context: CpuContext): void {
    this.scheduler.fpuTrap(cpu, context);
  }

  /** AT_HWCAP: CPUID.01H:EDX of the bootstrap CPU. */
  hardwareCapabilities(): number {
    return hardwareCapabilities(this.hardware.processors[0]!.cpuid);
  }

  /** After execve: the CPU running `thread` loads its new page tables now. */
  switchCurrentMemory(thread: Thread, memory: ProcessMemory): void {
    if (thread.task.state === 1 /* RUNNING */) this.loadAddressSpace(thread.task.cpu, memory);
  }

  /** A new pipe, its ring in page frames of this kernel's allocator. */
  createPipe(): Pipe {
    const waker = {
      wake: (task: Task) => void this.scheduler.wake(task as Task<ProcessMemory>, this.currentCpu),
    };
    return new Pipe(
      this.hardware.memory,
      this.frames,
      new WaitQueue(waker, this.timers),
      new WaitQueue(waker, this.timers),
      ++this.pipeCount,
      this.realtimeNs(),
      () => void this.pollWaiters.wakeAll(),
    );
  }

  /** Which processes are alive and how their threads wait (for a deadlock report). */
  blockedSummary(): string {
    const parts: string[] = [];
    for (const process of this.processes.values()) {
      if (process.state !== PROCESS_STATE.ALIVE) continue;
      const states = [...process.threads].map((thread) =>
        thread.waitingOn === this.consoleReaders ? "reading the console" : `state ${thread.task.state}`,
      );
      parts.push(`pid ${process.pid} (${process.name}) ${states.join(", ")}`);
    }
    return parts.length === 0 ? "no live process" : parts.join("; ");
  }

  /** The console as an open file (for a process's first descriptors). */
  openConsole(flags = O.RDWR): OpenFile {
    return new OpenFile(this.console, flags, "/dev/console");
  }

  /**
   * Kills `process` with `signal`'s default termination: every thread
   * leaves on its way back to user mode (sleepers are interrupted, other
   * CPUs are asked by IPI); the wait status names the signal.
   */
  killProcess(process: Process, signal: number): void {
    if (process.state !== PROCESS_STATE.ALIVE || process.killedBy !== 0) return;
    process.killedBy = signal;
    this.hurryThreads(process);
  }

  /**
   * Sends `signal` to `process` — or to `thread` of it — with siginfo
   * `info` (default: SI_KERNEL); see signal-delivery.ts for what happens.
   * Returns 0, or -EAGAIN for a sigqueue-style realtime signal over RLIMIT_SIGPENDING.
   */
  sendSignal(process: Process, signal: number, info?: Uint8Array, thread: Thread | null = null): number {
    return this.signals.send(process, signal, info ?? this.signals.kernelInfo(signal), thread);
  }

  /** The kernel's slab caches (their statistics go in reports; `reclaim` frees their empty slabs). */
  get slabCaches(): readonly SlabCache[] {
    return [this.signals.store.cache];
  }

  /** Objects allocated from the kernel's slab caches now (0 when nothing is queued or held). */
  get slabObjectsInUse(): number {
    let inUse = 0;
    for (const cache of this.slabCaches) inUse += cache.objectsInUse;
    return inUse;
  }

  /** Returns the slab caches' empty slabs to the frame allocator (a shrinker pass): frames freed. */
  reclaimCaches(): number {
    let freed = 0;
    for (const cache of this.slabCaches) freed += cache.reclaim();
    return freed;
  }

  /**
   * ITIMER_REAL of `process` (alarm, setitimer): SIGALRM `valueNs` from
   * now (0 disarms), then every `intervalNs` (0: once). Returns the
   * previous setting's time left (ns; 0 when disarmed).
   */
  setAlarm(process: Process, valueNs: number, intervalNs: number): number {
    const left = this.alarmLeft(process);
    this.cancelAlarm(process);
    process.alarmIntervalNs = intervalNs;
    if (valueNs > 0) this.armAlarm(process, this.nowNs() + valueNs);
    return left;
  }

  /** Time left (ns) on `process`'s ITIMER_REAL; 0 when disarmed. */
  alarmLeft(process: Process): number {
    return process.alarmHandle === 0 ? 0 : Math.max(1, process.alarmDeadlineNs - this.nowNs());
  }

  /** Disarms ITIMER_REAL (exit; a fork child starts without one). */
  cancelAlarm(process: Process): void {
    if (process.alarmHandle !== 0) this.timers.cancel(process.alarmHandle);
    process.alarmHandle = 0;
  }

  private armAlarm(process: Process, deadline: number): void {
    process.alarmDeadlineNs = deadline;
    process.alarmHandle = this.timers.add(deadline, {
      timerFired: () => {
        process.alarmHandle = 0;
        if (process.state !== PROCESS_STATE.ALIVE) return;
        if (process.alarmIntervalNs > 0)
          this.armAlarm(process, Math.max(deadline + process.alarmIntervalNs, this.nowNs() + 1));
        this.sendSignal(process, SIGNAL.SIGALRM);
      },
    });
    this.armTimer(this.currentCpu);
  }

  /**
   * Job-control stop by `signal`: runnable threads leave their run queues
   * now, running ones on their way back to user mode; the parent is told
   * (SIGCHLD CLD_STOPPED, a WUNTRACED report).
   */
  stopProcess(process: Process, signal: number = SIGNAL.SIGSTOP): void {
    if (process.stopped) return;
    process.stopped = true;
    process.stopReport = signal;
    process.continuedReport = false;
    const parent = process.parent;
    if (parent !== null) {
      this.signals.childStateChanged(parent, process, signal);
      parent.childWaiters.wakeAll();
    }
    for (const thread of process.threads) {
      const task = thread.task;
      if (task.state === 0 /* RUNNABLE */) this.scheduler.stop(task);
      else if (task.state === 1 /* RUNNING */ && task.cpu !== this.currentCpu)
        this.requestReschedule(task.cpu);
    }
  }

  /** SIGCONT: stopped threads run again; the parent is told (SIGCHLD CLD_CONTINUED, a WCONTINUED report). */
  continueProcess(process: Process): void {
    if (!process.stopped) return;
    process.stopped = false;
    process.stopReport = 0;
    // A stopped process resumed only to die (SIGKILL) reports its death, not a continue.
    process.continuedReport = process.killedBy === 0;
    const parent = process.parent;
    if (parent !== null && process.continuedReport) {
      this.signals.childStateChanged(parent, process, SIGNAL.SIGCONT);
      parent.childWaiters.wakeAll();
    }
    for (const thread of process.threads) this.scheduler.resume(thread.task, this.currentCpu);
  }

  /**
   * A private file mapping (mmap with a descriptor): the pages are an
   * anonymous private mapping filled with the file's bytes at `offset`
   * (what MAP_PRIVATE shows until someone writes the file); shared file
   * mappings are -ENODEV for now.
   */
  mapFile(
    process: Process,
    memory: UserMemory,
    address: number,
    length: number,
    prot: number,
    flags: number,
    fd: number,
    offset: number,
  ): number {
    const file = process.files!.get(fd);
    if (file === null) return -9; // EBADF
    if (!file.readable) return -13; // EACCES
    if ((flags & 3) !== 2 /* MAP_PRIVATE */ || !file.operations.seekable) return -19; // ENODEV
    if (offset % PAGE !== 0) return -22; // EINVAL
    const space = process.memory!.space;
    const start = space.mmap(
      address,
      length,
      prot | 2 /* PROT_WRITE while filling */,
      flags | 0x20 /* MAP_ANONYMOUS */,
      -1,
      0,
    );
    if (start < 0) return start;
    const size = Math.min(length, Math.max(0, (file.operations.size?.(file) ?? 0) - offset));
    const chunk = new Uint8Array(Math.min(size, 65536));
    for (let done = 0; done < size; done += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, size - done));
      const read = file.operations.read(file, part, offset + done);
      if (read <= 0) break;
      if (!memory.write(start + done, part.subarray(0, read))) break;
    }
    if ((prot & 2) === 0) space.mprotect(start, length, prot);
    return start;
  }

  /** Undoes {@link createProcess} (or {@link createThread}) for a thread that never started (a failed clone). */
  discardUnstarted(thread: Thread): void {
    const process = thread.process;
    this.threads.delete(thread.tid);
    if (process.threads.size > 1) {
      process.threads.delete(thread);
      return;
    }
    process.threads.clear();
    process.files?.closeAll();
    process.files = null;
    if (process.memory !== null) this.releaseMemory(process.memory);
    process.memory = null;
    process.parent?.children.delete(process);
    this.processes.delete(process.pid);
    process.state = PROCESS_STATE.REAPED;
  }

  /** exit_group: every thread leaves with `status` (the caller's on its way out). */
  exitGroup(process: Process, code: number): void {
    if (process.groupExitStatus >= 0 || process.killedBy !== 0) return;
    process.groupExitStatus = exitedStatus(code);
    this.hurryThreads(process);
  }

  private hurryThreads(process: Process): void {
    for (const thread of process.threads) this.hurryThread(thread);
  }

  /** Gets `thread` to its way back to user mode soon: a sleep is interrupted, a stop ended, another CPU asked by IPI. */
  private hurryThread(thread: Thread): void {
    const task = thread.task;
    if (task.state === 2 /* BLOCKED */ && thread.waitingOn !== null) thread.waitingOn.interrupt(task, false);
    else if (task.state === 3 /* STOPPED */) this.scheduler.resume(task, this.currentCpu);
    else if (task.state === 1 /* RUNNING */ && task.cpu !== this.currentCpu) this.requestReschedule(task.cpu);
  }

  /** exit(2): the calling thread alone leaves with exit code `code` (the process ends with its last thread). */
  exitThread(thread: Thread, code: number): void {
    thread.exitStatus = exitedStatus(code);
    thread.signalCheck = true; // takes the slow way back to user mode, which exits it
  }

  /**
   * execve's de_thread: every other thread of the caller's process is told
   * to leave. Returns true when the caller is alone; otherwise the caller
   * must wait on `process.threadExitWaiters` and try again.
   */
  removeOtherThreads(thread: Thread): boolean {
    const process = thread.process;
    if (process.threads.size === 1) return true;
    for (const other of process.threads) {
      if (other === thread || other.exitStatus >= 0) continue;
      other.exitStatus = 0;
      other.signalCheck = true;
      this.hurryThread(other);
    }
    return false;
  }

  /** After de_thread, a non-leader that exec'd takes the process's pid as its tid (Linux's exchange_tids). */
  becomeLeader(thread: Thread): void {
    const process = thread.process;
    if (thread.tid === process.pid) return;
    this.threads.delete(thread.tid);
    thread.tid = process.pid;
    this.threads.set(process.pid, thread);
  }

  /** The running thread of `cpu` exits; the last thread out ends its process. */
  private exitCurrentThread(cpu: number, thread: Thread, status: number): void {
    const task = this.scheduler.exit(cpu);
    const process = thread.process;
    this.threads.delete(thread.tid);
    process.threads.delete(thread);
    process.exitedUserNs += task.accounting.userTime;
    process.exitedSystemNs += task.accounting.kernelTime;
    if (thread.tid === process.pid) process.leaderExitStatus = status;
    const memory = process.memory;
    // mm_release: zero the CLONE_CHILD_CLEARTID word and wake a joiner, when someone else still uses the memory.
    if (thread.clearChildTid !== 0 && memory !== null && (process.threads.size > 0 || memory.users > 1)) {
      if (memory.access.write(thread.clearChildTid, ZERO_WORD))
        this.futexes.wakeJoiner(memory, thread.clearChildTid);
    }
    this.reapable.push(task);
    this.signals.releaseThread(thread);
    if (process.threads.size === 0) {
      // exit_group's (or a fatal signal's) status, else the leader's own exit status (wait_task_zombie).
      const groupEnded = process.killedBy !== 0 || process.groupExitStatus >= 0;
      this.exitProcess(process, groupEnded ? status : process.leaderExitStatus);
    } else process.threadExitWaiters.wakeAll();
  }

  private reapTasks(): void {
    while (this.reapable.length > 0) {
      const task = this.reapable.pop()!;
      this.scheduler.reap(task);
    }
  }

  private exitProcess(process: Process, status: number): void {
    process.state = PROCESS_STATE.ZOMBIE;
    process.waitStatus = status;
    this.recordExit(process, status);
    this.releaseVfork(process);
    if (process.memory !== null) {
      this.releaseMemory(process.memory);
      process.memory = null;
    }
    process.files?.closeAll();
    process.files = null;
    const init = this.processes.get(1);
    for (const child of process.children) {
      child.parent = init !== undefined && init !== process ? init : null;
      if (child.parent !== null) {
        child.parent.children.add(child);
        if (child.state === PROCESS_STATE.ZOMBIE) child.parent.childWaiters.wakeAll();
      } else if (child.state === PROCESS_STATE.ZOMBIE) this.forget(child);
    }
    process.children.clear();
    this.cancelAlarm(process);
    const parent = process.parent;
    if (parent === null) this.forget(process);
    else {
      // Auto-reaped children (SIGCHLD ignored, SA_NOCLDWAIT) leave no times in the parent's, as on Linux.
      if (this.signals.childExited(parent, process, status)) this.forget(process);
      parent.childWaiters.wakeAll();
    }
    if (process.pid === 1) {
      this.halt = { reason: "init-exited", status, message: "" };
      this.hardware.powerOff();
    }
  }

  private recordExit(process: Process, status: number): void {
    const history = this.exitedProcesses;
    if (this.processHistory === 0) {
      this.exitedProcessesDropped++;
      return;
    }
    if (history.length >= this.processHistory) {
      history.shift();
      this.exitedProcessesDropped++;
    }
    history.push({
      pid: process.pid,
      ppid: process.parent?.pid ?? 0,
      name: process.name,
      command: commandLineText(process.commandLine),
      waitStatus: status,
      startNs: process.startNs,
      endNs: this.nowNs(),
      userNs: process.exitedUserNs,
      systemNs: process.exitedSystemNs,
    });
  }

  /** A vfork parent waiting on `child` continues (the child exec'd or exited). */
  releaseVfork(child: Process): void {
    if (child.vforkParent === null) return;
    child.vforkParent = null;
    child.vforkWaiters.wakeAll(child.pid);
  }

  /** Removes a reaped (or parentless) zombie. */
  forget(process: Process): void {
    process.state = PROCESS_STATE.REAPED;
    process.parent?.children.delete(process);
    this.processes.delete(process.pid);
  }

  /**
   * Puts the calling thread to sleep on `queue` (its call parked): the call
   * completes with the wake's result, or — with `restart` — runs again when
   * woken (wait4 and blocking reads re-check their condition that way;
   * `thread.restartedCall` tells the re-run it is one). `timeoutCompletes`:
   * at `timeoutAt` the call completes with that value instead of restarting.
   */
  sleep(
    call: SyscallCall,
    queue: WaitQueue,
    options: {
      restart?: boolean;
      timeoutAt?: number;
      timeoutResult?: number;
      timeoutCompletes?: number;
      /** A handled signal may interrupt the wait (default true; fatal signals always end it). */
      interruptible?: boolean;
      /** Join the queue's tail as an exclusive (FIFO, wake-one) waiter. */
      exclusive?: boolean;
      /** Runs once the wait ends, however it ends (the futex queue leaves its table when empty). */
      ended?: () => void;
    } = {},
  ): number {
    const thread = this.threadOf(call);
    const continuation = call.park();
    this.scheduler.block(call.cpuId);
    thread.waitingOn = queue;
    thread.interruptible = options.interruptible ?? true;
    const timesOut = options.timeoutCompletes !== undefined;
    const ended = options.ended;
    const finish = {
      complete: (result: number) => {
        thread.waitingOn = null;
        ended?.();
        if (timesOut && result === TIMED_OUT) continuation.complete(options.timeoutCompletes!);
        else if (options.restart === true && result !== -4) {
          thread.restartedCall = continuation.number;
          continuation.restart();
        } else {
          // A signal interrupted the wait: delivery decides between -EINTR and a restart.
          if (result === -4) thread.interruptedCall = continuation.number;
          continuation.complete(result);
        }
      },
      restart: () => {
        thread.waitingOn = null;
        ended?.();
        continuation.restart();
      },
    };
    const timeoutResult = timesOut ? TIMED_OUT : options.timeoutResult;
    queue.add(thread.task, {
      continuation: finish,
      ...(options.exclusive === true ? { exclusive: true } : {}),
      ...(options.timeoutAt === undefined ? {} : { timeoutAt: options.timeoutAt }),
      ...(timeoutResult === undefined ? {} : { timeoutResult }),
    });
    if (options.timeoutAt !== undefined) this.armTimer(call.cpuId);
    return SYSCALL_BLOCKED;
  }

  // ---- panics ----

  private guard(cpu: number, body: () => void): boolean {
    try {
      body();
      return true;
    } catch (error) {
      this.panic(cpu, null, error);
      return false;
    }
  }

  /**
   * A kernel bug: prints Linux-style "Kernel panic - not syncing" with the
   * CPU, the running task and the interrupted registers, then powers off.
   */
  private panic(cpu: number, frame: TrapFrame | null, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.console.print(this.panicReport(cpu, frame, message));
    this.halt = { reason: "panic", status: 0, message };
    this.hardware.powerOff();
    try {
      this.hardware.processors[cpu]?.idle();
    } catch {
      // Already powering off.
    }
  }

  /** The text of a panic report. */
  panicReport(cpu: number, frame: TrapFrame | null, message: string): string {
    const lines = [`Kernel panic - not syncing: ${message}`];
    let task = "none";
    try {
      const thread = this.currentThread(cpu);
      task =
        thread === null ? "idle" : `pid ${thread.process.pid} (${thread.process.name}) tid ${thread.tid}`;
    } catch {
      task = "unknown";
    }
    lines.push(`CPU: ${cpu} task: ${task}`);
    if (frame !== null) {
      const kind =
        frame.kind === TRAP_KIND.SYSCALL
          ? "syscall"
          : frame.kind === TRAP_KIND.EXCEPTION
            ? "exception"
            : "interrupt";
      lines.push(`entry: ${kind} vector ${frame.vector} error ${frame.errorCode}`);
      const regs = frame.context.regs;
      const names = [
        "RAX",
        "RCX",
        "RDX",
        "RBX",
        "RSP",
        "RBP",
        "RSI",
        "RDI",
        "R8",
        "R9",
        "R10",
        "R11",
        "R12",
        "R13",
        "R14",
        "R15",
      ];
      const registers = names.map((name, slot) => `${name}: ${hex64(regs, slot)}`);
      registers.push(`RIP: ${hex64(regs, SLOT.RIP)}`, `RFLAGS: ${hex64(regs, SLOT.RFLAGS)}`);
      for (let index = 0; index < registers.length; index += 4)
        lines.push(registers.slice(index, index + 4).join(" "));
    }
    lines.push("---[ end Kernel panic - not syncing ]---");
    return `${lines.join("\n")}\n`;
  }

  /** A boot-log line (hidden when quiet). */
  print(text: string): void {
    this.log.push(text);
    if (!this.quiet) this.console.print(text);
  }
}

/** The process is leaving (killed or exit_group) or stopped: its threads must not return to user mode. */
const ZERO_WORD = new Uint8Array(4);

function isDying(process: Process): boolean {
  return process.killedBy !== 0 || process.groupExitStatus >= 0 || process.stopped;
}

/** The usable RAM of a memory map, without the low megabyte. */
function usableRegions(map: readonly MemoryRegion[]): MemoryRegion[] {
  const regions: MemoryRegion[] = [...map];
  regions.push({ base: 0, length: LOW_MEMORY_RESERVED, kind: "reserved" });
  return regions;
}

function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}

function hex64(regs: Uint32Array, slot: number): string {
  return `${regs[slot * 2 + 1]!.toString(16).padStart(8, "0")}${regs[slot * 2]!.toString(16).padStart(8, "0")}`;
}

/**
 * The emulated PC (DESIGN §2): RAM, the bus, one timeline, N CPUs each with
 * its LAPIC, an IOAPIC, the PIT, the CMOS RTC, COM1 and the i8042 with a PS/2
 * keyboard, wired as a PC wires them. Only applications and tests build one.
 *
 * Time (one virtual cycle per retired instruction):
 * - The machine runs in slices. A slice ends at the earlier of
 *   `now + sliceCycles` and the next scheduled event, so events are never
 *   late relative to the CPUs' time-stamp counters at slice boundaries;
 *   an event scheduled from inside a slice for a time inside it fires at
 *   the slice's end (late by less than `sliceCycles`).
 * - In a slice, each started CPU runs in id order with the slice length as
 *   its budget (instructions and trap deliveries each count one); then the
 *   timeline advances to the slice end (firing device events), every CPU's
 *   TSC is brought up to it, and every CPU is told interrupts may be pending.
 *   So all TSCs equal the timeline at slice boundaries.
 * - An idle CPU's TSC follows the timeline. When every started CPU is idle,
 *   time jumps straight to the next event, so a guest sleeping for a
 *   virtual second costs no host second. With no event left and every CPU
 *   idle, `run` returns `all-idle` (nothing can ever wake them).
 * - Nothing depends on host time or host scheduling: the same calls give
 *   the same instructions, interrupts and output.
 *
 * CPUs other than the bootstrap processor start parked, as on a PC: they run
 * nothing until their LAPIC receives a STARTUP IPI, after which they are
 * idle, ready for the kernel to give them work (`onStartup`).
 *
 * Each CPU reaches its own LAPIC at 0xFEE00000: physical accesses outside
 * RAM go through a per-CPU view that sends the LAPIC page to that CPU's
 * LAPIC and everything else to the shared bus. The kernel (TypeScript)
 * programs a CPU's LAPIC through `lapics[id]` and its MSRs through
 * `msrs(id)`, which adds the LAPIC's MSRs (TSC deadline, x2APIC) to the CPU's.
 */
import { IOAPIC_DEFAULT_BASE } from "../arch/ioapic-registers";
import { LAPIC_DEFAULT_BASE } from "../arch/lapic-registers";
import type { MsrAccess } from "../interfaces/msr-access";
import { Bus } from "./bus";
import { Cpu } from "./cpu/cpu";
import type { MmioBus } from "./cpu/cpu-state";
import { STOP_REASON } from "./cpu/cpu-types";
import { DecodedCache } from "./cpu/decoded-cache";
import { KernelEntries } from "./cpu/kernel-entries";
import { ApicBus } from "./devices/apic-bus";
import { I8042, I8042_PORT } from "./devices/i8042";
import { Ioapic } from "./devices/ioapic";
import { Lapic } from "./devices/lapic";
import { PIT_PORT, Pit } from "./devices/pit";
import { Ps2Keyboard } from "./devices/ps2-keyboard";
import { RTC_DEFAULT_EPOCH_SECONDS, RTC_PORT, Rtc } from "./devices/rtc";
import { COM1, Uart16550 } from "./devices/uart16550";
import { PhysicalRam } from "./physical-ram";
import { Timeline } from "./timeline";

/** How a {@link Machine} is built. Every field has a PC-like default. */
export interface MachineOptions {
  /** RAM in bytes, a multiple of 4096 (default 256 MiB). */
  memoryBytes?: number;
  /** Number of CPUs, 1–255 (default 1). */
  cpuCount?: number;
  /** TSC frequency: virtual cycles per second (default 1 GHz). */
  frequencyHz?: number;
  /** Longest slice a CPU runs before the others get a turn (default 1000 cycles). */
  sliceCycles?: number;
  /** Wall-clock time the RTC shows at cycle 0, in Unix seconds (default {@link RTC_DEFAULT_EPOCH_SECONDS}). */
  rtcEpochSeconds?: number;
  /** Receives each byte the guest transmits on COM1, in order. */
  onSerialOutput?: (byte: number) => void;
  /** Called when a parked CPU receives a STARTUP IPI, with the SIPI vector (start page number). */
  onStartup?: (cpuId: number, vector: number) => void;
  /**
   * Compile hot guest code into JavaScript functions (default true; see
   * {@link DecodedCacheOptions}). Guest-visible behaviour, including the
   * virtual clock, is the same either way.
   */
  compileBlocks?: boolean;
  /** Interpreted executions of a code address before it is compiled (default DEFAULT_BLOCK_THRESHOLD). */
  blockThreshold?: number;
}

/** How a {@link Machine} has spent its runs (monotonic counters). */
export interface MachineStats {
  /** Slices run (each: every started CPU ran once, then time advanced). */
  slices: number;
  /** Times every CPU was idle and time jumped to the next event. */
  fastForwards: number;
  /** Virtual cycles skipped by those jumps. */
  fastForwardedCycles: number;
}

/** Why {@link Machine.run} returned. */
export type MachineStopReason =
  /** The cycle limit given to `run` was reached. */
  | "cycle-limit"
  /** Every started CPU is idle and no event is scheduled: nothing can wake them. */
  | "all-idle"
  /** A CPU shut down (triple fault: the kernel could not take a fault). */
  | "shutdown"
  /** The kernel called {@link Machine.stop}. */
  | "stopped";

/** The outcome of {@link Machine.run}. */
export interface MachineStop {
  /** Why the machine stopped. */
  reason: MachineStopReason;
  /** For `shutdown`: the CPU that shut down and its cause. */
  cpuId?: number;
  /** For `shutdown`: the CPU's description of the cause. */
  detail?: string;
}

const DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024;
const DEFAULT_FREQUENCY_HZ = 1_000_000_000;
const DEFAULT_SLICE_CYCLES = 1000;
const LAPIC_PAGE_BYTES = 4096;
const MAX_CPUS = 255;

/** The emulated PC described in the file header. */
export class Machine {
  /** Physical memory. */
  readonly ram: PhysicalRam;
  /** MMIO and I/O-port dispatch shared by all CPUs and the kernel. */
  readonly bus: Bus;
  /** Virtual time: the clock every device schedules on. */
  readonly timeline: Timeline;
  /** Kernel entry points (IA32_LSTAR, IDT gate targets) bound to TypeScript handlers. */
  readonly entries = new KernelEntries();
  /** The CPUs, indexed by id (= APIC id). */
  readonly cpus: readonly Cpu[];
  /** Each CPU's local APIC, indexed by CPU id. */
  readonly lapics: readonly Lapic[];
  /** The interrupt-message bus between LAPICs and the IOAPIC. */
  readonly apicBus = new ApicBus();
  /** The IOAPIC at 0xFEC00000 (24 inputs; ISA IRQ n on input n, except the PIT on input 2). */
  readonly ioapic: Ioapic;
  /** The 8254 PIT on ports 0x40–0x43 and 0x61, output on IOAPIC input 2. */
  readonly pit: Pit;
  /** The CMOS RTC on ports 0x70–0x71. */
  readonly rtc: Rtc;
  /** COM1 at 0x3F8 on IRQ 4. */
  readonly uart: Uart16550;
  /** The PS/2 keyboard behind the i8042 (inject keys here). */
  readonly keyboard = new Ps2Keyboard();
  /** The 8042 controller on ports 0x60 and 0x64, IRQ 1. */
  readonly i8042: I8042;
  /** Cycles per slice. */
  readonly sliceCycles: number;
  /** Decoded instructions of every CPU, keyed by physical address. */
  readonly cache: DecodedCache;

  private readonly started: Uint8Array;
  private readonly msrViews: MsrAccess[];
  /** Counters of slices and idle fast-forwards. */
  readonly stats: MachineStats = { slices: 0, fastForwards: 0, fastForwardedCycles: 0 };
  private running: Cpu | null = null;
  private stopRequested = false;

  constructor(options: MachineOptions = {}) {
    const cpuCount = options.cpuCount ?? 1;
    if (!Number.isInteger(cpuCount) || cpuCount < 1 || cpuCount > MAX_CPUS) {
      throw new RangeError(`Machine: cpuCount ${cpuCount} is not an integer in 1..${MAX_CPUS}`);
    }
    this.sliceCycles = options.sliceCycles ?? DEFAULT_SLICE_CYCLES;
    if (!Number.isInteger(this.sliceCycles) || this.sliceCycles < 1) {
      throw new RangeError(`Machine: sliceCycles ${this.sliceCycles} is not a positive integer`);
    }
    this.ram = new PhysicalRam(options.memoryBytes ?? DEFAULT_MEMORY_BYTES);
    this.bus = new Bus();
    this.timeline = new Timeline(options.frequencyHz ?? DEFAULT_FREQUENCY_HZ);
    this.cache = new DecodedCache(this.ram, {
      compileBlocks: options.compileBlocks,
      blockThreshold: options.blockThreshold,
    });
    this.started = new Uint8Array(cpuCount);
    this.started[0] = 1;

    const onStartup = options.onStartup;
    this.lapics = Array.from(
      { length: cpuCount },
      (_, apicId) =>
        new Lapic({
          apicId,
          clock: this.timeline,
          bus: this.apicBus,
          onStartup: (id, vector) => this.startCpu(id, vector, onStartup),
        }),
    );
    this.ioapic = new Ioapic(this.apicBus);
    this.pit = new Pit(this.timeline, this.ioapic.inputs[2]!);
    this.rtc = new Rtc(this.timeline, options.rtcEpochSeconds ?? RTC_DEFAULT_EPOCH_SECONDS);
    const serial = options.onSerialOutput ?? (() => {});
    this.uart = new Uart16550({ irq: this.ioapic.inputs[COM1.IRQ]!, onTransmit: serial });
    this.i8042 = new I8042({ keyboard: this.keyboard, irq: this.ioapic.inputs[1]! });
    this.mapDevices();

    this.cpus = this.lapics.map(
      (lapic, id) =>
        new Cpu({
          id,
          ram: this.ram,
          cache: this.cache,
          entries: this.entries,
          bus: this.cpuBus(lapic),
          interrupts: lapic,
          tscDeadline: true,
          x2apic: true,
        }),
    );
    this.msrViews = this.cpus.map((cpu, id) => combinedMsrs(cpu.msrs, this.lapics[id]!));
  }

  /** CPU `cpuId`'s MSRs as the kernel sees them: the CPU's own plus its LAPIC's (TSC deadline, x2APIC). */
  msrs(cpuId: number): MsrAccess {
    const view = this.msrViews[cpuId];
    if (view === undefined) throw new RangeError(`Machine: no CPU ${cpuId}`);
    return view;
  }

  /** Whether CPU `cpuId` has been started (the BSP always is; APs after a STARTUP IPI). */
  isStarted(cpuId: number): boolean {
    return this.started[cpuId] === 1;
  }

  /**
   * Makes the current {@link Machine.run} return `stopped`: from a trap
   * handler, once the handler returns; from a device event, at the end of the
   * slice. Outside `run` it does nothing.
   */
  stop(): void {
    this.stopRequested = true;
    this.running?.requestStop();
  }

  /**
   * Lets `cycles` of virtual time pass outside {@link run}, as if every
   * started CPU spun in a PAUSE loop (a kernel polling a device during
   * boot): the timeline advances, due events fire, and every CPU's TSC
   * moves with it. Inside `run` (from a trap handler) it does nothing:
   * time there belongs to the slice.
   */
  spin(cycles: number): void {
    if (this.running !== null || !(cycles > 0)) return;
    this.advanceTo(this.timeline.now() + cycles);
  }

  /**
   * Runs until `maxCycles` more virtual cycles have passed, every CPU is idle
   * with nothing scheduled, a CPU shuts down, or {@link Machine.stop} is called.
   */
  run(maxCycles: number = Number.POSITIVE_INFINITY): MachineStop {
    const timeline = this.timeline;
    const limit = timeline.now() + maxCycles;
    this.stopRequested = false;
    while (timeline.now() < limit) {
      const sliceEnd = Math.min(timeline.now() + this.sliceCycles, timeline.nextEventAt(), limit);
      this.stats.slices++;
      for (const cpu of this.cpus) {
        if (this.started[cpu.id] === 0) continue;
        const stop = this.runCpu(cpu, sliceEnd);
        if (stop !== null) return stop;
        if (this.stopRequested) return { reason: "stopped" };
      }
      if (this.anyCpuBusy()) {
        this.advanceTo(sliceEnd);
        if (this.stopRequested) return { reason: "stopped" };
        continue;
      }
      // Every started CPU is idle with nothing to deliver: jump to the next event, or stop if there is none.
      const next = timeline.nextEventAt();
      if (next === Number.POSITIVE_INFINITY) return { reason: "all-idle" };
      const target = Math.min(Math.max(next, sliceEnd), limit);
      this.stats.fastForwards++;
      this.stats.fastForwardedCycles += target - timeline.now();
      this.advanceTo(target);
      if (this.stopRequested) return { reason: "stopped" };
    }
    return { reason: "cycle-limit" };
  }

  /**
   * True if a started CPU is running, or is idle with an interrupt it will
   * take (an IPI sent to it after its turn in this slice): time must not jump.
   */
  private anyCpuBusy(): boolean {
    for (const cpu of this.cpus) {
      if (this.started[cpu.id] === 0) continue;
      if (!cpu.isIdle || this.lapics[cpu.id]!.hasPending()) return true;
    }
    return false;
  }

  /**
   * Runs one CPU for the slice ending at `sliceEnd`; returns a stop, or null
   * to go on. The budget is the slice length: trap deliveries count against
   * it like instructions, so a guest that faults forever still yields.
   */
  private runCpu(cpu: Cpu, sliceEnd: number): MachineStop | null {
    cpu.notifyInterrupt();
    const budget = sliceEnd - this.timeline.now();
    this.running = cpu;
    const reason = budget > 0 ? cpu.run(budget) : STOP_REASON.BUDGET;
    this.running = null;
    if (reason === STOP_REASON.SHUTDOWN)
      return { reason: "shutdown", cpuId: cpu.id, detail: cpu.shutdownCause };
    if (reason === STOP_REASON.STOPPED) return { reason: "stopped" };
    return null;
  }

  /**
   * Advances virtual time and brings every CPU's TSC to it (a CPU that idled
   * or spent budget on trap deliveries retired fewer instructions than the
   * slice had cycles), then lets CPUs see interrupts the events raised.
   */
  private advanceTo(cycle: number): void {
    this.timeline.advanceTo(cycle);
    for (const cpu of this.cpus) {
      this.syncTsc(cpu, cycle);
      cpu.notifyInterrupt();
    }
  }

  /** Moves `cpu`'s TSC forward to `cycle` if it is behind; TSCs never go backwards. */
  private syncTsc(cpu: Cpu, cycle: number): void {
    const behind = cycle - cpu.tsc;
    if (behind > 0) cpu.advanceTsc(behind);
  }

  private startCpu(cpuId: number, vector: number, onStartup: MachineOptions["onStartup"]): void {
    if (this.started[cpuId] === 1) return;
    this.started[cpuId] = 1;
    const cpu = this.cpus[cpuId];
    if (cpu !== undefined) {
      this.syncTsc(cpu, this.timeline.now());
      cpu.idle();
    }
    onStartup?.(cpuId, vector);
  }

  /** Puts the devices at their PC addresses. */
  private mapDevices(): void {
    const bus = this.bus;
    bus.mapMmio(IOAPIC_DEFAULT_BASE, this.ioapic, "ioapic");
    bus.mapPorts(PIT_PORT.CHANNEL0, 4, this.pit, "pit");
    bus.mapPorts(PIT_PORT.SYSTEM_CONTROL_B, 1, this.pit, "pit-port-61");
    bus.mapPorts(I8042_PORT.DATA, 1, this.i8042, "i8042-data");
    bus.mapPorts(I8042_PORT.STATUS_COMMAND, 1, this.i8042, "i8042-command");
    bus.mapPorts(RTC_PORT.INDEX, 2, this.rtc, "rtc");
    bus.mapPorts(COM1.BASE, 8, this.uart, "com1");
  }

  /** The physical-access path of a CPU: its own LAPIC page, then the shared bus. */
  private cpuBus(lapic: Lapic): MmioBus {
    const bus = this.bus;
    return {
      readMmio(address, width) {
        const offset = address - LAPIC_DEFAULT_BASE;
        if (offset >= 0 && offset < LAPIC_PAGE_BYTES) return readRegion(lapic, offset, width);
        return bus.readMmio(address, width as 1 | 2 | 4);
      },
      writeMmio(address, width, value) {
        const offset = address - LAPIC_DEFAULT_BASE;
        if (offset >= 0 && offset < LAPIC_PAGE_BYTES) writeRegion(lapic, offset, width, value);
        else bus.writeMmio(address, width as 1 | 2 | 4, value);
      },
    };
  }
}

function readRegion(lapic: Lapic, offset: number, width: number): number {
  if (width === 4) return lapic.read32(offset);
  return width === 2 ? lapic.read16(offset) : lapic.read8(offset);
}

function writeRegion(lapic: Lapic, offset: number, width: number, value: number): void {
  if (width === 4) lapic.write32(offset, value);
  else if (width === 2) lapic.write16(offset, value);
  else lapic.write8(offset, value);
}

/** The MSRs a kernel sees on one CPU: the LAPIC answers for the indices it owns, the CPU for the rest. */
function combinedMsrs(cpu: MsrAccess, lapic: Lapic): MsrAccess {
  return {
    read: (index) => (lapic.ownsMsr(index) ? lapic.readMsr(index) : cpu.read(index)),
    write: (index, value) => {
      if (!lapic.ownsMsr(index)) return cpu.write(index, value);
      const wrapped = BigInt.asUintN(64, value);
      return lapic.writeMsrHalves(index, Number(wrapped & 0xffffffffn), Number(wrapped >> 32n));
    },
    writeHalves: (index, low, high) =>
      lapic.ownsMsr(index) ? lapic.writeMsrHalves(index, low, high) : cpu.writeHalves(index, low, high),
  };
}

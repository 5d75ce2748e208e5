/**
 * Builds the emulated machine (`@tsos/hw-x86/emu`), hands it to the kernel
 * as `KernelHardware`, boots, starts a program as init, and runs the
 * machine until init exits, the kernel panics, or nothing can ever run
 * again (every CPU idle with no event pending: a deadlock, reported).
 *
 * Output: COM1's bytes (the boot log unless quiet, and everything written
 * to the console) go to `output.stdout`; writes to init's descriptor 2 go
 * to `output.stderr`. Input: `input` bytes are fed to COM1's receiver as
 * the guest drains it; once they are all delivered the console reports end
 * of file. Everything is deterministic for a given seed and input.
 */

import { Machine } from "@tsos/hw-x86/emu";
import type { Kernel, KernelHalt, KernelHardware } from "@tsos/kernel";
import { createKernel, shellStatus, type Thread } from "@tsos/kernel";
import { combineTraceSinks, SyscallTracer, type SyscallTraceSink } from "@tsos/syscall";
import { collectReport, type MachineReport } from "./report";
import { TimelineTrace } from "./trace";

/** What to run and on what. */
export interface RunOptions {
  /**
   * The program (init): its path as the guest sees it, and its bytes (also
   * put into the root at that path). A string: a path in the initramfs.
   */
  readonly program: { readonly path: string; readonly bytes: Uint8Array } | string;
  /** argv (argv[0] included). */
  readonly argv: readonly string[];
  /** envp ("K=V"). */
  readonly envp: readonly string[];
  /** CPUs (default 2). */
  readonly cpus?: number;
  /** RAM in bytes (default 256 MiB). */
  readonly memoryBytes?: number;
  /** Seed of every random choice (default 1). */
  readonly seed?: number;
  /** Hide the boot log. */
  readonly quiet?: boolean;
  /** Bytes for the console's input (then end of file); default none (end of file at once). */
  readonly input?: Uint8Array;
  /** Switch XMM state lazily (CR0.TS and #NM; default eager). */
  readonly lazyFpu?: boolean;
  /** The initramfs (`cpio newc`) to unpack into the root. */
  readonly initramfs?: Uint8Array;
  /** Stop after this many virtual cycles (default: no limit). */
  readonly cycleLimit?: number;
  /** Stop at this virtual time in ns (the same limit in time units; cycleLimit wins when both are given). */
  readonly timeLimitNs?: number;
  /** Stop once the CPUs together retired this many guest instructions (default: no limit; checked every few thousand). */
  readonly instructionLimit?: number;
  /** strace: every system call of every process as a line (`[pid N] name(args) = result`); `only`: these numbers. */
  readonly strace?: { readonly sink: (line: string) => void; readonly only?: ReadonlySet<number> };
  /** Write a Chrome trace-event (Perfetto) timeline of the run (trace.ts) through `write`. */
  readonly trace?: { readonly write: (text: string) => void };
  /** Called about every 20 M virtual cycles with the figures so far (a progress display). */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Called with the kernel after it is created, before boot (a custom kernel: handlers, policies). */
  readonly configure?: (kernel: Kernel) => void;
}

/** What {@link RunOptions.onProgress} is told. */
export interface RunProgress {
  readonly virtualNs: number;
  readonly instructions: number;
  readonly processes: number;
  readonly hostMs: number;
}

/** Where the guest's output goes. */
export interface RunOutput {
  stdout(bytes: Uint8Array): void;
  stderr(bytes: Uint8Array): void;
}

/** How a run ended. */
export interface RunResult {
  /**
   * "exited" (init ended), "panic", "deadlock" (nothing can run), "cycle-limit" (the virtual timeout),
   * "instruction-limit", "boot-failed", "exec-failed".
   */
  readonly outcome:
    | "exited"
    | "panic"
    | "deadlock"
    | "cycle-limit"
    | "instruction-limit"
    | "boot-failed"
    | "exec-failed";
  /** init's wait status (exited). */
  readonly waitStatus: number;
  /** The status a shell would report: the exit code, 128 + signal, or 70 (EX_SOFTWARE) for a kernel failure. */
  readonly exitCode: number;
  /** A one-line explanation for anything but a normal exit. */
  readonly message: string;
  /** Figures of the run. */
  readonly stats: RunStats;
  /** What the kernel did (report.ts). */
  readonly report: MachineReport;
}

/** Figures of a run. */
export interface RunStats {
  /** Guest instructions retired on all CPUs. */
  readonly instructions: number;
  /** Virtual time at the end (ns). */
  readonly virtualNs: number;
  /** Host time of the run (ms). */
  readonly hostMs: number;
  /** System calls handled. */
  readonly syscalls: number;
  /** Processes created. */
  readonly processes: number;
  /** CPUs that came up. */
  readonly cpusOnline: number;
  /** Free frames at the end (the kernel's slab caches shrunk first) minus right after boot (0: every page came back). */
  readonly frameDelta: number;
  /** Objects still allocated from the kernel's slab caches at the end (0: none leaked). */
  readonly slabObjects: number;
  /** Host ms from the start of the run to init's first instruction (boot and exec). */
  readonly bootHostMs: number;
  /** Virtual ns at that point (calibration and the wait for the APs). */
  readonly bootVirtualNs: number;
}

const EX_SOFTWARE = 70;
const CHUNK_CYCLES = 20_000_000;
/** Virtual cycles one PAUSE of the kernel's polling loops lets pass (5 µs at 1 GHz). */
const PAUSE_CYCLES = 5_000;
/** The smallest chunk run while an instruction limit is near (a few machine slices). */
const MIN_LIMITED_CHUNK = 4_000;

/** Boots the machine, runs the program as init, returns how it ended. */
export function runProgram(options: RunOptions, output: RunOutput): RunResult {
  const started = performance.now();
  let bootHostMs = 0;
  let bootVirtualNs = 0;
  const pending: number[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    output.stdout(Uint8Array.from(pending));
    pending.length = 0;
  };
  let kernel: ReturnType<typeof createKernel> | null = null;
  const machine = new Machine({
    cpuCount: options.cpus ?? 2,
    memoryBytes: options.memoryBytes ?? 256 * 1024 * 1024,
    onSerialOutput: (byte) => {
      pending.push(byte);
      if (byte === 0x0a || pending.length >= 4096) flush();
    },
    onStartup: (cpu) => kernel?.applicationProcessorStarted(cpu),
  });
  const hardware: KernelHardware = {
    memory: machine.ram,
    memoryMap: [
      { base: 0, length: machine.ram.size, kind: "usable" },
      // Legacy VGA and BIOS area, as a PC's e820 table reserves it.
      { base: 0xa0000, length: 0x60000, kind: "reserved" },
    ],
    processors: machine.cpus,
    entries: machine.entries,
    ports: machine.bus,
    lapics: machine.lapics,
    ioapic: machine.ioapic,
    msrs: (cpu) => machine.msrs(cpu),
    clock: machine.timeline,
    powerOff: () => machine.stop(),
    pause: () => machine.spin(PAUSE_CYCLES),
  };
  kernel = createKernel({
    hardware,
    seed: options.seed ?? 1,
    quiet: options.quiet ?? false,
    lazyFpu: options.lazyFpu ?? false,
    ...(options.initramfs === undefined ? {} : { initramfs: options.initramfs }),
    // The program is also a file, at the path init was started by (execve of itself, /proc/self/exe).
    files:
      typeof options.program === "string"
        ? []
        : [{ path: options.program.path, bytes: options.program.bytes, mode: 0o755 }],
  });
  options.configure?.(kernel);
  const sinks: SyscallTraceSink[] = [];
  if (options.strace !== undefined) {
    sinks.push(
      new SyscallTracer({
        sink: options.strace.sink,
        pidOf: (task) => (task as Thread).tid,
        memoryOf: (task) => (task as Thread).process.memory?.access ?? null,
        ...(options.strace.only === undefined ? {} : { only: options.strace.only }),
      }),
    );
  }
  let timeline: TimelineTrace | null = null;
  if (options.trace !== undefined) {
    timeline = new TimelineTrace({
      write: options.trace.write,
      kernel,
      cpus: machine.cpus.length,
      nsPerCycle: 1e9 / machine.timeline.frequencyHz,
    });
    kernel.observer = timeline;
    sinks.push(timeline);
  }
  if (sinks.length > 0) kernel.dispatcher.tracer = combineTraceSinks(...sinks);
  kernel.console.errorSink = (bytes) => {
    flush();
    output.stderr(bytes);
  };
  const finish = (
    outcome: RunResult["outcome"],
    waitStatus: number,
    exitCode: number,
    message: string,
  ): RunResult => {
    flush();
    const k = kernel!;
    timeline?.finish(machine.cpus.map((cpu) => cpu.tsc));
    k.reclaimCaches();
    let instructions = 0;
    for (const cpu of machine.cpus) instructions += cpu.retiredInstructions;
    const hostMs = performance.now() - started;
    const report = collectReport(k, machine, {
      seed: options.seed ?? 1,
      memoryBytes: options.memoryBytes ?? 256 * 1024 * 1024,
      outcome,
      exitCode,
      bootNs: bootVirtualNs,
      hostMs,
      bootHostMs,
    });
    return {
      outcome,
      waitStatus,
      exitCode,
      message,
      report,
      stats: {
        instructions,
        virtualNs: machine.timeline.now() * (1e9 / machine.timeline.frequencyHz),
        hostMs,
        syscalls: k.dispatcher.stats.totalCalls(),
        processes: k.processesCreated,
        cpusOnline: k.onlineCpus,
        frameDelta: k.frames.freeFrames - k.freeFramesAfterBoot,
        slabObjects: k.slabObjectsInUse,
        bootHostMs,
        bootVirtualNs,
      },
    };
  };
  if (!kernel.boot()) return finish("boot-failed", 0, EX_SOFTWARE, kernel.halt?.message ?? "boot failed");
  const program = options.program;
  const pid =
    typeof program === "string"
      ? kernel.spawnInitFromPath(program, options.argv, options.envp)
      : kernel.spawnInit(program, options.argv, options.envp);
  const path = typeof program === "string" ? program : program.path;
  if (pid < 0) return finish("exec-failed", 0, 126, `cannot run ${path}: error ${-pid}`);
  bootHostMs = performance.now() - started;
  bootVirtualNs = machine.timeline.now() * (1e9 / machine.timeline.frequencyHz);
  const input = options.input ?? new Uint8Array(0);
  let fed = 0;
  const feed = () => {
    if (fed < input.length)
      fed += machine.uart.receive(input.subarray(fed, Math.min(input.length, fed + 4096)));
    if (fed >= input.length) kernel!.console.hangUp();
  };
  feed();
  const limit =
    options.cycleLimit ??
    (options.timeLimitNs === undefined
      ? Number.POSITIVE_INFINITY
      : Math.ceil((options.timeLimitNs * machine.timeline.frequencyHz) / 1e9));
  const instructionLimit = options.instructionLimit ?? Number.POSITIVE_INFINITY;
  const cpuCount = machine.cpus.length;
  const retired = () => {
    let total = 0;
    for (const cpu of machine.cpus) total += cpu.retiredInstructions;
    return total;
  };
  for (;;) {
    const remaining = limit - machine.timeline.now();
    if (remaining <= 0)
      return finish(
        "cycle-limit",
        0,
        EX_SOFTWARE,
        `stopped at the time limit: ${((limit * 1e3) / machine.timeline.frequencyHz).toFixed(3)} ms of virtual time`,
      );
    let chunk = Math.min(CHUNK_CYCLES, remaining);
    if (instructionLimit !== Number.POSITIVE_INFINITY) {
      const left = instructionLimit - retired();
      if (left <= 0)
        return finish(
          "instruction-limit",
          0,
          EX_SOFTWARE,
          `stopped after ${instructionLimit} guest instructions`,
        );
      // A cycle retires at most one instruction per CPU: this chunk cannot overshoot by more than a slice.
      chunk = Math.min(chunk, Math.max(MIN_LIMITED_CHUNK, Math.floor(left / cpuCount)));
    }
    const stop = machine.run(chunk);
    options.onProgress?.({
      virtualNs: machine.timeline.now() * (1e9 / machine.timeline.frequencyHz),
      instructions: retired(),
      processes: kernel.processesCreated,
      hostMs: performance.now() - started,
    });
    const halt: KernelHalt | null = kernel.halt;
    if (halt !== null) {
      if (halt.reason === "panic") return finish("panic", 0, EX_SOFTWARE, `kernel panic: ${halt.message}`);
      return finish("exited", halt.status, shellStatus(halt.status), "");
    }
    if (stop.reason === "shutdown")
      return finish(
        "panic",
        0,
        EX_SOFTWARE,
        `CPU ${stop.cpuId ?? "?"} shut down: ${stop.detail ?? "triple fault"}`,
      );
    if (stop.reason === "all-idle") {
      if (fed < input.length) {
        feed();
        continue;
      }
      return finish(
        "deadlock",
        0,
        EX_SOFTWARE,
        `every CPU is idle and nothing is pending: ${kernel.blockedSummary()}`,
      );
    }
    feed();
  }
}

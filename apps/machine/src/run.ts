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
 *
 * {@link runProgram} runs to the end at once; {@link MachineRun} runs in
 * steps, so an interactive host can wait for keystrokes between them
 * (`interactive`: an idle machine waits for input instead of being a
 * deadlock; keys go to the PS/2 keyboard with {@link MachineRun.type}).
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
  /**
   * Interactive: the console is a terminal (line discipline, echo, ^C) fed by
   * the PS/2 keyboard, and a machine idle with nothing scheduled waits for
   * input ({@link MachineRun.step} answers "waiting") instead of stopping as
   * a deadlock. `input` is then ignored; use {@link MachineRun.type}.
   */
  readonly interactive?: boolean;
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
   * "instruction-limit", "stopped" (the host ended it: {@link MachineRun.stop}), "boot-failed", "exec-failed".
   */
  readonly outcome:
    | "exited"
    | "panic"
    | "deadlock"
    | "cycle-limit"
    | "instruction-limit"
    | "stopped"
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
  const run = new MachineRun(options, output);
  for (;;) {
    const state = run.step();
    if (state === "finished") return run.result!;
    if (state === "waiting") run.hangUp();
  }
}

/** What {@link MachineRun.step} found. */
export type StepState = "running" | "waiting" | "finished";

/** A booted machine run chunk by chunk. */
export class MachineRun {
  /** How the run ended (set once {@link step} answered "finished"). */
  result: RunResult | null = null;
  readonly machine: Machine;
  readonly kernel: Kernel;
  private readonly started = performance.now();
  private bootHostMs = 0;
  private bootVirtualNs = 0;
  private readonly pending: number[] = [];
  private readonly timeline: TimelineTrace | null = null;
  private readonly input: Uint8Array;
  private fed = 0;
  private inputEnded = false;
  private readonly limit: number;
  private readonly instructionLimit: number;

  constructor(
    private readonly options: RunOptions,
    private readonly output: RunOutput,
  ) {
    let kernel: Kernel | null = null;
    const machine = new Machine({
      cpuCount: options.cpus ?? 2,
      memoryBytes: options.memoryBytes ?? 256 * 1024 * 1024,
      onSerialOutput: (byte) => {
        this.pending.push(byte);
        if (byte === 0x0a || this.pending.length >= 4096 || options.interactive === true) this.flush();
      },
      onStartup: (cpu) => kernel?.applicationProcessorStarted(cpu),
    });
    this.machine = machine;
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
      terminal: options.interactive ?? false,
      ...(options.initramfs === undefined ? {} : { initramfs: options.initramfs }),
      // The program is also a file, at the path init was started by (execve of itself, /proc/self/exe).
      files:
        typeof options.program === "string"
          ? []
          : [{ path: options.program.path, bytes: options.program.bytes, mode: 0o755 }],
    });
    this.kernel = kernel;
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
    if (options.trace !== undefined) {
      this.timeline = new TimelineTrace({
        write: options.trace.write,
        kernel,
        cpus: machine.cpus.length,
        nsPerCycle: 1e9 / machine.timeline.frequencyHz,
      });
      kernel.observer = this.timeline;
      sinks.push(this.timeline);
    }
    if (sinks.length > 0) kernel.dispatcher.tracer = combineTraceSinks(...sinks);
    kernel.console.errorSink = (bytes) => {
      this.flush();
      output.stderr(bytes);
    };
    this.input = options.interactive === true ? new Uint8Array(0) : (options.input ?? new Uint8Array(0));
    this.limit =
      options.cycleLimit ??
      (options.timeLimitNs === undefined
        ? Number.POSITIVE_INFINITY
        : Math.ceil((options.timeLimitNs * machine.timeline.frequencyHz) / 1e9));
    this.instructionLimit = options.instructionLimit ?? Number.POSITIVE_INFINITY;
    if (!kernel.boot()) {
      this.finish("boot-failed", 0, EX_SOFTWARE, kernel.halt?.message ?? "boot failed");
      return;
    }
    const program = options.program;
    const pid =
      typeof program === "string"
        ? kernel.spawnInitFromPath(program, options.argv, options.envp)
        : kernel.spawnInit(program, options.argv, options.envp);
    const path = typeof program === "string" ? program : program.path;
    if (pid < 0) {
      this.finish("exec-failed", 0, 126, `cannot run ${path}: error ${-pid}`);
      return;
    }
    this.bootHostMs = performance.now() - this.started;
    this.bootVirtualNs = this.virtualNs();
    if (options.interactive !== true) this.feed();
  }

  /** Presses and releases the keys that type `bytes` on the PS/2 keyboard (interactive runs). */
  type(bytes: Uint8Array): void {
    typeOnKeyboard(this.machine, bytes);
  }

  /** The host's input ended: the console reads end of file once its buffered input is read. */
  hangUp(): void {
    this.inputEnded = true;
    this.kernel.console.hangUp();
  }

  /** The host ends the run (a user detaching): outcome "stopped", status 0. */
  stop(message: string): RunResult {
    if (this.result === null) this.finish("stopped", 0, 0, message);
    return this.result!;
  }

  /** Runs one chunk (about 20 M virtual cycles); says whether to go on, wait for input, or stop. */
  step(): StepState {
    if (this.result !== null) return "finished";
    const machine = this.machine;
    const kernel = this.kernel;
    const remaining = this.limit - machine.timeline.now();
    if (remaining <= 0) {
      const ms = ((this.limit * 1e3) / machine.timeline.frequencyHz).toFixed(3);
      return this.finish(
        "cycle-limit",
        0,
        EX_SOFTWARE,
        `stopped at the time limit: ${ms} ms of virtual time`,
      );
    }
    let chunk = Math.min(CHUNK_CYCLES, remaining);
    if (this.instructionLimit !== Number.POSITIVE_INFINITY) {
      const left = this.instructionLimit - this.retired();
      if (left <= 0)
        return this.finish(
          "instruction-limit",
          0,
          EX_SOFTWARE,
          `stopped after ${this.instructionLimit} guest instructions`,
        );
      // A cycle retires at most one instruction per CPU: this chunk cannot overshoot by more than a slice.
      chunk = Math.min(chunk, Math.max(MIN_LIMITED_CHUNK, Math.floor(left / machine.cpus.length)));
    }
    const stop = machine.run(chunk);
    this.options.onProgress?.({
      virtualNs: this.virtualNs(),
      instructions: this.retired(),
      processes: kernel.processesCreated,
      hostMs: performance.now() - this.started,
    });
    const halt: KernelHalt | null = kernel.halt;
    if (halt !== null) {
      if (halt.reason === "panic")
        return this.finish("panic", 0, EX_SOFTWARE, `kernel panic: ${halt.message}`);
      return this.finish("exited", halt.status, shellStatus(halt.status), "");
    }
    if (stop.reason === "shutdown")
      return this.finish(
        "panic",
        0,
        EX_SOFTWARE,
        `CPU ${stop.cpuId ?? "?"} shut down: ${stop.detail ?? "triple fault"}`,
      );
    if (stop.reason === "all-idle") {
      if (this.fed < this.input.length) {
        this.feed();
        return "running";
      }
      this.flush();
      if (this.options.interactive === true && !this.inputEnded) return "waiting";
      return this.finish(
        "deadlock",
        0,
        EX_SOFTWARE,
        `every CPU is idle and nothing is pending: ${kernel.blockedSummary()}`,
      );
    }
    if (this.options.interactive !== true) this.feed();
    return "running";
  }

  private virtualNs(): number {
    return this.machine.timeline.now() * (1e9 / this.machine.timeline.frequencyHz);
  }

  private retired(): number {
    let total = 0;
    for (const cpu of this.machine.cpus) total += cpu.retiredInstructions;
    return total;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.output.stdout(Uint8Array.from(this.pending));
    this.pending.length = 0;
  }

  private feed(): void {
    const input = this.input;
    if (this.fed < input.length)
      this.fed += this.machine.uart.receive(
        input.subarray(this.fed, Math.min(input.length, this.fed + 4096)),
      );
    if (this.fed >= input.length) this.kernel.console.hangUp();
  }

  private finish(
    outcome: RunResult["outcome"],
    waitStatus: number,
    exitCode: number,
    message: string,
  ): "finished" {
    this.flush();
    const { kernel, machine, options } = this;
    this.timeline?.finish(machine.cpus.map((cpu) => cpu.tsc));
    kernel.reclaimCaches();
    const instructions = this.retired();
    const hostMs = performance.now() - this.started;
    const report = collectReport(kernel, machine, {
      seed: options.seed ?? 1,
      memoryBytes: options.memoryBytes ?? 256 * 1024 * 1024,
      outcome,
      exitCode,
      bootNs: this.bootVirtualNs,
      hostMs,
      bootHostMs: this.bootHostMs,
    });
    this.result = {
      outcome,
      waitStatus,
      exitCode,
      message,
      report,
      stats: {
        instructions,
        virtualNs: this.virtualNs(),
        hostMs,
        syscalls: kernel.dispatcher.stats.totalCalls(),
        processes: kernel.processesCreated,
        cpusOnline: kernel.onlineCpus,
        frameDelta: kernel.frames.freeFrames - kernel.freeFramesAfterBoot,
        slabObjects: kernel.slabObjectsInUse,
        bootHostMs: this.bootHostMs,
        bootVirtualNs: this.bootVirtualNs,
      },
    };
    return "finished";
  }
}

/** Control characters and the keys that type them (Ctrl+letter, and Enter/Tab/Backspace/Escape). */
const CONTROL_KEYS: Readonly<Record<number, string>> = {
  13: "Enter",
  10: "Enter",
  9: "Tab",
  127: "Backspace",
  8: "Backspace",
  27: "Escape",
};
/** ESC [ sequences a host terminal sends for keys, and the key. */
const ESCAPE_KEYS: Readonly<Record<string, string>> = {
  "[A": "ArrowUp",
  "[B": "ArrowDown",
  "[C": "ArrowRight",
  "[D": "ArrowLeft",
  "[H": "Home",
  "[F": "End",
  "[1~": "Home",
  "[2~": "Insert",
  "[3~": "Delete",
  "[4~": "End",
  "[5~": "PageUp",
  "[6~": "PageDown",
};

/**
 * Types host terminal bytes on the emulated PS/2 keyboard: printable
 * ASCII through the US layout, control characters as Ctrl+key, the usual
 * escape sequences as their keys. Bytes no key produces are skipped.
 */
export function typeOnKeyboard(machine: Machine, bytes: Uint8Array): void {
  const keyboard = machine.keyboard;
  const press = (key: string) => keyboard.pressKey(key) && keyboard.releaseKey(key);
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (byte === 0x1b && bytes[index + 1] === 0x5b) {
      let end = index + 2;
      while (end < bytes.length && end < index + 6 && !(bytes[end]! >= 0x40 && bytes[end]! <= 0x7e)) end++;
      const key = ESCAPE_KEYS[String.fromCharCode(...bytes.subarray(index + 1, end + 1))];
      if (key !== undefined) {
        press(key);
        index = end;
        continue;
      }
    }
    const named = CONTROL_KEYS[byte];
    if (named !== undefined) press(named);
    else if (byte >= 0x20 && byte < 0x7f) keyboard.typeText(String.fromCharCode(byte));
    else if (byte >= 1 && byte <= 0x1a) {
      keyboard.pressKey("ControlLeft");
      press(String.fromCharCode(0x60 + byte));
      keyboard.releaseKey("ControlLeft");
    } else if (byte === 0x1c || byte === 0x1d) {
      keyboard.pressKey("ControlLeft");
      press(byte === 0x1c ? "Backslash" : "BracketRight");
      keyboard.releaseKey("ControlLeft");
    }
  }
}

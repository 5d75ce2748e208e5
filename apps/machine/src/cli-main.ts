/**
 * The tsos-machine command line (commander), as a function of its
 * arguments and two output streams so it can be tested in-process.
 *
 * Contract with the user (DESIGN §7): bad input (unknown option or
 * command, a bad value, missing or unreadable file, not an ELF, wrong
 * architecture) gets exactly one clear error line on stderr and a non-zero
 * exit code; nothing throws out of `main`.
 */
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { ELF } from "@tsos/kernel";
import { syscallNumber } from "@tsos/syscall";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { findBusybox, listApplets } from "./busybox";
import { checkGuestExecutable } from "./guest-file";
import { type BusyboxImage, defaultInitramfs, loadInitramfs } from "./initramfs";
import { Progress } from "./progress";
import { formatReport } from "./report-format";
import { type RunOptions, type RunResult, runProgram } from "./run";
import { runShell, type ShellTerminal } from "./shell";

/** Where the CLI writes; `process.stdout`/`process.stderr` in the real binary. */
export interface CliOutput {
  out(text: string | Uint8Array): void;
  err(text: string | Uint8Array): void;
  /** True when stderr is a terminal (progress is shown only then). */
  readonly errIsTerminal?: boolean;
  /** The host terminal, for `boot --shell` (absent: --shell is refused). */
  readonly terminal?: {
    readonly input: ShellTerminal["input"];
    readonly outputIsTerminal: boolean;
  };
}

/** Exit codes of the CLI. */
export const EXIT = {
  OK: 0,
  /** The machine or the guest reported a failure. */
  FAILURE: 1,
  /** The command line or an input file was unusable. */
  USAGE: 2,
  /** `run`: the program exists but cannot be executed (not a static x86-64 ELF), as a shell's 126. */
  CANNOT_EXECUTE: 126,
  /** `run`: no such program, as a shell's 127. */
  NOT_FOUND: 127,
  /** The kernel failed (panic, deadlock, boot failure, a limit reached): EX_SOFTWARE. */
  SOFTWARE: 70,
} as const;

const DEFAULT_MEMORY = 256 * 1024 * 1024;

/** Options shared by boot and run (commander's parsed values). */
interface MachineFlags {
  cpus: number;
  mem: number;
  seed: number;
  env: string[];
  input?: string;
  initramfs?: string;
  quiet?: boolean;
  report?: boolean;
  reportJson?: string;
  trace?: string;
  strace?: boolean;
  straceOnly?: string;
  maxInstructions?: number;
  timeout?: number;
  progress?: boolean;
  shell?: boolean | string;
}

/** Thrown by an action to end with one line and a code. */
class CliFailure extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** Runs the CLI; returns the process exit code. Never throws. */
export function main(
  argv: readonly string[],
  output: CliOutput,
  version = "0.1.0",
): number | Promise<number> {
  const outcome: { code: number | Promise<number> } = { code: EXIT.OK };
  const program = buildProgram(output, version, (result) => {
    outcome.code = result;
  });
  if (argv.length === 0) {
    output.out(program.helpInformation());
    return EXIT.OK;
  }
  try {
    program.parse(rewriteStrace(program, argv), { from: "user" });
    const { code } = outcome;
    if (typeof code === "number") return code;
    return code.catch((error: unknown) => failure(error, output));
  } catch (error) {
    return failure(error, output);
  }
}

/** The exit code (and one line) for an error out of a command. */
function failure(error: unknown, output: CliOutput): number {
  if (error instanceof CliFailure) {
    output.err(`tsos-machine: ${error.message}\n`);
    return error.code;
  }
  if (error instanceof CommanderError) {
    if (
      error.code === "commander.helpDisplayed" ||
      error.code === "commander.version" ||
      error.code === "commander.help"
    )
      return EXIT.OK;
    output.err(`tsos-machine: ${oneLine(error.message)} (see --help)\n`);
    return EXIT.USAGE;
  }
  output.err(`tsos-machine: internal error: ${(error as Error).message}\n`);
  return EXIT.SOFTWARE;
}

/**
 * `--strace=write,openat` → `--strace-only write,openat`: commander would
 * take a bare `--strace`'s next word (the program) as an optional value,
 * so `--strace` is a switch and the names come only in the `=` form. Only
 * the words before the command's first positional are rewritten (the rest
 * are the guest's).
 */
function rewriteStrace(program: Command, argv: readonly string[]): string[] {
  const words = [...argv];
  const commandAt = words.findIndex((word) => !word.startsWith("-"));
  const command = program.commands.find((candidate) => candidate.name() === words[commandAt]);
  if (command === undefined) return words;
  const takesValue = new Set(
    command.options.filter((option) => option.required || option.optional).map((option) => option.long),
  );
  for (let index = commandAt + 1; index < words.length; index++) {
    const word = words[index]!;
    if (!word.startsWith("-")) break;
    if (word.startsWith("--strace=")) words[index] = `--strace-only=${word.slice("--strace=".length)}`;
    else if (takesValue.has(word)) index++;
  }
  return words;
}

function oneLine(message: string): string {
  return message
    .replace(/^error: /, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
}

function buildProgram(
  output: CliOutput,
  version: string,
  done: (code: number | Promise<number>) => void,
): Command {
  const program = new Command("tsos-machine")
    .description(
      "Boots the tsos kernel on an emulated x86-64 SMP machine and runs static Linux programs on it.",
    )
    .version(`tsos-machine ${version}`, "-v, --version", "print the version")
    .helpOption("-h, --help", "show this help")
    .enablePositionalOptions()
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.out(text),
      writeErr: (text) => output.err(text),
      // Errors are printed by main as one line.
      outputError: () => {},
    });
  program.addHelpText(
    "after",
    "\nExamples:\n  tsos-machine boot                       the default system, then the report (pnpm start)\n" +
      "  tsos-machine boot --cpus 1 --report-json report.json --trace trace.json\n" +
      "  tsos-machine run --strace=write,openat ./hello\n",
  );

  machineOptions(
    program
      .command("boot")
      .description(
        "boot the default system (the built-in initramfs, whose /init runs a demonstration workload), then print the report",
      )
      .option("--no-report", "do not print the report at the end")
      .option(
        "--shell [kind]",
        "an interactive shell on the console instead of the workload: tsh (the project's own, default) or busybox (its sh, with every applet); keys go through the PS/2 keyboard; Ctrl-] detaches",
      ),
  ).action((flags: MachineFlags) => done(runCommand(output, flags, null, [])));

  machineOptions(
    program
      .command("run")
      .description(
        "boot with <elf> (a static x86-64 Linux executable) as init, stream its output, exit with its status (128 + signal when killed)",
      )
      .argument("<elf>", "the program")
      .argument("[args...]", "its arguments (everything after <elf> goes to the program)")
      .option("--report", "print the report on stderr at the end")
      .passThroughOptions(),
  ).action((elf: string, args: string[], flags: MachineFlags) => done(runCommand(output, flags, elf, args)));

  program
    .command("check")
    .description(
      "check that a file is a static x86-64 Linux executable the machine can load, and describe it",
    )
    .argument("<elf>", "the file")
    .action((elf: string) => done(runCheck(elf, output)));
  return program;
}

/** The options of boot and run. */
function machineOptions(command: Command): Command {
  return command
    .option("--cpus <n>", "CPUs, 1 to 16", integer(1, 16), 2)
    .addOption(
      new Option("--mem <size>", "RAM: bytes, or with K/M/G, 16M to 4G")
        .argParser(size)
        .default(DEFAULT_MEMORY, "256M"),
    )
    .option("--seed <n>", "seed of every random choice", integer(0, 0xffffffff), 1)
    .addOption(
      new Option("--env <K=V>", "environment variable for the program (repeatable)")
        .argParser(collectEnv)
        .default([], "none"),
    )
    .option("--input <file>", 'console input from <file> ("-": standard input); default none (end of file)')
    .option("--initramfs <path>", "the root: a directory (packed as cpio newc) or a cpio newc file")
    .option("--quiet", "hide the kernel's boot log")
    .option("--report-json <file>", "write the report as JSON (sections virtual and host) to <file>")
    .option("--trace <file>", "write a Chrome trace-event / Perfetto timeline of the run to <file>")
    .option("--strace", "print every system call on stderr, strace style (--strace=write,openat: only those)")
    .addOption(new Option("--strace-only <names>").hideHelp())
    .option(
      "--max-instructions <n>",
      "stop after about <n> guest instructions (exit 70)",
      integer(1, Number.MAX_SAFE_INTEGER),
    )
    .option("--timeout <duration>", "stop at this virtual time, e.g. 500ms, 10s, 2m (exit 70)", duration)
    .option("--no-progress", "no progress line on a terminal");
}

function integer(low: number, high: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < low || value > high)
      throw new InvalidArgumentError(`expected an integer from ${low} to ${high}.`);
    return value;
  };
}

/** "64M", "1G", "268435456": bytes between 16 MiB and 4 GiB, page-aligned. */
function size(text: string): number {
  const match = /^(\d+)([KMG]?)$/i.exec(text);
  const unit =
    match === null ? 0 : { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]!.toUpperCase() as ""];
  const bytes = match === null ? Number.NaN : Number(match[1]) * unit;
  if (!(bytes >= 16 * 1024 ** 2 && bytes <= 4 * 1024 ** 3) || bytes % 4096 !== 0)
    throw new InvalidArgumentError("expected a size such as 64M or 1G (16M to 4G).");
  return bytes;
}

/** "500ms", "10s", "2m", "250us", "1000000ns" (a bare number: seconds) → virtual ns. */
function duration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m)?$/.exec(text);
  const scale = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9 }[(match?.[2] ?? "s") as "s"];
  const ns = match === null ? Number.NaN : Number(match[1]) * scale;
  if (!(ns >= 1000))
    throw new InvalidArgumentError(`--timeout ${text}: expected a duration such as 500ms or 10s.`);
  return ns;
}

function collectEnv(text: string, previous: string[]): string[] {
  if (!/^[^=]+=/.test(text)) throw new InvalidArgumentError("expected NAME=value.");
  return [...previous, text];
}

function runCheck(path: string, output: CliOutput): number {
  const result = checkGuestExecutable(path);
  if (!result.ok) throw new CliFailure(result.error, EXIT.USAGE);
  const { info } = result;
  const { type, entry } = info.executable;
  const kind = type === ELF.TYPE_EXECUTABLE ? "executable" : "position-independent executable";
  output.out(
    `${path}: ELF64 x86-64 ${kind}, entry 0x${entry.toString(16)}, ` +
      `${info.loadSegments} PT_LOAD segment(s), ${info.size} bytes\n`,
  );
  return EXIT.OK;
}

/** `--strace=write,openat` → the numbers; `--strace` alone → null (all). */
function straceFilter(names: string | undefined): ReadonlySet<number> | null {
  if (names === undefined) return null;
  const numbers = new Set<number>();
  for (const name of names.split(",")) {
    const number = syscallNumber(name.trim());
    if (number === undefined)
      throw new CliFailure(`--strace: unknown system call '${name.trim()}'`, EXIT.USAGE);
    numbers.add(number);
  }
  return numbers;
}

function runCommand(
  output: CliOutput,
  flags: MachineFlags,
  elf: string | null,
  args: readonly string[],
): number | Promise<number> {
  const boot = elf === null;
  const shell = boot && flags.shell !== undefined ? shellOf(flags.shell, output) : null;
  let program: RunOptions["program"] = shell?.program ?? "/init";
  if (elf !== null) {
    const checked = checkGuestExecutable(elf);
    if (!checked.ok)
      throw new CliFailure(checked.error, checked.missing ? EXIT.NOT_FOUND : EXIT.CANNOT_EXECUTE);
    program = { path: guestPathOf(elf), bytes: checked.bytes };
  }
  const image =
    flags.initramfs !== undefined
      ? loadInitramfs(flags.initramfs)
      : boot
        ? defaultInitramfs(shell?.busybox)
        : null;
  if (image !== null && !image.ok) throw new CliFailure(image.error, EXIT.USAGE);
  let input: Uint8Array | undefined;
  if (flags.input !== undefined) {
    try {
      input = new Uint8Array(readFileSync(flags.input === "-" ? 0 : flags.input));
    } catch (error) {
      throw new CliFailure(`--input ${flags.input}: ${describeFsError(error)}`, EXIT.USAGE);
    }
  }
  const only =
    flags.strace === true || flags.straceOnly !== undefined ? straceFilter(flags.straceOnly) : undefined;
  // Output files are opened before the run, so a bad path fails at once.
  const traceFd = flags.trace === undefined ? null : openOutput("--trace", flags.trace);
  if (flags.reportJson !== undefined) openOutput("--report-json", flags.reportJson, true);
  const progress =
    output.errIsTerminal === true && flags.progress !== false && shell === null
      ? new Progress((text) => output.err(text))
      : null;
  const out = (bytes: string | Uint8Array) => {
    progress?.clear();
    output.out(bytes);
  };
  const err = (bytes: string | Uint8Array) => {
    progress?.clear();
    output.err(bytes);
  };
  const options: RunOptions = {
    program,
    argv: shell?.argv ?? (boot ? ["/init"] : [elf!, ...args]),
    ...(image === null ? {} : { initramfs: image.bytes }),
    envp: shell === null ? flags.env : [...SHELL_ENVIRONMENT, ...flags.env],
    cpus: flags.cpus,
    memoryBytes: flags.mem,
    seed: flags.seed,
    quiet: flags.quiet === true,
    ...(input === undefined ? {} : { input }),
    ...(only === undefined
      ? {}
      : { strace: { sink: (line) => err(`${line}\n`), ...(only === null ? {} : { only }) } }),
    ...(traceFd === null ? {} : { trace: { write: (text) => void writeSync(traceFd, text) } }),
    ...(flags.maxInstructions === undefined ? {} : { instructionLimit: flags.maxInstructions }),
    ...(flags.timeout === undefined ? {} : { timeLimitNs: flags.timeout }),
    ...(progress === null ? {} : { onProgress: (figures) => progress.update(figures) }),
  };
  const cleanUp = () => {
    progress?.clear();
    if (traceFd !== null) closeSync(traceFd);
  };
  // The report: printed after boot (not after an interactive session), with --report after run.
  const printReport = shell === null && (boot ? flags.report !== false : flags.report === true);
  const conclude = (result: RunResult): number => {
    if (result.outcome !== "exited" && result.outcome !== "stopped") err(`tsos-machine: ${result.message}\n`);
    if (flags.reportJson !== undefined) {
      try {
        writeFileSync(flags.reportJson, `${JSON.stringify(result.report, null, 2)}\n`);
      } catch (error) {
        throw new CliFailure(`--report-json ${flags.reportJson}: ${describeFsError(error)}`, EXIT.USAGE);
      }
    }
    if (printReport) {
      const text = formatReport(result.report);
      if (boot) out(`\n${text}`);
      else err(text);
    }
    return result.exitCode;
  };
  if (shell !== null) {
    const terminal = output.terminal!;
    return runShell(options, {
      input: terminal.input,
      outputIsTerminal: terminal.outputIsTerminal,
      write: (bytes) => output.out(bytes),
      writeError: (bytes) => output.err(bytes),
    })
      .finally(cleanUp)
      .then(conclude);
  }
  let result: RunResult;
  try {
    result = runProgram(options, { stdout: out, stderr: err });
  } finally {
    cleanUp();
  }
  return conclude(result);
}

/** The environment of the interactive shells. */
const SHELL_ENVIRONMENT = ["PATH=/bin", "HOME=/", "TERM=linux"];

/** `--shell[=tsh|busybox]`: the init to start and what the image needs for it. */
function shellOf(
  kind: string | boolean,
  output: CliOutput,
): { program: string; argv: string[]; busybox?: BusyboxImage } {
  if (output.terminal === undefined) throw new CliFailure("--shell needs the host's terminal", EXIT.USAGE);
  if (kind === true || kind === "tsh") return { program: "/bin/tsh", argv: ["/bin/tsh"] };
  if (kind !== "busybox") throw new CliFailure(`--shell ${kind}: expected tsh or busybox`, EXIT.USAGE);
  const found = findBusybox();
  if (found === null)
    throw new CliFailure(
      "--shell=busybox: no BusyBox (run scripts/fetch-busybox.sh, or set TSOS_BUSYBOX to a static busybox)",
      EXIT.USAGE,
    );
  const applets = listApplets(found);
  if (applets === null)
    throw new CliFailure(
      `--shell=busybox: ${found.path} did not list its applets on the machine`,
      EXIT.USAGE,
    );
  return {
    program: "/bin/busybox",
    argv: ["sh"],
    busybox: { bytes: found.bytes, applets },
  };
}

/** Opens (creates or truncates) an output file; one line and exit 2 when it cannot be. */
function openOutput(option: string, path: string, closeAgain = false): number {
  try {
    const fd = openSync(path, "w");
    if (closeAgain) closeSync(fd);
    return fd;
  } catch (error) {
    throw new CliFailure(`${option} ${path}: ${describeFsError(error)}`, EXIT.USAGE);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return code ?? (error as Error).message;
}

/** The path the guest sees for a host file: its base name under /bin. */
function guestPathOf(hostPath: string): string {
  const slash = hostPath.lastIndexOf("/");
  return `/bin/${slash < 0 ? hostPath : hostPath.slice(slash + 1)}`;
}

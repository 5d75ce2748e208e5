/**
 * The tsos-machine command line, as a function of its arguments and two
 * output streams so it can be tested in-process.
 *
 * Contract with the user (DESIGN §7): bad input (unknown option, missing or
 * unreadable file, not an ELF, wrong architecture) gets exactly one clear
 * error line on stderr and a non-zero exit code; nothing throws out of
 * `main`.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ELF } from "@tsos/kernel";
import { checkGuestExecutable } from "./guest-file";
import { defaultInitramfs, loadInitramfs } from "./initramfs";
import { type RunOptions, type RunResult, runProgram } from "./run";

/** Where the CLI writes; `process.stdout`/`process.stderr` in the real binary. */
export interface CliOutput {
  out(text: string | Uint8Array): void;
  err(text: string | Uint8Array): void;
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
  /** The kernel failed (panic, deadlock, boot failure): EX_SOFTWARE. */
  SOFTWARE: 70,
} as const;

export const USAGE = `Usage: tsos-machine [options] [command]

Boots the tsos kernel on an emulated x86-64 SMP machine.

Commands:
  boot [options]       Boot the default system (the default initramfs, whose
                       /init runs a short demonstration), then print a summary.
                       This is what \`pnpm start\` runs.
  run [options] <elf> [args...]
                       Boot the machine with <elf> (a static x86-64 Linux
                       executable) as init, stream its output, and exit with
                       its status (128 + signal when killed). Arguments after
                       <elf> go to the program.
  check <elf>          Check that a file is a static x86-64 Linux executable
                       the machine can load, and describe it.
  help                 Show this help.

Options of boot and run:
  --cpus N             CPUs (default 2, at most 16).
  --mem SIZE           RAM: bytes, or with K/M/G (default 256M).
  --seed N             Seed of every random choice (default 1).
  --env K=V            Environment variable for the program (repeatable).
  --input FILE         Console input from FILE ("-": standard input); default
                       none (the program reads end of file).
  --initramfs PATH     The root file system: a directory (packed as cpio
                       newc) or a cpio newc file; default the built-in one.
  --quiet              Hide the kernel's boot log.
  --stats              Print a summary of the run on stderr at the end.

Options:
  -h, --help           Show this help.
  -v, --version        Print the version.
`;

/** Runs the CLI; returns the process exit code. Never throws. */
export function main(argv: readonly string[], output: CliOutput, version = "0.1.0"): number {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    output.err(`tsos-machine: ${(error as Error).message} (see --help)\n`);
    return EXIT.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    output.out(`tsos-machine ${version}\n`);
    return EXIT.OK;
  }
  const commandAt = argv.findIndex((word) => !word.startsWith("-"));
  const [command = "help"] = positionals;
  const rest = commandAt < 0 ? [] : argv.slice(commandAt + 1);
  if (values.help || command === "help") {
    output.out(USAGE);
    return EXIT.OK;
  }
  if (command === "check") return runCheck(rest, output);
  if (command === "run") return runCommand(rest, output, false);
  if (command === "boot") return runCommand(rest, output, true);
  output.err(`tsos-machine: unknown command '${command}' (see --help)\n`);
  return EXIT.USAGE;
}

function parseCommandLine(argv: readonly string[]) {
  // Everything after `run`'s program belongs to the guest: only parse up to the command.
  const commandAt = argv.findIndex((word) => !word.startsWith("-"));
  return parseArgs({
    args: commandAt < 0 ? [...argv] : [...argv.slice(0, commandAt + 1)],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}

function runCheck(args: readonly string[], output: CliOutput): number {
  if (args.length !== 1) {
    output.err("tsos-machine: check takes exactly one file (see --help)\n");
    return EXIT.USAGE;
  }
  const result = checkGuestExecutable(args[0]!);
  if (!result.ok) {
    output.err(`tsos-machine: ${result.error}\n`);
    return EXIT.USAGE;
  }
  const { info } = result;
  const { type, entry } = info.executable;
  const kind = type === ELF.TYPE_EXECUTABLE ? "executable" : "position-independent executable";
  output.out(
    `${args[0]}: ELF64 x86-64 ${kind}, entry 0x${entry.toString(16)}, ` +
      `${info.loadSegments} PT_LOAD segment(s), ${info.size} bytes\n`,
  );
  return EXIT.OK;
}

interface RunCommandLine {
  cpus: number;
  memoryBytes: number;
  seed: number;
  env: string[];
  input: string | null;
  initramfs: string | null;
  quiet: boolean;
  stats: boolean;
  program: string;
  args: string[];
}

/** Parses `run`'s options up to the program path (`boot`: options only); a string is the error. */
function parseRunArguments(args: readonly string[], boot: boolean): RunCommandLine | string {
  const line: RunCommandLine = {
    cpus: 2,
    memoryBytes: 256 * 1024 * 1024,
    seed: 1,
    env: [],
    input: null,
    initramfs: null,
    quiet: false,
    stats: false,
    program: "",
    args: [],
  };
  let index = 0;
  const value = (option: string): string | null => {
    const inline = option.indexOf("=");
    if (inline >= 0) return option.slice(inline + 1);
    index++;
    return args[index] ?? null;
  };
  for (; index < args.length; index++) {
    const word = args[index]!;
    if (!word.startsWith("--")) break;
    const name = word.split("=")[0]!;
    if (name === "--quiet") line.quiet = true;
    else if (name === "--stats") line.stats = true;
    else if (
      name === "--cpus" ||
      name === "--mem" ||
      name === "--seed" ||
      name === "--env" ||
      name === "--input" ||
      name === "--initramfs"
    ) {
      const text = value(word);
      if (text === null) return `${name} needs a value`;
      if (name === "--cpus") {
        const cpus = Number(text);
        if (!Number.isInteger(cpus) || cpus < 1 || cpus > 16)
          return `--cpus ${text}: expected an integer from 1 to 16`;
        line.cpus = cpus;
      } else if (name === "--mem") {
        const bytes = parseSize(text);
        if (bytes === null) return `--mem ${text}: expected a size such as 64M or 1G (16M to 4G)`;
        line.memoryBytes = bytes;
      } else if (name === "--seed") {
        const seed = Number(text);
        if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
          return `--seed ${text}: expected an integer from 0 to 4294967295`;
        line.seed = seed;
      } else if (name === "--env") {
        if (!/^[^=]+=/.test(text)) return `--env ${text}: expected NAME=value`;
        line.env.push(text);
      } else if (name === "--input") line.input = text;
      else line.initramfs = text;
    } else return `unknown option '${word}' for ${boot ? "boot" : "run"}`;
  }
  if (boot) {
    if (index < args.length) return `boot takes options only, not '${args[index]}'`;
    return line;
  }
  if (index >= args.length) return "run needs a program (see --help)";
  line.program = args[index]!;
  line.args = args.slice(index + 1);
  return line;
}

/** "64M", "1G", "268435456": bytes between 16 MiB and 4 GiB, page-aligned; null otherwise. */
function parseSize(text: string): number | null {
  const match = /^(\d+)([KMG]?)$/i.exec(text);
  if (match === null) return null;
  const unit = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[
    match[2]!.toUpperCase() as "" | "K" | "M" | "G"
  ];
  const bytes = Number(match[1]) * unit;
  if (!(bytes >= 16 * 1024 ** 2 && bytes <= 4 * 1024 ** 3) || bytes % 4096 !== 0) return null;
  return bytes;
}

function runCommand(args: readonly string[], output: CliOutput, boot: boolean): number {
  const line = parseRunArguments(args, boot);
  if (typeof line === "string") {
    output.err(`tsos-machine: ${line}\n`);
    return EXIT.USAGE;
  }
  let program: RunOptions["program"] = "/init";
  if (!boot) {
    const checked = checkGuestExecutable(line.program);
    if (!checked.ok) {
      output.err(`tsos-machine: ${checked.error}\n`);
      return checked.missing ? EXIT.NOT_FOUND : EXIT.CANNOT_EXECUTE;
    }
    program = { path: guestPathOf(line.program), bytes: checked.bytes };
  }
  const image = line.initramfs !== null ? loadInitramfs(line.initramfs) : boot ? defaultInitramfs() : null;
  if (image !== null && !image.ok) {
    output.err(`tsos-machine: ${image.error}\n`);
    return EXIT.USAGE;
  }
  let input: Uint8Array | undefined;
  if (line.input !== null) {
    try {
      input = new Uint8Array(readFileSync(line.input === "-" ? 0 : line.input));
    } catch (error) {
      output.err(
        `tsos-machine: --input ${line.input}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
      );
      return EXIT.USAGE;
    }
  }
  const result = runProgram(
    {
      program,
      argv: boot ? ["/init"] : [line.program, ...line.args],
      ...(image === null ? {} : { initramfs: image.bytes }),
      envp: line.env,
      cpus: line.cpus,
      memoryBytes: line.memoryBytes,
      seed: line.seed,
      quiet: line.quiet,
      ...(input === undefined ? {} : { input }),
    },
    { stdout: (bytes) => output.out(bytes), stderr: (bytes) => output.err(bytes) },
  );
  if (result.outcome !== "exited") output.err(`tsos-machine: ${result.message}\n`);
  if (boot) output.out(formatStats(result));
  else if (line.stats) output.err(formatStats(result));
  return result.exitCode;
}

/** The path the guest sees for a host file: its base name under /bin. */
function guestPathOf(hostPath: string): string {
  const slash = hostPath.lastIndexOf("/");
  return `/bin/${slash < 0 ? hostPath : hostPath.slice(slash + 1)}`;
}

/** The --stats summary. */
export function formatStats(result: RunResult): string {
  const { stats } = result;
  const lines = [
    `outcome: ${result.outcome}, status ${result.exitCode}`,
    `guest instructions: ${stats.instructions}`,
    `virtual time: ${(stats.virtualNs / 1e6).toFixed(3)} ms, host time: ${stats.hostMs.toFixed(1)} ms`,
    `system calls: ${stats.syscalls}, processes: ${stats.processes}, CPUs online: ${stats.cpusOnline}`,
    `frames not returned: ${-stats.frameDelta}`,
  ];
  return `${lines.map((text) => `tsos-machine: ${text}`).join("\n")}\n`;
}

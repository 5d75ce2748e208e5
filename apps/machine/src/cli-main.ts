/**
 * The tsos-machine command line, as a function of its arguments and two
 * output streams so it can be tested in-process.
 *
 * Contract with the user (DESIGN §7): bad input (unknown option, missing or
 * unreadable file, not an ELF, wrong architecture) gets exactly one clear
 * error line on stderr and a non-zero exit code; nothing throws out of
 * `main`.
 */
import { parseArgs } from "node:util";
import { ELF } from "@tsos/kernel";
import { checkGuestExecutable } from "./guest-file";

/** Where the CLI writes; `process.stdout`/`process.stderr` in the real binary. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes of the CLI. */
export const EXIT = {
  OK: 0,
  /** The machine or the guest reported a failure. */
  FAILURE: 1,
  /** The command line or an input file was unusable. */
  USAGE: 2,
} as const;

export const USAGE = `Usage: tsos-machine [options] [command]

Boots the tsos kernel on an emulated x86-64 SMP machine.

Commands:
  help                 Show this help.
  check <elf>          Check that a file is a static x86-64 Linux executable
                       the machine can load, and describe it.

Options:
  -h, --help           Show this help.
  -v, --version        Print the version.

Status: the emulated machine and the kernel are being built (see the README's
package map); booting and running guest programs arrive with them.
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
  const [command = "help", ...rest] = positionals;
  if (values.help || command === "help") {
    output.out(USAGE);
    return EXIT.OK;
  }
  if (command === "check") return runCheck(rest, output);
  output.err(`tsos-machine: unknown command '${command}' (see --help)\n`);
  return EXIT.USAGE;
}

function parseCommandLine(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
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

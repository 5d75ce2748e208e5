/**
 * The guest program catalog: every committed guest binary, its variants,
 * the arguments to run it with and the files holding its recorded native
 * output (the differential oracle; see README.md).
 *
 * Invariants:
 * - Every program is built in all {@link GUEST_OPTIMIZATIONS} ×
 *   {@link GUEST_ISAS} variants, at `bin/<program>-<optimization>-<isa>`.
 * - Every variant of one program prints the same bytes and exits with the
 *   same status for the same arguments (record-expected.sh enforces it).
 * - `quickArgs` here must equal the ones in record-expected.sh; the catalog
 *   test re-runs every binary natively and would catch a mismatch.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the `guest/` folder. */
export const GUEST_DIR = fileURLToPath(new URL(".", import.meta.url));

/** Optimisation levels every program is built at. */
export const GUEST_OPTIMIZATIONS = ["O0", "O2", "O3"] as const;
/** One of {@link GUEST_OPTIMIZATIONS}. */
export type GuestOptimization = (typeof GUEST_OPTIMIZATIONS)[number];

/** Instruction sets: `gpr` is built with `-mgeneral-regs-only` (no XMM at all), `sse` with gcc's default x86-64 flags (SSE2). */
export const GUEST_ISAS = ["gpr", "sse"] as const;
/** One of {@link GUEST_ISAS}. */
export type GuestIsa = (typeof GUEST_ISAS)[number];

/** How a run is sized: the benchmark-sized default, or the small form tests use. */
export type GuestRunSize = "default" | "quick";

/** One guest program (all its variants share the source and the output). */
export interface GuestProgram {
  /** File stem of `src/<name>.c` and of its binaries. */
  readonly name: string;
  /** What the program exercises. */
  readonly summary: string;
  /** True for the CPU-bound benchmarks (sized ~50 ms natively at -O2 by default). */
  readonly benchmark: boolean;
  /** What argv[1] scales, and its default. */
  readonly scale: string;
  /** Arguments of the small run tests use (argv[1] only). */
  readonly quickArgs: readonly string[];
  /** The instruction sets it is built for (default: all of {@link GUEST_ISAS}; floating-point programs have no `gpr` build). */
  readonly isas?: readonly GuestIsa[];
}

/** One built binary: a program at one optimisation level and instruction set. */
export interface GuestBinary {
  /** The program it was built from. */
  readonly program: GuestProgram;
  /** The `-O` level it was built at. */
  readonly optimization: GuestOptimization;
  /** Whether the compiler could use SSE registers. */
  readonly isa: GuestIsa;
  /** `<program>-<optimization>-<isa>`, the file name under `bin/`. */
  readonly name: string;
  /** Absolute path of the binary. */
  readonly path: string;
}

/** One way to run one binary, with where its recorded native result lives. */
export interface GuestRun {
  /** The binary to run. */
  readonly binary: GuestBinary;
  /** Benchmark-sized (`default`, no arguments) or small (`quick`). */
  readonly size: GuestRunSize;
  /** argv[1..] (argv[0] is the binary's path or name; no program prints it). */
  readonly args: readonly string[];
  /** Absolute path of the recorded standard output. */
  readonly expectedStdoutPath: string;
  /** Absolute path of the recorded exit status (decimal text). */
  readonly expectedStatusPath: string;
}

/** The recorded native result of a {@link GuestRun}. */
export interface GuestExpected {
  /** Every byte written to fd 1. */
  readonly stdout: Uint8Array;
  /** The exit status (0–255). */
  readonly status: number;
}

/** Every guest program, in build order. */
export const GUEST_PROGRAMS: readonly GuestProgram[] = [
  {
    name: "arith",
    summary: "8/16/32/64-bit signed and unsigned arithmetic, flags, shifts, __int128, bit builtins",
    benchmark: false,
    scale: "mixed operations, default 2000000",
    quickArgs: ["20000"],
  },
  {
    name: "control",
    summary: "recursion, jump-table switch, function pointers, computed goto, sorts; exits 7",
    benchmark: false,
    scale: "sort size, default 2000",
    quickArgs: ["200"],
  },
  {
    name: "strings",
    summary: "memcpy/memmove/memset/memcmp/strcmp over lengths and alignments, a tiny formatter",
    benchmark: false,
    scale: "formatter rounds, default 20",
    quickArgs: ["2"],
  },
  {
    name: "syscalls",
    summary: "initial stack and auxv, getpid, brk, mmap/munmap, -errno returns, clock_gettime, nanosleep",
    benchmark: false,
    scale: "1 ms nanosleep rounds, default 2",
    quickArgs: ["1"],
  },
  {
    name: "sieve",
    summary: "sieve of Eratosthenes below 10^6 (byte stores, strided loops)",
    benchmark: true,
    scale: "iterations, default 20",
    quickArgs: ["1"],
  },
  {
    name: "crc32",
    summary: "table-driven CRC-32 over a 64 KiB buffer",
    benchmark: true,
    scale: "64 KiB passes, default 256",
    quickArgs: ["2"],
  },
  {
    name: "sha256",
    summary: "SHA-256 (FIPS 180-4) of a 16 KiB buffer, chained",
    benchmark: true,
    scale: "16 KiB hashes, default 640",
    quickArgs: ["4"],
  },
  {
    name: "matmul",
    summary: "96x96 32-bit integer matrix multiply",
    benchmark: true,
    scale: "multiplications, default 100",
    quickArgs: ["2"],
  },
  {
    name: "nbody",
    summary: "five-body Jovian simulation in double precision (SSE2 arithmetic, SQRTSD, DIVSD)",
    benchmark: true,
    scale: "time steps, default 500000",
    quickArgs: ["2000"],
    isas: ["sse"],
  },
  {
    name: "dtoa",
    summary: "printf(%.17g)/strtod-shaped digit formatting and parsing of doubles by scaling",
    benchmark: true,
    scale: "values, default 40000",
    quickArgs: ["2000"],
    isas: ["sse"],
  },
];

/** Every binary of every program: programs in order, then optimisation, then instruction set. */
export function guestBinaries(): GuestBinary[] {
  const binaries: GuestBinary[] = [];
  for (const program of GUEST_PROGRAMS) {
    for (const optimization of GUEST_OPTIMIZATIONS) {
      for (const isa of program.isas ?? GUEST_ISAS) {
        const name = `${program.name}-${optimization}-${isa}`;
        binaries.push({ program, optimization, isa, name, path: join(GUEST_DIR, "bin", name) });
      }
    }
  }
  return binaries;
}

/** The binary `<program>-<optimization>-<isa>`, or `undefined` if the catalog has none. */
export function findGuestBinary(name: string): GuestBinary | undefined {
  return guestBinaries().find((binary) => binary.name === name);
}

/** The run of `binary` at `size`, with its expected-output paths. */
export function guestRun(binary: GuestBinary, size: GuestRunSize): GuestRun {
  const stem = size === "default" ? binary.name : `${binary.name}.quick`;
  return {
    binary,
    size,
    args: size === "default" ? [] : binary.program.quickArgs,
    expectedStdoutPath: join(GUEST_DIR, "expected", `${stem}.out`),
    expectedStatusPath: join(GUEST_DIR, "expected", `${stem}.status`),
  };
}

/** Every run of every binary (each binary at both sizes). */
export function guestRuns(): GuestRun[] {
  return guestBinaries().flatMap((binary) => [guestRun(binary, "quick"), guestRun(binary, "default")]);
}

/** The bytes of `binary`'s ELF file (for an initramfs or the emulator's loader). */
export function readGuestBinary(binary: GuestBinary): Uint8Array {
  return new Uint8Array(readFileSync(binary.path));
}

/** Reads the recorded native stdout and exit status of `run`. Throws if the files are missing or malformed. */
export function readGuestExpected(run: GuestRun): GuestExpected {
  const stdout = new Uint8Array(readFileSync(run.expectedStdoutPath));
  const statusText = readFileSync(run.expectedStatusPath, "utf8").trim();
  const status = Number(statusText);
  if (!/^\d+$/.test(statusText) || status > 255) {
    throw new Error(`${run.expectedStatusPath}: not an exit status: ${JSON.stringify(statusText)}`);
  }
  return { stdout, status };
}

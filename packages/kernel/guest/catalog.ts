/**
 * The kernel guest catalog: every committed guest binary of the kernel
 * package, the argv and environment each run gets, and the files holding
 * its recorded native result (the differential oracle; see README.md).
 *
 * Invariants:
 * - A run's `name` names its expected files; `binary` names the file under
 *   `bin/`. They differ only when one binary has several runs
 *   (`exit-codes` and `exit-codes-default`).
 * - `args` and `env` here equal the ones in record-expected.sh, which runs
 *   every binary natively as `env -i <env...> bin/<binary> <args...>`.
 * - No program prints argv[0], so the path a kernel starts it by does not
 *   matter — except that runs with `argv0IsPath` (bench-exec, files) execve
 *   argv[0]: natively record-expected.sh passes the binary's absolute path,
 *   and under tsos argv[0] must be the path the kernel started it by
 *   (`/bin/<binary>`), not the bare binary name.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the `guest/` folder. */
export const KERNEL_GUEST_DIR = fileURLToPath(new URL(".", import.meta.url));

/** How a binary was built: over the hw-x86 freestanding runtime, or static against musl or glibc. */
export type KernelGuestRuntime = "freestanding" | "musl" | "glibc";

/** One run of one guest binary. */
export interface KernelGuestProgram {
  /** Run name: the stem of its `expected/` files. */
  readonly name: string;
  /** File name under `bin/` (and stem of `src/<binary>.c`). */
  readonly binary: string;
  /** Which runtime the binary is built on. */
  readonly runtime: KernelGuestRuntime;
  /** What the run checks. */
  readonly summary: string;
  /** argv[1..]; argv[0] is up to the caller (no program prints it). */
  readonly args: readonly string[];
  /** The whole environment, as `NAME=value` strings (natively: `env -i` plus these). */
  readonly env: readonly string[];
  /**
   * True when the program execs argv[0], so argv[0] must be a path execve can
   * open to this binary (natively its absolute path; under tsos the path the
   * kernel started it by, e.g. `/bin/bench-exec`). Absent: argv[0] is unused.
   */
  readonly argv0IsPath?: true;
}

/** The recorded native result of a run. */
export interface KernelGuestExpected {
  /** Every byte written to fd 1. */
  readonly stdout: Uint8Array;
  /** Every byte written to fd 2 (empty for all but `musl-stdio`). */
  readonly stderr: Uint8Array;
  /** The exit status as a shell reports it (0–255; 128 + N when killed by signal N). */
  readonly status: number;
}

const CATALOG_ENV = ["TSOS_GUEST_VAR=hello", "TSOS_GUEST_EMPTY="] as const;

/** Every run, in the order record-expected.sh records them. */
export const KERNEL_GUEST_PROGRAMS: readonly KernelGuestProgram[] = [
  {
    name: "hello",
    binary: "hello",
    runtime: "freestanding",
    summary: 'prints "hello, world", exits 0',
    args: [],
    env: [],
  },
  {
    name: "exit-codes",
    binary: "exit-codes",
    runtime: "freestanding",
    summary: "argc/argv/envp on the initial stack (empty and spaced arguments); exit status 300 & 255 = 44",
    args: ["300", "two words", ""],
    env: CATALOG_ENV,
  },
  {
    name: "exit-codes-default",
    binary: "exit-codes",
    runtime: "freestanding",
    summary: "argc 1, empty environment, default exit status 42",
    args: [],
    env: [],
  },
  {
    name: "fork-tree",
    binary: "fork-tree",
    runtime: "freestanding",
    summary:
      "14-process fork tree with distinct exit codes, wait4 by pid and -1, WNOHANG, clone(SIGCHLD), 8-bit statuses, ECHILD",
    args: [],
    env: [],
  },
  {
    name: "orphan",
    binary: "orphan",
    runtime: "freestanding",
    summary:
      "an orphaned grandchild is reparented to the top process (subreaper natively, init under tsos) and reaped by it",
    args: [],
    env: [],
  },
  {
    name: "memory",
    binary: "memory",
    runtime: "freestanding",
    summary:
      "brk grow/shrink/regrow, mmap/munmap/MAP_FIXED/split/PROT_NONE, mprotect, SIGSEGV in children, copy-on-write",
    args: [],
    env: [],
  },
  {
    name: "faults",
    binary: "faults",
    runtime: "freestanding",
    summary:
      "fatal faults (SIGSEGV, SIGILL, SIGFPE, SIGTRAP) in children; -EFAULT/-EBADF/-ENOSYS from bad syscalls",
    args: [],
    env: [],
  },
  {
    name: "time",
    binary: "time",
    runtime: "freestanding",
    summary: "clock_gettime, nanosleep, clock_getres, gettimeofday, time; -EINVAL/-EFAULT on bad arguments",
    args: [],
    env: [],
  },
  {
    name: "rlimit",
    binary: "rlimit",
    runtime: "freestanding",
    summary:
      "getrlimit/setrlimit/prlimit64; RLIMIT_NOFILE bounds dup2, RLIMIT_AS makes mmap/brk fail with ENOMEM",
    args: [],
    env: [],
  },
  {
    name: "musl-hello",
    binary: "musl-hello",
    runtime: "musl",
    summary: "musl start-up (TLS, stdio), printf and puts, exit flushing stdout",
    args: [],
    env: [],
  },
  {
    name: "musl-stdio",
    binary: "musl-stdio",
    runtime: "musl",
    summary: "snprintf of integers/strings/padding, sscanf, strtol, setvbuf modes, fputs/fprintf to stderr",
    args: [],
    env: [],
  },
  {
    name: "musl-malloc",
    binary: "musl-malloc",
    runtime: "musl",
    summary: "20000 malloc/realloc/free operations with content checks, calloc, 1–8 MiB blocks; checksums",
    args: [],
    env: [],
  },
  {
    name: "musl-qsort",
    binary: "musl-qsort",
    runtime: "musl",
    summary: "qsort of 20000 integers, strings and records; bsearch; checksums",
    args: [],
    env: [],
  },
  {
    name: "musl-env",
    binary: "musl-env",
    runtime: "musl",
    summary: "environ and argv as passed, getenv, setenv/putenv/unsetenv and environ counts",
    args: ["first", "second arg"],
    env: CATALOG_ENV,
  },
  {
    name: "musl-string",
    binary: "musl-string",
    runtime: "musl",
    summary: "musl string/memory routines against byte loops over lengths and alignments",
    args: [],
    env: [],
  },
  {
    name: "files",
    binary: "files",
    runtime: "musl",
    summary:
      "fd and path calls in a fresh /tmp/tsos-files-test: open/read/write/lseek/pread/pwrite/O_APPEND/ftruncate, stat, getdents64, mkdir/rmdir/unlink/rename/symlink, dup*/fcntl, /dev and /proc/self/exe, errnos, O_CLOEXEC across execve",
    args: [],
    env: [],
    argv0IsPath: true,
  },
  {
    name: "oom",
    binary: "oom",
    runtime: "musl",
    summary:
      'mmaps argv[1] MiB (default 1024) and touches every page, "touched N MiB" every 64 MiB, then "done"; recorded with 128',
    args: ["128"],
    env: [],
  },
  {
    name: "signals",
    binary: "signals",
    runtime: "musl",
    summary:
      "handlers with siginfo (kill, raise, sigqueue), pending and coalescing, realtime queueing, nesting and SA_NODEFER, SA_RESETHAND, alarm+pause, sigsuspend, fault handlers resuming past SIGSEGV/SIGFPE/SIGILL/SIGTRAP, sigaltstack+SA_ONSTACK, EINTR vs SA_RESTART, SIGCHLD, masks across fork and exec, a forged frame, death by SIGTERM",
    args: [],
    env: [],
    argv0IsPath: true,
  },
  {
    name: "threads",
    binary: "threads",
    runtime: "musl",
    summary:
      "musl pthreads: getpid/gettid, join results, a mutex counter, a condvar queue, a barrier, TLS, a parallel sum on two threads, a timed condvar wait, pthread_kill and a process signal to the one unblocked thread, fork and execve from a threaded process, pthread_exit of main then exit(3) from the last thread",
    args: [],
    env: [],
    argv0IsPath: true,
  },
  {
    name: "threads-glibc",
    binary: "threads-glibc",
    runtime: "glibc",
    summary:
      "the threads program built against glibc (static): its pthreads, condvars and barriers over futex and clone",
    args: [],
    env: [],
    argv0IsPath: true,
  },
  {
    name: "futex",
    binary: "futex",
    runtime: "musl",
    summary:
      "futex(2) directly: EINVAL/EFAULT/EAGAIN/ETIMEDOUT (relative, absolute, both clocks), wake counts, bitsets, REQUEUE and CMP_REQUEUE, WAKE_OP's operations and comparisons, a shared futex across fork in a MAP_SHARED page, EINTR vs SA_RESTART restarts",
    args: [],
    env: [],
  },
  {
    name: "signal-storm",
    binary: "signal-storm",
    runtime: "musl",
    summary:
      "100,000 signals each way: kill to itself with a handler (all handled), a blocked standard signal sent 1000 times (one delivery), 1000 queued realtime signals (all, in order), a 100,000-round sigsuspend ping-pong between parent and child, and a one-way storm (coalesced)",
    args: [],
    env: [],
  },
  {
    name: "job-control",
    binary: "job-control",
    runtime: "musl",
    summary:
      "SIGSTOP/SIGTSTP/SIGCONT on a child: wait4 WUNTRACED and WCONTINUED, waitid WSTOPPED with WNOWAIT, SIGCHLD CLD_STOPPED/CLD_CONTINUED with si_status, SA_NOCLDSTOP, a handled SIGTSTP, SIGKILL of a stopped child",
    args: [],
    env: [],
  },
  {
    name: "epoll",
    binary: "epoll",
    runtime: "musl",
    summary:
      "epoll (level-triggered): errors, pipe readiness with user data, HUP, EPOLLONESHOT and EPOLL_CTL_MOD, closed descriptors, timeouts, a wait woken by a child, maxevents, nested instances",
    args: [],
    env: [],
  },
  {
    name: "wc",
    binary: "wc",
    runtime: "musl",
    summary: "wc over standard input (end of file at once here: three zero counts in GNU wc's layout)",
    args: [],
    env: [],
  },
  {
    name: "float-print",
    binary: "float-print",
    runtime: "musl",
    summary: "printf %f %e %g %a %Lf %La, strtod/strtold/strtof edges, integer conversions at their limits",
    args: [],
    env: [],
  },
  {
    name: "float-env",
    binary: "float-env",
    runtime: "musl",
    summary:
      "fetestexcept after each exception, fesetround in all four modes, SIGFPE codes from unmasked SSE (#XM) and x87 (#MF) exceptions, death by SIGFPE",
    args: [],
    env: [],
  },
  {
    name: "float-math",
    binary: "float-math",
    runtime: "musl",
    summary:
      "libm double functions (exact) and long double ones on the x87 (FPREM, FSCALE, F2XM1, FYL2X, FPATAN…)",
    args: [],
    env: [],
  },
  {
    name: "float-print-glibc",
    binary: "float-print-glibc",
    runtime: "glibc",
    summary: "float-print against glibc's printf and strtod",
    args: [],
    env: [],
  },
  {
    name: "float-math-glibc",
    binary: "float-math-glibc",
    runtime: "glibc",
    summary: "float-math against glibc's libm",
    args: [],
    env: [],
  },
  {
    name: "parallel",
    binary: "parallel",
    runtime: "musl",
    summary: "two pthreads each folding its own xorshift64 sequence; checksums joined in order",
    args: ["2", "200000"],
    env: [],
  },
  {
    name: "waitid",
    binary: "waitid",
    runtime: "freestanding",
    summary:
      "waitid: siginfo of exited and killed children, WNOWAIT then wait4, WNOHANG on a live child, P_PGID, ECHILD, EINVAL",
    args: [],
    env: [],
  },
  {
    name: "fpfuzz",
    binary: "fpfuzz",
    runtime: "freestanding",
    summary:
      "10,000 random x87/SSE instruction sequences over NaNs, infinities, denormals and every rounding mode, generated into an RWX page; FXSAVE state, flags, GPRs and memory hashed",
    args: ["1", "10000"],
    env: [],
  },
  {
    name: "readiness",
    binary: "readiness",
    runtime: "freestanding",
    summary:
      "pipes (EOF, EPIPE with SIGPIPE ignored, O_NONBLOCK, 64 KiB) and poll/select readiness, timeouts and a waiting reader",
    args: [],
    env: [],
  },
  {
    name: "xmm-switch",
    binary: "xmm-switch",
    runtime: "freestanding",
    summary: "parent and child keep their own XMM0-7 across 1000 sched_yield switches (lazy FPU switching)",
    args: ["1000"],
    env: [],
  },
  {
    name: "bench-signal",
    binary: "bench-signal",
    runtime: "musl",
    summary:
      'benchmark: N kill(getpid(), SIGUSR1) with a handler, each handled before kill returns; prints "bench-signal N ok"',
    args: ["1000"],
    env: [],
  },
  {
    name: "bench-pipe",
    binary: "bench-pipe",
    runtime: "musl",
    summary:
      'benchmark: N 4 KiB writes into a pipe read by a child until EOF (bytes and total checked); prints "bench-pipe N ok"',
    args: ["1000"],
    env: [],
  },
  {
    name: "bench-futex",
    binary: "bench-futex",
    runtime: "musl",
    summary: 'benchmark: N futex wait/wake round trips between two threads; prints "bench-futex N ok"',
    args: ["1000"],
    env: [],
  },
  {
    name: "bench-getpid",
    binary: "bench-getpid",
    runtime: "freestanding",
    summary: 'benchmark: N getpid syscalls (inline asm), same pid each time; prints "bench-getpid N ok"',
    args: ["1000"],
    env: [],
  },
  {
    name: "bench-yield",
    binary: "bench-yield",
    runtime: "freestanding",
    summary:
      'benchmark: one fork, parent and child sched_yield N times each, wait4 sees exited 0; prints "bench-yield N ok"',
    args: ["1000"],
    env: [],
  },
  {
    name: "bench-fork",
    binary: "bench-fork",
    runtime: "freestanding",
    summary: 'benchmark: N × (fork, child exits i & 0x7f, wait4 checks the status); prints "bench-fork N ok"',
    args: ["1000"],
    env: [],
  },
  {
    name: "bench-exec",
    binary: "bench-exec",
    runtime: "freestanding",
    summary:
      'benchmark: execs argv[0] N times in a chain (argv[2] = executions left); prints "bench-exec N ok"',
    args: ["1000"],
    env: [],
    argv0IsPath: true,
  },
  {
    name: "spin",
    binary: "spin",
    runtime: "freestanding",
    summary: 'CPU anchor: N xorshift64/rotate rounds, no syscalls in the loop; prints "spin N <checksum>"',
    args: ["1000"],
    env: [],
  },
];

/** The run called `name`. Throws if the catalog has none (a caller's bug). */
export function findKernelGuest(name: string): KernelGuestProgram {
  const program = KERNEL_GUEST_PROGRAMS.find((candidate) => candidate.name === name);
  if (program === undefined) throw new Error(`no kernel guest run named ${JSON.stringify(name)}`);
  return program;
}

/** Absolute path of the binary run `name` executes. */
export function kernelGuestPath(name: string): string {
  return join(KERNEL_GUEST_DIR, "bin", findKernelGuest(name).binary);
}

/** The bytes of the ELF file run `name` executes (for an initramfs or the loader). */
export function readKernelGuest(name: string): Uint8Array {
  return new Uint8Array(readFileSync(kernelGuestPath(name)));
}

/** Absolute paths of run `name`'s recorded stdout, stderr and exit status. */
export function kernelGuestExpectedPaths(name: string): { stdout: string; stderr: string; status: string } {
  const stem = join(KERNEL_GUEST_DIR, "expected", findKernelGuest(name).name);
  return { stdout: `${stem}.out`, stderr: `${stem}.err`, status: `${stem}.status` };
}

/** Reads the recorded native result of run `name`. Throws if the files are missing or malformed. */
export function readKernelGuestExpected(name: string): KernelGuestExpected {
  const paths = kernelGuestExpectedPaths(name);
  const stdout = new Uint8Array(readFileSync(paths.stdout));
  const stderr = new Uint8Array(readFileSync(paths.stderr));
  const statusText = readFileSync(paths.status, "utf8").trim();
  const status = Number(statusText);
  if (!/^\d+$/.test(statusText) || status > 255) {
    throw new Error(`${paths.status}: not an exit status: ${JSON.stringify(statusText)}`);
  }
  return { stdout, stderr, status };
}

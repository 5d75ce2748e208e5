/**
 * Signal numbers and default actions (signal(7), x86-64), and the signal a
 * CPU exception raises in the process that caused it (Linux's
 * arch/x86/kernel/traps.c).
 *
 * Delivery to handlers is signal-delivery.ts. The default actions: terminate (most), ignore
 * (SIGCHLD, SIGURG, SIGWINCH), stop/continue (SIGSTOP, SIGTSTP, SIGTTIN,
 * SIGTTOU / SIGCONT), and "core" (terminate; no core file is written, so
 * the wait status's core flag stays clear, as on Linux with RLIMIT_CORE 0).
 */
import { type CpuContext, EXCEPTION, FPU } from "@tsos/hw-x86";
import { signalName } from "@tsos/syscall";

/** Signal numbers (x86-64). */
export const SIGNAL = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
} as const;

/** Highest signal number (realtime signals included). */
export const SIGNAL_COUNT = 64;

/** What a signal does when nobody handles it. */
export const DEFAULT_ACTION = {
  TERMINATE: 0,
  CORE: 1,
  IGNORE: 2,
  STOP: 3,
  CONTINUE: 4,
} as const;

/** One of {@link DEFAULT_ACTION}. */
export type DefaultAction = (typeof DEFAULT_ACTION)[keyof typeof DEFAULT_ACTION];

const CORE_SIGNALS = new Set<number>([
  SIGNAL.SIGQUIT,
  SIGNAL.SIGILL,
  SIGNAL.SIGTRAP,
  SIGNAL.SIGABRT,
  SIGNAL.SIGBUS,
  SIGNAL.SIGFPE,
  SIGNAL.SIGSEGV,
  SIGNAL.SIGXCPU,
  SIGNAL.SIGXFSZ,
  SIGNAL.SIGSYS,
]);
const IGNORED_SIGNALS = new Set<number>([SIGNAL.SIGCHLD, SIGNAL.SIGURG, SIGNAL.SIGWINCH]);
const STOP_SIGNALS = new Set<number>([SIGNAL.SIGSTOP, SIGNAL.SIGTSTP, SIGNAL.SIGTTIN, SIGNAL.SIGTTOU]);

/** The default action of signal `signal` (1..64; realtime signals terminate). */
export function defaultAction(signal: number): DefaultAction {
  if (CORE_SIGNALS.has(signal)) return DEFAULT_ACTION.CORE;
  if (IGNORED_SIGNALS.has(signal)) return DEFAULT_ACTION.IGNORE;
  if (STOP_SIGNALS.has(signal)) return DEFAULT_ACTION.STOP;
  if (signal === SIGNAL.SIGCONT) return DEFAULT_ACTION.CONTINUE;
  return DEFAULT_ACTION.TERMINATE;
}

/**
 * The signal Linux sends for CPU exception `vector` raised in user mode
 * (page faults are resolved by mm first; only unresolvable ones get here):
 * #DE, #MF, #XM → SIGFPE; #DB, #BP → SIGTRAP; #UD → SIGILL; #NP, #SS, #AC →
 * SIGBUS; #PF, #GP, #OF, #BR, #TS and anything else → SIGSEGV.
 */
export function signalForException(vector: number): number {
  switch (vector) {
    case EXCEPTION.DE:
    case EXCEPTION.MF:
    case EXCEPTION.XM:
      return SIGNAL.SIGFPE;
    case EXCEPTION.DB:
    case EXCEPTION.BP:
      return SIGNAL.SIGTRAP;
    case EXCEPTION.UD:
      return SIGNAL.SIGILL;
    case EXCEPTION.NP:
    case EXCEPTION.SS:
    case EXCEPTION.AC:
      return SIGNAL.SIGBUS;
    default:
      return SIGNAL.SIGSEGV;
  }
}

/**
 * The si_code Linux gives the signal of exception `vector` (page faults
 * have theirs from mm): FPE_INTDIV for #DE, ILL_ILLOPN for #UD, BUS_ADRALN
 * for #AC, FPE_FLT* for #XM and #MF from the unmasked raised exceptions
 * (Linux's math_error: MXCSR's flags without its masks, or FSW's without
 * FCW's), and SI_KERNEL — with no address — for #GP, #BP (int3) and the rest.
 */
export function siCodeForException(vector: number, context: CpuContext): number {
  switch (vector) {
    case EXCEPTION.DE:
      return 1; // FPE_INTDIV
    case EXCEPTION.UD:
      return 2; // ILL_ILLOPN
    case EXCEPTION.AC:
      return 1; // BUS_ADRALN
    case EXCEPTION.XM:
    case EXCEPTION.MF: {
      const mxcsr = context.mxcsr;
      const fpu = context.fpu;
      const raised =
        vector === EXCEPTION.XM ? mxcsr & ~(mxcsr >> 7) & 0x3f : fpu[FPU.FSW]! & ~fpu[FPU.FCW]! & 0x3f;
      if ((raised & 0x01) !== 0) return 7; // FPE_FLTINV
      if ((raised & 0x04) !== 0) return 3; // FPE_FLTDIV
      if ((raised & 0x08) !== 0) return 4; // FPE_FLTOVF
      if ((raised & 0x12) !== 0) return 5; // FPE_FLTUND
      if ((raised & 0x20) !== 0) return 6; // FPE_FLTRES
      return 7;
    }
    default:
      return 0x80; // SI_KERNEL
  }
}

/** Wait status of a normal exit (WIFEXITED, WEXITSTATUS = code & 0xff). */
export function exitedStatus(code: number): number {
  return (code & 0xff) << 8;
}

/** Wait status of a death by signal (WIFSIGNALED, WTERMSIG; no core file is written). */
export function signaledStatus(signal: number): number {
  return signal & 0x7f;
}

/** A wait status as a shell reports it: the exit code, or 128 + the signal. */
export function shellStatus(status: number): number {
  const signal = status & 0x7f;
  return signal === 0 ? (status >> 8) & 0xff : 128 + signal;
}

/** A wait status in words, as a report shows it: "exited 3", "killed by SIGSEGV". */
export function describeWaitStatus(status: number): string {
  const signal = status & 0x7f;
  if (signal === 0) return `exited ${(status >> 8) & 0xff}`;
  if (signal === 0x7f) return `stopped by ${signalName((status >> 8) & 0xff)}`;
  return `killed by ${signalName(signal)}${(status & 0x80) !== 0 ? " (core dumped)" : ""}`;
}

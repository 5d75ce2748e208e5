/**
 * Signal numbers and default actions (signal(7), x86-64), and the signal a
 * CPU exception raises in the process that caused it (Linux's
 * arch/x86/kernel/traps.c).
 *
 * Handlers are recorded (`rt_sigaction`) but not delivered yet: every
 * signal takes its default action. The actions: terminate (most), ignore
 * (SIGCHLD, SIGURG, SIGWINCH), stop/continue (SIGSTOP, SIGTSTP, SIGTTIN,
 * SIGTTOU / SIGCONT), and "core" (terminate; no core file is written, so
 * the wait status's core flag stays clear, as on Linux with RLIMIT_CORE 0).
 */
import { EXCEPTION } from "@tsos/hw-x86";

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

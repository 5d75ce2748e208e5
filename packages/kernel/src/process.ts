/**
 * Processes and threads. The split follows Linux's: a {@link Thread} is
 * what the scheduler runs (one `@tsos/sched` Task, its tid the task id);
 * a {@link Process} (thread group) owns what its threads share — the
 * memory (a {@link ProcessMemory}, itself shareable: vfork and CLONE_VM
 * share one), the descriptor table, signal dispositions, credentials, the
 * working directory and resource limits. Threads of one process share the
 * `ProcessMemory` object, so the scheduler never switches CR3 between them.
 *
 * Life cycle: a process is ALIVE while it has live threads; when the last
 * exits it releases its memory and files at once and becomes a ZOMBIE
 * holding only its wait status; its parent's wait4 reaps it (REAPED), and
 * its pid is free again. Orphans are adopted by init (pid 1).
 *
 * Invariants: `children` holds every process whose `parent` is this one;
 * a ZOMBIE has no threads, memory or files; pids are unique among
 * non-reaped processes.
 */
import type { AddressSpace } from "@tsos/mm";
import { Task, type WaitQueue } from "@tsos/sched";
import type { UserMemory } from "@tsos/syscall";
import type { FileTable } from "./files";
import type { Inode } from "./fs/index";
import type { FutexQueue } from "./futex";
import type { AltStack } from "./signal-frame";
import { PendingSignals } from "./signal-queue";

/** A (possibly shared) user address space and its accessor for system calls. */
export class ProcessMemory {
  /** Processes (or vfork children) using it. */
  users = 1;
  /** Queues of the futexes keyed in this space (private ones, shared ones in private mappings); created on first use. */
  futexes: Map<number, FutexQueue> | null = null;

  constructor(
    readonly space: AddressSpace,
    /** Reads and writes in this space for system-call arguments. */
    readonly access: UserMemory,
    /** Its process-context identifier (CR3[11:0]) when the CPUs use PCIDs; 0 otherwise. */
    readonly pcid: number,
  ) {}
}

/** Resource limits (getrlimit(2)); Infinity = RLIM_INFINITY. */
export interface ResourceLimit {
  soft: number;
  hard: number;
}

/** RLIMIT_* numbers. */
export const RLIMIT = {
  CPU: 0,
  FSIZE: 1,
  DATA: 2,
  STACK: 3,
  CORE: 4,
  RSS: 5,
  NPROC: 6,
  NOFILE: 7,
  MEMLOCK: 8,
  AS: 9,
  LOCKS: 10,
  SIGPENDING: 11,
  MSGQUEUE: 12,
  NICE: 13,
  RTPRIO: 14,
  RTTIME: 15,
} as const;

/** Number of RLIMIT_* resources. */
export const RLIMIT_COUNT = 16;

/** Linux's defaults for a process started by the kernel. */
export function defaultLimits(): ResourceLimit[] {
  const limits: ResourceLimit[] = [];
  for (let resource = 0; resource < RLIMIT_COUNT; resource++)
    limits.push({ soft: Number.POSITIVE_INFINITY, hard: Number.POSITIVE_INFINITY });
  limits[RLIMIT.STACK] = { soft: 8 * 1024 * 1024, hard: Number.POSITIVE_INFINITY };
  limits[RLIMIT.CORE] = { soft: 0, hard: Number.POSITIVE_INFINITY };
  limits[RLIMIT.NOFILE] = { soft: 1024, hard: 4096 };
  limits[RLIMIT.NPROC] = { soft: 4096, hard: 4096 };
  limits[RLIMIT.MEMLOCK] = { soft: 8 * 1024 * 1024, hard: 8 * 1024 * 1024 };
  limits[RLIMIT.SIGPENDING] = { soft: 4096, hard: 4096 };
  limits[RLIMIT.MSGQUEUE] = { soft: 819200, hard: 819200 };
  limits[RLIMIT.NICE] = { soft: 0, hard: 0 };
  limits[RLIMIT.RTPRIO] = { soft: 0, hard: 0 };
  return limits;
}

/** States of a process. */
export const PROCESS_STATE = { ALIVE: 0, ZOMBIE: 1, REAPED: 2 } as const;

/** One of {@link PROCESS_STATE}. */
export type ProcessState = (typeof PROCESS_STATE)[keyof typeof PROCESS_STATE];

/** A signal disposition (rt_sigaction): handler 0 = SIG_DFL, 1 = SIG_IGN, else the handler's address. */
export interface SignalAction {
  handler: number;
  flags: number;
  restorer: number;
  /** The 64-bit mask as two 32-bit halves. */
  maskLow: number;
  maskHigh: number;
}

/** A thread group. */
export class Process {
  state: ProcessState = PROCESS_STATE.ALIVE;
  readonly children = new Set<Process>();
  readonly threads = new Set<Thread>();
  /** Wait status once a zombie (signal.ts encodings). */
  waitStatus = 0;
  /** Parents blocked in wait4 for one of this process's children sleep here. */
  readonly childWaiters: WaitQueue;
  /** A vfork parent sleeps here until this child execs or exits. */
  readonly vforkWaiters: WaitQueue;
  /** The parent is blocked in vfork until this child releases the memory. */
  vforkParent: Thread | null = null;
  /** A fatal signal was sent: every thread exits on its way back to user mode. */
  killedBy = 0;
  /** Stopped by SIGSTOP (or a tty stop) until SIGCONT. */
  stopped = false;
  /** The stop signal of a stop the parent's wait has not reported yet (WUNTRACED); 0 none. */
  stopReport = 0;
  /** A continue the parent's wait has not reported yet (WCONTINUED). */
  continuedReport = false;
  /** Exit status requested by exit_group (applied as the threads leave). */
  groupExitStatus = -1;
  /** The wait status of the group leader's own exit (exit(2) of the leader while other threads go on). */
  leaderExitStatus = 0;
  /** execve in a multi-threaded process waits here for the other threads to leave (de_thread). */
  readonly threadExitWaiters: WaitQueue;
  pgid: number;
  sid: number;
  uid = 0;
  gid = 0;
  umask = 0o022;
  /** Working directory (set by the kernel at creation: the parent's, or the root). */
  cwd!: Inode;
  /** The command name (prctl PR_SET_NAME, /proc/self/comm): 15 bytes at most. */
  name: string;
  /** Path of the executable (/proc/self/exe). */
  executable: string;
  /** argv as /proc/<pid>/cmdline shows it: each argument NUL-terminated (set by execve). */
  commandLine: Uint8Array = new Uint8Array(0);
  readonly limits: ResourceLimit[];
  readonly actions: (SignalAction | null)[] = [];
  /** Signals sent to the process (kill), taken by whichever thread does not block them. */
  readonly sharedPending = new PendingSignals();
  /** Realtime signal instances queued (RLIMIT_SIGPENDING bounds them). */
  queuedSignals = 0;
  /** The signal the parent gets when this process ends (clone's low byte; SIGCHLD for fork). */
  exitSignal = 17;
  /** ITIMER_REAL (alarm, setitimer): the timer handle (0 none), its period (ns) and the timer target. */
  alarmHandle = 0;
  alarmIntervalNs = 0;
  alarmDeadlineNs = 0;
  /** Accumulated CPU time of reaped children (ns), for getrusage(RUSAGE_CHILDREN) and times(). */
  childrenUserNs = 0;
  childrenSystemNs = 0;
  /** CPU time of threads that already exited (ns). */
  exitedUserNs = 0;
  exitedSystemNs = 0;
  /** Virtual time the process started (ns). */
  readonly startNs: number;

  constructor(
    readonly pid: number,
    public parent: Process | null,
    public memory: ProcessMemory | null,
    public files: FileTable | null,
    options: {
      name: string;
      executable: string;
      limits: ResourceLimit[];
      childWaiters: WaitQueue;
      vforkWaiters: WaitQueue;
      threadExitWaiters: WaitQueue;
      startNs: number;
    },
  ) {
    this.pgid = parent?.pgid ?? pid;
    this.sid = parent?.sid ?? pid;
    this.name = options.name;
    this.executable = options.executable;
    this.limits = options.limits;
    this.childWaiters = options.childWaiters;
    this.vforkWaiters = options.vforkWaiters;
    this.threadExitWaiters = options.threadExitWaiters;
    this.startNs = options.startNs;
  }
}

/** What the kernel remembers of a process that ended ({@link Kernel.exitedProcesses}). */
export interface ProcessRecord {
  readonly pid: number;
  /** The parent when it ended (0: none). */
  readonly ppid: number;
  /** The command name (comm) at the end. */
  readonly name: string;
  /** The last execve's argv, space-separated (a forked child that never exec'd keeps its parent's). */
  readonly command: string;
  /** Its wait status (Linux encoding: exit code << 8, or the killing signal). */
  readonly waitStatus: number;
  /** Virtual time it started and ended (ns). */
  readonly startNs: number;
  readonly endNs: number;
  /** CPU time of all its threads in user and kernel mode (ns). */
  readonly userNs: number;
  readonly systemNs: number;
}

/** The scheduler's task of a thread, pointing back at it (no map lookup on the hot paths). */
export class ThreadTask extends Task<ProcessMemory> {
  /** The thread this task runs (set once, right after construction). */
  thread!: Thread;
}

/** A schedulable thread of a process. */
export class Thread {
  /** Thread id: the scheduler task's id, or the process's pid once this thread exec'd in place of its leader. */
  tid: number;
  /** exit(2) of this thread alone (or its removal by another thread's execve): the wait status it leaves with; -1 none. */
  exitStatus = -1;
  /** The futex wait bitset and queue while it waits on a futex. */
  futexBitset = 0;
  futexQueue: FutexQueue | null = null;
  /** CLONE_CHILD_CLEARTID / set_tid_address: zeroed (and futex-woken) at exit. */
  clearChildTid = 0;
  /** Blocked signals (rt_sigprocmask), two 32-bit halves. */
  signalMaskLow = 0;
  signalMaskHigh = 0;
  /** The wait queue this thread sleeps on, so a fatal signal can interrupt it. */
  waitingOn: WaitQueue | null = null;
  /** The system call a wake-up restarted (its number), for calls that keep state across restarts (poll's deadline); -1 none. */
  restartedCall = -1;
  /** A timed call's absolute deadline (ns) across restarts (poll, ppoll, futex waits); Infinity none. */
  restartDeadline = Number.POSITIVE_INFINITY;
  /** Signals sent to this thread (tgkill, faults). */
  readonly pending = new PendingSignals();
  /** A signal may be deliverable: the way back to user mode looks (TIF_SIGPENDING). */
  signalCheck = false;
  /** sigsuspend / ppoll / pselect6 replaced the mask: the mask to restore once a handler ran (or the call ends). */
  savedMaskLow = 0;
  savedMaskHigh = 0;
  savedMaskValid = false;
  /** The system call a signal interrupted (its number; RAX holds -EINTR), for restart after delivery; -1 none. */
  interruptedCall = -1;
  /** The current sleep may be interrupted by a handled signal (vfork's wait may not). */
  interruptible = true;
  /** rt_sigtimedwait's set while the thread waits in it (two halves; both 0 otherwise). */
  sigwaitLow = 0;
  sigwaitHigh = 0;
  /** The alternate signal stack (sigaltstack). */
  readonly altStack: AltStack = { sp: 0, size: 0, flags: 0 };
  /** The last fault's trap number, error code and address (the sigcontext's trapno, err, cr2). */
  trapNumber = 0;
  errorCode = 0;
  faultAddress = 0;
  /** set_robust_list's head and length (recorded). */
  robustList = 0;
  robustListLength = 0;

  constructor(
    readonly process: Process,
    readonly task: ThreadTask,
  ) {
    task.thread = this;
    this.tid = task.id;
  }

  /**
   * The deadline a re-run of system call `number` keeps from its first run
   * ({@link restartDeadline}), or null when this run is not such a re-run;
   * either way the re-run mark is cleared.
   */
  takeRestartDeadline(number: number): number | null {
    const kept = this.restartedCall === number ? this.restartDeadline : null;
    this.restartedCall = -1;
    return kept;
  }
}

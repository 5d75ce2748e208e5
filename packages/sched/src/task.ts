/**
 * The task: the unit the scheduler runs. It carries what a CPU needs to
 * resume it (the saved user registers, XMM included, and an opaque
 * address-space handle), where it may run (affinity), how it competes (its
 * scheduling class and priority), and its accounting.
 *
 * Invariants:
 * - A task is in exactly one place: running on one CPU (`state` RUNNING,
 *   `cpu` that CPU), queued on one CPU's run queue (RUNNABLE), on one wait
 *   queue or none (BLOCKED / STOPPED), or a ZOMBIE. The scheduler moves it;
 *   nothing else writes `state`.
 * - `context` is the saved user state only while the task is not RUNNING;
 *   while it runs, the CPU's registers are the truth.
 * - Times are virtual nanoseconds (the scheduler's clock).
 * - `fair` and `link` belong to the policy queue holding the task; other
 *   code only reads them (introspection).
 */
import { type CpuContext, copyCpuContext, createCpuContext } from "@tsos/hw-x86";
import { CpuSet } from "./cpu-set";

/** Where a task is (Linux's TASK_RUNNING split into queued and on-CPU, plus sleeping, stopped, zombie). */
export const TASK_STATE = {
  /** Queued on a run queue, waiting for a CPU. */
  RUNNABLE: 0,
  /** Running on `task.cpu`. */
  RUNNING: 1,
  /** Sleeping (on a wait queue, or parked in a system call). */
  BLOCKED: 2,
  /** Not started yet, or stopped (SIGSTOP): runs only when started again. */
  STOPPED: 3,
  /** Exited; kept until its parent reaps it. */
  ZOMBIE: 4,
} as const;

/** One of {@link TASK_STATE}. */
export type TaskState = (typeof TASK_STATE)[keyof typeof TASK_STATE];

/** Scheduling classes, numbered as Linux's policies (sched(7)). */
export const SCHED_CLASS = {
  /** SCHED_OTHER: the normal, fair class (nice −20..19). */
  NORMAL: 0,
  /** SCHED_FIFO: realtime, runs until it blocks or yields (priority 1..99). */
  FIFO: 1,
  /** SCHED_RR: realtime with a time slice among equal priorities (priority 1..99). */
  RR: 2,
  /** The per-CPU idle task: runs only when nothing else can. */
  IDLE: 5,
} as const;

/** One of {@link SCHED_CLASS}. */
export type SchedClass = (typeof SCHED_CLASS)[keyof typeof SCHED_CLASS];

/** Nice values (setpriority(2)). */
export const NICE_MIN = -20;
/** See {@link NICE_MIN}. */
export const NICE_MAX = 19;
/** Realtime priorities (sched_setscheduler(2)). */
export const RT_PRIORITY_MIN = 1;
/** See {@link RT_PRIORITY_MIN}. */
export const RT_PRIORITY_MAX = 99;

/** Bounds of a custom fair request (Linux: 0.1 ms .. 100 ms). */
export const REQUEST_MIN_NS = 100_000;
/** See {@link REQUEST_MIN_NS}. */
export const REQUEST_MAX_NS = 100_000_000;

/** Per-task state of the fair policy (EEVDF), kept on the task so queue operations allocate nothing. */
export class FairEntity {
  /** Load weight (from nice). */
  weight = 1024;
  /** Virtual runtime: ns of CPU time scaled by 1024 / weight. */
  vruntime = 0;
  /** Virtual deadline of the current request: vruntime at request start + slice × 1024 / weight. */
  deadline = 0;
  /** Length of the current request (ns of CPU time). */
  slice = 0;
  /** Lag kept over a sleep: the queue's average vruntime minus ours when we left (positive = owed CPU). */
  lag = 0;
  /** When it left its queue (virtual ns): a negative lag burns off while it is away. */
  leftAt = 0;
  /** Counted in its queue's load (runnable or running there). */
  onQueue = false;
  /** Slot of this task's node in its queue's tree (0: not in a tree; the node's fields live in the queue). */
  slot = 0;
}

/** Intrusive doubly-linked list links, for the list-based policies (realtime, round-robin) and wait queues. */
export class ListLinks {
  /** Next task in the list, or null. */
  next: Task | null = null;
  /** Previous task in the list, or null. */
  previous: Task | null = null;
  /** Time left in the current slice (ns), for slice-based list policies. */
  sliceLeft = 0;
  /** Priority level the task is linked at (-1 when not linked). */
  level = -1;
}

/** Accounting, on the virtual clock. */
export class TaskAccounting {
  /** ns spent running user code. */
  userTime = 0;
  /** ns spent in the kernel on this task's behalf (added by the kernel through `chargeKernelTime`). */
  kernelTime = 0;
  /** ns spent runnable but not running. */
  waitTime = 0;
  /** Switches away because the task blocked or yielded. */
  voluntarySwitches = 0;
  /** Switches away because it was preempted. */
  involuntarySwitches = 0;
  /** Times it moved to another CPU. */
  migrations = 0;
  /** The CPU it last ran on (-1: never ran). */
  lastCpu = -1;
  /** When it last became runnable (start of the current wait). */
  runnableSince = 0;
  /** When it last started running. */
  runningSince = 0;
}

/** Options of {@link Task}. */
export interface TaskOptions<AddressSpace> {
  /** Task id (unique; the kernel's tid; the idle tasks have −1 − cpu). */
  readonly id: number;
  /** Its address space (opaque to the scheduler; given to the switch hook). */
  readonly addressSpace?: AddressSpace | null;
  /** Scheduling class (default NORMAL). */
  readonly schedClass?: SchedClass;
  /** Nice, for NORMAL (default 0). */
  readonly nice?: number;
  /** Realtime priority, for FIFO / RR (default 1). */
  readonly rtPriority?: number;
  /**
   * The fair policy's request length for this task in ns (Linux 6.12's
   * sched_attr.sched_runtime "custom slice"; 0 = the adaptive slice). A
   * short request gives an earlier deadline: latency-sensitive tasks that
   * run in short bursts get the CPU sooner after waking, at no cost to
   * their share. Clamped to 0.1–100 ms as Linux does.
   */
  readonly requestNs?: number;
  /** CPUs it may run on (default: all CPUs of the scheduler). */
  readonly affinity?: CpuSet;
  /** Initial user registers (copied; default all zero). */
  readonly context?: CpuContext;
  /** A name for reports. */
  readonly name?: string;
}

/** A schedulable task. */
export class Task<AddressSpace = unknown> {
  /** Task id. */
  readonly id: number;
  /** Name for reports. */
  name: string;
  /** Where it is (written by the scheduler only). */
  state: TaskState = TASK_STATE.STOPPED;
  /** The CPU it runs or is queued on, or last ran on (-1 before it first runs). */
  cpu = -1;
  /** Saved user registers (GPRs, RIP, RFLAGS, FS/GS base, XMM, MXCSR: the FXSAVE-visible state). */
  readonly context: CpuContext;
  /** Address space handle. */
  addressSpace: AddressSpace | null;
  /** Allowed CPUs. */
  affinity: CpuSet;
  /** Scheduling class. */
  schedClass: SchedClass;
  /** Nice (NORMAL). */
  nice: number;
  /** Realtime priority (FIFO, RR). */
  rtPriority: number;
  /** Accounting. */
  readonly accounting = new TaskAccounting();
  /** Fair-policy state. */
  readonly fair = new FairEntity();
  /** List-policy / wait-queue links. */
  readonly link = new ListLinks();
  /** Fair-policy request length in ns (0 = adaptive); see {@link TaskOptions.requestNs}. */
  requestNs: number;
  /** Set when the task must not run on its current CPU any more (affinity changed while running). */
  migratePending = false;
  /** Index of the scheduler policy that handles its class (−1: not known to a scheduler yet; scheduler-owned). */
  policyIndex = -1;

  constructor(options: TaskOptions<AddressSpace>) {
    if (!Number.isSafeInteger(options.id) || (options.id < 0 && options.schedClass !== SCHED_CLASS.IDLE))
      throw new RangeError(
        `Task: id ${options.id} is not a non-negative integer (negative ids are for idle tasks)`,
      );
    this.id = options.id;
    this.name = options.name ?? `task-${options.id}`;
    this.addressSpace = options.addressSpace ?? null;
    this.affinity = options.affinity ?? CpuSet.all();
    this.schedClass = options.schedClass ?? SCHED_CLASS.NORMAL;
    this.nice = options.nice ?? 0;
    this.rtPriority = options.rtPriority ?? RT_PRIORITY_MIN;
    const request = options.requestNs ?? 0;
    this.requestNs = request === 0 ? 0 : Math.min(Math.max(request, REQUEST_MIN_NS), REQUEST_MAX_NS);
    checkPriority(this.schedClass, this.nice, this.rtPriority);
    this.context = createCpuContext();
    if (options.context !== undefined) copyCpuContext(this.context, options.context);
  }

  /** True for FIFO and RR. */
  get realtime(): boolean {
    return this.schedClass === SCHED_CLASS.FIFO || this.schedClass === SCHED_CLASS.RR;
  }
}

/** Throws RangeError for a nice or realtime priority outside Linux's ranges (a caller bug; syscalls validate first). */
export function checkPriority(schedClass: SchedClass, nice: number, rtPriority: number): void {
  if (!Number.isInteger(nice) || nice < NICE_MIN || nice > NICE_MAX)
    throw new RangeError(`nice ${nice} is outside ${NICE_MIN}..${NICE_MAX}`);
  const realtime = schedClass === SCHED_CLASS.FIFO || schedClass === SCHED_CLASS.RR;
  if (
    realtime &&
    (!Number.isInteger(rtPriority) || rtPriority < RT_PRIORITY_MIN || rtPriority > RT_PRIORITY_MAX)
  )
    throw new RangeError(`realtime priority ${rtPriority} is outside ${RT_PRIORITY_MIN}..${RT_PRIORITY_MAX}`);
}

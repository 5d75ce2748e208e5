/**
 * The scheduler: per-CPU run queues over pluggable policies, driven by the
 * kernel at four points — the timer tick, a wake-up, a task blocking or
 * exiting, and the return to user mode.
 *
 * - `tick(cpu)` only charges the running task and may set need-resched
 *   (the seed's minimal tick); it never switches.
 * - `schedule(cpu, context)` runs on the way back to user mode: if
 *   need-resched is set (or the task stopped running) it picks the next
 *   task and switches — saves the CPU's user registers into the outgoing
 *   task, loads the incoming task's, and calls the address-space hook when
 *   the address space differs. An idle CPU first tries to pull work.
 * - `wake(task, wakerCpu)` places a blocked task (its previous CPU if idle,
 *   else the waker's if idle, else any idle allowed CPU, else the least
 *   loaded allowed one), and sets need-resched where it should preempt,
 *   asking a remote CPU through the reschedule hook (an IPI).
 * - `block(cpu)` / `exit(cpu)` take the running task off its CPU.
 * - `stop(task)` / `resume(task)`: SIGSTOP and SIGCONT — a runnable or
 *   running task leaves its run queue (STOPPED) and later comes back with
 *   its lag, as a wake-up.
 *
 * The scheduler knows no hardware: the kernel wires `SchedulerHooks`
 * (reschedule IPI, CR3 switch) and gives it a virtual clock in ns.
 *
 * Invariants (property-tested): every task is in exactly one place —
 * RUNNING as the `current` of exactly its CPU, RUNNABLE in exactly one
 * queue of its CPU, or BLOCKED / STOPPED / ZOMBIE in no run queue.
 */
import { type CpuContext, copyCpuContext } from "@tsos/hw-x86";
import type { CpuSet } from "./cpu-set";
import { FairPolicy } from "./fair-policy";
import { ENQUEUE, type EnqueueReason, type PolicyQueue, type SchedPolicy } from "./policy";
import { RealtimePolicy } from "./realtime-policy";
import { CpuRunQueue, type RunQueueSnapshot } from "./run-queue";
import { checkPriority, type SchedClass, TASK_STATE, type Task } from "./task";

/** What the scheduler asks of the kernel. */
export interface SchedulerHooks<AddressSpace> {
  /** `cpu` should call `schedule` soon (send it a reschedule IPI); never called for the calling CPU. */
  requestReschedule(cpu: number): void;
  /** `cpu` switches from one address space to another (load CR3); called only when they differ. */
  switchAddressSpace(cpu: number, from: AddressSpace | null, to: AddressSpace | null): void;
  /**
   * Lazy FPU only: arm (CR0.TS = 1) or disarm (TS = 0) the device-not-available
   * trap on `cpu`. While armed, the first SSE/x87 instruction raises #NM, and
   * the kernel calls {@link Scheduler.fpuTrap}.
   */
  setFpuTrap(cpu: number, armed: boolean): void;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions<AddressSpace> {
  /** Number of CPUs (≥ 1). */
  readonly cpuCount: number;
  /** Virtual time in ns. */
  readonly clock: () => number;
  /** Policies in priority order (default: realtime FIFO/RR, then EEVDF). Every task must be handled by one. */
  readonly policies?: readonly SchedPolicy[];
  /** Kernel hooks (default: none). */
  readonly hooks?: Partial<SchedulerHooks<AddressSpace>>;
  /** Periodic load-balance interval in ns (default 4 ms; 0 disables periodic balancing). */
  readonly balanceIntervalNs?: number;
  /**
   * Switch XMM/MXCSR lazily (default false: copied on every switch). When
   * true, a switch copies the general registers only and arms the FPU trap
   * unless the incoming task's XMM state is already in the CPU; `fpuTrap`
   * then moves it on first use.
   */
  readonly lazyFpu?: boolean;
}

/** Per-CPU run queues and the operations the kernel calls. */
export class Scheduler<AddressSpace = unknown> {
  /** Run queue of each CPU. */
  readonly runQueues: CpuRunQueue[];
  /** Every task the scheduler knows (not reaped), by id. */
  readonly tasks = new Map<number, Task<AddressSpace>>();
  private readonly policies: readonly SchedPolicy[];
  private readonly clock: () => number;
  private readonly hooks: SchedulerHooks<AddressSpace>;
  private readonly balanceIntervalNs: number;

  constructor(options: SchedulerOptions<AddressSpace>) {
    if (!Number.isInteger(options.cpuCount) || options.cpuCount < 1)
      throw new RangeError(`Scheduler: cpuCount ${options.cpuCount} is not a positive integer`);
    this.policies = options.policies ?? [new RealtimePolicy(), new FairPolicy()];
    this.clock = options.clock;
    this.hooks = {
      requestReschedule: options.hooks?.requestReschedule ?? (() => {}),
      switchAddressSpace: options.hooks?.switchAddressSpace ?? (() => {}),
      setFpuTrap: options.hooks?.setFpuTrap ?? (() => {}),
    };
    this.lazyFpu = options.lazyFpu ?? false;
    this.fpuOwner = Array.from({ length: options.cpuCount }, () => null);
    this.liveContext = Array.from({ length: options.cpuCount }, () => null);
    this.balanceIntervalNs = options.balanceIntervalNs ?? 4_000_000;
    this.runQueues = Array.from(
      { length: options.cpuCount },
      (_, cpu) => new CpuRunQueue(cpu, this.policies),
    );
  }

  /** Number of CPUs. */
  get cpuCount(): number {
    return this.runQueues.length;
  }

  /** The task running on `cpu` (its idle task when nothing else). */
  current(cpu: number): Task<AddressSpace> {
    return this.runQueues[cpu]!.current as Task<AddressSpace>;
  }

  /** Makes a new (STOPPED) task runnable for the first time, on `cpu` or a placed CPU. */
  start(task: Task<AddressSpace>, cpu = -1): void {
    if (task.state !== TASK_STATE.STOPPED) throw new Error(`start: task ${task.id} is not stopped`);
    if (this.tasks.has(task.id)) throw new Error(`start: task ${task.id} has started already (resume it)`);
    this.classIndex(task);
    this.tasks.set(task.id, task);
    const target = cpu >= 0 && task.affinity.has(cpu) ? cpu : this.placeWakeup(task, -1);
    this.enqueueOn(target, task, ENQUEUE.NEW, -1);
  }

  /** A BLOCKED task becomes runnable; returns false (nothing done) when it was not blocked. */
  wake(task: Task<AddressSpace>, wakerCpu = -1): boolean {
    if (task.state !== TASK_STATE.BLOCKED) return false;
    this.placeWoken(task, wakerCpu);
    return true;
  }

  /**
   * SIGSTOP: a RUNNABLE task leaves its run queue at once and becomes
   * STOPPED. A RUNNING task stops itself, as in Linux (do_signal_stop): the
   * kernel calls this on the task's own CPU on its way back to user mode
   * (a sender elsewhere kicks that CPU first), then `schedule`. Returns
   * false (nothing done) for a task in any other state, or running on
   * another CPU than `cpu`: a sleeper is stopped once the signal has woken
   * it.
   */
  stop(task: Task<AddressSpace>, cpu = task.cpu): boolean {
    if (task.state === TASK_STATE.RUNNABLE) {
      this.queueOf(this.runQueues[task.cpu]!, task).dequeue(task, this.clock());
      task.state = TASK_STATE.STOPPED;
      return true;
    }
    if (task.state !== TASK_STATE.RUNNING || cpu !== task.cpu || !this.tasks.has(task.id)) return false;
    this.leave(cpu, TASK_STATE.STOPPED);
    return true;
  }

  /** SIGCONT: a task stopped after it started becomes runnable again (placed as a wake-up); false when it was not stopped. */
  resume(task: Task<AddressSpace>, wakerCpu = -1): boolean {
    if (task.state !== TASK_STATE.STOPPED || !this.tasks.has(task.id)) return false;
    this.placeWoken(task, wakerCpu);
    return true;
  }

  /** The running task of `cpu` goes to sleep (the kernel has put it on a wait queue or parked its call). */
  block(cpu: number): Task<AddressSpace> {
    return this.leave(cpu, TASK_STATE.BLOCKED);
  }

  /** The running task of `cpu` exits: it becomes a zombie until `reap`. */
  exit(cpu: number): Task<AddressSpace> {
    return this.leave(cpu, TASK_STATE.ZOMBIE);
  }

  /** Forgets a zombie (its parent waited for it). */
  reap(task: Task<AddressSpace>): void {
    if (task.state !== TASK_STATE.ZOMBIE) throw new Error(`reap: task ${task.id} is not a zombie`);
    this.tasks.delete(task.id);
  }

  /** sched_yield(2) for the running task of `cpu`. */
  yield(cpu: number): void {
    const runQueue = this.runQueues[cpu]!;
    const task = runQueue.current;
    if (task === runQueue.idle) return;
    this.account(runQueue, this.clock());
    this.queueOf(runQueue, task).yieldCurrent(task, this.clock());
    runQueue.voluntary = true;
    runQueue.needResched = true;
  }

  /**
   * The timer tick of `cpu`: charges the running task and sets need-resched
   * when its slice is used up; marks a periodic balance due. Nothing else.
   */
  tick(cpu: number): void {
    const runQueue = this.runQueues[cpu]!;
    const now = this.clock();
    runQueue.stats.ticks++;
    if (this.account(runQueue, now)) {
      runQueue.needResched = true;
      runQueue.stats.reschedulingTicks++;
    }
    if (this.balanceIntervalNs > 0 && now - runQueue.lastBalance >= this.balanceIntervalNs)
      runQueue.balanceDue = true;
  }

  /** False when `cpu` needs no periodic tick (it runs its idle task: tickless idle). */
  tickNeeded(cpu: number): boolean {
    const runQueue = this.runQueues[cpu]!;
    return runQueue.current !== runQueue.idle || runQueue.load > 0;
  }

  /**
   * Whether `schedule(cpu)` has anything to do now: need-resched, a balance
   * due, a running task that stopped running or must migrate. False lets a kernel's return to user mode skip
   * the call (accounting then waits for the next tick or switch, as Linux's).
   * Always true on an idle CPU.
   */
  wantsSchedule(cpu: number): boolean {
    const runQueue = this.runQueues[cpu]!;
    const current = runQueue.current;
    if (runQueue.needResched || runQueue.balanceDue) return true;
    if (this.pendingSave.size > 0 && this.pendingSave.has(cpu)) return true;
    // An idle CPU may find work (its queue, or by pulling from others): always worth a call.
    if (current === runQueue.idle) return true;
    return current.state !== TASK_STATE.RUNNING || current.migratePending;
  }

  /**
   * The return to user mode on `cpu`: switches tasks if need-resched is set
   * or the running task stopped running. `context` is the CPU's live user
   * register file (saved into the outgoing task, loaded from the incoming
   * one); omit it to schedule without registers (pure policy tests).
   * Returns the task that runs next.
   */
  schedule(cpu: number, context?: CpuContext): Task<AddressSpace> {
    const runQueue = this.runQueues[cpu]!;
    const now = this.clock();
    this.account(runQueue, now);
    const previous = runQueue.current;
    if (runQueue.balanceDue) {
      runQueue.balanceDue = false;
      runQueue.lastBalance = now;
      if (this.balance(cpu) > 0 && previous === runQueue.idle) runQueue.needResched = true;
    }
    const stillRunning = previous.state === TASK_STATE.RUNNING && previous !== runQueue.idle;
    if (stillRunning && !runQueue.needResched && !previous.migratePending)
      return previous as Task<AddressSpace>;
    runQueue.needResched = false;
    if (stillRunning) this.requeuePrevious(runQueue, previous, now);
    let next = runQueue.pickNext(now);
    if (next === null && this.balance(cpu) > 0) next = runQueue.pickNext(now);
    this.switchTo(runQueue, previous, next ?? runQueue.idle, now, context);
    return runQueue.current as Task<AddressSpace>;
  }

  /** Changes nice (−20..19) for a NORMAL task. */
  setNice(task: Task<AddressSpace>, nice: number): void {
    checkPriority(task.schedClass, nice, task.rtPriority);
    this.refreshAccounting(task);
    task.nice = nice;
    this.queueFor(task)?.reprioritize(task, this.clock());
    this.recheckPreemption(task);
  }

  /** sched_setscheduler(2): moves the task to another class / realtime priority. */
  setScheduler(task: Task<AddressSpace>, schedClass: SchedClass, rtPriority = task.rtPriority): void {
    checkPriority(schedClass, task.nice, rtPriority);
    const queue = this.queueFor(task);
    if (queue === null) {
      task.schedClass = schedClass;
      task.rtPriority = rtPriority;
      this.classIndex(task);
      return;
    }
    const runQueue = this.runQueues[task.cpu]!;
    const now = this.clock();
    this.account(runQueue, now);
    queue.dequeue(task, now);
    task.schedClass = schedClass;
    task.rtPriority = rtPriority;
    const index = this.classIndex(task);
    runQueue.queues[index]!.enqueue(task, ENQUEUE.WAKEUP, now);
    if (runQueue.current === task) {
      // Queued again in its new class: the next schedule picks among everyone.
      task.state = TASK_STATE.RUNNABLE;
      this.detachCurrent(runQueue);
    }
    this.reschedule(runQueue, -1);
  }

  /** sched_setaffinity(2): a task outside its new set moves (at once if queued, at its next schedule if running). */
  setAffinity(task: Task<AddressSpace>, affinity: CpuSet): void {
    if (affinity.members(this.cpuCount).length === 0)
      throw new RangeError("setAffinity: no CPU of this machine is in the set");
    task.affinity = affinity;
    if (task.cpu < 0 || affinity.has(task.cpu)) return;
    const runQueue = this.runQueues[task.cpu]!;
    if (task.state === TASK_STATE.RUNNABLE) {
      const now = this.clock();
      this.queueOf(runQueue, task).dequeue(task, now);
      this.enqueueOn(this.placeWakeup(task, -1), task, ENQUEUE.MIGRATED, -1);
    } else if (task.state === TASK_STATE.RUNNING) {
      task.migratePending = true;
      this.reschedule(runQueue, -1);
    }
  }

  /** Pulls tasks from the busiest CPU until the loads differ by less than 2; returns how many moved. */
  balance(cpu: number): number {
    const here = this.runQueues[cpu]!;
    let moved = 0;
    for (;;) {
      let busiest: CpuRunQueue | null = null;
      for (const other of this.runQueues) {
        if (other !== here && (busiest === null || other.load > busiest.load)) busiest = other;
      }
      if (busiest === null || busiest.load - here.load < 2) return moved;
      const task = this.steal(busiest, cpu);
      if (task === null) return moved;
      this.enqueueOn(cpu, task, ENQUEUE.MIGRATED, cpu);
      here.stats.pulled++;
      moved++;
    }
  }

  /**
   * Lazy FPU: the running task of `cpu` used SSE/x87 with the trap armed
   * (#NM). Saves the previous owner's XMM state from `context`, loads the
   * running task's, and disarms the trap; the faulting instruction then
   * runs again. Returns false when lazy FPU is off (an #NM the kernel must
   * treat as a guest fault).
   */
  fpuTrap(cpu: number, context: CpuContext): boolean {
    if (!this.lazyFpu) return false;
    const runQueue = this.runQueues[cpu]!;
    const owner = this.fpuOwner[cpu]!;
    const current = runQueue.current;
    if (owner !== null && owner !== current) saveFpu(owner.context, context);
    if (current !== runQueue.idle && owner !== current) loadFpu(context, current.context);
    this.fpuOwner[cpu] = current === runQueue.idle ? null : current;
    this.hooks.setFpuTrap(cpu, false);
    return true;
  }

  /** Lazy FPU: the task whose XMM state is in `cpu`'s registers (null: none, or lazy FPU is off). */
  fpuOwnerOf(cpu: number): Task<AddressSpace> | null {
    return this.fpuOwner[cpu] as Task<AddressSpace> | null;
  }

  /** Every CPU's queues, for reports. */
  snapshot(): RunQueueSnapshot[] {
    return this.runQueues.map((runQueue) => ({
      cpu: runQueue.cpu,
      current: { id: runQueue.current.id, name: runQueue.current.name },
      needResched: runQueue.needResched,
      queues: runQueue.queues.map((queue, index) => ({
        policy: this.policies[index]!.name,
        load: queue.load,
        waiting: queue.snapshot(),
      })),
      stats: { ...runQueue.stats },
    }));
  }

  // ---- internals ----

  private readonly lazyFpu: boolean;
  /** Lazy FPU: whose XMM state each CPU's registers hold (null: nobody's that matters). */
  private readonly fpuOwner: (Task | null)[];
  /** The register file each CPU last scheduled with (where an owner's live XMM state is). */
  private readonly liveContext: (CpuContext | null)[];

  /** Tasks taken off a CPU by setScheduler whose registers are still the CPU's. */
  private readonly pendingSave = new Map<number, Task>();

  /** Lazy FPU: if `task`'s XMM state is live on another CPU, write it back to the task first. */
  private flushFpuElsewhere(task: Task, cpu: number): void {
    for (let other = 0; other < this.fpuOwner.length; other++) {
      if (other === cpu || this.fpuOwner[other] !== task) continue;
      saveFpu(task.context, this.liveContext[other]!);
      this.fpuOwner[other] = null;
      this.hooks.setFpuTrap(other, true);
    }
  }

  /** Finds and caches (`task.policyIndex`) the policy for the task's class; run whenever the class is set. */
  private classIndex(task: Task): number {
    for (let index = 0; index < this.policies.length; index++) {
      if (this.policies[index]!.handles(task)) {
        task.policyIndex = index;
        return index;
      }
    }
    throw new Error(`no policy schedules task ${task.id} (class ${task.schedClass})`);
  }

  private queueOf(runQueue: CpuRunQueue, task: Task): PolicyQueue {
    return runQueue.queues[task.policyIndex]!;
  }

  /** The queue holding `task` (queued or running), or null. */
  private queueFor(task: Task): PolicyQueue | null {
    if (task.state !== TASK_STATE.RUNNABLE && task.state !== TASK_STATE.RUNNING) return null;
    return this.queueOf(this.runQueues[task.cpu]!, task);
  }

  /** Charges the running task up to `now`; true when its policy wants it off the CPU. */
  private account(runQueue: CpuRunQueue, now: number): boolean {
    const delta = now - runQueue.lastAccounted;
    runQueue.lastAccounted = now;
    const task = runQueue.current;
    if (task === runQueue.idle) {
      runQueue.stats.idleNs += delta;
      return false;
    }
    if (delta <= 0 || task.state !== TASK_STATE.RUNNING) return false;
    task.accounting.userTime += delta;
    return this.queueOf(runQueue, task).charge(task, delta, now);
  }

  private refreshAccounting(task: Task): void {
    if (task.state === TASK_STATE.RUNNING) this.account(this.runQueues[task.cpu]!, this.clock());
  }

  /** A sleeping or stopped task comes back: placed, queued with its lag, preempting where it should. */
  private placeWoken(task: Task, wakerCpu: number): void {
    const own = task.cpu >= 0 ? this.runQueues[task.cpu]! : null;
    if (own !== null && own.current === task) {
      // Taken off its CPU but not switched away yet: its registers are live there, so it queues there.
      this.detachCurrent(own);
      this.enqueueOn(own.cpu, task, ENQUEUE.WAKEUP, wakerCpu);
      return;
    }
    const target = this.placeWakeup(task, wakerCpu);
    const moved = task.cpu >= 0 && task.cpu !== target;
    this.enqueueOn(target, task, moved ? ENQUEUE.MIGRATED : ENQUEUE.WAKEUP, wakerCpu);
  }

  private leave(
    cpu: number,
    state: typeof TASK_STATE.BLOCKED | typeof TASK_STATE.STOPPED | typeof TASK_STATE.ZOMBIE,
  ): Task<AddressSpace> {
    const runQueue = this.runQueues[cpu]!;
    const task = runQueue.current;
    if (task === runQueue.idle) throw new Error(`cpu ${cpu} runs its idle task: nothing to take off`);
    const now = this.clock();
    this.account(runQueue, now);
    this.queueOf(runQueue, task).dequeue(task, now);
    task.state = state;
    runQueue.voluntary = true;
    runQueue.needResched = true;
    return task as Task<AddressSpace>;
  }

  /**
   * `runQueue`'s current task stops being its current (it is queued or gone)
   * while its registers are still the CPU's: the idle task stands in, and
   * the next schedule saves the registers into the task.
   */
  private detachCurrent(runQueue: CpuRunQueue): void {
    this.pendingSave.set(runQueue.cpu, runQueue.current);
    runQueue.current = runQueue.idle;
  }

  private requeuePrevious(runQueue: CpuRunQueue, task: Task, now: number): void {
    const queue = this.queueOf(runQueue, task);
    task.state = TASK_STATE.RUNNABLE;
    task.accounting.runnableSince = now;
    if (task.migratePending) {
      task.migratePending = false;
      queue.dequeue(task, now);
      this.detachCurrent(runQueue);
      this.enqueueOn(this.placeWakeup(task, -1), task, ENQUEUE.MIGRATED, runQueue.cpu);
      return;
    }
    queue.putPrevious(task, runQueue.preempted, now);
  }

  private switchTo(
    runQueue: CpuRunQueue,
    previous: Task,
    next: Task,
    now: number,
    context?: CpuContext,
  ): void {
    const voluntary = runQueue.voluntary;
    runQueue.voluntary = false;
    runQueue.preempted = false;
    const saved = this.pendingSave.get(runQueue.cpu) ?? previous;
    this.pendingSave.delete(runQueue.cpu);
    next.state = TASK_STATE.RUNNING;
    runQueue.current = next;
    if (next === saved) return;
    if (context !== undefined) this.liveContext[runQueue.cpu] = context;
    if (saved !== runQueue.idle) {
      if (voluntary) saved.accounting.voluntarySwitches++;
      else saved.accounting.involuntarySwitches++;
      if (context !== undefined) {
        if (this.lazyFpu) saved.context.regs.set(context.regs);
        else copyCpuContext(saved.context, context);
      }
    }
    if (next !== runQueue.idle) {
      const accounting = next.accounting;
      accounting.waitTime += now - accounting.runnableSince;
      accounting.runningSince = now;
      accounting.lastCpu = runQueue.cpu;
      next.cpu = runQueue.cpu;
      if (context !== undefined) {
        if (!this.lazyFpu) copyCpuContext(context, next.context);
        else {
          context.regs.set(next.context.regs);
          this.flushFpuElsewhere(next, runQueue.cpu);
          this.hooks.setFpuTrap(runQueue.cpu, this.fpuOwner[runQueue.cpu] !== next);
        }
      }
    }
    const from = saved === runQueue.idle ? null : (saved.addressSpace as AddressSpace | null);
    const to = next === runQueue.idle ? from : (next.addressSpace as AddressSpace | null);
    if (from !== to) this.hooks.switchAddressSpace(runQueue.cpu, from, to);
    runQueue.stats.switches++;
  }

  private enqueueOn(cpu: number, task: Task, reason: EnqueueReason, wakerCpu: number): void {
    const runQueue = this.runQueues[cpu]!;
    const now = this.clock();
    if (task.cpu >= 0 && task.cpu !== cpu && reason !== ENQUEUE.NEW) task.accounting.migrations++;
    task.cpu = cpu;
    task.state = TASK_STATE.RUNNABLE;
    task.accounting.runnableSince = now;
    this.account(runQueue, now);
    runQueue.queues[task.policyIndex]!.enqueue(task, reason, now);
    if (reason !== ENQUEUE.REQUEUE) runQueue.stats.wakeups++;
    const current = runQueue.current;
    if (this.preempts(runQueue, task) && !runQueue.needResched) {
      if (current !== runQueue.idle) {
        runQueue.preempted = true;
        runQueue.stats.wakeupPreemptions++;
      }
      this.reschedule(runQueue, wakerCpu);
    }
  }

  /** Sets need-resched on `runQueue`, asking its CPU by IPI when the caller runs elsewhere. */
  private reschedule(runQueue: CpuRunQueue, callerCpu: number): void {
    runQueue.needResched = true;
    if (runQueue.cpu !== callerCpu) {
      runQueue.stats.reschedulingIpis++;
      this.hooks.requestReschedule(runQueue.cpu);
    }
  }

  /** Queued `task` should run instead of `runQueue`'s current task: a higher class, or its policy says so. */
  private preempts(runQueue: CpuRunQueue, task: Task): boolean {
    const current = runQueue.current;
    if (current === runQueue.idle || task.policyIndex < current.policyIndex) return true;
    return (
      task.policyIndex === current.policyIndex &&
      runQueue.queues[task.policyIndex]!.preemptsCurrent(current, task)
    );
  }

  /** After a priority change of a queued task: it may now preempt the running one. */
  private recheckPreemption(task: Task): void {
    if (task.state !== TASK_STATE.RUNNABLE) return;
    const runQueue = this.runQueues[task.cpu]!;
    if (this.preempts(runQueue, task)) this.reschedule(runQueue, -1);
  }

  /** Wake-up placement: previous CPU if idle, waker's if idle, any idle allowed CPU, else the least loaded allowed. */
  private placeWakeup(task: Task, wakerCpu: number): number {
    const allowed = (cpu: number) => cpu >= 0 && cpu < this.cpuCount && task.affinity.has(cpu);
    const idle = (cpu: number) => allowed(cpu) && this.runQueues[cpu]!.load === 0;
    if (idle(task.cpu)) return task.cpu;
    if (idle(wakerCpu)) return wakerCpu;
    let best = -1;
    for (let cpu = 0; cpu < this.cpuCount; cpu++) {
      if (!allowed(cpu)) continue;
      if (this.runQueues[cpu]!.load === 0) return cpu;
      if (best < 0 || this.runQueues[cpu]!.load < this.runQueues[best]!.load) best = cpu;
    }
    if (best < 0) throw new Error(`task ${task.id}: no CPU of this machine is in its affinity`);
    if (allowed(task.cpu) && this.runQueues[task.cpu]!.load <= this.runQueues[best]!.load) return task.cpu;
    return best;
  }

  private steal(from: CpuRunQueue, cpu: number): Task | null {
    const now = this.clock();
    for (const queue of from.queues) {
      const task = queue.stealable(cpu);
      // A task whose registers the CPU has not saved yet stays until it has.
      if (task !== null && this.pendingSave.get(from.cpu) !== task) {
        queue.dequeue(task, now);
        return task;
      }
    }
    return null;
  }
}

function saveFpu(into: CpuContext, live: CpuContext): void {
  into.xmm.set(live.xmm);
  into.mxcsr = live.mxcsr;
  into.fpu.set(live.fpu);
}

function loadFpu(live: CpuContext, from: CpuContext): void {
  live.xmm.set(from.xmm);
  live.mxcsr = from.mxcsr;
  live.fpu.set(from.fpu);
}

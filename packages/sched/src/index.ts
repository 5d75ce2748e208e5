/**
 * `@tsos/sched`: tasks, per-CPU run queues over pluggable policies (EEVDF
 * for normal tasks, FIFO/RR realtime above them, a round-robin reference
 * policy), adaptive time slices, a minimal tick, context switch with an
 * address-space hook, wait queues with timeouts on the virtual clock, wake-up
 * placement and load balancing.
 *
 * @packageDocumentation
 */

export { CpuSet } from "./cpu-set";
export { FAIR_DEFAULTS, type FairConfig, FairPolicy, FairQueue } from "./fair-policy";
export { NICE_0_WEIGHT, NICE_TO_WEIGHT, weightOfNice } from "./fair-weights";
export { ListPolicyQueue } from "./list-policy-queue";
export {
  ENQUEUE,
  type EnqueueReason,
  type PolicyQueue,
  type QueuedTaskSnapshot,
  type SchedPolicy,
} from "./policy";
export { PriorityLists } from "./priority-lists";
export { REALTIME_DEFAULTS, type RealtimeConfig, RealtimePolicy, RealtimeQueue } from "./realtime-policy";
export {
  levelOfNice,
  ROUND_ROBIN_DEFAULTS,
  type RoundRobinConfig,
  RoundRobinPolicy,
  RoundRobinQueue,
} from "./round-robin-policy";
export { CpuRunQueue, type PolicyQueueSnapshot, type RunQueueSnapshot, RunQueueStats } from "./run-queue";
export { Scheduler, type SchedulerHooks, type SchedulerOptions } from "./scheduler";
export {
  checkPriority,
  FairEntity,
  ListLinks,
  NICE_MAX,
  NICE_MIN,
  REQUEST_MAX_NS,
  REQUEST_MIN_NS,
  RT_PRIORITY_MAX,
  RT_PRIORITY_MIN,
  SCHED_CLASS,
  type SchedClass,
  TASK_STATE,
  Task,
  TaskAccounting,
  type TaskOptions,
  type TaskState,
} from "./task";
export { TimerQueue } from "./timer-queue";
export {
  EINTR,
  ETIMEDOUT,
  expireWaitTimeouts,
  WAITING_LEVEL,
  type WaitContinuation,
  type WaitOptions,
  WaitQueue,
  type WaitQueueTimer,
  type Waker,
} from "./wait-queue";

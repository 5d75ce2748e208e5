/**
 * The fair policy: EEVDF (Earliest Eligible Virtual Deadline First, Stoica
 * and Abdel-Wahab 1995; Linux's fair class since 6.6), for NORMAL tasks.
 *
 * Scheme. Each task has a weight from its nice value and a virtual runtime
 * `v` that grows by `ns × 1024 / weight` while it runs. The queue's average
 * `V` (weighted by weight, over every task in the load, the running one
 * included) is where an ideal fair CPU would have everyone. A task is
 * *eligible* when `v ≤ V` (it has received no more than its share: its lag
 * `V − v` is ≥ 0). Each task asks for a *request* of `slice` ns and gets
 * the virtual deadline `v + slice × 1024 / weight`; the next task to run is
 * the eligible one with the earliest deadline. Heavier tasks advance `v`
 * more slowly, so they are eligible more often: shares follow weights.
 *
 * Adaptive slice: `slice = max(targetLatency / load, minGranularity)` when
 * a request starts (Linux's sched_latency 6 ms and min_granularity 0.75 ms
 * by default), so every runnable task gets a turn within the target
 * latency until there are so many that the granularity floor takes over.
 * A task may ask for its own request length instead (`task.requestNs`,
 * Linux 6.12's custom slice): a shorter request means an earlier deadline,
 * so a task that runs in short bursts is picked soon after it wakes; a
 * woken task preempts the running one when it is eligible and its
 * deadline is earlier.
 *
 * Sleep and wake-up: a task that leaves keeps its lag (clamped to two
 * slices or one tick, whichever is larger) and is placed back at
 * `V − lag` (scaled by `(W + w) / W` so adding it does not shift `V` away
 * from that lag): a sleeper is neither owed unbounded CPU (it cannot hog
 * the CPU after a long sleep) nor put behind everyone (it is not starved).
 * A negative lag (it ran ahead before sleeping) is paid off during the
 * sleep at the rate `V` advances, as Linux's delayed dequeue does by
 * keeping such a sleeper queued until it is eligible again.
 *
 * Structure: a treap keyed by (v, id) with seeded heap priorities, each
 * node augmented with the smallest deadline in its subtree, so insert,
 * remove and pick are O(log n) expected. The running task is not in the
 * tree but stays in the load sums. `V` is kept as `zero + Σ(v − zero)·w / Σw`
 * with `zero` following the smallest vruntime, so the sums stay small.
 *
 * Invariants (checked by the property tests): the tree is a BST by (v, id)
 * and a heap by priority; every node's `minDeadline` is the minimum over
 * its subtree; `count` is the tree's size; `load`, `weightSum` and `keySum`
 * are the sums over tree + current; a pick returns an eligible task when
 * any exists.
 */
import { weightOfNice } from "./fair-weights";
import {
  ENQUEUE,
  type EnqueueReason,
  type PolicyQueue,
  type QueuedTaskSnapshot,
  type SchedPolicy,
} from "./policy";
import { SCHED_CLASS, type Task } from "./task";

/** Configuration of {@link FairPolicy} (Linux's defaults, unscaled by CPU count). */
export interface FairConfig {
  /** Period in which every runnable task should run once (ns; default 6 ms, sysctl_sched_latency). */
  readonly targetLatencyNs?: number;
  /** Smallest slice (ns; default 0.75 ms, sysctl_sched_min_granularity). */
  readonly minGranularityNs?: number;
  /** Scheduler tick (ns; default 4 ms, HZ = 250): the floor of the lag clamp. */
  readonly tickNs?: number;
  /** Seed of the treaps' priorities (default 1). */
  readonly seed?: number;
}

/** Defaults of {@link FairConfig}. */
export const FAIR_DEFAULTS = {
  targetLatencyNs: 6_000_000,
  minGranularityNs: 750_000,
  tickNs: 4_000_000,
  seed: 1,
} as const;

/** EEVDF for NORMAL tasks. */
export class FairPolicy implements SchedPolicy {
  readonly name = "eevdf";
  private readonly config: Required<FairConfig>;

  constructor(config: FairConfig = {}) {
    this.config = { ...FAIR_DEFAULTS, ...config };
    const { targetLatencyNs, minGranularityNs, tickNs } = this.config;
    if (!(targetLatencyNs > 0 && minGranularityNs > 0 && tickNs > 0))
      throw new RangeError("FairPolicy: latency, granularity and tick must be positive");
  }

  handles(task: Task): boolean {
    return task.schedClass === SCHED_CLASS.NORMAL;
  }

  createQueue(cpu: number): FairQueue {
    return new FairQueue(this.config, cpu);
  }
}

/** One CPU's EEVDF queue. */
export class FairQueue implements PolicyQueue {
  count = 0;
  load = 0;
  private root: Task | null = null;
  private current: Task | null = null;
  private zero = 0;
  private weightSum = 0;
  private keySum = 0;
  private random: number;
  private picks = 0;

  constructor(
    private readonly config: Required<FairConfig>,
    cpu: number,
  ) {
    this.random = (Math.imul(config.seed, 0x9e3779b1) ^ Math.imul(cpu + 1, 0x85ebca6b)) >>> 0 || 1;
  }

  /** The weighted average vruntime `V` over the load. */
  averageVruntime(): number {
    return this.weightSum === 0 ? this.zero : this.zero + this.keySum / this.weightSum;
  }

  /** `v ≤ V`, without dividing. */
  eligible(task: Task): boolean {
    return (task.fair.vruntime - this.zero) * this.weightSum <= this.keySum;
  }

  /** The slice a request of `task` started now gets: its custom request, else the adaptive slice. */
  sliceNs(task?: Task): number {
    if (task !== undefined && task.requestNs > 0) return task.requestNs;
    const load = Math.max(this.load, 1);
    return Math.max(this.config.targetLatencyNs / load, this.config.minGranularityNs);
  }

  enqueue(task: Task, reason: EnqueueReason, now: number): void {
    const entity = task.fair;
    if (entity.onQueue) throw new Error(`FairQueue: task ${task.id} is already queued`);
    entity.weight = weightOfNice(task.nice);
    if (reason !== ENQUEUE.REQUEUE) {
      if (entity.lag < 0) {
        // Linux 6.12 keeps a sleeper with negative lag queued ("delayed dequeue") until V
        // catches up with it; the same debt, paid off at the rate V would have moved.
        const away = Math.max(0, now - entity.leftAt);
        entity.lag = Math.min(0, entity.lag + (away * 1024) / (this.weightSum + entity.weight));
      }
      this.place(task, reason === ENQUEUE.NEW);
    }
    this.addLoad(task);
    this.insert(task);
  }

  pickNext(_now: number): Task | null {
    if (this.root === null) return null;
    const next = this.pickEevdf() ?? this.leftmost();
    this.remove(next);
    this.current = next;
    // Re-basing costs a walk to the leftmost node; the sums stay small enough if done now and then.
    if ((++this.picks & 63) === 0) this.advanceZero();
    return next;
  }

  charge(task: Task, ns: number, _now: number): boolean {
    if (ns <= 0) return false;
    const entity = task.fair;
    const delta = (ns * 1024) / entity.weight;
    entity.vruntime += delta;
    if (entity.onQueue) this.keySum += delta * entity.weight;
    if (entity.vruntime < entity.deadline) return false;
    this.newRequest(task);
    return this.load > 1;
  }

  putPrevious(task: Task, _preempted: boolean, _now: number): void {
    if (this.current === task) this.current = null;
    this.insert(task);
  }

  dequeue(task: Task, now: number): void {
    const entity = task.fair;
    entity.leftAt = now;
    if (!entity.onQueue) throw new Error(`FairQueue: task ${task.id} is not queued`);
    if (this.current === task) this.current = null;
    else this.remove(task);
    const limit = (Math.max(2 * entity.slice, this.config.tickNs) * 1024) / entity.weight;
    entity.lag = Math.min(Math.max(this.averageVruntime() - entity.vruntime, -limit), limit);
    this.removeLoad(task);
  }

  preemptsCurrent(current: Task, woken: Task): boolean {
    if (current.schedClass !== SCHED_CLASS.NORMAL || !current.fair.onQueue) return true;
    return this.eligible(woken) && woken.fair.deadline < current.fair.deadline;
  }

  yieldCurrent(task: Task, _now: number): void {
    // Linux's yield_task_fair: the request ends later by one slice.
    task.fair.deadline += (task.fair.slice * 1024) / task.fair.weight;
  }

  reprioritize(task: Task, _now: number): void {
    const entity = task.fair;
    const weight = weightOfNice(task.nice);
    if (!entity.onQueue) {
      entity.weight = weight;
      return;
    }
    const inTree = this.current !== task;
    if (inTree) this.remove(task);
    const lag = this.averageVruntime() - entity.vruntime;
    const relativeDeadline = entity.deadline - entity.vruntime;
    this.removeLoad(task);
    const scale = entity.weight / weight;
    entity.weight = weight;
    entity.vruntime = this.averageVruntime() - lag * scale;
    entity.deadline = entity.vruntime + relativeDeadline * scale;
    this.addLoad(task);
    if (inTree) this.insert(task);
  }

  snapshot(): QueuedTaskSnapshot[] {
    const out: QueuedTaskSnapshot[] = [];
    const visit = (node: Task | null): void => {
      if (node === null) return;
      visit(node.fair.left);
      const entity = node.fair;
      out.push({
        id: node.id,
        name: node.name,
        key: entity.vruntime,
        deadline: entity.deadline,
        sliceLeft: Math.max(0, ((entity.deadline - entity.vruntime) * entity.weight) / 1024),
        eligible: this.eligible(node),
      });
      visit(node.fair.right);
    };
    visit(this.root);
    return out;
  }

  stealable(cpu: number): Task | null {
    // The task furthest ahead (rightmost) loses least by moving; search from the right.
    const search = (node: Task | null): Task | null => {
      if (node === null) return null;
      return search(node.fair.right) ?? (node.affinity.has(cpu) ? node : search(node.fair.left));
    };
    return search(this.root);
  }

  /** Checks every structural invariant; throws with the first broken one (for tests). */
  verify(): void {
    let size = 0;
    let previous: Task | null = null;
    const visit = (node: Task | null): number => {
      if (node === null) return Number.POSITIVE_INFINITY;
      const leftMin = visit(node.fair.left);
      if (previous !== null && !before(previous, node)) throw new Error(`order broken at task ${node.id}`);
      previous = node;
      size++;
      const rightMin = visit(node.fair.right);
      for (const child of [node.fair.left, node.fair.right]) {
        if (child !== null && child.fair.heapPriority > node.fair.heapPriority)
          throw new Error(`heap order broken at task ${node.id}`);
      }
      const min = Math.min(node.fair.deadline, leftMin, rightMin);
      if (node.fair.minDeadline !== min) throw new Error(`minDeadline of task ${node.id} is stale`);
      return min;
    };
    visit(this.root);
    if (size !== this.count) throw new Error(`count ${this.count} but the tree holds ${size}`);
  }

  // ---- placement and requests ----

  private place(task: Task, fresh: boolean): void {
    const entity = task.fair;
    let lag = fresh ? 0 : entity.lag;
    if (this.weightSum > 0) lag = (lag * (this.weightSum + entity.weight)) / this.weightSum;
    entity.vruntime = this.averageVruntime() - lag;
    entity.slice = this.sliceNs(task);
    // A new task's first request is half a slice (Linux's PLACE_DEADLINE_INITIAL): it runs soon, briefly.
    const request = fresh ? entity.slice / 2 : entity.slice;
    entity.deadline = entity.vruntime + (request * 1024) / entity.weight;
  }

  private newRequest(task: Task): void {
    const entity = task.fair;
    entity.slice = this.sliceNs(task);
    entity.deadline = entity.vruntime + (entity.slice * 1024) / entity.weight;
  }

  private addLoad(task: Task): void {
    const entity = task.fair;
    entity.onQueue = true;
    this.load++;
    this.weightSum += entity.weight;
    this.keySum += (entity.vruntime - this.zero) * entity.weight;
  }

  private removeLoad(task: Task): void {
    const entity = task.fair;
    const average = this.averageVruntime();
    entity.onQueue = false;
    this.load--;
    this.weightSum -= entity.weight;
    this.keySum -= (entity.vruntime - this.zero) * entity.weight;
    if (this.load === 0) {
      // Nothing left: V stays where it was, the sums restart exact.
      this.zero = average;
      this.weightSum = 0;
      this.keySum = 0;
    }
  }

  /** Moves `zero` up to the smallest vruntime in the load (keeps the sums small; V is unchanged). */
  private advanceZero(): void {
    let smallest = this.current?.fair.vruntime ?? Number.POSITIVE_INFINITY;
    if (this.root !== null) smallest = Math.min(smallest, this.leftmost().fair.vruntime);
    if (smallest === Number.POSITIVE_INFINITY || smallest <= this.zero) return;
    this.keySum -= (smallest - this.zero) * this.weightSum;
    this.zero = smallest;
  }

  // ---- the treap ----

  private pickEevdf(): Task | null {
    let best: Task | null = null;
    let bestSubtree: Task | null = null;
    let node = this.root;
    while (node !== null) {
      if (!this.eligible(node)) {
        node = node.fair.left;
        continue;
      }
      // node is eligible, so is its whole left subtree (smaller vruntime).
      if (best === null || node.fair.deadline < best.fair.deadline) best = node;
      const left = node.fair.left;
      if (left !== null && (bestSubtree === null || left.fair.minDeadline < bestSubtree.fair.minDeadline))
        bestSubtree = left;
      node = node.fair.right;
    }
    if (best === null) return null;
    if (bestSubtree === null || bestSubtree.fair.minDeadline >= best.fair.deadline) return best;
    return findDeadline(bestSubtree, bestSubtree.fair.minDeadline);
  }

  private leftmost(): Task {
    let node = this.root!;
    while (node.fair.left !== null) node = node.fair.left;
    return node;
  }

  private insert(task: Task): void {
    const entity = task.fair;
    this.random ^= this.random << 13;
    this.random ^= this.random >>> 17;
    this.random ^= this.random << 5;
    entity.heapPriority = this.random >>> 0;
    entity.left = null;
    entity.right = null;
    entity.minDeadline = entity.deadline;
    this.root = insertNode(this.root, task);
    this.count++;
  }

  private remove(task: Task): void {
    this.root = removeNode(this.root, task);
    task.fair.left = null;
    task.fair.right = null;
    this.count--;
  }
}

/** Tree order: by vruntime, ties by id (deterministic). */
function before(left: Task, right: Task): boolean {
  const a = left.fair.vruntime;
  const b = right.fair.vruntime;
  return a < b || (a === b && left.id < right.id);
}

function refresh(node: Task): void {
  const entity = node.fair;
  let min = entity.deadline;
  if (entity.left !== null && entity.left.fair.minDeadline < min) min = entity.left.fair.minDeadline;
  if (entity.right !== null && entity.right.fair.minDeadline < min) min = entity.right.fair.minDeadline;
  entity.minDeadline = min;
}

function rotateRight(node: Task): Task {
  const pivot = node.fair.left!;
  node.fair.left = pivot.fair.right;
  pivot.fair.right = node;
  refresh(node);
  refresh(pivot);
  return pivot;
}

function rotateLeft(node: Task): Task {
  const pivot = node.fair.right!;
  node.fair.right = pivot.fair.left;
  pivot.fair.left = node;
  refresh(node);
  refresh(pivot);
  return pivot;
}

function insertNode(node: Task | null, task: Task): Task {
  if (node === null) return task;
  if (before(task, node)) {
    node.fair.left = insertNode(node.fair.left, task);
    if (node.fair.left.fair.heapPriority > node.fair.heapPriority) return rotateRight(node);
  } else {
    node.fair.right = insertNode(node.fair.right, task);
    if (node.fair.right.fair.heapPriority > node.fair.heapPriority) return rotateLeft(node);
  }
  refresh(node);
  return node;
}

function removeNode(node: Task | null, task: Task): Task | null {
  if (node === null) throw new Error(`FairQueue: task ${task.id} is not in the tree`);
  if (node === task) return merge(node.fair.left, node.fair.right);
  if (before(task, node)) node.fair.left = removeNode(node.fair.left, task);
  else node.fair.right = removeNode(node.fair.right, task);
  refresh(node);
  return node;
}

/** Joins two treaps where every key of `left` precedes every key of `right`. */
function merge(left: Task | null, right: Task | null): Task | null {
  if (left === null) return right;
  if (right === null) return left;
  if (left.fair.heapPriority > right.fair.heapPriority) {
    left.fair.right = merge(left.fair.right, right);
    refresh(left);
    return left;
  }
  right.fair.left = merge(left, right.fair.left);
  refresh(right);
  return right;
}

/** The node of `subtree` whose deadline is `deadline` (its minDeadline), following the augmentation. */
function findDeadline(subtree: Task, deadline: number): Task {
  let node = subtree;
  for (;;) {
    if (node.fair.deadline === deadline) return node;
    const left = node.fair.left;
    node = left !== null && left.fair.minDeadline === deadline ? left : node.fair.right!;
  }
}

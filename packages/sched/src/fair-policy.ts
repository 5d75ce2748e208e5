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
 * Structure: a treap keyed by (deadline, id) with seeded heap priorities,
 * each node augmented with the smallest vruntime in its subtree (Linux's
 * tree since 6.8 is sorted the same way). The pick is the cached leftmost
 * node when it is eligible (the common case: O(1)); otherwise one descent
 * that goes left whenever the left subtree holds an eligible task (its
 * smallest vruntime is ≤ V), since everything there has an earlier
 * deadline. Insert and remove are O(log n) expected; a removal stops
 * refreshing the augmentation at the first ancestor it does not change.
 * The nodes are not objects: each is one 64-byte record (deadline,
 * vruntime, min-vruntime, id as float64; left, right, parent, priority as
 * int32) in one growable ArrayBuffer, so a step down the tree touches one
 * cache line and a queue operation allocates nothing; slot 0 is the null
 * node, its min-vruntime +∞. The running task is not in the tree but stays
 * in the load sums. `V` is kept as `zero + Σ(v − zero)·w / Σw` with `zero`
 * following the smallest vruntime, so the sums stay small.
 *
 * Invariants (checked by {@link FairQueue.verify} in the property tests):
 * the tree is a BST by (deadline, id) and a heap by priority, parent links
 * match child links, each node's fields match its task's entity; every
 * node's min-vruntime is the minimum over its subtree; `leftmost` is the
 * first node; `count` is the tree's size; `load`, `weightSum` and `keySum`
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

// Node record: 64 bytes per slot; float64 view indices (slot × 8 + …) and int32 view indices (slot × 16 + …).
const F64_STRIDE = 8;
const I32_STRIDE = 16;
const DEADLINE = 0;
const VRUNTIME = 1;
const MIN_VRUNTIME = 2;
const ID = 3;
const LEFT = 8;
const RIGHT = 9;
const PARENT = 10;
const PRIORITY = 11;
const INITIAL_SLOTS = 16;

/** One CPU's EEVDF queue. */
export class FairQueue implements PolicyQueue {
  count = 0;
  load = 0;
  private keys: Float64Array;
  private links: Int32Array;
  private tasks: (Task | null)[];
  private freeHead = 0;
  private root = 0;
  private leftmost = 0;
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
    this.keys = new Float64Array(0);
    this.links = new Int32Array(0);
    this.tasks = [];
    this.grow(INITIAL_SLOTS);
  }

  /** The weighted average vruntime `V` over the load. */
  averageVruntime(): number {
    return this.weightSum === 0 ? this.zero : this.zero + this.keySum / this.weightSum;
  }

  /** `v ≤ V`, without dividing. */
  eligible(task: Task): boolean {
    return this.eligibleAt(task.fair.vruntime);
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
    if (this.root === 0) return null;
    const next = this.tasks[this.pickEevdf()]!;
    this.remove(next);
    this.current = next;
    // Each re-basing rounds the sums once more; now and then is enough to keep them small.
    if ((++this.picks & 63) === 0) this.advanceZero();
    return next;
  }

  charge(task: Task, ns: number, _now: number): boolean {
    if (ns <= 0) return false;
    const entity = task.fair;
    if (entity.slot !== 0) throw new Error(`FairQueue: task ${task.id} is charged while waiting in the tree`);
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

  /** The waiting tasks in deadline order (the order they would run if nothing changed eligibility). */
  snapshot(): QueuedTaskSnapshot[] {
    const out: QueuedTaskSnapshot[] = [];
    for (let node = this.leftmost; node !== 0; node = this.successor(node)) {
      const task = this.tasks[node]!;
      const entity = task.fair;
      out.push({
        id: task.id,
        name: task.name,
        key: entity.vruntime,
        deadline: entity.deadline,
        sliceLeft: Math.max(0, ((entity.deadline - entity.vruntime) * entity.weight) / 1024),
        eligible: this.eligible(task),
      });
    }
    return out;
  }

  stealable(cpu: number): Task | null {
    // The latest deadline loses least by moving (it would run last here); search from the right.
    let node = this.root;
    if (node === 0) return null;
    while (this.right(node) !== 0) node = this.right(node);
    for (; node !== 0; node = this.predecessor(node)) {
      const task = this.tasks[node]!;
      if (task.affinity.has(cpu)) return task;
    }
    return null;
  }

  /** Checks every structural invariant; throws with the first broken one (for tests). */
  verify(): void {
    const { keys, links } = this;
    let size = 0;
    let previous = 0;
    const visit = (node: number, parent: number): number => {
      if (node === 0) return Number.POSITIVE_INFINITY;
      const task = this.tasks[node];
      if (task === null || task === undefined || task.fair.slot !== node)
        throw new Error(`slot ${node} is in the tree but not its task's slot`);
      const id = task.id;
      if (links[node * I32_STRIDE + PARENT] !== parent) throw new Error(`parent link of task ${id} is wrong`);
      if (
        keys[node * F64_STRIDE + DEADLINE] !== task.fair.deadline ||
        keys[node * F64_STRIDE + VRUNTIME] !== task.fair.vruntime
      )
        throw new Error(`node of task ${id} disagrees with its entity`);
      const leftMin = visit(this.left(node), node);
      if (previous !== 0 && !this.precedes(previous, node)) throw new Error(`order broken at task ${id}`);
      if (previous === 0 && node !== this.leftmost) throw new Error(`leftmost is not task ${id}`);
      previous = node;
      size++;
      const rightMin = visit(this.right(node), node);
      for (const child of [this.left(node), this.right(node)]) {
        if (child !== 0 && links[child * I32_STRIDE + PRIORITY]! > links[node * I32_STRIDE + PRIORITY]!)
          throw new Error(`heap order broken at task ${id}`);
      }
      const min = Math.min(keys[node * F64_STRIDE + VRUNTIME]!, leftMin, rightMin);
      if (keys[node * F64_STRIDE + MIN_VRUNTIME] !== min)
        throw new Error(`min-vruntime of task ${id} is stale`);
      return min;
    };
    visit(this.root, 0);
    if (this.root === 0 && this.leftmost !== 0) throw new Error("leftmost set in an empty tree");
    if (size !== this.count) throw new Error(`count ${this.count} but the tree holds ${size}`);
    let free = 0;
    for (let slot = this.freeHead; slot !== 0; slot = links[slot * I32_STRIDE + LEFT]!) {
      if (this.tasks[slot] !== null) throw new Error(`free slot ${slot} still names a task`);
      free++;
    }
    if (free + size !== this.tasks.length - 1)
      throw new Error(`${free} free + ${size} used slots ≠ capacity`);
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
    const inTree = this.keys[this.root * F64_STRIDE + MIN_VRUNTIME]!;
    const smallest = Math.min(this.current?.fair.vruntime ?? Number.POSITIVE_INFINITY, inTree);
    if (smallest === Number.POSITIVE_INFINITY || smallest <= this.zero) return;
    this.keySum -= (smallest - this.zero) * this.weightSum;
    this.zero = smallest;
  }

  private eligibleAt(vruntime: number): boolean {
    return (vruntime - this.zero) * this.weightSum <= this.keySum;
  }

  // ---- the treap ----

  /** The slot to run: the eligible node with the earliest deadline (the leftmost if nothing is eligible). */
  private pickEevdf(): number {
    const keys = this.keys;
    const links = this.links;
    const leftmost = this.leftmost;
    if (this.eligibleAt(keys[leftmost * F64_STRIDE + VRUNTIME]!)) return leftmost;
    let node = this.root;
    while (node !== 0) {
      // Everything on the left has an earlier deadline: go there whenever it holds an eligible task.
      const left = links[node * I32_STRIDE + LEFT]!;
      if (left !== 0 && this.eligibleAt(keys[left * F64_STRIDE + MIN_VRUNTIME]!)) {
        node = left;
        continue;
      }
      if (this.eligibleAt(keys[node * F64_STRIDE + VRUNTIME]!)) return node;
      node = links[node * I32_STRIDE + RIGHT]!;
    }
    // Only the running task is at or below V: take the earliest deadline.
    return leftmost;
  }

  private insert(task: Task): void {
    const entity = task.fair;
    if (entity.slot !== 0) throw new Error(`FairQueue: task ${task.id} is already in the tree`);
    if (this.freeHead === 0) this.grow(this.tasks.length * 2);
    const slot = this.freeHead;
    const keys = this.keys;
    const links = this.links;
    const f = slot * F64_STRIDE;
    const i = slot * I32_STRIDE;
    this.freeHead = links[i + LEFT]!;
    this.tasks[slot] = task;
    entity.slot = slot;
    this.random ^= this.random << 13;
    this.random ^= this.random >>> 17;
    this.random ^= this.random << 5;
    const priority = this.random | 0;
    const deadline = entity.deadline;
    const vruntime = entity.vruntime;
    const id = task.id;
    keys[f + DEADLINE] = deadline;
    keys[f + VRUNTIME] = vruntime;
    keys[f + MIN_VRUNTIME] = vruntime;
    keys[f + ID] = id;
    links[i + LEFT] = 0;
    links[i + RIGHT] = 0;
    links[i + PRIORITY] = priority;
    // Down to a leaf position; every node passed gains this vruntime in its subtree.
    let parent = 0;
    let node = this.root;
    let side = LEFT;
    while (node !== 0) {
      const nf = node * F64_STRIDE;
      if (vruntime < keys[nf + MIN_VRUNTIME]!) keys[nf + MIN_VRUNTIME] = vruntime;
      const nodeDeadline = keys[nf + DEADLINE]!;
      side = deadline < nodeDeadline || (deadline === nodeDeadline && id < keys[nf + ID]!) ? LEFT : RIGHT;
      parent = node;
      node = links[node * I32_STRIDE + side]!;
    }
    links[i + PARENT] = parent;
    if (parent === 0) this.root = slot;
    else links[parent * I32_STRIDE + side] = slot;
    // It is the first node iff it went left of the old first one (which has no left child).
    if (this.leftmost === 0 || (parent === this.leftmost && side === LEFT)) this.leftmost = slot;
    // Up by heap priority.
    while (parent !== 0 && links[parent * I32_STRIDE + PRIORITY]! < priority) {
      this.rotateUp(slot);
      parent = links[i + PARENT]!;
    }
    this.count++;
  }

  private remove(task: Task): void {
    const entity = task.fair;
    const node = entity.slot;
    if (node === 0 || this.tasks[node] !== task)
      throw new Error(`FairQueue: task ${task.id} is not in the tree`);
    const links = this.links;
    const keys = this.keys;
    const i = node * I32_STRIDE;
    if (node === this.leftmost) this.leftmost = this.successor(node);
    // Down by rotations until it has at most one child, then spliced out.
    for (;;) {
      const left = links[i + LEFT]!;
      const right = links[i + RIGHT]!;
      if (left === 0 || right === 0) break;
      this.rotateUp(
        links[left * I32_STRIDE + PRIORITY]! > links[right * I32_STRIDE + PRIORITY]! ? left : right,
      );
    }
    const child = links[i + LEFT]! !== 0 ? links[i + LEFT]! : links[i + RIGHT]!;
    const parent = links[i + PARENT]!;
    if (child !== 0) links[child * I32_STRIDE + PARENT] = parent;
    if (parent === 0) this.root = child;
    else links[parent * I32_STRIDE + (links[parent * I32_STRIDE + LEFT] === node ? LEFT : RIGHT)] = child;
    // The subtrees above lost one vruntime; once a minimum stays, every one above it stays too.
    for (let above = parent; above !== 0; above = links[above * I32_STRIDE + PARENT]!) {
      const before = keys[above * F64_STRIDE + MIN_VRUNTIME];
      this.refresh(above);
      if (keys[above * F64_STRIDE + MIN_VRUNTIME] === before) break;
    }
    this.tasks[node] = null;
    links[i + LEFT] = this.freeHead;
    this.freeHead = node;
    entity.slot = 0;
    this.count--;
  }

  /** Rotates `node` above its parent (in-order unchanged), refreshing both minima. */
  private rotateUp(node: number): void {
    const links = this.links;
    const i = node * I32_STRIDE;
    const parent = links[i + PARENT]!;
    const p = parent * I32_STRIDE;
    const grand = links[p + PARENT]!;
    const inner = links[p + LEFT] === node ? LEFT : RIGHT;
    const outer = LEFT + RIGHT - inner;
    // node is parent's `inner` child; node's `outer` subtree moves across to parent.
    const moved = links[i + outer]!;
    links[p + inner] = moved;
    if (moved !== 0) links[moved * I32_STRIDE + PARENT] = parent;
    links[i + outer] = parent;
    links[p + PARENT] = node;
    links[i + PARENT] = grand;
    if (grand === 0) this.root = node;
    else links[grand * I32_STRIDE + (links[grand * I32_STRIDE + LEFT] === parent ? LEFT : RIGHT)] = node;
    this.refresh(parent);
    this.refresh(node);
  }

  private refresh(node: number): void {
    const keys = this.keys;
    const links = this.links;
    const f = node * F64_STRIDE;
    // Slot 0's min-vruntime is +∞, so a missing child needs no test.
    const left = keys[links[node * I32_STRIDE + LEFT]! * F64_STRIDE + MIN_VRUNTIME]!;
    const right = keys[links[node * I32_STRIDE + RIGHT]! * F64_STRIDE + MIN_VRUNTIME]!;
    let min = keys[f + VRUNTIME]!;
    if (left < min) min = left;
    if (right < min) min = right;
    keys[f + MIN_VRUNTIME] = min;
  }

  private left(node: number): number {
    return this.links[node * I32_STRIDE + LEFT]!;
  }

  private right(node: number): number {
    return this.links[node * I32_STRIDE + RIGHT]!;
  }

  /** In-order next node, or 0. */
  private successor(node: number): number {
    return this.neighbour(node, RIGHT, LEFT);
  }

  /** In-order previous node, or 0. */
  private predecessor(node: number): number {
    return this.neighbour(node, LEFT, RIGHT);
  }

  private neighbour(node: number, toward: number, back: number): number {
    const links = this.links;
    let next = links[node * I32_STRIDE + toward]!;
    if (next !== 0) {
      while (links[next * I32_STRIDE + back] !== 0) next = links[next * I32_STRIDE + back]!;
      return next;
    }
    let child = node;
    next = links[node * I32_STRIDE + PARENT]!;
    while (next !== 0 && links[next * I32_STRIDE + toward] === child) {
      child = next;
      next = links[next * I32_STRIDE + PARENT]!;
    }
    return next;
  }

  /** Tree order of two slots: by deadline, ties by task id (deterministic). */
  private precedes(a: number, b: number): boolean {
    const keys = this.keys;
    const da = keys[a * F64_STRIDE + DEADLINE]!;
    const db = keys[b * F64_STRIDE + DEADLINE]!;
    return da < db || (da === db && keys[a * F64_STRIDE + ID]! < keys[b * F64_STRIDE + ID]!);
  }

  /** Grows the node store to `slots` records (slot 0 the null node), chaining the new ones as free. */
  private grow(slots: number): void {
    const old = this.tasks.length;
    const buffer = new ArrayBuffer(slots * F64_STRIDE * 8);
    const keys = new Float64Array(buffer);
    keys.set(this.keys);
    this.keys = keys;
    this.links = new Int32Array(buffer);
    keys[MIN_VRUNTIME] = Number.POSITIVE_INFINITY;
    for (let slot = old; slot < slots; slot++) this.tasks.push(null);
    // Free list through LEFT, lowest slot first.
    for (let slot = slots - 1; slot >= Math.max(old, 1); slot--) {
      this.links[slot * I32_STRIDE + LEFT] = this.freeHead;
      this.freeHead = slot;
    }
  }
}

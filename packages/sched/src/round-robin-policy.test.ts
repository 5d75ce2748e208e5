import { describe, expect, it } from "vitest";
import { CpuSet } from "./cpu-set";
import { ENQUEUE } from "./policy";
import { levelOfNice, RoundRobinPolicy, type RoundRobinQueue } from "./round-robin-policy";
import { SCHED_CLASS, Task } from "./task";

const MS = 1_000_000;
const QUANTUM = 10 * MS;

function normal(id: number, nice = 0): Task {
  return new Task({ id, nice });
}

function queueWith(...tasks: Task[]): RoundRobinQueue {
  const queue = new RoundRobinPolicy().createQueue(0);
  for (const task of tasks) queue.enqueue(task, ENQUEUE.NEW, 0);
  return queue;
}

describe("RoundRobinPolicy", () => {
  it("takes NORMAL tasks only, maps nice −20..19 to levels 39..0, and checks its quantum", () => {
    const policy = new RoundRobinPolicy();
    expect(policy.name).toBe("round-robin");
    expect(policy.quantumNs).toBe(QUANTUM);
    expect(policy.handles(normal(1))).toBe(true);
    expect(policy.handles(new Task({ id: 2, schedClass: SCHED_CLASS.FIFO, rtPriority: 5 }))).toBe(false);
    expect([levelOfNice(-20), levelOfNice(0), levelOfNice(19)]).toEqual([39, 19, 0]);
    expect(() => new RoundRobinPolicy({ quantumNs: -1 })).toThrow(RangeError);
  });

  it("rotates equal-nice tasks one quantum each, in arrival order", () => {
    const queue = queueWith(normal(1), normal(2), normal(3));
    const ran: number[] = [];
    for (let turn = 0; turn < 8; turn++) {
      const task = queue.pickNext(0)!;
      ran.push(task.id);
      expect(queue.charge(task, 4 * MS, 0)).toBe(false);
      expect(queue.charge(task, 6 * MS, 0)).toBe(true);
      queue.putPrevious(task, false, 0);
      expect(task.link.sliceLeft).toBe(QUANTUM);
    }
    expect(ran).toEqual([1, 2, 3, 1, 2, 3, 1, 2]);
  });

  it("runs strictly by level: a lower nice always runs first and keeps the CPU", () => {
    const [favoured, plain] = [normal(1, -5), normal(2, 0)];
    const queue = queueWith(plain, favoured);
    expect(queue.pickNext(0)).toBe(favoured);
    expect(queue.charge(favoured, QUANTUM, 0)).toBe(false);
    expect(favoured.link.sliceLeft).toBe(QUANTUM);
  });

  it("lets a higher level preempt a lower one, never an equal or lower one", () => {
    const queue = queueWith();
    expect(queue.preemptsCurrent(normal(1, 0), normal(2, -1))).toBe(true);
    expect(queue.preemptsCurrent(normal(1, 0), normal(2, 0))).toBe(false);
    expect(queue.preemptsCurrent(normal(1, -1), normal(2, 0))).toBe(false);
  });

  it("resumes a preempted task at the head of its level with the quantum it had left", () => {
    const [a, b, urgent] = [normal(1), normal(2), normal(3, -10)];
    const queue = queueWith(a, b);
    queue.pickNext(0);
    queue.charge(a, 3 * MS, 0);
    queue.enqueue(urgent, ENQUEUE.WAKEUP, 0);
    queue.putPrevious(a, true, 0);
    expect(queue.snapshot().map((entry) => entry.id)).toEqual([3, 1, 2]);
    expect(queue.pickNext(0)).toBe(urgent);
    queue.dequeue(urgent, 0);
    expect(queue.pickNext(0)).toBe(a);
    expect(a.link.sliceLeft).toBe(7 * MS);
  });

  it("sends a yielding task to the back of its level", () => {
    const [a, b, c] = [normal(1), normal(2), normal(3)];
    const queue = queueWith(a, b, c);
    queue.pickNext(0);
    queue.yieldCurrent(a, 0);
    queue.putPrevious(a, false, 0);
    expect(queue.pickNext(0)).toBe(b);
    expect(queue.snapshot().map((entry) => entry.id)).toEqual([3, 1]);
  });

  it("offers only waiting tasks whose affinity allows the CPU, highest level first", () => {
    const running = normal(1, -20);
    const pinned = new Task({ id: 2, nice: -10, affinity: CpuSet.of(0) });
    const movable = new Task({ id: 3, nice: 5, affinity: CpuSet.of(1, 3) });
    const queue = queueWith(running, pinned, movable);
    queue.pickNext(0);
    expect(queue.stealable(1)).toBe(movable);
    expect(queue.stealable(0)).toBe(pinned);
    expect(queue.stealable(2)).toBeNull();
  });

  it("moves a waiting task to the back of its new level when nice changes", () => {
    const [a, b, c] = [normal(1, 10), normal(2, 0), normal(3, 0)];
    const queue = queueWith(a, b, c);
    a.nice = 0;
    queue.reprioritize(a, 0);
    expect(queue.snapshot().map((entry) => [entry.id, entry.key])).toEqual([
      [2, 19],
      [3, 19],
      [1, 19],
    ]);
    c.nice = -3;
    queue.reprioritize(c, 0);
    expect(queue.pickNext(0)).toBe(c);
  });

  it("snapshots waiting tasks highest level first with the quantum left", () => {
    const queue = queueWith(normal(1, 19), normal(2, -20), normal(3, 0), normal(4, 0));
    const snapshot = queue.snapshot();
    expect(snapshot.map((entry) => entry.id)).toEqual([2, 3, 4, 1]);
    expect(snapshot[0]).toEqual({
      id: 2,
      name: "task-2",
      key: 39,
      deadline: 0,
      sliceLeft: QUANTUM,
      eligible: true,
    });
    expect([queue.count, queue.load]).toEqual([4, 4]);
  });
});

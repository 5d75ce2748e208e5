import { describe, expect, it } from "vitest";
import { CpuSet } from "./cpu-set";
import { ENQUEUE } from "./policy";
import { RealtimePolicy, type RealtimeQueue } from "./realtime-policy";
import { SCHED_CLASS, Task } from "./task";

const MS = 1_000_000;
const SLICE = 100 * MS;

function fifo(id: number, rtPriority: number): Task {
  return new Task({ id, schedClass: SCHED_CLASS.FIFO, rtPriority });
}

function roundRobin(id: number, rtPriority: number): Task {
  return new Task({ id, schedClass: SCHED_CLASS.RR, rtPriority });
}

function queueWith(...tasks: Task[]): RealtimeQueue {
  const queue = new RealtimePolicy().createQueue(0);
  for (const task of tasks) queue.enqueue(task, ENQUEUE.NEW, 0);
  return queue;
}

/** Runs `slices` turns of a slice each, the way the run queue drives the protocol; returns who ran. */
function runSlices(queue: RealtimeQueue, slices: number): number[] {
  const ran: number[] = [];
  for (let turn = 0; turn < slices; turn++) {
    const task = queue.pickNext(0)!;
    ran.push(task.id);
    expect(queue.charge(task, SLICE, 0)).toBe(true);
    queue.putPrevious(task, false, 0);
  }
  return ran;
}

describe("RealtimePolicy", () => {
  it("takes FIFO and RR tasks only, and checks its slice", () => {
    const policy = new RealtimePolicy();
    expect(policy.name).toBe("rt");
    expect(policy.rrSliceNs).toBe(SLICE);
    expect(policy.handles(fifo(1, 1))).toBe(true);
    expect(policy.handles(roundRobin(2, 99))).toBe(true);
    expect(policy.handles(new Task({ id: 3 }))).toBe(false);
    expect(() => new RealtimePolicy({ rrSliceNs: 0 })).toThrow(RangeError);
  });

  it("never time-slices a FIFO task, even with a peer of equal priority waiting", () => {
    const [a, b] = [fifo(1, 50), fifo(2, 50)];
    const queue = queueWith(a, b);
    expect(queue.pickNext(0)).toBe(a);
    for (let second = 0; second < 10; second++) expect(queue.charge(a, 1000 * MS, 0)).toBe(false);
    expect(a.link.sliceLeft).toBe(0);
    expect(queue.snapshot()).toEqual([
      { id: 2, name: "task-2", key: 50, deadline: 0, sliceLeft: 0, eligible: true },
    ]);
  });

  it("rotates RR tasks of equal priority slice by slice, in arrival order", () => {
    const queue = queueWith(roundRobin(1, 10), roundRobin(2, 10), roundRobin(3, 10));
    expect(runSlices(queue, 7)).toEqual([1, 2, 3, 1, 2, 3, 1]);
  });

  it("ends an RR slice only when its whole length has run, and refills it", () => {
    const [a, b] = [roundRobin(1, 10), roundRobin(2, 10)];
    const queue = queueWith(a, b);
    queue.pickNext(0);
    expect(queue.charge(a, 60 * MS, 0)).toBe(false);
    expect(a.link.sliceLeft).toBe(40 * MS);
    expect(queue.charge(a, 40 * MS, 0)).toBe(true);
    queue.putPrevious(a, false, 0);
    expect(a.link.sliceLeft).toBe(SLICE);
    expect(queue.snapshot().map((entry) => entry.id)).toEqual([2, 1]);
  });

  it("keeps an RR task running with a fresh slice when nothing of its priority or above waits", () => {
    const [a, lower] = [roundRobin(1, 40), roundRobin(2, 39)];
    const queue = queueWith(a, lower);
    expect(queue.pickNext(0)).toBe(a);
    expect(queue.charge(a, SLICE, 0)).toBe(false);
    expect(a.link.sliceLeft).toBe(SLICE);
  });

  it("lets a higher priority preempt a lower one, never an equal or lower one", () => {
    const queue = queueWith();
    const [low, high] = [fifo(1, 10), roundRobin(2, 11)];
    expect(queue.preemptsCurrent(low, high)).toBe(true);
    expect(queue.preemptsCurrent(high, low)).toBe(false);
    expect(queue.preemptsCurrent(low, fifo(3, 10))).toBe(false);
    expect(queue.preemptsCurrent(new Task({ id: 4 }), low)).toBe(true);
  });

  it("resumes a preempted task at the head of its level with the slice it had left", () => {
    const [a, b, urgent] = [roundRobin(1, 10), roundRobin(2, 10), fifo(3, 90)];
    const queue = queueWith(a, b);
    queue.pickNext(0);
    queue.charge(a, 30 * MS, 0);
    queue.enqueue(urgent, ENQUEUE.WAKEUP, 0);
    expect(queue.preemptsCurrent(a, urgent)).toBe(true);
    queue.putPrevious(a, true, 0);
    expect(queue.pickNext(0)).toBe(urgent);
    queue.dequeue(urgent, 0);
    expect(queue.pickNext(0)).toBe(a);
    expect(a.link.sliceLeft).toBe(70 * MS);
  });

  it("keeps a FIFO task at the head when it is switched out without yielding", () => {
    const [a, b] = [fifo(1, 10), fifo(2, 10)];
    const queue = queueWith(a, b);
    queue.pickNext(0);
    queue.putPrevious(a, false, 0);
    expect(queue.pickNext(0)).toBe(a);
  });

  it("sends a yielding task to the back of its level, even if also preempted", () => {
    const [a, b, c] = [fifo(1, 10), fifo(2, 10), fifo(3, 10)];
    const queue = queueWith(a, b, c);
    queue.pickNext(0);
    queue.yieldCurrent(a, 0);
    queue.putPrevious(a, true, 0);
    expect(queue.snapshot().map((entry) => entry.id)).toEqual([2, 3, 1]);
    expect(queue.pickNext(0)).toBe(b);
  });

  it("counts the running task in the load but not in count", () => {
    const [a, b] = [fifo(1, 10), roundRobin(2, 20)];
    const queue = queueWith(a, b);
    expect([queue.count, queue.load]).toEqual([2, 2]);
    expect(queue.pickNext(0)).toBe(b);
    expect([queue.count, queue.load]).toEqual([1, 2]);
    queue.dequeue(b, 0);
    expect([queue.count, queue.load]).toEqual([1, 1]);
    queue.dequeue(a, 0);
    expect([queue.count, queue.load]).toEqual([0, 0]);
    expect(queue.pickNext(0)).toBeNull();
    expect(() => queue.dequeue(a, 0)).toThrow(Error);
  });

  it("gives a fresh slice on NEW and WAKEUP, keeps what is left on REQUEUE and MIGRATED", () => {
    const task = roundRobin(1, 10);
    const queue = queueWith();
    task.link.sliceLeft = 5 * MS;
    queue.enqueue(task, ENQUEUE.REQUEUE, 0);
    expect(task.link.sliceLeft).toBe(5 * MS);
    queue.dequeue(task, 0);
    queue.enqueue(task, ENQUEUE.MIGRATED, 0);
    expect(task.link.sliceLeft).toBe(5 * MS);
    queue.dequeue(task, 0);
    queue.enqueue(task, ENQUEUE.WAKEUP, 0);
    expect(task.link.sliceLeft).toBe(SLICE);
  });

  it("offers only waiting tasks whose affinity allows the CPU, highest priority first", () => {
    const running = fifo(1, 99);
    const pinned = new Task({ id: 2, schedClass: SCHED_CLASS.FIFO, rtPriority: 80, affinity: CpuSet.of(0) });
    const movable = new Task({
      id: 3,
      schedClass: SCHED_CLASS.RR,
      rtPriority: 20,
      affinity: CpuSet.of(0, 1),
    });
    const other = new Task({ id: 4, schedClass: SCHED_CLASS.RR, rtPriority: 50, affinity: CpuSet.of(2) });
    const queue = queueWith(running, pinned, movable, other);
    expect(queue.pickNext(0)).toBe(running);
    expect(queue.stealable(1)).toBe(movable);
    expect(queue.stealable(2)).toBe(other);
    expect(queue.stealable(0)).toBe(pinned);
    expect(queue.stealable(3)).toBeNull();
  });

  it("moves a waiting task to the back of its new level when its priority changes", () => {
    const [a, b, c] = [fifo(1, 10), fifo(2, 30), fifo(3, 30)];
    const queue = queueWith(a, b, c);
    a.rtPriority = 30;
    queue.reprioritize(a, 0);
    expect(queue.snapshot().map((entry) => [entry.id, entry.key])).toEqual([
      [2, 30],
      [3, 30],
      [1, 30],
    ]);
    b.rtPriority = 5;
    queue.reprioritize(b, 0);
    expect(queue.pickNext(0)).toBe(c);
  });

  it("leaves a task's place alone when its level does not change", () => {
    const [a, b] = [fifo(1, 10), fifo(2, 10)];
    const queue = queueWith(a, b);
    queue.reprioritize(a, 0);
    expect(queue.pickNext(0)).toBe(a);
  });

  it("snapshots waiting tasks highest priority first, FIFO within a priority, as plain JSON", () => {
    const queue = queueWith(fifo(1, 10), roundRobin(2, 60), roundRobin(3, 10), fifo(4, 99));
    const snapshot = queue.snapshot();
    expect(snapshot.map((entry) => entry.id)).toEqual([4, 2, 1, 3]);
    expect(snapshot[1]).toEqual({
      id: 2,
      name: "task-2",
      key: 60,
      deadline: 0,
      sliceLeft: SLICE,
      eligible: true,
    });
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});

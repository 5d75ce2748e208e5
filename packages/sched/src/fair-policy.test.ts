import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FairPolicy, type FairQueue } from "./fair-policy";
import { ENQUEUE } from "./policy";
import { Task } from "./task";

const MS = 1_000_000;

function queueWith(count: number): { queue: FairQueue; tasks: Task[] } {
  const queue = new FairPolicy().createQueue(0);
  const tasks = Array.from({ length: count }, (_, id) => new Task({ id }));
  for (const task of tasks) queue.enqueue(task, ENQUEUE.NEW, 0);
  return { queue, tasks };
}

/** V recomputed from scratch over the load. */
function exactAverage(members: readonly Task[]): number {
  let weights = 0;
  let sum = 0;
  for (const task of members) {
    weights += task.fair.weight;
    sum += task.fair.vruntime * task.fair.weight;
  }
  return sum / weights;
}

describe("EEVDF queue", () => {
  it("picks the eligible task with the earliest deadline, not the smallest vruntime", () => {
    const queue = new FairPolicy().createQueue(0);
    const [a, b, c] = [0, 1, 2].map((id) => new Task({ id })) as [Task, Task, Task];
    a.fair.vruntime = 0;
    a.fair.deadline = 50;
    b.fair.vruntime = 10;
    b.fair.deadline = 20;
    c.fair.vruntime = 100;
    c.fair.deadline = 5;
    for (const task of [a, b, c]) queue.enqueue(task, ENQUEUE.REQUEUE, 0);
    // V = (0 + 10 + 100) / 3 ≈ 36.7: a and b are eligible, c is not despite its deadline.
    expect(queue.eligible(c)).toBe(false);
    expect(queue.pickNext(0)).toBe(b);
  });

  it("a new task's first request is half a slice; later requests a full adaptive slice", () => {
    const { queue, tasks } = queueWith(4);
    for (const task of tasks)
      expect(task.fair.deadline - task.fair.vruntime).toBeCloseTo(task.fair.slice / 2, 6);
    const next = queue.pickNext(0)!;
    expect(queue.charge(next, 10 * MS, 0)).toBe(true);
    expect(next.fair.slice).toBe(1.5 * MS);
    expect(next.fair.deadline - next.fair.vruntime).toBeCloseTo(1.5 * MS, 6);
  });

  it("a sleeper's lag is kept and clamped: placed back at V − lag", () => {
    const { queue, tasks } = queueWith(3);
    const sleeper = tasks[0]!;
    queue.dequeue(sleeper, 0);
    for (let round = 0; round < 1000; round++) {
      const task = queue.pickNext(0)!;
      queue.charge(task, MS, 0);
      queue.putPrevious(task, false, 0);
    }
    // The lag taken at sleep was bounded; placement is at V − lag·(W+w)/W.
    const before = queue.averageVruntime();
    queue.enqueue(sleeper, ENQUEUE.WAKEUP, 0);
    const limit = (Math.max(2 * sleeper.fair.slice, 4 * MS) * 1024) / sleeper.fair.weight;
    expect(Math.abs(sleeper.fair.lag)).toBeLessThanOrEqual(limit);
    expect(before - sleeper.fair.vruntime).toBeCloseTo((sleeper.fair.lag * (2048 + 1024)) / 2048, 3);
  });

  it("property: any sequence of operations keeps the treap, the min-vruntime augmentation and V exact", () => {
    type Op = { kind: number; pick: number; amount: number };
    const op = fc.record({
      kind: fc.integer({ min: 0, max: 7 }),
      pick: fc.nat(),
      amount: fc.integer({ min: 1, max: 5 * MS }),
    });
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 100, maxLength: 300 }),
        // Past 16 and 32 tasks the node store grows.
        fc.integer({ min: 1, max: 40 }),
        (ops: Op[], size) => {
          const queue = new FairPolicy({ seed: size }).createQueue(0);
          const tasks = Array.from({ length: size }, (_, id) => new Task({ id, nice: ((id * 7) % 40) - 20 }));
          const queued = new Set<Task>();
          const asleep = new Set<Task>(tasks);
          let current: Task | null = null;
          for (const { kind, pick, amount } of ops) {
            const sleepers = [...asleep];
            const waiting = [...queued];
            if (kind <= 1 && sleepers.length > 0) {
              const task = sleepers[pick % sleepers.length]!;
              queue.enqueue(task, kind === 0 ? ENQUEUE.WAKEUP : ENQUEUE.NEW, 0);
              asleep.delete(task);
              queued.add(task);
            } else if (kind === 2 && current === null) {
              // The model: the eligible task with the earliest (deadline, id), else the earliest of all.
              const earliest = (candidates: Task[]) =>
                candidates.reduce<Task | null>(
                  (best, task) =>
                    best === null ||
                    task.fair.deadline < best.fair.deadline ||
                    (task.fair.deadline === best.fair.deadline && task.id < best.id)
                      ? task
                      : best,
                  null,
                );
              const expected = earliest(waiting.filter((task) => queue.eligible(task))) ?? earliest(waiting);
              current = queue.pickNext(0);
              expect(current).toBe(expected);
              if (current !== null) queued.delete(current);
            } else if (kind === 3 && current !== null) {
              queue.charge(current, amount, 0);
            } else if (kind === 4 && current !== null) {
              queue.putPrevious(current, pick % 2 === 0, 0);
              queued.add(current);
              current = null;
            } else if (kind === 5 && current !== null) {
              queue.dequeue(current, 0);
              asleep.add(current);
              current = null;
            } else if (kind === 6 && waiting.length > 0) {
              const task = waiting[pick % waiting.length]!;
              queue.dequeue(task, 0);
              queued.delete(task);
              asleep.add(task);
            } else if (kind === 7) {
              const task = tasks[pick % tasks.length]!;
              task.nice = (pick % 40) - 20;
              queue.reprioritize(task, 0);
            }
            queue.verify();
            const members = current === null ? [...queued] : [...queued, current];
            expect(queue.count).toBe(queued.size);
            expect(queue.load).toBe(members.length);
            if (members.length > 0) {
              const exact = exactAverage(members);
              // Float error of the incremental sums grows with what they summed; 1 ps is far below any real error.
              const scale = Math.max(1, ...members.map((task) => Math.abs(task.fair.vruntime)));
              expect(Math.abs(queue.averageVruntime() - exact)).toBeLessThanOrEqual(
                1e-9 * scale * members.length + 1e-3,
              );
            }
          }
        },
      ),
      { numRuns: 300, seed: 0x5eed },
    );
  });

  it("property: a pick from a queue holding the whole load is always eligible", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 8 * MS }), { minLength: 50, maxLength: 200 }),
        (charges) => {
          const { queue } = queueWith(6);
          for (const ns of charges) {
            const task = queue.pickNext(0)!;
            expect(queue.eligible(task) || queue.count === 0).toBe(true);
            queue.charge(task, ns, 0);
            queue.putPrevious(task, false, 0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

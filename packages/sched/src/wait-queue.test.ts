import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "../test/simulation";
import { TASK_STATE, Task } from "./task";
import { TimerQueue } from "./timer-queue";
import { ETIMEDOUT, expireWaitTimeouts, WaitQueue, type WaitQueueTimer } from "./wait-queue";

/** A waker that records, and a continuation that records. */
function harness(timers: TimerQueue<WaitQueueTimer> | null = null) {
  const woken: number[] = [];
  const finished: string[] = [];
  const queue = new WaitQueue(
    {
      wake: (task) => {
        expect(task.link.level).toBe(-1);
        woken.push(task.id);
        task.state = TASK_STATE.RUNNABLE;
      },
    },
    timers,
  );
  const wait = (id: number, exclusive = false, timeoutAt?: number) => {
    const task = new Task({ id });
    task.state = TASK_STATE.BLOCKED;
    queue.add(task, {
      exclusive,
      continuation: {
        complete: (result) => finished.push(`${id}=${result}`),
        restart: () => finished.push(`${id} restarted`),
      },
      ...(timeoutAt === undefined ? {} : { timeoutAt }),
    });
    return task;
  };
  return { queue, woken, finished, wait };
}

describe("TimerQueue", () => {
  it("fires in deadline order, ties in insertion order; cancel removes; handles are never reused", () => {
    const timers = new TimerQueue<string>();
    const handles = [timers.add(30, "c"), timers.add(10, "a"), timers.add(10, "b"), timers.add(20, "x")];
    expect(timers.cancel(handles[3]!)).toBe(true);
    expect(timers.cancel(handles[3]!)).toBe(false);
    expect(timers.nextDeadline()).toBe(10);
    const fired: string[] = [];
    expect(timers.expire(25, (target) => fired.push(target))).toBe(2);
    expect(fired).toEqual(["a", "b"]);
    const later = timers.add(5, "late");
    expect(new Set([...handles, later]).size).toBe(5);
    timers.expire(100, (target) => fired.push(target));
    expect(fired).toEqual(["a", "b", "late", "c"]);
    expect(timers.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
  });

  it("property: matches a sorted-list model under random add / cancel / expire", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ kind: fc.integer({ min: 0, max: 2 }), value: fc.integer({ min: 0, max: 50 }) }),
          {
            minLength: 50,
            maxLength: 300,
          },
        ),
        (ops) => {
          const timers = new TimerQueue<number>();
          let model: { deadline: number; order: number; handle: number }[] = [];
          let order = 0;
          let now = 0;
          for (const { kind, value } of ops) {
            if (kind === 0) {
              const deadline = now + value;
              model.push({ deadline, order: order++, handle: timers.add(deadline, order) });
            } else if (kind === 1 && model.length > 0) {
              const victim = model[value % model.length]!;
              expect(timers.cancel(victim.handle)).toBe(true);
              model = model.filter((entry) => entry !== victim);
            } else {
              now += value;
              const due = model
                .filter((entry) => entry.deadline <= now)
                .sort((a, b) => a.deadline - b.deadline || a.order - b.order);
              const fired: number[] = [];
              timers.expire(now, (_target, handle) => fired.push(handle));
              expect(fired).toEqual(due.map((entry) => entry.handle));
              model = model.filter((entry) => entry.deadline > now);
            }
            expect(timers.size).toBe(model.length);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("WaitQueue", () => {
  it("wake-one releases every non-exclusive waiter and the first exclusive one, in order", () => {
    const { queue, woken, finished, wait } = harness();
    wait(1, true);
    wait(2, true);
    wait(3);
    wait(4);
    expect(queue.wakeOne(7)).toBe(3);
    expect(woken).toEqual([4, 3, 1]);
    expect(finished).toEqual(["4=7", "3=7", "1=7"]);
    expect(queue.tasks().map((task) => task.id)).toEqual([2]);
    expect(queue.wakeAll()).toBe(1);
    expect(queue.size).toBe(0);
  });

  it("the continuation completes before the waker makes the task runnable", () => {
    const events: string[] = [];
    const queue = new WaitQueue({ wake: (task) => events.push(`wake ${task.id}`) });
    const task = new Task({ id: 9 });
    queue.add(task, {
      continuation: { complete: (result) => events.push(`complete ${result}`), restart: () => {} },
    });
    queue.wakeOne(3);
    expect(events).toEqual(["complete 3", "wake 9"]);
  });

  it("a timeout completes with -ETIMEDOUT and wakes exactly once; a wake before it cancels the timer", () => {
    const timers = new TimerQueue<WaitQueueTimer>();
    const { queue, woken, finished, wait } = harness(timers);
    wait(1, false, 100);
    wait(2, false, 200);
    expect(expireWaitTimeouts(timers, 150)).toBe(1);
    expect(finished).toEqual([`1=${-ETIMEDOUT}`]);
    queue.wakeAll(5);
    expect(timers.size).toBe(0);
    expect(expireWaitTimeouts(timers, 1000)).toBe(0);
    expect(woken).toEqual([1, 2]);
    expect(finished).toEqual([`1=${-ETIMEDOUT}`, "2=5"]);
  });

  it("interrupt restarts the call; remove takes a waiter out silently; misuse throws", () => {
    const { queue, woken, finished, wait } = harness();
    const a = wait(1);
    const b = wait(2);
    queue.interrupt(a);
    queue.remove(b);
    expect(finished).toEqual(["1 restarted"]);
    expect(woken).toEqual([1]);
    expect(() => queue.remove(b)).toThrow(/not waiting/);
    const c = wait(3);
    expect(() => queue.add(c)).toThrow(/already linked/);
    expect(() => wait(3, false, 10)).toThrow(/TimerQueue/);
  });

  it("property: every waiter is woken at most once and is in at most one place", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.integer({ min: 0, max: 5 }), pick: fc.nat() }), {
          minLength: 50,
          maxLength: 300,
        }),
        (ops) => {
          const timers = new TimerQueue<WaitQueueTimer>();
          const wakes = new Map<number, number>();
          const queues = [0, 1].map(
            () =>
              new WaitQueue(
                {
                  wake: (task) => {
                    wakes.set(task.id, (wakes.get(task.id) ?? 0) + 1);
                    task.state = TASK_STATE.RUNNABLE;
                  },
                },
                timers,
              ),
          );
          const tasks = Array.from({ length: 8 }, (_, id) => new Task({ id }));
          let now = 0;
          for (const { kind, pick } of ops) {
            const queue = queues[pick % 2]!;
            const task = tasks[pick % tasks.length]!;
            if (kind <= 1 && task.link.level === -1) {
              wakes.set(task.id, 0);
              task.state = TASK_STATE.BLOCKED;
              queue.add(task, {
                exclusive: kind === 1,
                ...(pick % 3 === 0 ? { timeoutAt: now + (pick % 50) } : {}),
              });
            } else if (kind === 2) queue.wakeOne();
            else if (kind === 3) queue.wakeAll();
            else if (kind === 4 && queue.has(task)) queue.interrupt(task);
            else {
              now += pick % 20;
              expireWaitTimeouts(timers, now);
            }
            for (const each of tasks) {
              const places = queues.filter((q) => q.has(each)).length;
              expect(places).toBeLessThanOrEqual(1);
              expect(places === 1).toBe(each.state === TASK_STATE.BLOCKED);
              expect(wakes.get(each.id) ?? 0).toBeLessThanOrEqual(1);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("with the scheduler as waker: a blocked task sleeps on the queue and runs again when woken", () => {
    const sim = new Simulation();
    const queue = new WaitQueue({ wake: (task) => sim.scheduler.wake(task, 0) });
    const [first] = [sim.spawn(), sim.spawn()];
    sim.run(3_000_000);
    const sleeper = sim.scheduler.current(0);
    sim.scheduler.block(0);
    queue.add(sleeper);
    sim.scheduler.schedule(0);
    sim.run(20_000_000);
    const slept = sleeper.accounting.userTime;
    expect(sleeper.state).toBe(TASK_STATE.BLOCKED);
    queue.wakeOne();
    expect(sleeper.state).toBe(TASK_STATE.RUNNABLE);
    sim.run(20_000_000);
    expect(sleeper.accounting.userTime).toBeGreaterThan(slept);
    expect(first).toBeDefined();
  });
});

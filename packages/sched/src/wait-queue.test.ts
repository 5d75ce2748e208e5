import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "../test/simulation";
import { TASK_STATE, Task } from "./task";
import { TimerQueue } from "./timer-queue";
import {
  EINTR,
  ETIMEDOUT,
  expireWaitTimeouts,
  WAITING_LEVEL,
  type WaitContinuation,
  WaitQueue,
  type WaitQueueTimer,
  type Waker,
} from "./wait-queue";

/** A fake scheduler: records whom it wakes, checks they left the queue, and makes them runnable. */
function recordingWaker(log: string[] = []) {
  const woken: number[] = [];
  const waker: Waker = {
    wake: (task) => {
      expect(task.link.level).toBe(-1);
      expect(task.state).toBe(TASK_STATE.BLOCKED);
      woken.push(task.id);
      log.push(`wake ${task.id}`);
      task.state = TASK_STATE.RUNNABLE;
    },
  };
  return { waker, woken };
}

function recordingContinuation(id: number, log: string[]): WaitContinuation {
  return {
    complete: (result) => log.push(`${id}=${result}`),
    restart: () => log.push(`${id} restarted`),
  };
}

function blockedTask(id: number): Task {
  const task = new Task({ id });
  task.state = TASK_STATE.BLOCKED;
  return task;
}

function harness(timers: TimerQueue<WaitQueueTimer> | null = null) {
  const log: string[] = [];
  const { waker, woken } = recordingWaker(log);
  const queue = new WaitQueue(waker, timers);
  const wait = (
    id: number,
    options: { exclusive?: boolean; timeoutAt?: number; timeoutResult?: number } = {},
  ) => {
    const task = blockedTask(id);
    queue.add(task, { ...options, continuation: recordingContinuation(id, log) });
    return task;
  };
  return { queue, woken, log, wait };
}

const ids = (tasks: Task[]) => tasks.map((task) => task.id);

describe("WaitQueue: order and wake-ups", () => {
  it("links waiters through task.link at level -2: non-exclusive at the head, exclusive at the tail", () => {
    const { queue, wait } = harness();
    const a = wait(1, { exclusive: true });
    wait(2, { exclusive: true });
    wait(3);
    wait(4);
    expect(ids(queue.tasks())).toEqual([4, 3, 1, 2]);
    expect(a.link.level).toBe(WAITING_LEVEL);
    expect(queue.size).toBe(4);
    expect(queue.has(a)).toBe(true);
  });

  it("wake-one wakes every non-exclusive waiter and exactly one exclusive, exclusives in FIFO order", () => {
    const { queue, woken, log, wait } = harness();
    wait(1, { exclusive: true });
    wait(2, { exclusive: true });
    wait(3);
    wait(4);
    wait(5, { exclusive: true });
    expect(queue.wakeOne(7)).toBe(3);
    expect(woken).toEqual([4, 3, 1]);
    expect(log.filter((line) => line.includes("="))).toEqual(["4=7", "3=7", "1=7"]);
    expect(ids(queue.tasks())).toEqual([2, 5]);
    expect(queue.wakeOne()).toBe(1);
    expect(queue.wakeOne()).toBe(1);
    expect(woken).toEqual([4, 3, 1, 2, 5]);
    expect(queue.wakeOne()).toBe(0);
  });

  it("wakeAll wakes everyone, head first, and leaves the queue empty", () => {
    const { queue, woken, wait } = harness();
    const tasks = [wait(1, { exclusive: true }), wait(2), wait(3, { exclusive: true }), wait(4)];
    expect(queue.wakeAll(2)).toBe(4);
    expect(woken).toEqual([4, 2, 1, 3]);
    expect(queue.size).toBe(0);
    expect(queue.tasks()).toEqual([]);
    for (const task of tasks) {
      expect(queue.has(task)).toBe(false);
      expect(task.link.next).toBeNull();
      expect(task.link.previous).toBeNull();
      expect(task.state).toBe(TASK_STATE.RUNNABLE);
    }
    expect(queue.wakeAll()).toBe(0);
  });

  it("wakeUpTo(n) releases the non-exclusive waiters and n exclusive ones; 0 releases only the former", () => {
    const { queue, woken, wait } = harness();
    for (const id of [1, 2, 3]) wait(id, { exclusive: true });
    wait(4);
    expect(queue.wakeUpTo(0)).toBe(1);
    expect(woken).toEqual([4]);
    expect(queue.wakeUpTo(2)).toBe(2);
    expect(woken).toEqual([4, 1, 2]);
    expect(() => queue.wakeUpTo(-1)).toThrow(RangeError);
    expect(() => queue.wakeUpTo(1.5)).toThrow(RangeError);
    expect(() => queue.wakeUpTo(Number.NaN)).toThrow(RangeError);
    expect(queue.size).toBe(1);
  });

  it("the continuation completes with the result before the waker runs, with the task already off the queue", () => {
    const log: string[] = [];
    const queue: WaitQueue = new WaitQueue({
      wake: (task) => {
        expect(queue.has(task)).toBe(false);
        log.push(`wake ${task.id}`);
      },
    });
    const task = blockedTask(9);
    queue.add(task, {
      continuation: {
        complete: (result) => {
          expect(queue.has(task)).toBe(false);
          log.push(`complete ${result}`);
        },
        restart: () => log.push("restart"),
      },
    });
    queue.wakeOne(3);
    const other = blockedTask(10);
    queue.add(other, { continuation: recordingContinuation(10, log) });
    queue.wakeAll();
    expect(log).toEqual(["complete 3", "wake 9", "10=0", "wake 10"]);
  });

  it("a waiter without a continuation is just woken", () => {
    const { waker, woken } = recordingWaker();
    const queue = new WaitQueue(waker);
    queue.add(blockedTask(1));
    expect(queue.wakeOne()).toBe(1);
    expect(woken).toEqual([1]);
  });

  it("callbacks may touch the queue: a task re-added during a wake waits on, a removed waiter is skipped", () => {
    const log: string[] = [];
    const readded: number[] = [];
    const queue: WaitQueue = new WaitQueue({
      wake: (task) => {
        log.push(`wake ${task.id}`);
        if (task.id === 1 && readded.length === 0) {
          readded.push(task.id);
          queue.add(task); // state stays BLOCKED in this fake: it waits again
        }
        if (task.id === 2) queue.remove(third);
      },
    });
    const first = blockedTask(1);
    const second = blockedTask(2);
    const third = blockedTask(3);
    queue.add(third, { exclusive: true });
    queue.add(second);
    queue.add(first);
    expect(queue.wakeAll()).toBe(2);
    expect(log).toEqual(["wake 1", "wake 2"]);
    expect(ids(queue.tasks())).toEqual([1]);
  });
});

describe("WaitQueue: timeouts", () => {
  it("a timeout completes with -ETIMEDOUT and wakes exactly once; a wake before it cancels the timer", () => {
    const timers = new TimerQueue<WaitQueueTimer>();
    const { queue, woken, log, wait } = harness(timers);
    wait(1, { timeoutAt: 100 });
    wait(2, { timeoutAt: 200 });
    expect(timers.nextDeadline()).toBe(100);
    expect(queue.expireTimeouts(150)).toBe(1);
    expect(log).toEqual([`1=${-ETIMEDOUT}`, "wake 1"]);
    expect(-ETIMEDOUT).toBe(-110);
    expect(ids(queue.tasks())).toEqual([2]);
    expect(queue.wakeAll(5)).toBe(1);
    expect(timers.size).toBe(0);
    expect(timers.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
    expect(queue.expireTimeouts(1000)).toBe(0);
    expect(woken).toEqual([1, 2]);
    expect(log).toEqual([`1=${-ETIMEDOUT}`, "wake 1", "2=5", "wake 2"]);
  });

  it("timeoutResult overrides the result; remove and interrupt cancel the timer too", () => {
    const timers = new TimerQueue<WaitQueueTimer>();
    const { queue, log, wait } = harness(timers);
    wait(1, { timeoutAt: 10, timeoutResult: 0 });
    const removed = wait(2, { timeoutAt: 10 });
    const interrupted = wait(3, { timeoutAt: 10 });
    queue.remove(removed);
    queue.interrupt(interrupted);
    expect(timers.size).toBe(1);
    expect(expireWaitTimeouts(timers, 10)).toBe(1);
    expect(log).toEqual(["3 restarted", "wake 3", "1=0", "wake 1"]);
  });

  it("one TimerQueue serves several wait queues, firing in deadline order across them", () => {
    const timers = new TimerQueue<WaitQueueTimer>();
    const log: string[] = [];
    const { waker } = recordingWaker(log);
    const queues = [new WaitQueue(waker, timers), new WaitQueue(waker, timers)];
    for (const [id, queueIndex, deadline] of [
      [1, 0, 30],
      [2, 1, 10],
      [3, 0, 20],
    ] as const)
      queues[queueIndex]!.add(blockedTask(id), { timeoutAt: deadline });
    expect(queues[0]!.expireTimeouts(25)).toBe(2);
    expect(log).toEqual(["wake 2", "wake 3"]);
    expect(queues[1]!.size).toBe(0);
    expect(ids(queues[0]!.tasks())).toEqual([1]);
  });

  it("a reused wait record ignores its previous wait's timer", () => {
    const timers = new TimerQueue<WaitQueueTimer>();
    const { queue, woken, wait } = harness(timers);
    const task = wait(1, { timeoutAt: 10 });
    queue.wakeOne();
    task.state = TASK_STATE.BLOCKED;
    queue.add(task, { timeoutAt: 50 }); // same pooled record, new timer
    expect(queue.expireTimeouts(20)).toBe(0);
    expect(queue.has(task)).toBe(true);
    expect(queue.expireTimeouts(50)).toBe(1);
    expect(woken).toEqual([1, 1]);
  });
});

describe("WaitQueue: wake one chosen waiter, requeue", () => {
  it("wake(task) ends only that wait, with the result, wherever it stands", () => {
    const { queue, log, wait } = harness();
    wait(1, { exclusive: true });
    const middle = wait(2, { exclusive: true });
    wait(3, { exclusive: true });
    expect(queue.first?.id).toBe(1);
    queue.wake(middle, 7);
    expect(log).toEqual(["2=7", "wake 2"]);
    expect(ids(queue.tasks())).toEqual([1, 3]);
    expect(() => queue.wake(middle)).toThrow(/not waiting/);
  });

  it("requeue moves a waiter with its call, order and timeout; nothing wakes until the target does", () => {
    const timers = new TimerQueue<WaitQueueTimer>();
    const log: string[] = [];
    const { waker, woken } = recordingWaker(log);
    const source = new WaitQueue(waker, timers);
    const target = new WaitQueue(waker, timers);
    const tasks = [1, 2, 3].map((id) => {
      const task = blockedTask(id);
      (id === 1 ? target : source).add(task, {
        exclusive: true,
        continuation: recordingContinuation(id, log),
        ...(id === 3 ? { timeoutAt: 40 } : {}),
      });
      return task;
    });
    source.requeue(tasks[1]!, target);
    source.requeue(tasks[2]!, target);
    expect(source.size).toBe(0);
    expect(ids(target.tasks())).toEqual([1, 2, 3]);
    expect(woken).toEqual([]);
    expect(timers.size).toBe(1);
    expect(target.expireTimeouts(40)).toBe(1);
    expect(log).toEqual([`3=${-ETIMEDOUT}`, "wake 3"]);
    expect(target.wakeUpTo(2, 0)).toBe(2);
    expect(woken).toEqual([3, 1, 2]);
  });
});

describe("WaitQueue: interrupt, remove, misuse", () => {
  it("interrupt restarts the call and wakes; with restart false it completes with -EINTR", () => {
    const { queue, woken, log, wait } = harness();
    const a = wait(1);
    const b = wait(2, { exclusive: true });
    queue.interrupt(a);
    queue.interrupt(b, false);
    expect(log).toEqual(["1 restarted", "wake 1", `2=${-EINTR}`, "wake 2"]);
    expect(woken).toEqual([1, 2]);
    expect(queue.size).toBe(0);
  });

  it("remove takes a waiter out without finishing or waking it, and unlinks it", () => {
    const { queue, woken, log, wait } = harness();
    wait(1);
    const middle = wait(2);
    wait(3);
    queue.remove(middle);
    expect(ids(queue.tasks())).toEqual([3, 1]);
    expect(middle.link.level).toBe(-1);
    expect(middle.state).toBe(TASK_STATE.BLOCKED);
    expect(woken).toEqual([]);
    expect(log).toEqual([]);
  });

  it("misuse throws: removing or interrupting a task not queued here, adding one not blocked or already linked", () => {
    const { queue, wait } = harness();
    const other = harness();
    const task = wait(1);
    expect(() => other.queue.remove(task)).toThrow(/not waiting here/);
    expect(() => other.queue.interrupt(task)).toThrow(/not waiting here/);
    expect(() => queue.add(task)).toThrow(/already linked/);
    expect(() => other.queue.add(task)).toThrow(/already linked/);
    queue.remove(task);
    expect(() => queue.remove(task)).toThrow(/not waiting here/);
    expect(() => queue.add(new Task({ id: 2 }))).toThrow(/not BLOCKED/);
    expect(() => wait(3, { timeoutAt: 10 })).toThrow(/TimerQueue/);
    const timed = harness(new TimerQueue<WaitQueueTimer>());
    expect(() => timed.wait(4, { timeoutAt: Number.NaN })).toThrow(RangeError);
    expect(timed.queue.size).toBe(0);
    expect(queue.size).toBe(0);
  });
});

describe("WaitQueue: properties", () => {
  type Operation =
    | { kind: "add"; queue: number; task: number; exclusive: boolean; timeout: number | null }
    | { kind: "wakeOne" | "wakeAll"; queue: number }
    | { kind: "remove" | "interrupt"; queue: number; task: number }
    | { kind: "expire"; advance: number };
  const queueIndex = fc.integer({ min: 0, max: 1 });
  const taskIndex = fc.integer({ min: 0, max: 7 });
  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({
      kind: fc.constant("add" as const),
      queue: queueIndex,
      task: taskIndex,
      exclusive: fc.boolean(),
      timeout: fc.option(fc.integer({ min: 0, max: 40 })),
    }),
    fc.record({ kind: fc.constantFrom("wakeOne" as const, "wakeAll" as const), queue: queueIndex }),
    fc.record({
      kind: fc.constantFrom("remove" as const, "interrupt" as const),
      queue: queueIndex,
      task: taskIndex,
    }),
    fc.record({ kind: fc.constant("expire" as const), advance: fc.integer({ min: 0, max: 20 }) }),
  );

  it("random add / wake / remove / interrupt / expire: each task in at most one place, each ended wait woken exactly once, in the model's order", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const timers = new TimerQueue<WaitQueueTimer>();
        const woken: number[] = [];
        const finished: string[] = [];
        const waker: Waker = {
          wake: (task) => {
            if (task.state !== TASK_STATE.BLOCKED || task.link.level !== -1) throw new Error("bad wake");
            woken.push(task.id);
            task.state = TASK_STATE.RUNNABLE;
          },
        };
        const queues = [new WaitQueue(waker, timers), new WaitQueue(waker, timers)];
        const tasks = Array.from({ length: 8 }, (_, id) => new Task({ id }));
        // The model: each queue's waiters head first; each pending timeout (deadline, order).
        const model: { task: number; exclusive: boolean }[][] = [[], []];
        const deadlines = new Map<number, { deadline: number; order: number; queue: number }>();
        let order = 0;
        let now = 0;
        const where = (task: number) => model.findIndex((waiters) => waiters.some((w) => w.task === task));
        const end = (queue: number, task: number) => {
          model[queue] = model[queue]!.filter((waiter) => waiter.task !== task);
          deadlines.delete(task);
        };
        for (const step of operations) {
          const expected: number[] = [];
          woken.length = 0;
          if (step.kind === "add") {
            const task = tasks[step.task]!;
            if (where(step.task) !== -1) {
              expect(() => queues[step.queue]!.add(task)).toThrow();
              continue;
            }
            task.state = TASK_STATE.BLOCKED;
            queues[step.queue]!.add(task, {
              exclusive: step.exclusive,
              continuation: {
                complete: (result) => finished.push(`${step.task}=${result}`),
                restart: () => finished.push(`${step.task} restarted`),
              },
              ...(step.timeout === null ? {} : { timeoutAt: now + step.timeout }),
            });
            const entry = { task: step.task, exclusive: step.exclusive };
            if (step.exclusive) model[step.queue]!.push(entry);
            else model[step.queue]!.unshift(entry);
            if (step.timeout !== null)
              deadlines.set(step.task, { deadline: now + step.timeout, order: order++, queue: step.queue });
          } else if (step.kind === "wakeOne" || step.kind === "wakeAll") {
            let exclusiveLeft = step.kind === "wakeOne" ? 1 : Number.POSITIVE_INFINITY;
            for (const waiter of [...model[step.queue]!]) {
              if (waiter.exclusive && exclusiveLeft-- === 0) break;
              expected.push(waiter.task);
              end(step.queue, waiter.task);
            }
            const count =
              step.kind === "wakeOne" ? queues[step.queue]!.wakeOne(1) : queues[step.queue]!.wakeAll(1);
            expect(count).toBe(expected.length);
          } else if (step.kind === "remove" || step.kind === "interrupt") {
            const task = tasks[step.task]!;
            if (where(step.task) !== step.queue) {
              expect(() => queues[step.queue]![step.kind](task)).toThrow(/not waiting here/);
              continue;
            }
            if (step.kind === "interrupt") expected.push(step.task);
            end(step.queue, step.task);
            queues[step.queue]![step.kind](task);
          } else if (step.kind === "expire") {
            now += step.advance;
            const due = [...deadlines.entries()]
              .filter(([, timer]) => timer.deadline <= now)
              .sort(([, a], [, b]) => a.deadline - b.deadline || a.order - b.order);
            for (const [task, timer] of due) {
              expected.push(task);
              end(timer.queue, task);
            }
            expect(expireWaitTimeouts(timers, now)).toBe(due.length);
          }
          expect(woken).toEqual(expected);
          for (const [index, queue] of queues.entries())
            expect(ids(queue.tasks())).toEqual(model[index]!.map((waiter) => waiter.task));
          expect(timers.size).toBe(deadlines.size);
          for (const task of tasks) {
            const places = queues.filter((queue) => queue.has(task)).length;
            expect(places).toBe(where(task.id) === -1 ? 0 : 1);
            expect(task.link.level).toBe(places === 1 ? WAITING_LEVEL : -1);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("WaitQueue with the scheduler", () => {
  it("a blocked task sleeps on the queue and runs again when woken", () => {
    const sim = new Simulation();
    const queue = new WaitQueue({ wake: (task) => sim.scheduler.wake(task, 0) });
    sim.spawn();
    sim.spawn();
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
  });
});

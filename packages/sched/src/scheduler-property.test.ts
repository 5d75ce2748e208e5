import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "../test/simulation";
import { CpuSet } from "./cpu-set";
import { FairQueue } from "./fair-policy";
import type { Scheduler } from "./scheduler";
import { SCHED_CLASS, TASK_STATE, type Task } from "./task";

/** Every task is in exactly one place; loads match; the fair queues' invariants hold. */
function checkPlaces(scheduler: Scheduler): void {
  const waitingAt = new Map<number, number[]>();
  for (const runQueue of scheduler.runQueues) {
    let runnableHere = 0;
    for (const queue of runQueue.queues) {
      for (const entry of queue.snapshot()) {
        const cpus = waitingAt.get(entry.id) ?? [];
        cpus.push(runQueue.cpu);
        waitingAt.set(entry.id, cpus);
        runnableHere++;
      }
      if (queue instanceof FairQueue) queue.verify();
    }
    const running = runQueue.current === runQueue.idle ? 0 : 1;
    expect(runQueue.load).toBe(runnableHere + running);
  }
  for (const task of scheduler.tasks.values()) {
    const runningOn = scheduler.runQueues.filter((runQueue) => runQueue.current === task).map((q) => q.cpu);
    const waiting = waitingAt.get(task.id) ?? [];
    const place = `${task.id}: state ${task.state}, running on [${runningOn}], waiting on [${waiting}], cpu ${task.cpu}`;
    if (task.state === TASK_STATE.RUNNING)
      expect(place).toBe(`${task.id}: state 1, running on [${task.cpu}], waiting on [], cpu ${task.cpu}`);
    else if (task.state === TASK_STATE.RUNNABLE)
      expect(place).toBe(`${task.id}: state 0, running on [], waiting on [${task.cpu}], cpu ${task.cpu}`);
    else expect(place).toBe(`${task.id}: state ${task.state}, running on [], waiting on [], cpu ${task.cpu}`);
    if (task.state === TASK_STATE.RUNNABLE || task.state === TASK_STATE.RUNNING)
      expect(task.affinity.has(task.cpu) || task.migratePending).toBe(true);
  }
}

const operation = fc.record({
  kind: fc.integer({ min: 0, max: 13 }),
  cpu: fc.nat(),
  pick: fc.nat(),
  amount: fc.integer({ min: 1, max: 3_000_000 }),
});

describe("scheduler placement (property)", () => {
  it("after any sequence of operations every task is in exactly one place", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(operation, { minLength: 100, maxLength: 250 }),
        (cpuCount, ops) => {
          const sim = new Simulation({ cpuCount, balanceIntervalNs: 2_000_000 });
          const scheduler = sim.scheduler;
          const all: Task[] = [];
          for (const { kind, cpu: rawCpu, pick, amount } of ops) {
            const cpu = rawCpu % cpuCount;
            const live = all.filter((task) => task.state !== TASK_STATE.ZOMBIE);
            const some = live.length > 0 ? live[pick % live.length]! : undefined;
            const current = scheduler.current(cpu);
            const busy = current !== scheduler.runQueues[cpu]!.idle;
            switch (kind) {
              case 0:
                all.push(
                  sim.spawn(
                    pick % 5 === 0
                      ? {
                          schedClass: pick % 2 === 0 ? SCHED_CLASS.FIFO : SCHED_CLASS.RR,
                          rtPriority: 1 + (pick % 99),
                        }
                      : {
                          nice: (pick % 40) - 20,
                          ...(pick % 3 === 0 ? { affinity: CpuSet.of(pick % cpuCount) } : {}),
                        },
                    pick % 2 === 0 ? cpu : -1,
                  ),
                );
                break;
              case 1:
                sim.now += amount;
                scheduler.tick(cpu);
                break;
              case 2: {
                // When the scheduler says there is nothing to do, schedule really does nothing.
                const wanted = scheduler.wantsSchedule(cpu);
                const before = [scheduler.current(cpu), scheduler.runQueues[cpu]!.stats.switches];
                scheduler.schedule(cpu);
                if (!wanted)
                  expect([scheduler.current(cpu), scheduler.runQueues[cpu]!.stats.switches]).toEqual(before);
                break;
              }
              case 3:
                if (busy) {
                  scheduler.block(cpu);
                  scheduler.schedule(cpu);
                }
                break;
              case 4: {
                const sleepers = all.filter((task) => task.state === TASK_STATE.BLOCKED);
                if (sleepers.length > 0) scheduler.wake(sleepers[pick % sleepers.length]!, cpu);
                break;
              }
              case 5:
                if (busy && pick % 4 === 0) {
                  scheduler.exit(cpu);
                  scheduler.schedule(cpu);
                }
                break;
              case 6:
                if (some !== undefined && !some.realtime) scheduler.setNice(some, (pick % 40) - 20);
                break;
              case 7:
                scheduler.yield(cpu);
                scheduler.schedule(cpu);
                break;
              case 8:
                if (some !== undefined)
                  scheduler.setAffinity(some, CpuSet.of(pick % cpuCount, (pick >> 3) % cpuCount));
                break;
              case 9:
                if (some !== undefined) {
                  const classes = [SCHED_CLASS.NORMAL, SCHED_CLASS.FIFO, SCHED_CLASS.RR] as const;
                  scheduler.setScheduler(some, classes[pick % 3]!, 1 + (pick % 99));
                  if (some.cpu >= 0) scheduler.schedule(some.cpu);
                }
                break;
              case 10:
                scheduler.balance(cpu);
                break;
              case 11:
                // A running task stops itself on its own CPU, which then schedules; a queued one from anywhere.
                if (some !== undefined && scheduler.stop(some, cpu) && scheduler.current(cpu) === some)
                  scheduler.schedule(cpu);
                break;
              case 12: {
                const stopped = all.filter((task) => task.state === TASK_STATE.STOPPED);
                if (stopped.length > 0) scheduler.resume(stopped[pick % stopped.length]!, cpu);
                break;
              }
              default:
                sim.run(amount);
            }
            checkPlaces(scheduler);
          }
          // Time spent is accounted exactly: every ns of every CPU went to a task or to idle.
          const accounted =
            [...scheduler.tasks.values()].reduce((sum, task) => sum + task.accounting.userTime, 0) +
            scheduler.runQueues.reduce((sum, runQueue) => sum + runQueue.stats.idleNs, 0);
          for (let cpu = 0; cpu < cpuCount; cpu++) scheduler.tick(cpu);
          expect(accounted).toBeLessThanOrEqual(sim.now * cpuCount);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * `pnpm bench` for @tsos/sched (host clock; medians of interleaved rounds
 * through @tsos/testing's `compare`; Markdown table on stdout and
 * bench-results.json in this folder).
 *
 * - `pick-next/<policy>/<n>` (ns/op): with n runnable tasks queued on one
 *   CPU, one pick of the next task, a 1 ms charge to it and its return to
 *   the queue (the enqueue). Each policy's 1,000 and 100,000 cases are
 *   reported against its 10 case: the growth with n. Goal: logarithmic
 *   or better, and ≤ 500 ns at 100,000.
 * - `tick/<policy>` (ns/op): the minimal tick (charge + need-resched) on a
 *   CPU running 4 tasks, clock advancing 250 µs per tick; against it
 *   `tick/<policy>-switch-in-handler`: the same tick followed at once by
 *   the schedule + register switch a tick-does-everything design runs in
 *   the handler (the seed's "minimal overhead tick handling").
 * - `context-switch/emulated` (ns/op): sched_yield between two tasks with
 *   different address spaces on the emulated CPU: charge, pick, save the
 *   CPU's registers into one task, load the other's, CR3 write (TLB
 *   flush). Linux's process switch is ~1–2.4 µs; goal ≤ 300 ns. Against it:
 *   `emulated-lazy-fpu` (general registers only, CR0.TS armed; the XMM
 *   move on first use is not included: these tasks never touch SSE) and
 *   `yield-without-registers` (the scheduling alone).
 */
import { fileURLToPath } from "node:url";
import { CR0 } from "@tsos/hw-x86";
import { type BenchResult, compare, EmulatedCpu, reportBenchResults } from "@tsos/testing";
import {
  ENQUEUE,
  FairPolicy,
  RealtimePolicy,
  RoundRobinPolicy,
  SCHED_CLASS,
  type SchedPolicy,
  Scheduler,
  Task,
} from "../src";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const MS = 1_000_000;
const OPTIONS = {
  batch: 1000,
  iterations: 200,
  minTime: 1000,
  warmupIterations: 30,
  maxRounds: 1000,
} as const;

interface PolicyCase {
  readonly name: string;
  readonly policy: () => SchedPolicy;
  readonly task: (id: number) => Task;
}

const POLICIES: PolicyCase[] = [
  { name: "eevdf", policy: () => new FairPolicy(), task: (id) => new Task({ id, nice: (id % 40) - 20 }) },
  {
    name: "rt",
    policy: () => new RealtimePolicy(),
    task: (id) => new Task({ id, schedClass: SCHED_CLASS.RR, rtPriority: 1 + (id % 99) }),
  },
  {
    name: "round-robin",
    policy: () => new RoundRobinPolicy(),
    task: (id) => new Task({ id, nice: (id % 40) - 20 }),
  },
];

function pickNext(policyCase: PolicyCase): BenchResult[] {
  const variants = [10, 1000, 100_000].map((count) => {
    const queue = policyCase.policy().createQueue(0);
    for (let id = 0; id < count; id++) queue.enqueue(policyCase.task(id), ENQUEUE.NEW, 0);
    return {
      name: String(count),
      operation: () => {
        const task = queue.pickNext(0)!;
        queue.charge(task, MS, 0);
        queue.putPrevious(task, false, 0);
      },
    };
  });
  return compare(`pick-next/${policyCase.name}`, variants, { ...OPTIONS, reference: "10" });
}

function tickCosts(policyCase: PolicyCase): BenchResult[] {
  const make = () => {
    let now = 0;
    const scheduler = new Scheduler({ cpuCount: 1, clock: () => now, policies: [policyCase.policy()] });
    for (let id = 1; id <= 4; id++) scheduler.start(policyCase.task(id), 0);
    const context = scheduler.current(0).context;
    return { scheduler, advance: () => (now += MS / 4), context };
  };
  const minimal = make();
  const inHandler = make();
  return compare(
    "tick",
    [
      {
        name: policyCase.name,
        operation: () => {
          minimal.advance();
          minimal.scheduler.tick(0);
          // The flag is consumed as the return to user mode would, outside the measured handler cost.
          minimal.scheduler.runQueues[0]!.needResched = false;
        },
      },
      {
        name: `${policyCase.name}-switch-in-handler`,
        operation: () => {
          inHandler.advance();
          inHandler.scheduler.tick(0);
          inHandler.scheduler.schedule(0, inHandler.context);
        },
      },
    ],
    OPTIONS,
  );
}

/** Two tasks with different address spaces yielding to each other on one emulated CPU. */
function yieldingPair(lazyFpu: boolean): () => void {
  const machine = new EmulatedCpu();
  const roots = [BigInt(machine.pml4), BigInt(machine.allocateFrame())];
  const cpu = machine.cpu;
  let now = 0;
  const scheduler = new Scheduler<number>({
    cpuCount: 1,
    clock: () => now,
    lazyFpu,
    hooks: {
      switchAddressSpace: (_cpu, _from, to) => {
        cpu.cr3 = roots[to ?? 0]!;
      },
      setFpuTrap: (_cpu, armed) => {
        cpu.cr0 = armed ? cpu.cr0 | CR0.TS : cpu.cr0 & ~CR0.TS;
      },
    },
  });
  for (const space of [0, 1]) scheduler.start(new Task<number>({ id: space + 1, addressSpace: space }), 0);
  scheduler.schedule(0, cpu.context);
  return () => {
    now += 1000;
    scheduler.yield(0);
    scheduler.schedule(0, cpu.context);
  };
}

function contextSwitch(): BenchResult[] {
  let now = 0;
  const pickOnly = new Scheduler({ cpuCount: 1, clock: () => now });
  for (const id of [1, 2]) pickOnly.start(new Task({ id }), 0);
  pickOnly.schedule(0);
  return compare(
    "context-switch",
    [
      { name: "emulated", operation: yieldingPair(false) },
      { name: "emulated-lazy-fpu", operation: yieldingPair(true) },
      {
        name: "yield-without-registers",
        operation: () => {
          now += 1000;
          pickOnly.yield(0);
          pickOnly.schedule(0);
        },
      },
    ],
    OPTIONS,
  );
}

console.log("@tsos/sched benchmarks: host clock; the machine may be shared and noisy.\n");
const results: BenchResult[] = [];
for (const policyCase of POLICIES) results.push(...pickNext(policyCase));
for (const policyCase of POLICIES) results.push(...tickCosts(policyCase));
results.push(...contextSwitch());
reportBenchResults(packageDir, results);

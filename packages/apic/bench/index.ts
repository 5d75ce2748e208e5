/**
 * `pnpm bench` for @tsos/apic: host nanoseconds per delivered LAPIC timer
 * interrupt on the emulated LAPIC, fast path against a naive path, measured
 * in INTERLEAVED rounds in the same process (@tsos/testing's `compare`).
 *
 * One operation = one timer interrupt, end to end: the TSC-deadline timer
 * expires as virtual time reaches the deadline (assert: LVT → IRR), the
 * "CPU" takes it (hasPending + acknowledge: IRR → ISR), the trap entry
 * dispatches it (statistics, handler), the handler re-arms the next
 * deadline (one IA32_TSC_DEADLINE write of two halves), EOI, return (resume).
 * The emulated CPU interpreter is not involved.
 *
 * - fast: `InterruptDispatcher` (typed-array per-CPU statistics, handler
 *   array) and `LapicDriver.endOfInterrupt` (one 32-bit write).
 * - naive (`bench/naive-dispatch.ts`): EOI through a generic
 *   read-modify-write register helper, statistics in a Map.
 * - two breakdown variants, each with ONE naive ingredient: the RMW EOI
 *   with typed-array statistics, and Map statistics with the one-write EOI.
 *
 * Results (host clock, medians):
 * - `interrupt/timer-delivery` (ns/op): the fast path.
 * - `interrupt/timer-delivery-naive` (ns/op), with its ratio to the fast path.
 * - `interrupt/timer-delivery-rmw-eoi-only`, `interrupt/timer-delivery-map-statistics-only`
 *   (ns/op, with ratios): where the difference comes from.
 * - `interrupt/fast-vs-naive` (x): naive / fast per round; > 1 means the
 *   fast path is faster. The share of the whole path that EOI and statistics
 *   are is small next to the emulated LAPIC's own work, so expect a modest
 *   ratio rather than the seed's "50 % cut"; the figure is reported as is.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { LAPIC, type TrapFrame } from "@tsos/hw-x86";
import { compare, ratioResult, reportBenchResults } from "@tsos/testing";
import { formatInterruptReport, InterruptDispatcher, LapicTimerDriver } from "../src/index";
import { createMachine, SPURIOUS_VECTOR } from "../test/emulated-machine";
import { ALL_BITS, modifyRegister, NaiveDispatcher } from "./naive-dispatch";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const TIMER_VECTOR = 0xe0;
/** Virtual cycles between ticks (1 µs at 1 GHz). */
const PERIOD = 1000;

interface TickLoop {
  /** Delivers one timer interrupt end to end. */
  readonly tick: () => void;
  /** Ticks handled so far (checked after the run). */
  readonly handled: () => number;
  /** The machine it runs on. */
  readonly machine: ReturnType<typeof createMachine>;
}

/** How a variant dispatches: the fast path, the naive one, or one naive ingredient at a time. */
type Variant = "fast" | "naive" | "rmw-eoi" | "map-statistics";

/** One variant on its own emulated machine: same devices, same timer driver, its own dispatch. */
function tickLoop(variant: Variant): TickLoop {
  const machine = createMachine(1);
  const lapic = machine.lapics[0]!;
  const frame = machine.frames[0]! as TrapFrame & { vector: number };
  let dispatch: (frame: TrapFrame) => void;
  let register: (vector: number, handler: () => void) => void;
  let timer = machine.timers[0]!;
  if (variant === "fast" || variant === "rmw-eoi") {
    const dispatcher =
      variant === "fast"
        ? machine.dispatcher
        : new InterruptDispatcher({
            lapics: [{ endOfInterrupt: () => modifyRegister(lapic, LAPIC.EOI, ALL_BITS, 0) }],
            statistics: machine.statistics,
            spuriousVector: SPURIOUS_VECTOR,
            clock: machine.timeline,
          });
    dispatch = (trap) => dispatcher.dispatch(trap);
    register = (vector, handler) => void dispatcher.register(vector, handler);
  } else {
    const fastEoi = machine.lapicDrivers[0]!;
    const naive = new NaiveDispatcher(
      [lapic],
      SPURIOUS_VECTOR,
      () => machine.timeline.now(),
      variant === "naive" ? undefined : () => fastEoi.endOfInterrupt(),
    );
    timer = new LapicTimerDriver(lapic, { msrs: machine.msrs[0]!, cpu: 0, recorder: naive });
    dispatch = (trap) => naive.dispatch(trap);
    register = (vector, handler) => naive.register(vector, handler);
  }
  let handled = 0;
  register(TIMER_VECTOR, () => {
    handled++;
    timer.armDeadlineAt(machine.timeline.now() + PERIOD);
  });
  timer.enableTscDeadline(TIMER_VECTOR);
  timer.armDeadlineAt(PERIOD);
  const tick = () => {
    machine.timeline.advanceTo(machine.timeline.now() + PERIOD);
    if (lapic.hasPending()) {
      frame.vector = lapic.acknowledge();
      dispatch(frame);
    }
  };
  return { tick, handled: () => handled, machine };
}

const loops = {
  fast: tickLoop("fast"),
  naive: tickLoop("naive"),
  rmwEoi: tickLoop("rmw-eoi"),
  mapStatistics: tickLoop("map-statistics"),
};
const measured = compare(
  "interrupt",
  [
    { name: "timer-delivery", operation: loops.fast.tick },
    { name: "timer-delivery-naive", operation: loops.naive.tick },
    { name: "timer-delivery-rmw-eoi-only", operation: loops.rmwEoi.tick },
    { name: "timer-delivery-map-statistics-only", operation: loops.mapStatistics.tick },
  ],
  { batch: 1000, iterations: 200, minTime: 3000, warmupIterations: 30, maxRounds: 1000, seed: 1 },
);
for (const [name, loop] of Object.entries(loops)) {
  if (loop.handled() === 0) throw new Error(`bench: variant ${name} delivered no timer interrupt`);
}
const [fastResult, naiveResult] = measured;
const results = [...measured, ratioResult("interrupt/fast-vs-naive", naiveResult!, fastResult!)];
const report = reportBenchResults(packageDir, results);
console.log(`\nFast-path machine after ${loops.fast.handled()} ticks:\n`);
console.log(
  formatInterruptReport(loops.fast.machine.statistics, { vectorNames: { [TIMER_VECTOR]: "timer" } }),
);
if (report.regressions > 0) process.exitCode = 1;

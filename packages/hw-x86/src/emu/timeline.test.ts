/**
 * Timeline behaviour: ordering, ties, cancel, past events, re-entrancy, and a
 * fast-check comparison against a plain sorted-array model.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Timeline } from "./timeline";

const FREQUENCY_HZ = 1_000_000_000;

describe("Timeline", () => {
  it("starts at cycle 0 with nothing pending", () => {
    const timeline = new Timeline(FREQUENCY_HZ);
    expect(timeline.now()).toBe(0);
    expect(timeline.frequencyHz).toBe(FREQUENCY_HZ);
    expect(timeline.pendingCount).toBe(0);
    expect(timeline.nextEventAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it("rejects a bad frequency, a bad cycle and a bad target", () => {
    expect(() => new Timeline(0)).toThrow(RangeError);
    const timeline = new Timeline(FREQUENCY_HZ);
    expect(() => timeline.schedule(-1, () => {})).toThrow(RangeError);
    expect(() => timeline.schedule(1.5, () => {})).toThrow(RangeError);
    expect(() => timeline.advanceTo(Number.NaN)).toThrow(RangeError);
  });

  it("fires in cycle order, with now() at each event's cycle, then at the target", () => {
    const timeline = new Timeline(FREQUENCY_HZ);
    const log: string[] = [];
    timeline.schedule(30, (at) => log.push(`c@${at}/${timeline.now()}`));
    timeline.schedule(10, (at) => log.push(`a@${at}/${timeline.now()}`));
    timeline.schedule(20, (at) => log.push(`b@${at}/${timeline.now()}`));
    expect(timeline.nextEventAt()).toBe(10);
    timeline.advanceTo(25);
    expect(log).toEqual(["a@10/10", "b@20/20"]);
    expect(timeline.now()).toBe(25);
    expect(timeline.pendingCount).toBe(1);
    timeline.advanceTo(30);
    expect(log).toEqual(["a@10/10", "b@20/20", "c@30/30"]);
  });

  it("fires ties in scheduling order", () => {
    const timeline = new Timeline(FREQUENCY_HZ);
    const log: number[] = [];
    for (let index = 0; index < 20; index++) timeline.schedule(100, () => log.push(index));
    timeline.advanceTo(100);
    expect(log).toEqual([...Array(20).keys()]);
  });

  it("never fires inside schedule; a past event fires at the next advanceTo with now()", () => {
    const timeline = new Timeline(FREQUENCY_HZ);
    timeline.advanceTo(500);
    const fired: number[] = [];
    timeline.schedule(100, (at) => fired.push(at));
    expect(fired).toEqual([]);
    timeline.advanceTo(400);
    expect(fired).toEqual([500]);
    expect(timeline.now()).toBe(500);
  });

  it("cancel removes a pending event once; stale and unknown handles give false", () => {
    const timeline = new Timeline(FREQUENCY_HZ);
    const fired: string[] = [];
    const keep = timeline.schedule(5, () => fired.push("keep"));
    const drop = timeline.schedule(5, () => fired.push("drop"));
    expect(keep).toBeGreaterThan(0);
    expect(drop).not.toBe(keep);
    expect(timeline.cancel(drop)).toBe(true);
    expect(timeline.cancel(drop)).toBe(false);
    expect(timeline.cancel(0)).toBe(false);
    expect(timeline.cancel(123456789)).toBe(false);
    timeline.advanceTo(10);
    expect(fired).toEqual(["keep"]);
    expect(timeline.cancel(keep)).toBe(false);
  });

  it("keeps order when a cancel moves an event from another subtree under a later one", () => {
    // Heap after scheduling: [0, 2, 2, 28, 28, 12, 28]. Cancelling cycle 0 then
    // the third 28 moves the second 2 under a 28, where it must sift up.
    const timeline = new Timeline(FREQUENCY_HZ);
    const fired: number[] = [];
    const cycles = [28, 28, 12, 28, 0, 2, 2];
    const handles = cycles.map((at, index) => timeline.schedule(at, () => fired.push(index)));
    expect(timeline.cancel(handles[3]!)).toBe(true);
    expect(timeline.cancel(handles[4]!)).toBe(true);
    timeline.advanceTo(100);
    expect(fired).toEqual([5, 6, 2, 0, 1]);
  });

  it("never reuses a handle, even when the slot is reused", () => {
    const timeline = new Timeline(FREQUENCY_HZ);
    const seen = new Set<number>();
    for (let round = 0; round < 200; round++) {
      const handle = timeline.schedule(round, () => {});
      expect(seen.has(handle)).toBe(false);
      seen.add(handle);
      if (round % 2 === 0) timeline.cancel(handle);
      else timeline.advanceTo(round);
    }
    const old = [...seen][0]!;
    timeline.schedule(1000, () => {});
    expect(timeline.cancel(old)).toBe(false);
    expect(timeline.pendingCount).toBe(1);
  });

  it("lets callbacks schedule and cancel; due re-entrant events fire in the same advance", () => {
    const timeline = new Timeline(FREQUENCY_HZ);
    const log: string[] = [];
    let victim = 0;
    timeline.schedule(10, () => {
      log.push(`first@${timeline.now()}`);
      timeline.schedule(15, (at) => log.push(`child@${at}`));
      timeline.schedule(5, (at) => log.push(`late@${at}`));
      timeline.schedule(50, (at) => log.push(`beyond@${at}`));
      expect(timeline.cancel(victim)).toBe(true);
    });
    victim = timeline.schedule(12, () => log.push("victim"));
    timeline.schedule(20, () => log.push("second"));
    timeline.advanceTo(20);
    expect(log).toEqual(["first@10", "late@10", "child@15", "second"]);
    expect(timeline.pendingCount).toBe(1);
    expect(timeline.nextEventAt()).toBe(50);
  });

  it("refuses a nested advanceTo from a callback and stays usable", () => {
    const timeline = new Timeline(FREQUENCY_HZ);
    timeline.schedule(1, () => timeline.advanceTo(5));
    expect(() => timeline.advanceTo(2)).toThrow(/inside an event callback/);
    const fired: number[] = [];
    timeline.schedule(3, (at) => fired.push(at));
    timeline.advanceTo(3);
    expect(fired).toEqual([3]);
  });

  it("grows past its initial capacity", () => {
    const timeline = new Timeline(FREQUENCY_HZ);
    const order: number[] = [];
    for (let index = 0; index < 1000; index++)
      timeline.schedule((index * 7919) % 1000, (at) => order.push(at));
    expect(timeline.pendingCount).toBe(1000);
    timeline.advanceTo(1000);
    expect(order).toEqual([...Array(1000).keys()]);
  });
});

type Operation =
  | { kind: "schedule"; at: number; id: number }
  | { kind: "cancel"; pick: number }
  | { kind: "advance"; by: number }
  | { kind: "scheduleFromCallback"; at: number; id: number; offset: number };

// Cycles are drawn from a narrow range so that ties are frequent, and cancels
// are common so that removal from the middle of the heap is exercised.
const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("schedule" as const), at: fc.nat(60), id: fc.nat(9999) }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("advance" as const), by: fc.nat(15) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("scheduleFromCallback" as const),
      at: fc.nat(60),
      id: fc.nat(9999),
      offset: fc.integer({ min: -20, max: 20 }),
    }),
    weight: 1,
  },
);

interface ModelEvent {
  at: number;
  sequence: number;
  id: number;
  childOffset: number | undefined;
}

/** Runs operations on a Timeline and on a sorted-array model; returns both firing logs. */
function runBoth(operations: Operation[]): { real: string[]; model: string[] } {
  const timeline = new Timeline(FREQUENCY_HZ);
  const real: string[] = [];
  const realHandles: number[] = [];
  const model: string[] = [];
  let modelNow = 0;
  let modelSequence = 0;
  let pending: ModelEvent[] = [];
  const modelHandles: ModelEvent[] = [];
  const insert = (event: ModelEvent) => {
    pending.push(event);
    pending.sort((a, b) => a.at - b.at || a.sequence - b.sequence);
  };
  const realCallback = (id: number, childOffset: number | undefined) => (firedAt: number) => {
    real.push(`${id}@${firedAt}`);
    if (childOffset !== undefined) {
      timeline.schedule(Math.max(0, firedAt + childOffset), realCallback(id + 1, undefined));
    }
  };
  for (const operation of operations) {
    if (operation.kind === "schedule" || operation.kind === "scheduleFromCallback") {
      const childOffset = operation.kind === "scheduleFromCallback" ? operation.offset : undefined;
      realHandles.push(timeline.schedule(operation.at, realCallback(operation.id, childOffset)));
      const event = { at: operation.at, sequence: modelSequence++, id: operation.id, childOffset };
      modelHandles.push(event);
      insert(event);
    } else if (operation.kind === "cancel") {
      if (realHandles.length === 0) continue;
      const index = operation.pick % realHandles.length;
      const realResult = timeline.cancel(realHandles[index]!);
      const before = pending.length;
      pending = pending.filter((event) => event !== modelHandles[index]);
      real.push(`cancel:${realResult}`);
      model.push(`cancel:${pending.length !== before}`);
    } else {
      const target = Math.max(modelNow, timeline.now() + operation.by);
      timeline.advanceTo(timeline.now() + operation.by);
      while (pending.length > 0 && pending[0]!.at <= target) {
        const event = pending.shift()!;
        modelNow = Math.max(modelNow, event.at);
        model.push(`${event.id}@${modelNow}`);
        if (event.childOffset !== undefined) {
          const at = Math.max(0, modelNow + event.childOffset);
          insert({ at, sequence: modelSequence++, id: event.id + 1, childOffset: undefined });
        }
      }
      modelNow = target;
      real.push(`now:${timeline.now()}:${timeline.pendingCount}:${timeline.nextEventAt()}`);
      model.push(`now:${modelNow}:${pending.length}:${pending[0]?.at ?? Number.POSITIVE_INFINITY}`);
    }
  }
  return { real, model };
}

describe("Timeline against a sorted-array model", () => {
  it("fires the same events at the same times, in the same order", () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 200 }), (operations) => {
        const { real, model } = runBoth(operations);
        expect(real).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it("fires what survives a burst of cancels in (cycle, scheduling) order", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(30), fc.boolean()), { minLength: 1, maxLength: 40 }), (events) => {
        const timeline = new Timeline(FREQUENCY_HZ);
        const fired: number[] = [];
        const handles = events.map(([at], index) => timeline.schedule(at, () => fired.push(index)));
        events.forEach(([, cancelled], index) => {
          if (cancelled) expect(timeline.cancel(handles[index]!)).toBe(true);
        });
        timeline.advanceTo(1000);
        const expected = [...events.keys()]
          .filter((index) => !events[index]![1])
          .sort((a, b) => events[a]![0] - events[b]![0] || a - b);
        expect(fired).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("is deterministic: the same operations give the same log", () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 80 }), (operations) => {
        expect(runBoth(operations).real).toEqual(runBoth(operations).real);
      }),
      { numRuns: 100 },
    );
  });
});

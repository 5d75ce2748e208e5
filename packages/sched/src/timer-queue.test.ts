import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TimerQueue } from "./timer-queue";

function drain<T>(timers: TimerQueue<T>, now: number): T[] {
  const fired: T[] = [];
  timers.expire(now, (target) => fired.push(target));
  return fired;
}

describe("TimerQueue", () => {
  it("is empty at first: size 0, next deadline Infinity, expire fires nothing", () => {
    const timers = new TimerQueue<string>();
    expect(timers.size).toBe(0);
    expect(timers.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
    expect(timers.expire(Number.MAX_SAFE_INTEGER, () => expect.unreachable())).toBe(0);
  });

  it("fires in deadline order, equal deadlines in insertion order", () => {
    const timers = new TimerQueue<string>();
    timers.add(30, "c");
    timers.add(10, "a1");
    timers.add(20, "b");
    timers.add(10, "a2");
    timers.add(10, "a3");
    expect(timers.nextDeadline()).toBe(10);
    expect(drain(timers, 100)).toEqual(["a1", "a2", "a3", "b", "c"]);
    expect(timers.size).toBe(0);
  });

  it("expire fires only deadlines ≤ now (inclusive) and reports the count and handles", () => {
    const timers = new TimerQueue<string>();
    const early = timers.add(10, "early");
    const exact = timers.add(25, "exact");
    timers.add(26, "late");
    const fired: [string, number][] = [];
    expect(timers.expire(25, (target, handle) => fired.push([target, handle]))).toBe(2);
    expect(fired).toEqual([
      ["early", early],
      ["exact", exact],
    ]);
    expect(timers.size).toBe(1);
    expect(timers.nextDeadline()).toBe(26);
    expect(timers.cancel(early)).toBe(false);
  });

  it("cancel in the middle of the heap keeps the rest in order", () => {
    const timers = new TimerQueue<number>();
    const handles = [50, 10, 40, 20, 30, 60, 15].map((deadline) => timers.add(deadline, deadline));
    expect(timers.cancel(handles[2]!)).toBe(true); // 40
    expect(timers.cancel(handles[3]!)).toBe(true); // 20
    expect(timers.cancel(handles[3]!)).toBe(false);
    expect(timers.has(handles[3]!)).toBe(false);
    expect(timers.has(handles[4]!)).toBe(true);
    expect(timers.size).toBe(5);
    expect(drain(timers, 1000)).toEqual([10, 15, 30, 50, 60]);
  });

  it("cancel rejects handles it never gave out", () => {
    const timers = new TimerQueue<number>();
    const handle = timers.add(5, 1);
    for (const bogus of [0, -1, 1.5, Number.NaN, handle + 1, handle + 2 ** 24, 2 ** 60])
      expect(timers.cancel(bogus)).toBe(false);
    expect(timers.size).toBe(1);
  });

  it("handles are positive integers, never given out twice, even when entries are reused", () => {
    const timers = new TimerQueue<number>();
    const seen = new Set<number>();
    for (let round = 0; round < 200; round++) {
      const batch = Array.from({ length: (round % 7) + 1 }, (_, index) => timers.add(round + index, index));
      for (const handle of batch) {
        expect(Number.isSafeInteger(handle) && handle > 0).toBe(true);
        expect(seen.has(handle)).toBe(false);
        seen.add(handle);
      }
      if (round % 2 === 0) for (const handle of batch) timers.cancel(handle);
      else timers.expire(round + 100, () => {});
      for (const handle of batch) expect(timers.cancel(handle)).toBe(false);
    }
    expect(timers.size).toBe(0);
  });

  it("grows past its initial capacity and keeps order", () => {
    const timers = new TimerQueue<number>();
    const deadlines = Array.from({ length: 1000 }, (_, index) => (index * 7919) % 1000);
    for (const deadline of deadlines) timers.add(deadline, deadline);
    expect(timers.size).toBe(1000);
    expect(drain(timers, 1000)).toEqual([...deadlines].sort((a, b) => a - b));
  });

  it("a callback may add and cancel timers; one added already due fires in the same expire", () => {
    const timers = new TimerQueue<string>();
    timers.add(1, "first");
    const victim = timers.add(2, "cancelled by first");
    timers.add(3, "third");
    const fired: string[] = [];
    const count = timers.expire(5, (target) => {
      fired.push(target);
      if (target === "first") {
        timers.cancel(victim);
        timers.add(4, "added, due");
        timers.add(9, "added, later");
      }
    });
    expect(fired).toEqual(["first", "third", "added, due"]);
    expect(count).toBe(3);
    expect(timers.nextDeadline()).toBe(9);
  });

  it("rejects a NaN deadline; an Infinity deadline waits forever", () => {
    const timers = new TimerQueue<number>();
    expect(() => timers.add(Number.NaN, 0)).toThrow(RangeError);
    timers.add(Number.POSITIVE_INFINITY, 1);
    expect(timers.expire(Number.MAX_VALUE, () => {})).toBe(0);
    expect(timers.size).toBe(1);
  });

  it("property: matches a sorted-array model under random add / cancel / expire", () => {
    type Model = { deadline: number; order: number; handle: number };
    const operation = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), value: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant("cancel" as const), value: fc.nat() }),
      fc.record({ kind: fc.constant("expire" as const), value: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const timers = new TimerQueue<number>();
        const handles = new Set<number>();
        const dead: number[] = [];
        let model: Model[] = [];
        let order = 0;
        let now = 0;
        for (const { kind, value } of operations) {
          if (kind === "add") {
            const deadline = now + value;
            const handle = timers.add(deadline, order);
            expect(handles.has(handle)).toBe(false);
            handles.add(handle);
            model.push({ deadline, order: order++, handle });
          } else if (kind === "cancel") {
            if (model.length > 0 && value % 4 !== 0) {
              const victim = model[value % model.length]!;
              expect(timers.cancel(victim.handle)).toBe(true);
              model = model.filter((entry) => entry !== victim);
              dead.push(victim.handle);
            } else if (dead.length > 0) expect(timers.cancel(dead[value % dead.length]!)).toBe(false);
          } else {
            now += value;
            const due = model
              .filter((entry) => entry.deadline <= now)
              .sort((a, b) => a.deadline - b.deadline || a.order - b.order);
            const fired: [number, number][] = [];
            const count = timers.expire(now, (target, handle) => fired.push([target, handle]));
            expect(fired).toEqual(due.map((entry) => [entry.order, entry.handle]));
            expect(count).toBe(due.length);
            model = model.filter((entry) => entry.deadline > now);
            for (const entry of due) dead.push(entry.handle);
          }
          expect(timers.size).toBe(model.length);
          const earliest = Math.min(...model.map((entry) => entry.deadline));
          expect(timers.nextDeadline()).toBe(earliest);
        }
      }),
      { numRuns: 200 },
    );
  });
});

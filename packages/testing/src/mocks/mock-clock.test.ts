import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MockClock, MockTimer } from "./mock-clock";

describe("MockClock", () => {
  it("moves only when told, and fires due events in order with ties by insertion", () => {
    const clock = new MockClock();
    const fired: string[] = [];
    clock.schedule(20, (at) => fired.push(`b@${at}`));
    clock.schedule(10, (at) => fired.push(`a@${at}`));
    clock.schedule(20, (at) => fired.push(`c@${at}`));
    expect(clock.now()).toBe(0);
    clock.advance(15);
    expect(fired).toEqual(["a@10"]);
    expect(clock.now()).toBe(15);
    clock.advanceTo(20);
    expect(fired).toEqual(["a@10", "b@20", "c@20"]);
  });

  it("never fires inside schedule; a past event fires at the next advance, at now", () => {
    const clock = new MockClock({ start: 100 });
    const fired: number[] = [];
    clock.schedule(50, (at) => fired.push(at));
    expect(fired).toEqual([]);
    clock.advance(0);
    expect(fired).toEqual([100]);
  });

  it("cancels, reports next events, and refuses to go backwards", () => {
    const clock = new MockClock();
    const handle = clock.schedule(5, () => {
      throw new Error("cancelled event fired");
    });
    expect(clock.nextEventAt()).toBe(5);
    expect(clock.cancel(handle)).toBe(true);
    expect(clock.cancel(handle)).toBe(false);
    expect(clock.nextEventAt()).toBeUndefined();
    clock.advance(10);
    expect(() => clock.advanceTo(3)).toThrow(RangeError);
  });

  it("fires events scheduled by callbacks within the same advance, and detects a runaway", () => {
    const clock = new MockClock();
    const fired: number[] = [];
    clock.schedule(1, () => clock.schedule(2, (at) => fired.push(at)));
    clock.advance(5);
    expect(fired).toEqual([2]);
    const forever = () => clock.schedule(clock.now() + 1, forever);
    forever();
    expect(() => clock.runUntilIdle(100)).toThrow(/more than 100 events/);
  });

  it("fires any schedule in (at, insertion) order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40 }), (times) => {
        const clock = new MockClock();
        const fired: { at: number; index: number; firedAt: number }[] = [];
        for (const [index, at] of times.entries())
          clock.schedule(at, (firedAt) => fired.push({ at, index, firedAt }));
        clock.runUntilIdle();
        const expected = times.map((at, index) => ({ at, index, firedAt: at }));
        expected.sort((left, right) => left.at - right.at || left.index - right.index);
        expect(fired).toEqual(expected);
      }),
    );
  });
});

describe("MockTimer", () => {
  it("fires periodically at its phase and stops", () => {
    const clock = new MockClock();
    const timer = new MockTimer(clock);
    timer.start(100, true);
    clock.advance(350);
    expect(timer.firedAt).toEqual([100, 200, 300]);
    expect(timer.stop()).toBe(true);
    clock.advance(1000);
    expect(timer.firedAt).toHaveLength(3);
    expect(timer.armed).toBe(false);
  });

  it("fires a one-shot once", () => {
    const clock = new MockClock();
    let calls = 0;
    const timer = new MockTimer(clock, () => calls++);
    timer.start(10);
    clock.runUntilIdle();
    expect([calls, clock.now(), timer.armed]).toEqual([1, 10, false]);
  });
});

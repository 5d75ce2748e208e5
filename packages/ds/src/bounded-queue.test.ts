/**
 * MpscQueue and MpmcQueue, one thread: fast-check runs of push/pop against an
 * array FIFO (full and empty as values), multi-word records over many laps,
 * and attach / wrong-kind checks. Cross-thread behaviour: test/concurrent.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MpmcQueue, MpscQueue } from "./bounded-queue";
import { DsLayoutError } from "./errors";

const operations = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((value) => ({ push: value })),
    fc.constant({ pop: true }),
  ),
  { maxLength: 300 },
);

describe.each([
  ["MpscQueue", MpscQueue],
  ["MpmcQueue", MpmcQueue],
] as const)("%s (sequential, against an array model)", (_name, Queue) => {
  it("is a bounded FIFO that reports full and empty as values", () => {
    fc.assert(
      fc.property(fc.constantFrom(2, 4, 8), operations, (capacity, steps) => {
        const queue = Queue.create({ capacity });
        const model: number[] = [];
        for (const step of steps) {
          if ("push" in step) {
            expect(queue.push(step.push)).toBe(model.length < capacity);
            if (model.length < capacity) model.push(step.push);
          } else {
            expect(queue.pop()).toBe(model.length > 0 ? model.shift() : -1);
          }
          expect(queue.size()).toBe(model.length);
        }
      }),
    );
  });

  it("moves multi-word records through many laps", () => {
    const queue = Queue.create({ capacity: 4, recordWords: 2 });
    const out = new Int32Array(2);
    for (let lap = 0; lap < 20; lap++) {
      for (let index = 0; index < 4; index++)
        expect(queue.pushRecord(Int32Array.of(lap, -index - 1))).toBe(true);
      expect(queue.pushRecord(Int32Array.of(0, 0))).toBe(false);
      for (let index = 0; index < 4; index++) {
        expect(queue.popRecord(out)).toBe(true);
        expect(Array.from(out)).toEqual([lap, -index - 1]);
      }
      expect(queue.popRecord(out)).toBe(false);
    }
  });

  it("attaches from a second instance and rejects a wrong kind", () => {
    const queue = Queue.create({ capacity: 8 });
    queue.push(41);
    expect(Queue.attach(queue.buffer).pop()).toBe(41);
    const other = Queue === MpscQueue ? MpmcQueue : MpscQueue;
    expect(() => other.attach(queue.buffer)).toThrow(DsLayoutError);
    expect(() => other.attach(queue.buffer)).toThrow(/buffer holds a mp.c-queue/);
  });
});

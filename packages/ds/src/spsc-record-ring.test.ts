/**
 * SpscRecordRing, one thread: fast-check runs of single and batch push/pop
 * against an array FIFO (one handle, or separate producer and consumer
 * handles), the cached positions of separate handles (fill, drain, fill
 * again; reload when out of range), multi-word records across the wrap
 * point, 32-bit position wrap-around, attach, and blocking timeouts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DsLayoutError } from "./errors";
import { SpscRecordRing } from "./spsc-record-ring";

type Operation =
  | { kind: "push"; value: number }
  | { kind: "pop" }
  | { kind: "pushBatch"; values: number[] }
  | { kind: "popBatch"; count: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), value: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }),
  fc.record({ kind: fc.constant("pop" as const) }),
  fc.record({
    kind: fc.constant("pushBatch" as const),
    values: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 20 }),
  }),
  fc.record({ kind: fc.constant("popBatch" as const), count: fc.integer({ min: 0, max: 20 }) }),
);

describe("SpscRecordRing (sequential, against an array model)", () => {
  it("behaves as a bounded FIFO of one-word records", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 4, 16),
        fc.array(operation, { maxLength: 200 }),
        fc.boolean(),
        (capacity, operations, separateHandles) => {
          // Producer calls on `producer`, consumer calls on `ring`: one handle, or two with their own cached positions.
          const ring = SpscRecordRing.create({ capacity });
          const producer = separateHandles ? SpscRecordRing.attach(ring.buffer) : ring;
          const model: number[] = [];
          const scratch = new Int32Array(32);
          for (const op of operations) {
            if (op.kind === "push") {
              expect(producer.push(op.value)).toBe(model.length < capacity);
              if (model.length < capacity) model.push(op.value);
            } else if (op.kind === "pop") {
              expect(ring.pop()).toBe(model.length > 0 ? model.shift() : -1);
            } else if (op.kind === "pushBatch") {
              const accepted = producer.pushBatch(Int32Array.from(op.values), 0, op.values.length);
              expect(accepted).toBe(Math.min(op.values.length, capacity - model.length));
              model.push(...op.values.slice(0, accepted));
            } else {
              const taken = ring.popBatch(scratch, 3, op.count);
              expect(taken).toBe(Math.min(op.count, model.length));
              expect(Array.from(scratch.subarray(3, 3 + taken))).toEqual(model.splice(0, taken));
            }
            expect(ring.size()).toBe(model.length);
          }
        },
      ),
    );
  });

  it("copies multi-word records whole, across the wrap-around point", () => {
    const ring = SpscRecordRing.create({ capacity: 4, recordWords: 3 });
    const out = new Int32Array(3);
    for (let round = 0; round < 10; round++) {
      expect(ring.pushRecord(Int32Array.of(round, -round - 1, round * 7))).toBe(true);
      expect(ring.pushRecord(Int32Array.of(1, 2, 3))).toBe(true);
      expect(ring.popRecord(out)).toBe(true);
      expect(Array.from(out)).toEqual([round, -round - 1, round * 7]);
      expect(ring.popRecord(out)).toBe(true);
      expect(Array.from(out)).toEqual([1, 2, 3]);
    }
    expect(ring.popRecord(out)).toBe(false);
  });

  it("keeps working when the 32-bit positions wrap", () => {
    const ring = SpscRecordRing.create({ capacity: 4 });
    const control = new Int32Array(ring.buffer);
    // HEAD and TAIL words (byte 64 and 128) both start just below the wrap.
    control[16] = 2 ** 31 - 2;
    control[32] = 2 ** 31 - 2;
    const fresh = SpscRecordRing.attach(ring.buffer);
    for (let value = 0; value < 12; value++) {
      expect(fresh.push(value)).toBe(true);
      expect(fresh.push(value + 100)).toBe(true);
      expect(fresh.size()).toBe(2);
      expect(fresh.pop()).toBe(value);
      expect(fresh.pop()).toBe(value + 100);
    }
  });

  it("producer and consumer handles refresh their cached positions: fill, drain, fill again", () => {
    // A handle that never reloaded the other side's position would see "full" (or "empty") forever after round 0.
    const capacity = 8;
    const producer = SpscRecordRing.create({ capacity });
    const consumer = SpscRecordRing.attach(producer.buffer);
    const batch = new Int32Array(capacity);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 6; round++) {
      if (round % 2 === 0) {
        while (producer.push(next)) next++;
      } else {
        for (let index = 0; index < capacity; index++) batch[index] = next + index;
        next += producer.pushBatch(batch, 0, capacity);
      }
      expect(next).toBe((round + 1) * capacity);
      expect(producer.push(-5)).toBe(false);
      expect(consumer.size()).toBe(capacity);
      if (round % 3 === 0) {
        for (let value = consumer.pop(); value !== -1; value = consumer.pop()) expect(value).toBe(expected++);
      } else {
        for (let taken = consumer.popBatch(batch, 0, 3); taken > 0; taken = consumer.popBatch(batch, 0, 3)) {
          for (let index = 0; index < taken; index++) expect(batch[index]).toBe(expected++);
        }
      }
      expect(expected).toBe(next);
      expect(consumer.pop()).toBe(-1);
    }
    // One at a time past several laps: each pop must see the push just made by the other handle.
    for (let step = 0; step < 5 * capacity; step++) {
      expect(producer.push(step)).toBe(true);
      expect(consumer.pop()).toBe(step);
    }
  });

  it("reloads a cached position that is out of range after other handles moved 2^31 positions", () => {
    const capacity = 4;
    const ring = SpscRecordRing.create({ capacity });
    const idleProducer = SpscRecordRing.attach(ring.buffer); // caches HEAD = 0
    const control = new Int32Array(ring.buffer);
    // Other handles moved both positions by 2^31 and left the ring full (HEAD word 16, TAIL word 32).
    control[16] = (2 ** 31) | 0;
    control[32] = (2 ** 31 + capacity) | 0;
    expect(idleProducer.push(7)).toBe(false);
    expect(ring.size()).toBe(capacity);
    const idleConsumer = SpscRecordRing.attach(SpscRecordRing.create({ capacity }).buffer); // caches TAIL = 0
    const words = new Int32Array(idleConsumer.buffer);
    words[16] = (3 * 2 ** 30) | 0; // empty, both positions moved by 3 * 2^30
    words[32] = (3 * 2 ** 30) | 0;
    expect(idleConsumer.pop()).toBe(-1);
  });

  it("attaches to the same ring from a second instance and checks the header", () => {
    const ring = SpscRecordRing.create({ capacity: 8, recordWords: 2 });
    const other = SpscRecordRing.attach(ring.buffer);
    expect(other.capacity).toBe(8);
    expect(other.recordWords).toBe(2);
    ring.pushRecord(Int32Array.of(5, 6));
    const out = new Int32Array(2);
    expect(other.popRecord(out)).toBe(true);
    expect(Array.from(out)).toEqual([5, 6]);
    expect(() => SpscRecordRing.attach(new SharedArrayBuffer(256))).toThrow(/bad magic/);
    expect(() => SpscRecordRing.create({ capacity: 3 })).toThrow(DsLayoutError);
  });

  it("times out when blocking on an empty or full ring", () => {
    const ring = SpscRecordRing.create({ capacity: 2 });
    expect(ring.popBlocking(5)).toBe(-1);
    expect(ring.pushBlocking(1, 5)).toBe(true);
    expect(ring.pushBlocking(2, 5)).toBe(true);
    expect(ring.pushBlocking(3, 5)).toBe(false);
    expect(ring.popBlocking(5)).toBe(1);
  });
});

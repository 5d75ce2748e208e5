/**
 * TreiberStack, one thread: fast-check runs against an array stack with the
 * list invariants checked after every step, node/payload handling, the ABA
 * interleaving replayed step by step, and cycle detection in `inspect`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DsLayoutError } from "./errors";
import { TreiberStack } from "./treiber-stack";

describe("TreiberStack (sequential, against an array model)", () => {
  it("is a bounded LIFO whose nodes are always on exactly one list", () => {
    const steps = fc.array(
      fc.oneof(
        fc.nat({ max: 2 ** 31 - 1 }).map((value) => ({ push: value })),
        fc.constant({ pop: true }),
      ),
      { maxLength: 300 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), steps, (capacity, operations) => {
        const stack = TreiberStack.create({ capacity });
        const model: number[] = [];
        for (const step of operations) {
          if ("push" in step) {
            expect(stack.pushValue(step.push)).toBe(model.length < capacity);
            if (model.length < capacity) model.push(step.push);
          } else {
            expect(stack.popValue()).toBe(model.length > 0 ? model.pop() : -1);
          }
          const report = stack.inspect();
          expect(report.problem).toBeUndefined();
          expect(report.stack.length).toBe(model.length);
          expect(report.stack.length + report.free.length).toBe(capacity);
        }
      }),
    );
  });

  it("hands out node indices and payload words, and rejects out-of-range nodes", () => {
    const stack = TreiberStack.create({ capacity: 3, nodeWords: 2 });
    const node = stack.allocate();
    expect(node).toBeGreaterThanOrEqual(0);
    stack.data[node * 2] = 7;
    stack.data[node * 2 + 1] = 8;
    expect(stack.push(node)).toBe(true);
    expect(stack.push(3)).toBe(false);
    expect(stack.release(-1)).toBe(false);
    const popped = TreiberStack.attach(stack.buffer).pop();
    expect(popped).toBe(node);
    expect([stack.data[popped * 2], stack.data[popped * 2 + 1]]).toEqual([7, 8]);
    expect(stack.release(popped)).toBe(true);
    expect(stack.inspect().free.length).toBe(3);
  });

  it("defeats the ABA interleaving: a pop's stale CAS fails after pop A, pop B, push A", () => {
    const stack = TreiberStack.create({ capacity: 4 });
    const words = new Int32Array(stack.buffer);
    const TOP_WORD = 16;
    const b = stack.allocate();
    const a = stack.allocate();
    stack.push(b);
    stack.push(a);
    // Thread 1 starts a pop: it has read TOP (A on top) and NEXT[A] (= B) ...
    const staleTop = Atomics.load(words, TOP_WORD);
    // ... meanwhile thread 2 pops A and B, and pushes A back: A is on top again.
    expect(stack.pop()).toBe(a);
    expect(stack.pop()).toBe(b);
    stack.push(a);
    expect(stack.inspect().stack).toEqual([a]);
    // Thread 1's CAS from its stale TOP must fail, or it would install B, which is not on the stack.
    expect(Atomics.load(words, TOP_WORD)).not.toBe(staleTop);
    // The tag also differs after many such laps (16+ bits of tag here: 30).
    const seen = new Set<number>();
    for (let lap = 0; lap < 1000; lap++) {
      seen.add(Atomics.load(words, TOP_WORD));
      stack.pop();
      stack.push(a);
    }
    expect(seen.size).toBe(1000);
  });

  it("detects a cycle when the links are corrupted", () => {
    const stack = TreiberStack.create({ capacity: 2 });
    const words = new Int32Array(stack.buffer);
    words[48] = 1; // node 0 links to itself
    expect(stack.inspect().problem).toMatch(/seen twice/);
    expect(() => TreiberStack.create({ capacity: 65536 })).toThrow(DsLayoutError);
  });
});

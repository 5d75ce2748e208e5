/**
 * SpscByteRing, one thread: fast-check runs of write/read against an array
 * model (through one handle or separate writer/reader handles), buffer
 * checks, and the blocking waits' timeouts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SpscByteRing } from "./spsc-byte-ring";

describe("SpscByteRing (sequential, against an array model)", () => {
  it("is a bounded byte pipe: writes what fits, reads what is there, in order", () => {
    const step = fc.oneof(
      fc.record({ write: fc.uint8Array({ maxLength: 100 }) }),
      fc.record({ read: fc.integer({ min: 0, max: 100 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 100 }), fc.boolean(), (steps, separateHandles) => {
        // Writes go through `writer`: the reader's handle itself, or a second one with its own cached positions.
        const ring = SpscByteRing.create({ capacity: 64 });
        const writer = separateHandles ? SpscByteRing.attach(ring.buffer) : ring;
        const model: number[] = [];
        const target = new Uint8Array(128);
        for (const item of steps) {
          if ("write" in item) {
            const written = writer.write(item.write);
            expect(written).toBe(Math.min(item.write.length, 64 - model.length));
            model.push(...item.write.subarray(0, written));
          } else {
            const read = ring.read(target, 10, item.read);
            expect(read).toBe(Math.min(item.read, model.length));
            expect(Array.from(target.subarray(10, 10 + read))).toEqual(model.splice(0, read));
          }
          expect(ring.size()).toBe(model.length);
        }
      }),
    );
  });

  it("refuses a buffer holding another kind", () => {
    const ring = SpscByteRing.create({ capacity: 64 });
    expect(SpscByteRing.attach(ring.buffer).capacity).toBe(64);
    expect(() => SpscByteRing.attach(new ArrayBuffer(320))).toThrow(
      /expected a SharedArrayBuffer, got ArrayBuffer/,
    );
  });

  it("wakes a waiting reader only when data is there (timeouts otherwise)", () => {
    const ring = SpscByteRing.create({ capacity: 64 });
    expect(ring.waitUntilReadable(2)).toBe(false);
    ring.write(Uint8Array.of(1));
    expect(ring.waitUntilReadable(2)).toBe(true);
    expect(ring.waitUntilWritable(2)).toBe(true);
  });
});

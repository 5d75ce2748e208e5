/**
 * HashTable, one thread: fast-check runs of set/get/delete/compact against a
 * Map, including FULL at the load limit (tombstones count as used), reserved
 * key and value, probing past tombstones and collisions, and header checks.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HASH_ABSENT, HASH_EMPTY_KEY, HASH_SET, HashTable, hashInt32 } from "./hash-table";

const key = fc.oneof(
  fc.integer({ min: -20, max: 20 }),
  fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }),
);
const value = fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 });
const step = fc.oneof(
  fc.record({ set: key, value }),
  fc.record({ get: key }),
  fc.record({ delete: key }),
  fc.constant({ compact: true }),
);

describe("HashTable (sequential, against a Map)", () => {
  it("agrees with a Map on set / get / delete and reports FULL at the load limit", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const table = HashTable.create({ capacity: 32, maxLoadFactor: 0.5 });
        const model = new Map<number, number>();
        const claimed = new Set<number>(); // keys holding a slot: live or tombstone
        for (const item of steps) {
          if ("set" in item) {
            const outcome = table.set(item.set, item.value);
            if (!claimed.has(item.set) && claimed.size >= table.maxUsed) {
              expect(outcome).toBe(HASH_SET.FULL);
              continue;
            }
            expect(outcome).toBe(model.has(item.set) ? HASH_SET.UPDATED : HASH_SET.INSERTED);
            model.set(item.set, item.value);
            claimed.add(item.set);
          } else if ("get" in item) {
            expect(table.get(item.get)).toBe(model.get(item.get) ?? HASH_ABSENT);
            expect(table.has(item.get)).toBe(model.has(item.get));
          } else if ("delete" in item) {
            expect(table.delete(item.delete)).toBe(model.delete(item.delete));
          } else {
            table.compact();
            claimed.clear();
            for (const live of model.keys()) claimed.add(live);
          }
          expect(table.usedSlots()).toBe(claimed.size);
          expect(table.count()).toBe(model.size);
        }
      }),
    );
  });

  it("rejects the reserved key and value", () => {
    const table = HashTable.create({ capacity: 8 });
    expect(table.set(HASH_EMPTY_KEY, 1)).toBe(HASH_SET.INVALID);
    expect(table.set(1, HASH_ABSENT)).toBe(HASH_SET.INVALID);
    expect(table.get(HASH_EMPTY_KEY)).toBe(HASH_ABSENT);
    expect(table.usedSlots()).toBe(0);
  });

  it("keeps probing past tombstones and colliding keys", () => {
    const table = HashTable.create({ capacity: 16, maxLoadFactor: 0.9 });
    // Keys that share a home slot (same hash & mask).
    const home = hashInt32(1) & 15;
    const colliding: number[] = [];
    for (let candidate = 1; colliding.length < 4; candidate++) {
      if ((hashInt32(candidate) & 15) === home) colliding.push(candidate);
    }
    colliding.forEach((k, index) => {
      expect(table.set(k, index)).toBe(HASH_SET.INSERTED);
    });
    expect(table.delete(colliding[1]!)).toBe(true);
    expect(table.get(colliding[3]!)).toBe(3);
    expect(table.set(colliding[1]!, 9)).toBe(HASH_SET.INSERTED);
    expect(table.usedSlots()).toBe(4);
  });

  it("attaches from another instance and validates the header", () => {
    const table = HashTable.create({ capacity: 64 });
    table.set(3, 4);
    const other = HashTable.attach(table.buffer);
    expect(other.get(3)).toBe(4);
    expect(other.maxUsed).toBe(48);
    expect(() => HashTable.create({ capacity: 64, maxLoadFactor: 1 })).toThrow(/maxLoadFactor/);
    const truncated = new SharedArrayBuffer(table.buffer.byteLength - 4);
    new Uint8Array(truncated).set(new Uint8Array(table.buffer).subarray(0, truncated.byteLength));
    expect(() => HashTable.attach(truncated)).toThrow(/header says/);
  });
});

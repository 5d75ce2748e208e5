/**
 * The layout header every structure starts with, and the clear errors
 * `attach` gives for anything that is not the expected structure.
 */
import { describe, expect, it } from "vitest";
import { MpscQueue } from "./bounded-queue";
import { DsLayoutError } from "./errors";
import { HashTable } from "./hash-table";
import { HEADER_WORD, LAYOUT_MAGIC, LAYOUT_VERSION, STRUCTURE_KIND } from "./layout-header";
import { SpscRecordRing } from "./spsc-record-ring";

describe("layout header", () => {
  it("starts every buffer with magic, kind, version, byte length and parameters", () => {
    const ring = SpscRecordRing.create({ capacity: 16, recordWords: 2 });
    const header = new Int32Array(ring.buffer, 0, 16);
    expect(header[HEADER_WORD.MAGIC]).toBe(LAYOUT_MAGIC);
    expect(new TextDecoder().decode(new Uint8Array(ring.buffer, 0, 4))).toBe("TSDS");
    expect(header[HEADER_WORD.KIND]).toBe(STRUCTURE_KIND.SPSC_RECORD_RING);
    expect(header[HEADER_WORD.VERSION]).toBe(LAYOUT_VERSION);
    expect(header[HEADER_WORD.BYTE_LENGTH]).toBe(ring.buffer.byteLength);
    expect([header[4], header[5]]).toEqual([16, 2]);
  });

  it("refuses, with a reason, anything that is not the expected structure", () => {
    const queue = MpscQueue.create({ capacity: 8 });
    const cases: [unknown, RegExp][] = [
      [undefined, /expected a SharedArrayBuffer, got undefined/],
      [null, /got null/],
      [Object.create(null), /got object/],
      [42, /got number/],
      [new SharedArrayBuffer(8), /shorter than a header/],
      [new SharedArrayBuffer(64), /bad magic/],
      [queue.buffer, /buffer holds a mpsc-queue/],
    ];
    for (const [buffer, reason] of cases) {
      expect(() => HashTable.attach(buffer)).toThrow(DsLayoutError);
      expect(() => HashTable.attach(buffer)).toThrow(reason);
    }
    const future = MpscQueue.create({ capacity: 8 });
    new Int32Array(future.buffer)[HEADER_WORD.VERSION] = LAYOUT_VERSION + 1;
    expect(() => MpscQueue.attach(future.buffer)).toThrow(
      `layout version ${LAYOUT_VERSION + 1}, this code reads ${LAYOUT_VERSION}`,
    );
    const corrupt = MpscQueue.create({ capacity: 8 });
    new Int32Array(corrupt.buffer)[HEADER_WORD.FIRST_PARAMETER] = 6;
    expect(() => MpscQueue.attach(corrupt.buffer)).toThrow(/power of two/);
  });
});

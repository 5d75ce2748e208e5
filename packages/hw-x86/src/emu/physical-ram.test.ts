/**
 * PhysicalRam: little-endian accesses, bounds (RangeError), and the
 * decoded-code write watch (every write path invalidates flagged pages).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PhysicalRam } from "./physical-ram";

describe("PhysicalRam", () => {
  it("reads back what it wrote, little-endian, at every width", () => {
    const ram = new PhysicalRam(8192);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8192 - 8 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (address, value) => {
          ram.write32(address, value);
          expect(ram.read32(address)).toBe(value >>> 0);
          expect(ram.read8(address)).toBe(value & 0xff);
          expect(ram.read16(address + 2)).toBe(value >>> 16);
          ram.write64(address, (BigInt(value) << 32n) | 7n);
          expect(ram.read32(address + 4)).toBe(value >>> 0);
          expect(ram.read64(address)).toBe((BigInt(value) << 32n) | 7n);
        },
      ),
    );
  });

  it("read64Number returns NaN at 2^53 and above; write64Number rejects unsafe values", () => {
    const ram = new PhysicalRam(4096);
    ram.write64Number(0, 2 ** 53 - 1);
    expect(ram.read64Number(0)).toBe(2 ** 53 - 1);
    ram.write64(0, 1n << 53n);
    expect(ram.read64Number(0)).toBeNaN();
    expect(() => ram.write64Number(0, 2 ** 53)).toThrow(RangeError);
  });

  it("throws RangeError for any byte outside memory", () => {
    const ram = new PhysicalRam(4096);
    expect(() => ram.read32(4094)).toThrow(RangeError);
    expect(() => ram.write8(-1, 0)).toThrow(RangeError);
    expect(() => ram.bytes(4000, 200)).toThrow(RangeError);
    expect(() => new PhysicalRam(1000)).toThrow(RangeError);
  });

  it("writes to a page flagged as holding decoded code notify the listener once", () => {
    const ram = new PhysicalRam(4 * 4096);
    const seen: number[] = [];
    ram.setCodeWriteListener((page) => seen.push(page));
    ram.codePages[1] = 1;
    ram.write8(0, 1); // page 0: not flagged
    ram.write32(4096 + 10, 5);
    ram.write32(4096 + 20, 5); // flag already cleared
    expect(seen).toEqual([1]);
    ram.codePages[2] = 1;
    ram.codePages[3] = 1;
    ram.notifyWritten(2 * 4096 + 4000, 200); // spans pages 2 and 3
    expect(seen).toEqual([1, 2, 3]);
  });
});

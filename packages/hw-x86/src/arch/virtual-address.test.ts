import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  joinVirtualAddress,
  pageOffset,
  pageOffset1G,
  pageOffset2M,
  pdIndex,
  pdptIndex,
  pdptIndexHalves,
  pml4Index,
  pml4IndexHalves,
  ptIndex,
  tableIndexHalves,
} from "./virtual-address";

const TWO_POW_32 = 2 ** 32;
const address48 = fc.integer({ min: 0, max: 2 ** 48 - 1 });

describe("4-level index extraction (SDM vol 3A §4.5, fig. 4-8)", () => {
  it("splits the top of user space", () => {
    const address = 0x7fff_ffff_f123;
    expect([
      pml4Index(address),
      pdptIndex(address),
      pdIndex(address),
      ptIndex(address),
      pageOffset(address),
    ]).toEqual([255, 511, 511, 511, 0x123]);
  });

  it("splits the start of the kernel half from halves", () => {
    expect(pml4IndexHalves(0, 0xffff8000)).toBe(256);
    expect(pdptIndexHalves(0x40000000, 0xffff8000)).toBe(1);
    expect(tableIndexHalves(4, 0, 0xffffffff)).toBe(511);
    expect(tableIndexHalves(0, 0, 0)).toBe(-1);
  });

  it("agrees between the number and halves forms, and joins back", () => {
    fc.assert(
      fc.property(address48, (address) => {
        const low = address % TWO_POW_32;
        const high = Math.floor(address / TWO_POW_32);
        const indices = [pml4Index(address), pdptIndex(address), pdIndex(address), ptIndex(address)];
        expect([4, 3, 2, 1].map((level) => tableIndexHalves(level, low, high))).toEqual(indices);
        expect(pdIndex(low)).toBe(indices[2]);
        expect(pageOffset(low)).toBe(pageOffset(address));
        const [pml4, pdpt, pd, pt] = indices as [number, number, number, number];
        expect(joinVirtualAddress(pml4, pdpt, pd, pt, pageOffset(address))).toBe(address);
        expect(pageOffset2M(address)).toBe(address % 2 ** 21);
        expect(pageOffset1G(address)).toBe(address % 2 ** 30);
      }),
    );
  });
});

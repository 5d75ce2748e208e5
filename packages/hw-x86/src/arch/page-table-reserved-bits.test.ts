import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodePteHigh, encodePteLow, PAGE_LEVEL, PAGE_SIZE, PTE, PTE_HIGH } from "./page-table-entry";
import {
  hasReservedBits,
  isValidMaxPhysAddr,
  PTE_RESERVED_LOW,
  reservedBitsHigh,
  reservedBitsLow,
} from "./page-table-reserved-bits";

const present = PTE.P | PTE.RW;

describe("reserved bits of 4-level paging entries (SDM vol 3A §4.5)", () => {
  it("reserves PS in a PML4E", () => {
    expect(hasReservedBits(PAGE_LEVEL.PML4, present | PTE.PS, 0)).toBe(true);
    expect(hasReservedBits(PAGE_LEVEL.PML4, present, 0)).toBe(false);
  });

  it("reserves bits 29:13 of a 1 GiB PDPTE and 20:13 of a 2 MiB PDE, not of table pointers", () => {
    expect(PTE_RESERVED_LOW.PDPTE_1G).toBe(0x3fffe000);
    expect(PTE_RESERVED_LOW.PDE_2M).toBe(0x1fe000);
    const bit13 = 1 << 13;
    expect(hasReservedBits(PAGE_LEVEL.PDPT, present | PTE.PS | bit13, 0)).toBe(true);
    expect(hasReservedBits(PAGE_LEVEL.PDPT, present | PTE.PS | (1 << 29), 0)).toBe(true);
    expect(hasReservedBits(PAGE_LEVEL.PDPT, present | PTE.PS | PTE.PAT_LARGE | (1 << 30), 0)).toBe(false);
    expect(hasReservedBits(PAGE_LEVEL.PDPT, present | bit13, 0)).toBe(false);
    expect(hasReservedBits(PAGE_LEVEL.PD, present | PTE.PS | (1 << 20), 0)).toBe(true);
    expect(hasReservedBits(PAGE_LEVEL.PD, present | PTE.PS | (1 << 21), 0)).toBe(false);
    expect(hasReservedBits(PAGE_LEVEL.PD, present | bit13, 0)).toBe(false);
    expect(hasReservedBits(PAGE_LEVEL.PT, present | PTE.PAT_4K | bit13, 0)).toBe(false);
  });

  it("reserves address bits 51:MAXPHYADDR", () => {
    expect(reservedBitsHigh(52)).toBe(0);
    expect(reservedBitsHigh(40)).toBe(0xfff00);
    expect(reservedBitsHigh(36)).toBe(0xffff0);
    expect(hasReservedBits(PAGE_LEVEL.PT, present, 1 << 8, 40)).toBe(true);
    expect(hasReservedBits(PAGE_LEVEL.PT, present, 1 << 7, 40)).toBe(false);
    expect(hasReservedBits(PAGE_LEVEL.PT, present, 1 << 8, 52)).toBe(false);
  });

  it("reserves bit 63 only when EFER.NXE = 0", () => {
    expect(hasReservedBits(PAGE_LEVEL.PT, present, PTE_HIGH.NX, 52, true)).toBe(false);
    expect(hasReservedBits(PAGE_LEVEL.PT, present, PTE_HIGH.NX, 52, false)).toBe(true);
    expect(reservedBitsHigh(52, false)).toBe(PTE_HIGH.NX);
  });

  it("never flags ignored bits 62:52 or OS-available bits 11:9", () => {
    expect(hasReservedBits(PAGE_LEVEL.PML4, present | 0xe00, 0x7ff00000, 40)).toBe(false);
  });

  it("accepts every well-formed entry below MAXPHYADDR", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 32, max: 52 }),
        fc.constantFrom(PAGE_LEVEL.PML4, PAGE_LEVEL.PDPT, PAGE_LEVEL.PD, PAGE_LEVEL.PT),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (maxPhysAddr, level, large, fraction) => {
          const isLarge = large && (level === PAGE_LEVEL.PDPT || level === PAGE_LEVEL.PD);
          const size = !isLarge
            ? PAGE_SIZE.SIZE_4K
            : level === PAGE_LEVEL.PDPT
              ? PAGE_SIZE.SIZE_1G
              : PAGE_SIZE.SIZE_2M;
          const pages = Math.floor(2 ** maxPhysAddr / size);
          const address = Math.min(pages - 1, Math.floor(fraction * pages)) * size;
          const flags = present | PTE.US | PTE.A | (isLarge ? PTE.PS | PTE.D | PTE.G | PTE.PAT_LARGE : 0);
          const low = encodePteLow(address, flags);
          const high = encodePteHigh(address, PTE_HIGH.NX);
          expect(hasReservedBits(level, low, high, maxPhysAddr)).toBe(false);
          expect(low & reservedBitsLow(level, low)).toBe(0);
        },
      ),
    );
  });

  it("validates MAXPHYADDR", () => {
    expect(isValidMaxPhysAddr(40)).toBe(true);
    expect(isValidMaxPhysAddr(52)).toBe(true);
    expect(isValidMaxPhysAddr(31)).toBe(false);
    expect(isValidMaxPhysAddr(53)).toBe(false);
    expect(isValidMaxPhysAddr(40.5)).toBe(false);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodePte,
  encodePteHalves,
  encodePteHigh,
  encodePteLow,
  entryAddress,
  hasFlags,
  isAccessed,
  isDirty,
  isGlobal,
  isLargePage,
  isNoExecute,
  isPresent,
  isUser,
  isWritable,
  mappedSize,
  PAGE_LEVEL,
  PAGE_SIZE,
  PTE,
  PTE_HIGH,
  protectionKey,
  pteAddress,
  pteToBigint,
} from "./page-table-entry";

/** 4 KiB-aligned physical addresses below 2^52. */
const frameAddress = fc.integer({ min: 0, max: 2 ** 40 - 1 }).map((frame) => frame * 4096);
const lowFlags = fc.integer({ min: 0, max: 0xfff });
const highFlags = fc.integer({ min: 0, max: 0xfff }).map((bits) => (bits << 20) >>> 0);

describe("PTE bit layout (SDM vol 3A tables 4-14 to 4-20)", () => {
  it("puts each flag at its architectural bit", () => {
    expect([PTE.P, PTE.RW, PTE.US, PTE.PWT, PTE.PCD, PTE.A, PTE.D, PTE.PS, PTE.G].map(Math.log2)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(PTE.PAT_4K).toBe(PTE.PS);
    expect(Math.log2(PTE.PAT_LARGE)).toBe(12);
    expect(PTE_HIGH.NX).toBe(2 ** 31);
  });

  it("encodes a known entry: NX user page at 0x12345000, present, writable, accessed, dirty", () => {
    const [low, high] = encodePte(0x12345000, PTE.P | PTE.RW | PTE.US | PTE.A | PTE.D, PTE_HIGH.NX);
    expect(low).toBe(0x12345067);
    expect(high).toBe(0x80000000);
    expect(pteToBigint(low, high)).toBe(0x8000000012345067n);
  });

  it("reads back flags", () => {
    const low = PTE.P | PTE.RW | PTE.US | PTE.A | PTE.D | PTE.G;
    expect([
      isPresent(low),
      isWritable(low),
      isUser(low),
      isAccessed(low),
      isDirty(low),
      isGlobal(low),
    ]).toEqual([true, true, true, true, true, true]);
    expect([isPresent(0), isWritable(0), isUser(0), isAccessed(0), isDirty(0), isGlobal(0)]).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isNoExecute(PTE_HIGH.NX)).toBe(true);
    expect(isNoExecute(0x7fffffff)).toBe(false);
    expect(hasFlags(low, PTE.P | PTE.US)).toBe(true);
    expect(hasFlags(PTE.P, PTE.P | PTE.US)).toBe(false);
    expect(protectionKey(0x5 << 27)).toBe(5);
  });
});

describe("encode / decode round trips", () => {
  it("recovers address and flags of 4 KiB entries", () => {
    fc.assert(
      fc.property(frameAddress, lowFlags, highFlags, (address, flags, high) => {
        const out = new Uint32Array(4);
        encodePteHalves(address, flags, high, out, 2);
        expect(out[2]).toBe(encodePteLow(address, flags));
        expect(out[3]).toBe(encodePteHigh(address, high));
        expect(pteAddress(out[2]!, out[3]!)).toBe(address);
        expect(entryAddress(PAGE_LEVEL.PT, out[2]!, out[3]!)).toBe(address);
        expect(out[2]! & 0xfff).toBe(flags);
        expect((out[3]! & 0xfff00000) >>> 0).toBe(high);
      }),
    );
  });

  it("keeps the PAT bit of large pages apart from their address", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (page, pat) => {
        const address = page * PAGE_SIZE.SIZE_2M;
        const flags = PTE.P | PTE.PS | (pat ? PTE.PAT_LARGE : 0);
        const low = encodePteLow(address, flags);
        const high = encodePteHigh(address, 0);
        expect(entryAddress(PAGE_LEVEL.PD, low, high)).toBe(address);
        expect((low & PTE.PAT_LARGE) !== 0).toBe(pat);
      }),
    );
  });

  it("masks 1 GiB page addresses with bits 51:30", () => {
    const low = encodePteLow(3 * PAGE_SIZE.SIZE_1G, PTE.P | PTE.PS | PTE.PAT_LARGE);
    expect(entryAddress(PAGE_LEVEL.PDPT, low, 0)).toBe(3 * PAGE_SIZE.SIZE_1G);
    expect(mappedSize(PAGE_LEVEL.PDPT, low)).toBe(PAGE_SIZE.SIZE_1G);
  });
});

describe("page size by level", () => {
  it("treats bit 7 as PS only in PDPTEs and PDEs", () => {
    expect(isLargePage(PAGE_LEVEL.PML4, PTE.PS)).toBe(false);
    expect(isLargePage(PAGE_LEVEL.PDPT, PTE.PS)).toBe(true);
    expect(isLargePage(PAGE_LEVEL.PD, PTE.PS)).toBe(true);
    expect(isLargePage(PAGE_LEVEL.PT, PTE.PAT_4K)).toBe(false);
    expect(mappedSize(PAGE_LEVEL.PT, PTE.PAT_4K)).toBe(PAGE_SIZE.SIZE_4K);
    expect(mappedSize(PAGE_LEVEL.PD, PTE.PS)).toBe(PAGE_SIZE.SIZE_2M);
    expect(mappedSize(PAGE_LEVEL.PD, 0)).toBe(0);
    expect(mappedSize(PAGE_LEVEL.PML4, PTE.PS)).toBe(0);
  });
});

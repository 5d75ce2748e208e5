import { describe, expect, it } from "vitest";
import { encodePteHigh, encodePteLow, PAGE_LEVEL, PTE, PTE_HIGH } from "./page-table-entry";
import { decodePageTableEntry, formatPageTableEntry } from "./page-table-format";

describe("decodePageTableEntry", () => {
  it("decodes a 2 MiB NX kernel page", () => {
    const low = encodePteLow(0x200000, PTE.P | PTE.RW | PTE.A | PTE.D | PTE.PS | PTE.G | PTE.PAT_LARGE);
    const entry = decodePageTableEntry(PAGE_LEVEL.PD, low, encodePteHigh(0x200000, PTE_HIGH.NX));
    expect(entry).toMatchObject({
      kind: "PDE",
      present: true,
      writable: true,
      user: false,
      dirty: true,
      global: true,
      pat: true,
      mapsPage: true,
      noExecute: true,
      address: 0x200000,
      pageSize: 0x200000,
    });
  });

  it("ignores D, G and PAT in a table pointer but shows OS-available bits", () => {
    const low = encodePteLow(0x5000, PTE.P | PTE.US | PTE.D | PTE.G | 0xa00);
    const entry = decodePageTableEntry(PAGE_LEVEL.PML4, low, 0x00300000);
    expect(entry).toMatchObject({
      mapsPage: false,
      dirty: false,
      global: false,
      pageSize: 0,
      address: 0x5000,
    });
    expect(entry.availableLow).toBe(5);
    expect(entry.availableHigh).toBe(3);
  });

  it("reads PAT from bit 7 in a PTE", () => {
    expect(decodePageTableEntry(PAGE_LEVEL.PT, PTE.P | PTE.PAT_4K, 0).pat).toBe(true);
    expect(decodePageTableEntry(PAGE_LEVEL.PT, PTE.P | PTE.PAT_LARGE, 0).pat).toBe(false);
  });
});

describe("formatPageTableEntry", () => {
  it("prints one line per entry", () => {
    const low = encodePteLow(0x200000, PTE.P | PTE.RW | PTE.US | PTE.A | PTE.D | PTE.PS);
    expect(formatPageTableEntry(PAGE_LEVEL.PD, low, PTE_HIGH.NX)).toBe(
      "PDE 0x80000000002000e7 P RW US A D PS NX -> 2M page 0x200000",
    );
    expect(formatPageTableEntry(PAGE_LEVEL.PML4, 0, 0)).toBe("PML4E 0x0000000000000000 not present");
    expect(formatPageTableEntry(PAGE_LEVEL.PDPT, 0x3003, 0)).toBe(
      "PDPTE 0x0000000000003003 P RW -> table 0x3000",
    );
  });
});

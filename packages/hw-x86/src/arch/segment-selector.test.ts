import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeStar,
  encodeSelector,
  encodeStarHigh,
  GDT_SELECTOR,
  LINUX_STAR_HIGH,
  selectorIndex,
  selectorIsLdt,
  selectorRpl,
  sysretBase,
} from "./segment-selector";

describe("segment selectors (SDM vol 3A §3.4.2)", () => {
  it("builds the Linux GDT selectors", () => {
    expect(encodeSelector(2, false, 0)).toBe(GDT_SELECTOR.KERNEL_CS);
    expect(encodeSelector(3, false, 0)).toBe(GDT_SELECTOR.KERNEL_DS);
    expect(encodeSelector(4, false, 3)).toBe(GDT_SELECTOR.USER32_CS);
    expect(encodeSelector(5, false, 3)).toBe(GDT_SELECTOR.USER_DS);
    expect(encodeSelector(6, false, 3)).toBe(GDT_SELECTOR.USER_CS);
  });

  it("round-trips index, table and RPL", () => {
    fc.assert(
      fc.property(fc.nat(8191), fc.boolean(), fc.nat(3), (index, ldt, rpl) => {
        const selector = encodeSelector(index, ldt, rpl);
        expect([selectorIndex(selector), selectorIsLdt(selector), selectorRpl(selector)]).toEqual([
          index,
          ldt,
          rpl,
        ]);
      }),
    );
  });
});

describe("IA32_STAR (SDM vol 3A §5.8.8; vol 2B SYSCALL, SYSRET)", () => {
  it("gives the Linux selectors for the Linux STAR", () => {
    expect(LINUX_STAR_HIGH).toBe(0x00230010);
    expect(decodeStar(LINUX_STAR_HIGH)).toEqual({
      syscallCs: 0x10,
      syscallSs: 0x18,
      sysretCs64: 0x33,
      sysretCs32: 0x23,
      sysretSs: 0x2b,
    });
  });

  it("forces RPL 0 on SYSCALL CS and RPL 3 on SYSRET selectors", () => {
    fc.assert(
      fc.property(fc.nat(0xffff), fc.nat(0xffff), (cs, base) => {
        const star = encodeStarHigh(cs, base);
        expect(sysretBase(star)).toBe(base);
        const selectors = decodeStar(star);
        expect(selectors.syscallCs).toBe(cs & 0xfffc);
        expect(selectors.syscallSs).toBe((cs + 8) & 0xffff);
        expect(selectors.sysretCs64 & 3).toBe(3);
        expect(selectors.sysretSs & 3).toBe(3);
      }),
    );
  });
});

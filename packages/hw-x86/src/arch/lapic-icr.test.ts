import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DELIVERY_MODE } from "./apic-fields";
import {
  decodeIcr,
  encodeIcrHigh,
  encodeIcrLow,
  encodeIcrLowFast,
  fixedIpiLow,
  ICR_LOW_WRITABLE,
  ICR_SHORTHAND,
  icrDestination,
  icrShorthand,
} from "./lapic-icr";

describe("ICR (SDM vol 3A §10.6.1, fig. 10-12)", () => {
  it("encodes the SDM's broadcast INIT and SIPI (vol 3A §8.4.4.1)", () => {
    const init = encodeIcrLowFast(
      0,
      DELIVERY_MODE.INIT,
      ICR_SHORTHAND.ALL_EXCLUDING_SELF,
      false,
      true,
      false,
    );
    expect(init).toBe(0x000c4500);
    const sipi = encodeIcrLow({
      vector: 0x08,
      deliveryMode: DELIVERY_MODE.STARTUP,
      shorthand: ICR_SHORTHAND.ALL_EXCLUDING_SELF,
    });
    expect(sipi).toBe(0x000c4608);
  });

  it("encodes a targeted INIT level assert to APIC 1 and a fixed IPI", () => {
    expect(encodeIcrLow({ deliveryMode: DELIVERY_MODE.INIT, levelTriggered: true })).toBe(0x0000c500);
    expect(encodeIcrHigh(1)).toBe(0x01000000);
    expect(fixedIpiLow(0xfd)).toBe(0x000040fd);
    expect(icrDestination(0xff000000)).toBe(0xff);
    expect(icrShorthand(0x000c4500)).toBe(ICR_SHORTHAND.ALL_EXCLUDING_SELF);
  });

  it("round-trips every field through both halves", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (low, high) => {
          const fields = decodeIcr(low, high);
          expect(encodeIcrLow(fields)).toBe((low & (ICR_LOW_WRITABLE | 0x1000)) >>> 0);
          expect(encodeIcrHigh(fields.destination)).toBe((high & 0xff000000) >>> 0);
        },
      ),
    );
  });
});

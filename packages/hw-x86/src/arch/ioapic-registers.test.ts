import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { APIC_FIELD, DELIVERY_MODE } from "./apic-fields";
import {
  applyRedirectionLowWrite,
  decodeRedirection,
  encodeIoapicVersion,
  encodeRedirectionHigh,
  encodeRedirectionLow,
  encodeRedirectionLowFast,
  IOAPIC_MMIO,
  IOAPIC_REGISTER,
  ioapicEntryCount,
  REDIRECTION_LOW_READ_ONLY,
  REDIRECTION_LOW_WRITABLE,
  REDIRECTION_RESET_LOW,
  redirectionDestination,
  redirectionRegisterIndex,
} from "./ioapic-registers";

describe("IOAPIC registers (82093AA datasheet §3)", () => {
  it("uses IOREGSEL/IOWIN and the indirect register indices", () => {
    expect([IOAPIC_MMIO.IOREGSEL, IOAPIC_MMIO.IOWIN]).toEqual([0x00, 0x10]);
    expect([IOAPIC_REGISTER.ID, IOAPIC_REGISTER.VERSION, IOAPIC_REGISTER.ARBITRATION]).toEqual([0, 1, 2]);
    expect(redirectionRegisterIndex(0)).toBe(0x10);
    expect(redirectionRegisterIndex(23)).toBe(0x3e);
  });

  it("announces 24 entries as max redirection entry 0x17", () => {
    expect(encodeIoapicVersion(0x11, 24)).toBe(0x00170011);
    expect(ioapicEntryCount(0x00170011)).toBe(24);
  });

  it("encodes known entries", () => {
    expect(encodeRedirectionLowFast(0x21, DELIVERY_MODE.FIXED, false, false, false, false)).toBe(0x21);
    expect(encodeRedirectionLow({ vector: 0x30, activeLow: true, levelTriggered: true, masked: true })).toBe(
      0x0001a030,
    );
    expect(
      encodeRedirectionLow({
        vector: 0x40,
        deliveryMode: DELIVERY_MODE.LOWEST_PRIORITY,
        logicalDestination: true,
      }),
    ).toBe(0x00000940);
    expect(encodeRedirectionHigh(3)).toBe(0x03000000);
    expect(redirectionDestination(0x03000000)).toBe(3);
    expect(REDIRECTION_RESET_LOW).toBe(0x00010000);
  });

  it("round-trips every defined bit of both halves", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (low, high) => {
          const entry = decodeRedirection(low, high);
          const defined = REDIRECTION_LOW_WRITABLE | REDIRECTION_LOW_READ_ONLY;
          expect(encodeRedirectionLow(entry)).toBe((low & defined) >>> 0);
          expect(encodeRedirectionHigh(entry.destination)).toBe((high & 0xff000000) >>> 0);
        },
      ),
    );
  });

  it("treats delivery status and remote IRR as read-only", () => {
    expect(REDIRECTION_LOW_READ_ONLY).toBe(APIC_FIELD.DELIVERY_STATUS | APIC_FIELD.REMOTE_IRR);
    const current = APIC_FIELD.REMOTE_IRR | APIC_FIELD.TRIGGER_LEVEL | 0x30;
    expect(applyRedirectionLowWrite(current, 0x31 | APIC_FIELD.DELIVERY_STATUS)).toBe(
      APIC_FIELD.REMOTE_IRR | 0x31,
    );
  });
});

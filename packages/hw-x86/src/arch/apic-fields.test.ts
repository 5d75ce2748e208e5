import { describe, expect, it } from "vitest";
import {
  APIC_FIELD,
  DELIVERY_MODE,
  fieldDeliveryMode,
  fieldVector,
  isFieldLevelTriggered,
  isFieldMasked,
  priorityClass,
} from "./apic-fields";

describe("shared APIC fields (SDM vol 3A fig. 10-8, 10-12)", () => {
  it("uses the documented delivery-mode encodings", () => {
    expect(DELIVERY_MODE).toEqual({
      FIXED: 0,
      LOWEST_PRIORITY: 1,
      SMI: 2,
      NMI: 4,
      INIT: 5,
      STARTUP: 6,
      EXTINT: 7,
    });
  });

  it("extracts fields from a register value", () => {
    const value = 0x0001a430;
    expect(fieldVector(value)).toBe(0x30);
    expect(fieldDeliveryMode(value)).toBe(DELIVERY_MODE.NMI);
    expect(isFieldMasked(value)).toBe(true);
    expect(isFieldLevelTriggered(value)).toBe(true);
    expect(isFieldMasked(value & ~APIC_FIELD.MASKED)).toBe(false);
    expect(priorityClass(0xef)).toBe(0xe);
  });
});

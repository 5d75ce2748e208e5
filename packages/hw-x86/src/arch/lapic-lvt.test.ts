import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { APIC_FIELD, DELIVERY_MODE } from "./apic-fields";
import {
  applyLvtWrite,
  decodeLvt,
  encodeLvt,
  encodeLvtTimer,
  LVT_RESET_VALUE,
  LVT_TIMER_MODE,
  LVT_WRITABLE,
  lvtTimerMode,
} from "./lapic-lvt";

const lvtValue = fc.integer({ min: 0, max: 0x7ffff }).map((value) => value & ~0x800);

describe("LVT entries (SDM vol 3A §10.5.1, fig. 10-8)", () => {
  it("encodes a periodic timer on vector 0x20 as 0x00020020", () => {
    expect(encodeLvtTimer(0x20, LVT_TIMER_MODE.PERIODIC, false)).toBe(0x00020020);
    expect(encodeLvtTimer(0x20, LVT_TIMER_MODE.ONE_SHOT, true)).toBe(0x00010020);
    expect(encodeLvtTimer(0xef, LVT_TIMER_MODE.TSC_DEADLINE, false)).toBe(0x000400ef);
    expect(lvtTimerMode(0x00020020)).toBe(LVT_TIMER_MODE.PERIODIC);
    expect(encodeLvt({ vector: 0x20, timerMode: LVT_TIMER_MODE.PERIODIC })).toBe(0x00020020);
  });

  it("encodes LINT0 as ExtINT and LINT1 as NMI the way firmware sets them", () => {
    expect(encodeLvt({ deliveryMode: DELIVERY_MODE.EXTINT })).toBe(0x700);
    expect(encodeLvt({ deliveryMode: DELIVERY_MODE.NMI })).toBe(0x400);
    expect(encodeLvt({ vector: 0x30, levelTriggered: true, activeLow: true, masked: true })).toBe(0x0001a030);
  });

  it("round-trips every defined bit", () => {
    fc.assert(
      fc.property(lvtValue, (value) => {
        expect(encodeLvt(decodeLvt(value))).toBe(value & 0x7f7ff);
      }),
    );
  });

  it("documents the writable bits of each entry kind", () => {
    expect(LVT_WRITABLE.TIMER).toBe(0x000700ff);
    expect(LVT_WRITABLE.LINT).toBe(0x0001a7ff);
    expect(LVT_WRITABLE.ERROR).toBe(0x000100ff);
    expect(LVT_WRITABLE.WITH_DELIVERY_MODE).toBe(0x000107ff);
    expect(LVT_RESET_VALUE).toBe(0x00010000);
  });

  it("keeps read-only bits on write and stays masked while the APIC is disabled", () => {
    const current = APIC_FIELD.REMOTE_IRR | APIC_FIELD.DELIVERY_STATUS | APIC_FIELD.MASKED;
    const written = 0xffffffff & ~APIC_FIELD.MASKED;
    expect(applyLvtWrite(current, written, LVT_WRITABLE.LINT, true)).toBe(0x0000f7ff);
    expect(applyLvtWrite(0, 0x20, LVT_WRITABLE.TIMER, false)).toBe(0x00010020);
  });
});

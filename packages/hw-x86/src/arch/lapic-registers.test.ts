import { describe, expect, it } from "vitest";
import { priorityClass } from "./apic-fields";
import {
  encodeLapicVersion,
  encodeTimerDivide,
  LAPIC,
  LAPIC_VECTOR_REGISTER_STRIDE,
  lapicIdFromRegister,
  lapicIdRegister,
  lapicMaxLvtEntry,
  lapicVersion,
  SVR,
  TIMER_DIVIDE,
  timerDivisor,
  vectorRegisterBit,
  vectorRegisterOffset,
} from "./lapic-registers";

describe("LAPIC register map (SDM vol 3A table 10-1)", () => {
  it("uses the documented offsets", () => {
    expect(LAPIC.ID).toBe(0x20);
    expect(LAPIC.EOI).toBe(0xb0);
    expect(LAPIC.SVR).toBe(0xf0);
    expect(LAPIC.ICR_LOW).toBe(0x300);
    expect(LAPIC.ICR_HIGH).toBe(0x310);
    expect(LAPIC.LVT_TIMER).toBe(0x320);
    expect(LAPIC.LVT_LINT0).toBe(0x350);
    expect(LAPIC.LVT_ERROR).toBe(0x370);
    expect(LAPIC.TIMER_INITIAL_COUNT).toBe(0x380);
    expect(LAPIC.TIMER_CURRENT_COUNT).toBe(0x390);
    expect(LAPIC.TIMER_DIVIDE).toBe(0x3e0);
    for (const offset of Object.values(LAPIC)) expect(offset % LAPIC_VECTOR_REGISTER_STRIDE).toBe(0);
  });

  it("locates a vector's ISR/TMR/IRR word and bit", () => {
    expect(vectorRegisterOffset(LAPIC.IRR_BASE, 0x31)).toBe(0x210);
    expect(vectorRegisterBit(0x31)).toBe(1 << 17);
    expect(vectorRegisterOffset(LAPIC.ISR_BASE, 0xff)).toBe(0x170);
    expect(vectorRegisterBit(0xff)).toBe(0x80000000);
    expect(priorityClass(0x31)).toBe(3);
  });

  it("encodes the ID and version registers", () => {
    expect(lapicIdRegister(3)).toBe(0x03000000);
    expect(lapicIdRegister(0xff)).toBe(0xff000000);
    expect(lapicIdFromRegister(0xff000000)).toBe(0xff);
    const version = encodeLapicVersion(0x14, 6);
    expect(version).toBe(0x00060014);
    expect([lapicVersion(version), lapicMaxLvtEntry(version)]).toEqual([0x14, 6]);
    expect(encodeLapicVersion(0x15, 6, true)).toBe(0x01060015);
  });

  it("defines SVR enable bit 8 and focus check bit 9", () => {
    expect(SVR.APIC_ENABLE).toBe(1 << 8);
    expect(SVR.FOCUS_CHECK_DISABLE).toBe(1 << 9);
    expect(SVR.RESET_VALUE).toBe(0xff);
  });
});

describe("timer divide configuration (SDM vol 3A §10.5.4, fig. 10-10)", () => {
  it("maps the documented encodings to divisors", () => {
    expect(timerDivisor(0b0000)).toBe(2);
    expect(timerDivisor(0b0001)).toBe(4);
    expect(timerDivisor(0b0010)).toBe(8);
    expect(timerDivisor(0b0011)).toBe(16);
    expect(timerDivisor(0b1000)).toBe(32);
    expect(timerDivisor(0b1001)).toBe(64);
    expect(timerDivisor(0b1010)).toBe(128);
    expect(timerDivisor(0b1011)).toBe(1);
    expect(timerDivisor(0b0100)).toBe(2);
  });

  it("round-trips every divisor and rejects others", () => {
    for (const divisor of [1, 2, 4, 8, 16, 32, 64, 128]) {
      const value = encodeTimerDivide(divisor);
      expect(value & ~TIMER_DIVIDE.MASK).toBe(0);
      expect(timerDivisor(value)).toBe(divisor);
    }
    expect(encodeTimerDivide(3)).toBe(-1);
    expect(encodeTimerDivide(256)).toBe(-1);
    expect(encodeTimerDivide(0)).toBe(-1);
  });
});

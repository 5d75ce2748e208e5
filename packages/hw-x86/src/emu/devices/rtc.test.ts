import { describe, expect, it } from "vitest";
import { Timeline } from "../timeline";
import { RTC_PORT, RTC_REGISTER, Rtc } from "./rtc";

const HZ = 1_000_000;

function read(rtc: Rtc, index: number): number {
  rtc.out8(RTC_PORT.INDEX, index);
  return rtc.in8(RTC_PORT.DATA);
}

function write(rtc: Rtc, index: number, value: number): void {
  rtc.out8(RTC_PORT.INDEX, index);
  rtc.out8(RTC_PORT.DATA, value);
}

function setup(epoch?: number) {
  const clock = new Timeline(HZ);
  return { clock, rtc: new Rtc(clock, epoch) };
}

describe("Rtc time registers", () => {
  it("starts at the default epoch 2026-01-01 00:00:00 in BCD, a Thursday", () => {
    const { rtc } = setup();
    expect(read(rtc, RTC_REGISTER.SECONDS)).toBe(0x00);
    expect(read(rtc, RTC_REGISTER.HOURS)).toBe(0x00);
    expect(read(rtc, RTC_REGISTER.DAY_OF_MONTH)).toBe(0x01);
    expect(read(rtc, RTC_REGISTER.MONTH)).toBe(0x01);
    expect(read(rtc, RTC_REGISTER.YEAR)).toBe(0x26);
    expect(read(rtc, RTC_REGISTER.CENTURY)).toBe(0x20);
    expect(read(rtc, RTC_REGISTER.DAY_OF_WEEK)).toBe(5);
  });

  it("advances with virtual time, not host time", () => {
    const { clock, rtc } = setup();
    clock.advanceTo(3725 * HZ + HZ / 2);
    expect(read(rtc, RTC_REGISTER.HOURS)).toBe(0x01);
    expect(read(rtc, RTC_REGISTER.MINUTES)).toBe(0x02);
    expect(read(rtc, RTC_REGISTER.SECONDS)).toBe(0x05);
  });

  it("uses a caller-given epoch and binary mode from register B", () => {
    const { rtc } = setup(Date.UTC(1999, 11, 31, 23, 59, 58) / 1000);
    write(rtc, RTC_REGISTER.STATUS_B, 0x06);
    expect(read(rtc, RTC_REGISTER.SECONDS)).toBe(58);
    expect(read(rtc, RTC_REGISTER.MONTH)).toBe(12);
    expect(read(rtc, RTC_REGISTER.YEAR)).toBe(99);
    expect(read(rtc, RTC_REGISTER.CENTURY)).toBe(19);
  });

  it("shows 12-hour format with the PM bit", () => {
    const { rtc } = setup(Date.UTC(2026, 0, 1, 13, 0, 0) / 1000);
    write(rtc, RTC_REGISTER.STATUS_B, 0x00); // BCD, 12-hour
    expect(read(rtc, RTC_REGISTER.HOURS)).toBe(0x81);
    write(rtc, RTC_REGISTER.HOURS, 0x12); // 12 AM = midnight
    write(rtc, RTC_REGISTER.STATUS_B, 0x02);
    expect(read(rtc, RTC_REGISTER.HOURS)).toBe(0x00);
  });

  it("raises update-in-progress in the last 244 µs of each second", () => {
    const { clock, rtc } = setup();
    clock.advanceTo(500_000);
    expect(read(rtc, RTC_REGISTER.STATUS_A) & 0x80).toBe(0);
    clock.advanceTo(999_800);
    expect(read(rtc, RTC_REGISTER.STATUS_A)).toBe(0x80 | 0x26);
    expect(read(rtc, RTC_REGISTER.SECONDS)).toBe(0x00);
    clock.advanceTo(1 * HZ);
    expect(read(rtc, RTC_REGISTER.STATUS_A) & 0x80).toBe(0);
    expect(read(rtc, RTC_REGISTER.SECONDS)).toBe(0x01);
  });

  it("freezes while SET and takes written fields", () => {
    const { clock, rtc } = setup();
    write(rtc, RTC_REGISTER.STATUS_B, 0x82);
    write(rtc, RTC_REGISTER.HOURS, 0x12);
    write(rtc, RTC_REGISTER.MINUTES, 0x34);
    clock.advanceTo(10 * HZ);
    expect(read(rtc, RTC_REGISTER.SECONDS)).toBe(0x00);
    write(rtc, RTC_REGISTER.STATUS_B, 0x02);
    clock.advanceTo(15 * HZ);
    expect(read(rtc, RTC_REGISTER.HOURS)).toBe(0x12);
    expect(read(rtc, RTC_REGISTER.MINUTES)).toBe(0x34);
    expect(read(rtc, RTC_REGISTER.SECONDS)).toBe(0x05);
    expect(read(rtc, RTC_REGISTER.DAY_OF_WEEK)).toBe(5);
  });
});

describe("Rtc status, RAM and bad input", () => {
  it("reports register D valid, register C empty, and ignores writes to both", () => {
    const { rtc } = setup();
    expect(read(rtc, RTC_REGISTER.STATUS_D)).toBe(0x80);
    write(rtc, RTC_REGISTER.STATUS_D, 0);
    write(rtc, RTC_REGISTER.STATUS_C, 0xff);
    expect(read(rtc, RTC_REGISTER.STATUS_D)).toBe(0x80);
    expect(read(rtc, RTC_REGISTER.STATUS_C)).toBe(0);
    expect(rtc.counters.readOnlyWrites).toBe(2);
  });

  it("keeps CMOS RAM bytes and ignores the NMI-disable bit of the index", () => {
    const { rtc } = setup();
    write(rtc, 0x40, 0xa5);
    expect(read(rtc, 0x40)).toBe(0xa5);
    expect(read(rtc, 0x80 | 0x40)).toBe(0xa5);
  });

  it("counts reads of the write-only index port and foreign ports", () => {
    const { rtc } = setup();
    expect(rtc.in8(RTC_PORT.INDEX)).toBe(0xff);
    rtc.out8(0x72, 0);
    expect(rtc.counters.unknownReads).toBe(1);
    expect(rtc.counters.unknownWrites).toBe(1);
  });
});

describe("Rtc writes", () => {
  it("takes day-of-week, year and century writes and keeps counting from them", () => {
    const { clock, rtc } = setup();
    write(rtc, RTC_REGISTER.DAY_OF_WEEK, 2);
    expect(read(rtc, RTC_REGISTER.DAY_OF_WEEK)).toBe(2);
    clock.advanceTo(86_400 * HZ);
    expect(read(rtc, RTC_REGISTER.DAY_OF_WEEK)).toBe(3);
    write(rtc, RTC_REGISTER.YEAR, 0x30);
    write(rtc, RTC_REGISTER.CENTURY, 0x21);
    expect(read(rtc, RTC_REGISTER.YEAR)).toBe(0x30);
    expect(read(rtc, RTC_REGISTER.CENTURY)).toBe(0x21);
    expect(read(rtc, RTC_REGISTER.DAY_OF_MONTH)).toBe(0x02);
    expect(read(rtc, RTC_REGISTER.DAY_OF_WEEK)).toBe(3);
  });

  it("takes 12-hour writes with the PM bit", () => {
    const { rtc } = setup();
    write(rtc, RTC_REGISTER.STATUS_B, 0x04); // binary, 12-hour
    write(rtc, RTC_REGISTER.HOURS, 0x80 | 7);
    write(rtc, RTC_REGISTER.STATUS_B, 0x06);
    expect(read(rtc, RTC_REGISTER.HOURS)).toBe(19);
  });
});

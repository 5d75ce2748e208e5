/**
 * The CMOS real-time clock (Motorola MC146818A datasheet, PC/AT CMOS
 * layout) on ports 0x70 (index; bit 7 is the NMI-disable bit, stored and
 * ignored) and 0x71 (data).
 *
 * Time: wall-clock seconds = `startEpochSeconds` (given by the caller, so
 * runs are deterministic; default 2026-01-01T00:00:00Z) + whole virtual
 * seconds since the RTC was created, read from the Clock. Date fields are
 * derived on each read (UTC); writing a time register moves the clock so
 * that field reads back as written (out-of-range values are normalised, as
 * `Date.UTC` does, instead of being stored as garbage). Register B selects
 * BCD or binary (DM, bit 2) and 24- or 12-hour format (bit 1; PM in hour
 * bit 7). Setting SET (register B bit 7) freezes the clock; clearing it
 * resumes from the frozen time.
 *
 * Update-in-progress (register A bit 7) reads 1 during the last 244 µs of
 * each second, where the chip raises it before the update; the registers
 * still hold the old second then, and the update itself is instantaneous.
 *
 * Not emulated: periodic, alarm and update-ended interrupts (IRQ 8). PIE,
 * AIE and UIE are stored, register C always reads 0, and no line is driven.
 * Alarm bytes and the rest of the 128-byte CMOS RAM are plain storage.
 */

import type { Clock } from "../../interfaces/clock";
import { BytePortDevice } from "./byte-port-device";
import { createAccessCounters, type DeviceAccessCounters } from "./register-table";

/** RTC ports (PC/AT). */
export const RTC_PORT = {
  /** Register index (bits 6:0; bit 7 NMI disable, ignored); write-only. */
  INDEX: 0x70,
  /** Data of the selected register. */
  DATA: 0x71,
} as const;

/**
 * CMOS register indices (MC146818A "Address Map"; century at 0x32 as the ACPI FADT default).
 * Time and date values are BCD or binary as register B selects.
 */
export const RTC_REGISTER = {
  /** Seconds, 0–59. */
  SECONDS: 0x00,
  /** Minutes, 0–59. */
  MINUTES: 0x02,
  /** Hours: 0–23, or 1–12 with bit 7 = PM in 12-hour format. */
  HOURS: 0x04,
  /** Day of week, 1–7 (1 = Sunday unless software wrote its own numbering). */
  DAY_OF_WEEK: 0x06,
  /** Day of month, 1–31. */
  DAY_OF_MONTH: 0x07,
  /** Month, 1–12. */
  MONTH: 0x08,
  /** Year within the century, 0–99. */
  YEAR: 0x09,
  /** Register A: update in progress (bit 7), divider and rate (stored). */
  STATUS_A: 0x0a,
  /** Register B: SET, interrupt enables (stored), binary/BCD, 24/12-hour. */
  STATUS_B: 0x0b,
  /** Register C: interrupt flags; always reads 0 (no RTC interrupts), read-only. */
  STATUS_C: 0x0c,
  /** Register D: valid RAM and time (bit 7, always set), read-only. */
  STATUS_D: 0x0d,
  /** Century (20 for 2026). */
  CENTURY: 0x32,
} as const;

/** Register A: bit 7 update in progress (read-only); bits 6:0 divider and rate (stored). */
export const RTC_STATUS_A = { UPDATE_IN_PROGRESS: 0x80, WRITABLE: 0x7f, DEFAULT: 0x26 } as const;
/** Register B bits (MC146818A "Register B"). */
export const RTC_STATUS_B = {
  SET: 0x80,
  PIE: 0x40,
  AIE: 0x20,
  UIE: 0x10,
  BINARY: 0x04,
  HOURS_24: 0x02,
  DEFAULT: 0x02,
} as const;
/** Register D: bit 7 valid RAM and time (read-only). */
export const RTC_STATUS_D = { VALID: 0x80 } as const;
/** 12-hour format: bit 7 of the hours byte marks PM. */
const HOUR_PM = 0x80;

/** Default start of wall-clock time: 2026-01-01T00:00:00Z. */
export const RTC_DEFAULT_EPOCH_SECONDS = 1_767_225_600;
/** Length of the update-in-progress window before each second boundary (MC146818A: 244 µs). */
const UIP_WINDOW_SECONDS = 244e-6;
const INDEX_MASK = 0x7f;
const CMOS_BYTES = 128;
const SECONDS_PER_DAY = 86_400;

/** Broken-down UTC time, as the registers show it. */
interface Fields {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** The RTC and CMOS RAM; see the file header. */
export class Rtc extends BytePortDevice {
  /** Ignored accesses (reads of port 0x70, unknown ports, writes to registers C and D). */
  readonly counters: DeviceAccessCounters = createAccessCounters();
  private readonly ram = new Uint8Array(CMOS_BYTES);
  private index = 0;
  private statusA: number = RTC_STATUS_A.DEFAULT;
  private statusB: number = RTC_STATUS_B.DEFAULT;
  /** Wall seconds at `baseCycle`. */
  private baseSeconds: number;
  private baseCycle: number;
  private frozenSeconds = 0;
  private dayOfWeekOffset = 0;

  constructor(
    private readonly clock: Clock,
    startEpochSeconds: number = RTC_DEFAULT_EPOCH_SECONDS,
  ) {
    super();
    this.baseSeconds = Math.floor(startEpochSeconds);
    this.baseCycle = clock.now();
  }

  /** The wall-clock time the registers show, in Unix seconds. */
  wallSeconds(): number {
    if ((this.statusB & RTC_STATUS_B.SET) !== 0) return this.frozenSeconds;
    return this.baseSeconds + Math.floor((this.clock.now() - this.baseCycle) / this.clock.frequencyHz);
  }

  override in8(port: number): number {
    if (port === RTC_PORT.DATA) return this.readRegister(this.index);
    this.counters.unknownReads++; // 0x70 is write-only
    return 0xff;
  }

  override out8(port: number, value: number): void {
    if (port === RTC_PORT.INDEX) this.index = value & INDEX_MASK;
    else if (port === RTC_PORT.DATA) this.writeRegister(this.index, value & 0xff);
    else this.counters.unknownWrites++;
  }

  /** Reads CMOS register `index` (0–127). */
  readRegister(index: number): number {
    switch (index) {
      case RTC_REGISTER.STATUS_A:
        return this.statusA | (this.updateInProgress() ? RTC_STATUS_A.UPDATE_IN_PROGRESS : 0);
      case RTC_REGISTER.STATUS_B:
        return this.statusB;
      case RTC_REGISTER.STATUS_C:
        return 0;
      case RTC_REGISTER.STATUS_D:
        return RTC_STATUS_D.VALID;
      case RTC_REGISTER.DAY_OF_WEEK:
        return this.encode(this.dayOfWeek());
      default: {
        const field = this.timeField(index);
        if (field === undefined) return this.ram[index]!;
        return this.encodeField(index, field);
      }
    }
  }

  /** Writes CMOS register `index` (0–127). */
  writeRegister(index: number, value: number): void {
    switch (index) {
      case RTC_REGISTER.STATUS_A:
        this.statusA = value & RTC_STATUS_A.WRITABLE;
        return;
      case RTC_REGISTER.STATUS_B:
        this.writeStatusB(value);
        return;
      case RTC_REGISTER.STATUS_C:
      case RTC_REGISTER.STATUS_D:
        this.counters.readOnlyWrites++;
        return;
      case RTC_REGISTER.DAY_OF_WEEK:
        this.dayOfWeekOffset = (((this.decode(value) - 1 - this.derivedDayOfWeek()) % 7) + 7) % 7;
        return;
      default:
        if (this.timeField(index) === undefined) this.ram[index] = value;
        else this.writeTimeField(index, value);
    }
  }

  private writeStatusB(value: number): void {
    const wasSet = (this.statusB & RTC_STATUS_B.SET) !== 0;
    if (!wasSet && (value & RTC_STATUS_B.SET) !== 0) this.frozenSeconds = this.wallSeconds();
    this.statusB = value;
    if (wasSet && (value & RTC_STATUS_B.SET) === 0) this.setWallSeconds(this.frozenSeconds);
  }

  private setWallSeconds(seconds: number): void {
    if ((this.statusB & RTC_STATUS_B.SET) !== 0) {
      this.frozenSeconds = seconds;
      return;
    }
    this.baseSeconds = seconds;
    this.baseCycle = this.clock.now();
  }

  private updateInProgress(): boolean {
    if ((this.statusB & RTC_STATUS_B.SET) !== 0) return false;
    const elapsed = (this.clock.now() - this.baseCycle) / this.clock.frequencyHz;
    return elapsed - Math.floor(elapsed) >= 1 - UIP_WINDOW_SECONDS;
  }

  private fields(): Fields {
    const date = new Date(this.wallSeconds() * 1000);
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hours: date.getUTCHours(),
      minutes: date.getUTCMinutes(),
      seconds: date.getUTCSeconds(),
    };
  }

  /** The binary value of time register `index` now, or `undefined` if `index` is not a time register. */
  private timeField(index: number): number | undefined {
    switch (index) {
      case RTC_REGISTER.SECONDS:
        return this.fields().seconds;
      case RTC_REGISTER.MINUTES:
        return this.fields().minutes;
      case RTC_REGISTER.HOURS:
        return this.fields().hours;
      case RTC_REGISTER.DAY_OF_MONTH:
        return this.fields().day;
      case RTC_REGISTER.MONTH:
        return this.fields().month;
      case RTC_REGISTER.YEAR:
        return this.fields().year % 100;
      case RTC_REGISTER.CENTURY:
        return Math.floor(this.fields().year / 100);
      default:
        return undefined;
    }
  }

  private writeTimeField(index: number, raw: number): void {
    const fields = this.fields();
    const value = index === RTC_REGISTER.HOURS ? this.decodeHours(raw) : this.decode(raw);
    if (index === RTC_REGISTER.SECONDS) fields.seconds = value;
    else if (index === RTC_REGISTER.MINUTES) fields.minutes = value;
    else if (index === RTC_REGISTER.HOURS) fields.hours = value;
    else if (index === RTC_REGISTER.DAY_OF_MONTH) fields.day = value;
    else if (index === RTC_REGISTER.MONTH) fields.month = value;
    else if (index === RTC_REGISTER.YEAR) fields.year = Math.floor(fields.year / 100) * 100 + value;
    else fields.year = value * 100 + (fields.year % 100);
    const dayOfWeek = this.dayOfWeek();
    const millis = Date.UTC(
      fields.year,
      fields.month - 1,
      fields.day,
      fields.hours,
      fields.minutes,
      fields.seconds,
    );
    this.setWallSeconds(Math.floor(millis / 1000));
    this.dayOfWeekOffset = (((dayOfWeek - 1 - this.derivedDayOfWeek()) % 7) + 7) % 7;
  }

  private encodeField(index: number, value: number): number {
    if (index !== RTC_REGISTER.HOURS || (this.statusB & RTC_STATUS_B.HOURS_24) !== 0)
      return this.encode(value);
    const pm = value >= 12;
    const hour12 = value % 12 === 0 ? 12 : value % 12;
    return this.encode(hour12) | (pm ? HOUR_PM : 0);
  }

  private decodeHours(raw: number): number {
    if ((this.statusB & RTC_STATUS_B.HOURS_24) !== 0) return this.decode(raw);
    const hour12 = this.decode(raw & ~HOUR_PM) % 12;
    return (raw & HOUR_PM) !== 0 ? hour12 + 12 : hour12;
  }

  /** Day of week as the register counts it: 1 = Sunday … 7 = Saturday, plus any offset software wrote. */
  private dayOfWeek(): number {
    return ((this.derivedDayOfWeek() + this.dayOfWeekOffset) % 7) + 1;
  }

  /** 0 = Sunday, from the date (1970-01-01 was a Thursday). */
  private derivedDayOfWeek(): number {
    return (((Math.floor(this.wallSeconds() / SECONDS_PER_DAY) + 4) % 7) + 7) % 7;
  }

  private encode(value: number): number {
    if ((this.statusB & RTC_STATUS_B.BINARY) !== 0) return value;
    return ((Math.floor(value / 10) % 10) << 4) | (value % 10);
  }

  private decode(raw: number): number {
    if ((this.statusB & RTC_STATUS_B.BINARY) !== 0) return raw;
    return (raw >>> 4) * 10 + (raw & 0x0f);
  }
}

/**
 * Starting an application processor with the INIT-SIPI-SIPI sequence, its
 * delays expressed against a {@link Clock} (virtual time), not busy loops.
 *
 * Sequence (Intel SDM vol 3A §8.4.4.1, MultiProcessor Specification 1.4
 * §B.4 "Universal Start-up Algorithm"):
 *   INIT IPI → wait 10 ms → STARTUP IPI (vector = start page) → wait 200 µs
 *   → second STARTUP IPI unless the AP already reported in → wait 200 µs →
 *   done.
 * The start address must be a 4 KiB page below 1 MiB; pages 0xA0–0xBF are
 * reserved (MP spec §B.4.2), so they are refused.
 *
 * Invariants: the sequence is a small state machine driven by
 * `clock.schedule`; `onDone` is called exactly once, with the report or the
 * error (a refused or timed-out IPI stops the sequence). Nothing blocks and
 * nothing throws.
 */
import type { Clock } from "@tsos/hw-x86";
import { APIC_ERROR, type ApicResult, apicFail, apicOk, hex } from "./errors";
import type { LapicDriver } from "./lapic-driver";

/** Options of {@link startApplicationProcessor}. */
export interface ApStartupOptions {
  /** The BSP's (or any running CPU's) LAPIC driver, which sends the IPIs. */
  readonly lapic: LapicDriver;
  /** Virtual time; delays are `frequencyHz`-based cycle counts. */
  readonly clock: Clock;
  /** APIC ID of the AP to start. */
  readonly apicId: number;
  /** Physical address of the real-mode start-up code (4 KiB aligned, below 1 MiB). */
  readonly startAddress: number;
  /** True once the AP has reported in; checked before the second SIPI (optional). */
  readonly hasStarted?: () => boolean;
  /** Called once when the sequence ends. */
  readonly onDone: (result: ApicResult<ApStartupReport>) => void;
}

/** What the sequence did, with virtual times in cycles. */
export interface ApStartupReport {
  /** APIC ID of the AP. */
  readonly apicId: number;
  /** The SIPI vector sent (start page number). */
  readonly startPage: number;
  /** Cycle of the INIT IPI. */
  readonly initAt: number;
  /** Cycles of each SIPI sent (one or two). */
  readonly startupAt: readonly number[];
  /** Cycle the sequence finished (after the last 200 µs wait). */
  readonly finishedAt: number;
  /** Whether `hasStarted` reported the AP running at the end (`undefined` without `hasStarted`). */
  readonly started: boolean | undefined;
}

/** INIT → first SIPI delay: 10 ms (SDM vol 3A §8.4.4.1). */
export const INIT_DELAY_SECONDS = 0.01;
/** Delay after each SIPI: 200 µs (SDM vol 3A §8.4.4.1). */
export const STARTUP_DELAY_SECONDS = 0.0002;

const PAGE_SHIFT = 12;
const PAGE_MASK = 0xfff;
const REAL_MODE_LIMIT = 0x100000;
const RESERVED_PAGE_FIRST = 0xa0;
const RESERVED_PAGE_LAST = 0xbf;

/** The SIPI vector for `startAddress`, or -1 if it is not a usable start page. */
export function startupVector(startAddress: number): number {
  if (!Number.isInteger(startAddress) || startAddress < 0 || startAddress >= REAL_MODE_LIMIT) return -1;
  if ((startAddress & PAGE_MASK) !== 0) return -1;
  const page = startAddress >>> PAGE_SHIFT;
  return page >= RESERVED_PAGE_FIRST && page <= RESERVED_PAGE_LAST ? -1 : page;
}

/** Runs INIT-SIPI-SIPI for one AP; see the file header. Returns `false` if it could not start at all (then `onDone` has been called). */
export function startApplicationProcessor(options: ApStartupOptions): boolean {
  const { lapic, clock, apicId, onDone } = options;
  const page = startupVector(options.startAddress);
  if (page < 0) {
    onDone(
      apicFail(
        APIC_ERROR.INVALID_START_ADDRESS,
        `AP start address ${hex(options.startAddress)} must be a 4 KiB page below 1 MiB, outside 0xA0000-0xBFFFF`,
      ),
    );
    return false;
  }
  const initDelay = Math.ceil(clock.frequencyHz * INIT_DELAY_SECONDS);
  const startupDelay = Math.ceil(clock.frequencyHz * STARTUP_DELAY_SECONDS);
  const startupAt: number[] = [];
  const initAt = clock.now();
  const fail = (what: string) =>
    onDone(apicFail(APIC_ERROR.ICR_BUSY, `${what} to APIC ID ${apicId} was not sent (refused or ICR busy)`));
  const finish = (finishedAt: number) =>
    onDone(
      apicOk({ apicId, startPage: page, initAt, startupAt, finishedAt, started: options.hasStarted?.() }),
    );
  const sendStartup = (at: number): boolean => {
    if (!lapic.sendStartup(apicId, page)) {
      fail("STARTUP IPI");
      return false;
    }
    startupAt.push(at);
    return true;
  };
  if (!lapic.sendInit(apicId)) {
    fail("INIT IPI");
    return false;
  }
  clock.schedule(initAt + initDelay, (firstAt) => {
    if (!sendStartup(firstAt)) return;
    clock.schedule(firstAt + startupDelay, (secondAt) => {
      if (options.hasStarted?.()) {
        finish(secondAt);
        return;
      }
      if (!sendStartup(secondAt)) return;
      clock.schedule(secondAt + startupDelay, finish);
    });
  });
  return true;
}

/**
 * Vitest custom matchers for the mocks:
 *
 * ```ts
 * expect(lapic).toHaveWritten32(0xb0, 0);          // EOI
 * expect(ports).toHaveWritten8(0x43, 0x34);
 * expect(lapic).toHaveWrittenExactly([{ address: 0xf0, value: 0x1ff }]);
 * expect(lapic).toHaveRead(0x20);
 * expect(lapic).toHaveNoAccessOutside(0, 0x400);
 * expect(memory).toHaveNoLeaks();
 * expect(interrupts).toHaveEoiedAll();
 * ```
 *
 * vitest stays an optional peer: this module only has TYPE imports of
 * vitest; `installTsosMatchers(expect)` receives vitest's `expect` from the
 * caller (or use `src/vitest-setup.ts` as a `setupFiles` entry).
 */
import type { ExpectStatic } from "vitest";
import type { MockInterruptController } from "./mocks/mock-interrupt-controller";
import type { MockMemoryController } from "./mocks/mock-memory-controller";
import {
  type AccessWidth,
  type ExpectedWrite,
  formatAccess,
  maskToWidth,
  type RegisterAccess,
  writeMatches,
} from "./mocks/mock-register-space";

/** The result shape vitest expects from a matcher. */
export interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

interface Recorded {
  readonly accesses: readonly RegisterAccess[];
}

function isRecorded(value: unknown): value is Recorded {
  return typeof value === "object" && value !== null && Array.isArray((value as Recorded).accesses);
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

function listWrites(recorded: Recorded): string {
  const writes = recorded.accesses.filter((access) => access.kind === "write");
  return writes.length === 0
    ? "  (no writes)"
    : writes.map((access) => `  ${formatAccess(access)}`).join("\n");
}

function notRecorded(): MatcherResult {
  return { pass: false, message: () => "expected a MockMmio / MockPortIo (an object with an accesses log)" };
}

function toHaveWrittenWidth(width: AccessWidth | undefined) {
  return (received: unknown, address: number, value: number): MatcherResult => {
    if (!isRecorded(received)) return notRecorded();
    const want: ExpectedWrite = width === undefined ? { address, value } : { address, value, width };
    const pass = received.accesses.some((access) => writeMatches(access, want));
    const what = `write${width ?? ""} ${hex(address)} = ${hex(maskToWidth(value, width ?? 32))}`;
    return {
      pass,
      message: () =>
        pass
          ? `expected no ${what}, but it happened`
          : `expected ${what}; writes were:\n${listWrites(received)}`,
    };
  };
}

/** The matcher implementations, usable without vitest (each returns `{ pass, message }`). */
export const tsosMatchers = {
  toHaveWritten: toHaveWrittenWidth(undefined),
  toHaveWritten8: toHaveWrittenWidth(8),
  toHaveWritten16: toHaveWrittenWidth(16),
  toHaveWritten32: toHaveWrittenWidth(32),
  /** The writes, in order, are exactly `expected` (reads ignored). */
  toHaveWrittenExactly(received: unknown, expected: readonly ExpectedWrite[]): MatcherResult {
    if (!isRecorded(received)) return notRecorded();
    const writes = received.accesses.filter((access) => access.kind === "write");
    const pass =
      writes.length === expected.length &&
      expected.every((want, index) => writeMatches(writes[index]!, want));
    const wanted = expected.map(
      (want) => `  write${want.width ?? ""} ${hex(want.address)} = ${hex(want.value)}`,
    );
    return {
      pass,
      message: () =>
        `expected writes${pass ? " not" : ""} to be exactly:\n${wanted.join("\n")}\nwere:\n${listWrites(received)}`,
    };
  },
  /** At least one read at `address`. */
  toHaveRead(received: unknown, address: number): MatcherResult {
    if (!isRecorded(received)) return notRecorded();
    const pass = received.accesses.some((access) => access.kind === "read" && access.address === address);
    return { pass, message: () => `expected ${pass ? "no " : ""}read at ${hex(address)}` };
  },
  /** No access touched a byte outside `[start, end)`. */
  toHaveNoAccessOutside(received: unknown, start: number, end: number): MatcherResult {
    if (!isRecorded(received)) return notRecorded();
    const outside = received.accesses.filter(
      (access) => access.address < start || access.address + access.width / 8 > end,
    );
    return {
      pass: outside.length === 0,
      message: () =>
        outside.length === 0
          ? `expected some access outside [${hex(start)}, ${hex(end)})`
          : `expected no access outside [${hex(start)}, ${hex(end)}), found:\n${outside.map((access) => `  ${formatAccess(access)}`).join("\n")}`,
    };
  },
  /** A MockMemoryController has no live blocks and no bad frees. */
  toHaveNoLeaks(received: MockMemoryController): MatcherResult {
    return passIfNoThrow(() => received.assertNoLeaks(), "expected leaks or bad frees, found none");
  },
  /** A MockInterruptController has nothing in service and saw no unexpected EOI. */
  toHaveEoiedAll(received: MockInterruptController): MatcherResult {
    return passIfNoThrow(() => received.assertAllEoied(), "expected a missing or unexpected EOI, found none");
  },
};

function passIfNoThrow(check: () => void, negatedMessage: string): MatcherResult {
  try {
    check();
    return { pass: true, message: () => negatedMessage };
  } catch (error) {
    return { pass: false, message: () => (error as Error).message };
  }
}

/** Registers {@link tsosMatchers} with vitest: call `installTsosMatchers(expect)` in a setup file or test. */
export function installTsosMatchers(expect: ExpectStatic): void {
  expect.extend(tsosMatchers);
}

/** Type of the matchers as they appear on `expect(x)`. */
export interface TsosMatchers<R = unknown> {
  toHaveWritten(address: number, value: number): R;
  toHaveWritten8(address: number, value: number): R;
  toHaveWritten16(address: number, value: number): R;
  toHaveWritten32(address: number, value: number): R;
  toHaveWrittenExactly(expected: readonly ExpectedWrite[]): R;
  toHaveRead(address: number): R;
  toHaveNoAccessOutside(start: number, end: number): R;
  toHaveNoLeaks(): R;
  toHaveEoiedAll(): R;
}

declare module "vitest" {
  // biome-ignore lint/suspicious/noExplicitAny: the type parameter must match vitest's own declaration to merge.
  interface Matchers<T = any> extends TsosMatchers {}
}

/**
 * The x86-64 system-call table: numbers Linux assigns (syscall_64.tbl), holes,
 * name/number round trips, the absence of x32 entries, lookups that never
 * throw, and a cross-check against this machine's asm/unistd_64.h so a stale
 * generated file fails here.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SYS, SYSCALL_NAMES, SYSCALL_TABLE_SIZE, syscallName, syscallNumber } from "./syscall-numbers";

const UNISTD_64 = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";
const FIRST_X32_NUMBER = 512;

/** Numbers from arch/x86/entry/syscalls/syscall_64.tbl. */
const LINUX_NUMBERS = {
  read: 0,
  write: 1,
  getpid: 39,
  clone: 56,
  fork: 57,
  execve: 59,
  exit: 60,
  wait4: 61,
  kill: 62,
  arch_prctl: 158,
  gettid: 186,
  futex: 202,
  clock_gettime: 228,
  exit_group: 231,
  openat: 257,
  newfstatat: 262,
  getrandom: 318,
  rseq: 334,
  pidfd_send_signal: 424,
  clone3: 435,
} as const;

describe("SYS", () => {
  it("holds the numbers Linux assigns on x86-64", () => {
    for (const [name, number] of Object.entries(LINUX_NUMBERS)) {
      expect(SYS[name as keyof typeof LINUX_NUMBERS], name).toBe(number);
      expect(syscallName(number)).toBe(name);
      expect(syscallNumber(name)).toBe(number);
    }
  });

  it("round-trips every name and number", () => {
    for (const [name, number] of Object.entries(SYS)) {
      expect(SYSCALL_NAMES[number]).toBe(name);
      expect(syscallName(number)).toBe(name);
      expect(syscallNumber(name)).toBe(number);
    }
  });

  it("has no x32 entries and no number carrying __X32_SYSCALL_BIT", () => {
    expect(SYSCALL_TABLE_SIZE).toBeLessThan(FIRST_X32_NUMBER);
    for (const number of Object.values(SYS)) {
      expect(Number.isInteger(number) && number >= 0 && number < FIRST_X32_NUMBER).toBe(true);
    }
  });
});

describe("SYSCALL_NAMES", () => {
  it("is dense up to the highest number, which is named", () => {
    expect(SYSCALL_NAMES.length).toBe(SYSCALL_TABLE_SIZE);
    expect(SYSCALL_NAMES[SYSCALL_TABLE_SIZE - 1]).toBeDefined();
    expect(Math.max(...Object.values(SYS))).toBe(SYSCALL_TABLE_SIZE - 1);
  });

  it("leaves 335..423 unassigned and names each other number once", () => {
    for (let number = 335; number <= 423; number++) expect(SYSCALL_NAMES[number]).toBeUndefined();
    const named = SYSCALL_NAMES.filter((name) => name !== undefined);
    expect(named.length).toBe(Object.keys(SYS).length);
    expect(new Set(named).size).toBe(named.length);
  });
});

describe("syscallName / syscallNumber", () => {
  it("answer undefined, without throwing, for anything that is not an x86-64 system call", () => {
    for (const number of [335, 423, -1, SYSCALL_TABLE_SIZE, 512, 0x40000000, 1.5, Number.NaN, Infinity]) {
      expect(syscallName(number), String(number)).toBeUndefined();
    }
    for (const name of ["", "READ", "toString", "__proto__", "constructor", "hasOwnProperty", "fstatat"]) {
      expect(syscallNumber(name), name).toBeUndefined();
    }
  });
});

describe("generated table against this machine's asm/unistd_64.h", () => {
  it.skipIf(!existsSync(UNISTD_64))("matches every __NR_ entry below the x32 range", () => {
    const header = new Map<number, string>();
    for (const match of readFileSync(UNISTD_64, "utf8").matchAll(/^#define\s+__NR_(\w+)\s+(\d+)\s*$/gm)) {
      const number = Number(match[2]);
      if (number < FIRST_X32_NUMBER) header.set(number, match[1]!);
    }
    expect(header.size).toBeGreaterThan(0);
    for (let number = 0; number < SYSCALL_TABLE_SIZE; number++) {
      expect(SYSCALL_NAMES[number], `number ${number}`).toBe(header.get(number));
    }
    expect(SYSCALL_TABLE_SIZE).toBe(Math.max(...header.keys()) + 1);
  });
});

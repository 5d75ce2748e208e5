/**
 * Linux errno data: values and glibc messages, canonical names over aliases,
 * the [-4095, -1] error-return rule of include/linux/err.h, lookups that never
 * throw, and a cross-check against this machine's asm-generic errno headers.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERRNO, ERRNO_MAX, errnoMessage, errnoName, isErrorReturn, MAX_ERRNO } from "./errno";

const ERRNO_HEADERS = ["/usr/include/asm-generic/errno-base.h", "/usr/include/asm-generic/errno.h"];
const ALIASES = { EWOULDBLOCK: "EAGAIN", EDEADLOCK: "EDEADLK", ENOTSUP: "EOPNOTSUPP" } as const;

describe("ERRNO", () => {
  it("holds the Linux values, with glibc's messages", () => {
    const facts: [keyof typeof ERRNO, number, string?][] = [
      ["EPERM", 1, "Operation not permitted"],
      ["ENOENT", 2, "No such file or directory"],
      ["EBADF", 9, "Bad file descriptor"],
      ["EAGAIN", 11, "Resource temporarily unavailable"],
      ["EFAULT", 14, "Bad address"],
      ["EINVAL", 22, "Invalid argument"],
      ["ENAMETOOLONG", 36, "File name too long"],
      ["ENOSYS", 38, "Function not implemented"],
      ["EOVERFLOW", 75],
      ["EOPNOTSUPP", 95],
      ["EHWPOISON", 133, "Memory page has hardware error"],
    ];
    for (const [name, value, message] of facts) {
      expect(ERRNO[name], name).toBe(value);
      expect(errnoName(value)).toBe(name);
      if (message !== undefined) expect(errnoMessage(value)).toBe(message);
    }
  });

  it("gives aliases the value of their canonical name, which errnoName answers", () => {
    for (const [alias, canonical] of Object.entries(ALIASES)) {
      expect(ERRNO[alias as keyof typeof ALIASES]).toBe(ERRNO[canonical]);
      expect(errnoName(ERRNO[canonical])).toBe(canonical);
    }
    expect(errnoName(11)).toBe("EAGAIN");
    expect(errnoName(35)).toBe("EDEADLK");
    expect(errnoName(95)).toBe("EOPNOTSUPP");
  });

  it("names and describes every value it holds, and ERRNO_MAX is the largest", () => {
    for (const [name, value] of Object.entries(ERRNO)) {
      const canonical = errnoName(value);
      expect(canonical === name || ALIASES[name as keyof typeof ALIASES] === canonical, name).toBe(true);
      expect(errnoMessage(value), name).toMatch(/^(?!Unknown error)./);
    }
    expect(Math.max(...Object.values(ERRNO))).toBe(ERRNO_MAX);
  });

  it("leaves the values Linux skips (41, 58) unnamed", () => {
    expect(errnoName(41)).toBeUndefined();
    expect(errnoName(58)).toBeUndefined();
    expect(errnoMessage(41)).toBeUndefined();
  });
});

describe("errnoName / errnoMessage", () => {
  it("answer undefined, without throwing, for anything that is not a positive errno", () => {
    for (const value of [0, -1, -2, ERRNO_MAX + 1, 4096, 2 ** 53, 1.5, Number.NaN, Infinity, -Infinity]) {
      expect(errnoName(value), String(value)).toBeUndefined();
      expect(errnoMessage(value), String(value)).toBeUndefined();
    }
  });
});

describe("isErrorReturn", () => {
  it("is true exactly for integers in [-4095, -1]", () => {
    expect(MAX_ERRNO).toBe(4095);
    for (const value of [-1, -ERRNO.ENOENT, -ERRNO_MAX, -4095])
      expect(isErrorReturn(value), String(value)).toBe(true);
    for (const value of [0, 1, -4096, -(2 ** 31), 2 ** 32 - 1, -1.5, -0, Number.NaN, -Infinity]) {
      expect(isErrorReturn(value), String(value)).toBe(false);
    }
  });
});

describe("generated errno against this machine's asm-generic headers", () => {
  it.skipIf(!ERRNO_HEADERS.every((header) => existsSync(header)))("matches every #define E", () => {
    const header = new Map<string, number>();
    const aliases: [string, string][] = [];
    for (const path of ERRNO_HEADERS) {
      for (const match of readFileSync(path, "utf8").matchAll(/^#define\s+(E[A-Z0-9]+)\s+(\w+)/gm)) {
        if (/^\d+$/.test(match[2]!)) header.set(match[1]!, Number(match[2]));
        else aliases.push([match[1]!, match[2]!]);
      }
    }
    for (const [alias, target] of aliases) header.set(alias, header.get(target)!);
    header.set("ENOTSUP", header.get("EOPNOTSUPP")!); // glibc's alias, not in the kernel headers
    expect(Object.fromEntries(header)).toEqual({ ...ERRNO });
  });
});

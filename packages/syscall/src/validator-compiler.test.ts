import { describe, expect, it } from "vitest";
import { PageMemory, syscallFrame } from "../test/frames";
import { ERRNO } from "./abi/errno";
import { ARGUMENT_REGISTERS } from "./abi/registers";
import { referenceValidate } from "./reference-validator";
import { type ArgSpec, arg, USER_SPACE_END } from "./signature";
import { SyscallCall } from "./syscall-call";
import { compileEntry, validatorSource } from "./validator-compiler";

const unparkable = {
  park(): never {
    throw new Error("not in these tests");
  },
};

/** Runs `args`'s compiled validator and the reference on registers `values`; returns the compiled outcome after checking both agree. */
function validate(args: readonly ArgSpec[], values: readonly bigint[], memory: PageMemory | null = null) {
  const frame = syscallFrame();
  const call = new SyscallCall(0, unparkable, frame);
  call.memory = memory;
  const regs = frame.context.regs;
  values.forEach((value, index) => {
    const slot = ARGUMENT_REGISTERS[index]!;
    const wrapped = BigInt.asUintN(64, value);
    regs[slot * 2] = Number(wrapped & 0xffffffffn);
    regs[slot * 2 + 1] = Number(wrapped >> 32n);
  });
  let seen: (number | string)[] | undefined;
  const entry = compileEntry(
    "probe",
    args,
    (_call, ...decoded) => {
      seen = decoded;
      return 0;
    },
    USER_SPACE_END,
  );
  const result = entry(call, regs);
  const outcome = result === 0 && seen !== undefined ? { values: seen } : { errno: -result };
  expect(referenceValidate(args, regs, call, USER_SPACE_END)).toEqual(outcome);
  return outcome;
}

const LAST_USER_BYTE = BigInt(USER_SPACE_END - 1);

describe("compiled validation, rule by rule at its edges", () => {
  it("a pointer at the last user byte passes with length 1 and fails with length 2 (range into the guard page)", () => {
    const write = [arg.fd(), arg.pointer("buf", "in", { length: 2, buffer: true }), arg.size()] as const;
    expect(validate(write, [1n, LAST_USER_BYTE, 1n])).toEqual({ values: [1, USER_SPACE_END - 1, 1] });
    expect(validate(write, [1n, LAST_USER_BYTE, 2n])).toEqual({ errno: ERRNO.EFAULT });
    expect(validate(write, [1n, BigInt(USER_SPACE_END), 0n])).toEqual({ errno: ERRNO.EFAULT });
  });

  it("kernel-half and non-canonical pointers are -EFAULT; NULL is a user address (faults later, on access)", () => {
    const p = [arg.pointer("p", "out", { size: 16 })] as const;
    expect(validate(p, [0xffff800000000000n])).toEqual({ errno: ERRNO.EFAULT });
    expect(validate(p, [0x0000800000000000n])).toEqual({ errno: ERRNO.EFAULT });
    expect(validate(p, [0xffffffffffffffffn])).toEqual({ errno: ERRNO.EFAULT });
    expect(validate(p, [0n])).toEqual({ values: [0] });
    // A 16-byte structure must fit below the end.
    expect(validate(p, [BigInt(USER_SPACE_END - 16)])).toEqual({ values: [USER_SPACE_END - 16] });
    expect(validate(p, [BigInt(USER_SPACE_END - 15)])).toEqual({ errno: ERRNO.EFAULT });
  });

  it("a length that overflows or wraps the address space is -EFAULT, not a huge read", () => {
    const read = [arg.fd(), arg.pointer("buf", "out", { length: 2, buffer: true }), arg.size()] as const;
    expect(validate(read, [0n, 0x1000n, 0xffffffffffffffffn])).toEqual({ errno: ERRNO.EFAULT });
    expect(validate(read, [0n, 0x1000n, 1n << 53n])).toEqual({ errno: ERRNO.EFAULT });
    expect(validate(read, [0n, 0x1000n, BigInt(USER_SPACE_END - 0x1000)])).toEqual({
      values: [0, 0x1000, USER_SPACE_END - 0x1000],
    });
    expect(validate(read, [0n, 0x1000n, BigInt(USER_SPACE_END - 0x1000 + 1)])).toEqual({
      errno: ERRNO.EFAULT,
    });
  });

  it("checks run in argument order: a bad fd answers before a bad pointer (as Linux's write does)", () => {
    const write = [arg.fd(), arg.pointer("buf", "in", { length: 2 }), arg.size()] as const;
    expect(validate(write, [-1n, 0xffff800000000000n, 5n])).toEqual({ errno: ERRNO.EBADF });
  });

  it("fds: negative is -EBADF, only the low 32 bits count; dirfds accept AT_FDCWD only", () => {
    expect(validate([arg.fd()], [-1n])).toEqual({ errno: ERRNO.EBADF });
    expect(validate([arg.fd()], [0x7fffffffn])).toEqual({ values: [0x7fffffff] });
    expect(validate([arg.fd()], [0xffffffff00000003n])).toEqual({ values: [3] });
    expect(validate([arg.dirfd()], [-100n])).toEqual({ values: [-100] });
    expect(validate([arg.dirfd()], [-101n])).toEqual({ errno: ERRNO.EBADF });
  });

  it("flags outside the mask are -EINVAL", () => {
    const flags = [arg.flags("flags", 0x80800)] as const;
    expect(validate(flags, [0x80000n])).toEqual({ values: [0x80000] });
    expect(validate(flags, [0x80001n])).toEqual({ errno: ERRNO.EINVAL });
    expect(validate([arg.flags("flags", 0xffffffff)], [0xffffffffn])).toEqual({ values: [0xffffffff] });
  });

  it("integers of each width; 64-bit values beyond 2^53 are -EINVAL", () => {
    expect(
      validate(
        [arg.int("x", 8), arg.int("y", 16), arg.uint("z", 8), arg.uint("w", 16)],
        [0xffn, 0x8000n, 0x1ffn, 0x1ffffn],
      ),
    ).toEqual({
      values: [-1, -32768, 0xff, 0xffff],
    });
    expect(validate([arg.int("offset", 64)], [-1n])).toEqual({ values: [-1] });
    expect(validate([arg.int("offset", 64)], [-(1n << 53n)])).toEqual({ values: [-(2 ** 53)] });
    expect(validate([arg.int("offset", 64)], [1n << 60n])).toEqual({ errno: ERRNO.EINVAL });
    expect(validate([arg.uint("n", 64)], [(1n << 53n) - 1n])).toEqual({ values: [2 ** 53 - 1] });
    expect(validate([arg.uint("n", 64)], [1n << 53n])).toEqual({ errno: ERRNO.EINVAL });
    expect(validate([arg.size("len", 4096)], [4097n])).toEqual({ errno: ERRNO.EINVAL });
  });

  it("clock ids, signals, modes, pids and raw values", () => {
    expect(validate([arg.clockId()], [11n])).toEqual({ values: [11] });
    expect(validate([arg.clockId()], [10n])).toEqual({ errno: ERRNO.EINVAL });
    expect(validate([arg.clockId()], [-1n])).toEqual({ errno: ERRNO.EINVAL });
    expect(validate([arg.signal()], [64n])).toEqual({ values: [64] });
    expect(validate([arg.signal()], [65n])).toEqual({ errno: ERRNO.EINVAL });
    expect(validate([arg.mode()], [0o100644n])).toEqual({ values: [0o644] });
    expect(validate([arg.pid()], [-1n])).toEqual({ values: [-1] });
    expect(validate([arg.raw("x")], [1n << 63n])).toEqual({ values: [Number.NaN] });
  });

  it("strings: read through the caller's memory, -ENAMETOOLONG past the maximum, -EFAULT when unreadable", () => {
    const memory = new PageMemory().map(0x10000, 4096).poke(0x10000, "/tmp/x\0");
    const open = [arg.string("pathname", 16)] as const;
    expect(validate(open, [0x10000n], memory)).toEqual({ values: ["/tmp/x"] });
    expect(validate(open, [0x20000n], memory)).toEqual({ errno: ERRNO.EFAULT });
    expect(validate(open, [0x10000n], null)).toEqual({ errno: ERRNO.EFAULT });
    memory.poke(0x10100, `${"a".repeat(17)}\0`);
    expect(validate(open, [0x10100n], memory)).toEqual({ errno: ERRNO.ENAMETOOLONG });
    memory.poke(0x10200, `${"a".repeat(16)}\0`);
    expect(validate(open, [0x10200n], memory)).toEqual({ values: ["a".repeat(16)] });
    // A string whose NUL is the last byte of the last mapped page: the next page is never touched.
    memory.poke(0x10ffc, "abc\0");
    expect(validate([arg.string("p")], [0x10ffcn], memory)).toEqual({ values: ["abc"] });
    memory.poke(0x10ffc, "abcd");
    expect(validate([arg.string("p")], [0x10ffcn], memory)).toEqual({ errno: ERRNO.EFAULT });
  });

  it("compiles to straight-line code: no loop over the signature in the generated source", () => {
    const source = validatorSource(
      "write",
      [arg.fd(), arg.pointer("buf", "in", { length: 2 }), arg.size()],
      USER_SPACE_END,
    );
    expect(source).not.toMatch(/\bfor\b|\bwhile\b|args\[/);
    expect(source).toMatch(/return handler\(call, a0, a1, a2\)/);
  });
});

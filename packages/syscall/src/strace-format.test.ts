import { describe, expect, it } from "vitest";
import { PageMemory } from "../test/frames";
import { ERRNO } from "./abi/errno";
import { type ArgSpec, arg, RETURN_KIND } from "./signature";
import {
  argumentList,
  escapeStraceString,
  formatCall,
  formatResult,
  IOCTL_REQUESTS,
  type TraceTarget,
  traceName,
  withResult,
} from "./strace-format";

/** The six argument registers as (low, high) words. */
function words(...values: bigint[]): Uint32Array {
  const out = new Uint32Array(12);
  values.forEach((value, index) => {
    const wrapped = BigInt.asUintN(64, value);
    out[index * 2] = Number(wrapped & 0xffffffffn);
    out[index * 2 + 1] = Number(wrapped >> 32n);
  });
  return out;
}

function target(args: ArgSpec[], returns: TraceTarget["returns"] = RETURN_KIND.INT): TraceTarget {
  return { name: "t", args, returns };
}

/** One argument's text. */
function one(spec: ArgSpec, value: bigint, memory: PageMemory | null = null, result = 0): string {
  return argumentList(target([spec]), words(value), result, memory)[0]!;
}

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, "latin1"));

describe("strace escapes", () => {
  it("quotes, backslashes and C escapes; other controls in octal, three digits before an octal digit", () => {
    expect(escapeStraceString(bytes('a"b\\c'), 32, true)).toBe('"a\\"b\\\\c"');
    expect(escapeStraceString(bytes("\t\n\v\f\r"), 32, true)).toBe('"\\t\\n\\v\\f\\r"');
    expect(escapeStraceString(bytes("\x00x\x01"), 32, true)).toBe('"\\0x\\1"');
    expect(escapeStraceString(bytes("\x007\x1b8"), 32, true)).toBe('"\\0007\\338"');
    expect(escapeStraceString(bytes("\x7f\xff"), 32, true)).toBe('"\\177\\377"');
  });

  it("truncates at the limit with strace's trailing ...", () => {
    expect(escapeStraceString(bytes("abcdef"), 4, true)).toBe('"abcd"...');
    expect(escapeStraceString(bytes("abcd"), 4, true)).toBe('"abcd"');
    expect(escapeStraceString(bytes("ab"), 4, false)).toBe('"ab"...');
  });
});

describe("arguments by kind", () => {
  it("signed integers of each width; unsigned in decimal or hex", () => {
    expect(one(arg.int("i", 8), 0xffn)).toBe("-1");
    expect(one(arg.int("i", 16), 0x8000n)).toBe("-32768");
    expect(one(arg.int("i", 32), 0xffffffffn)).toBe("-1");
    expect(one(arg.int("i", 32), 0x1_0000_0005n)).toBe("5");
    expect(one(arg.int("i", 64), -3n)).toBe("-3");
    expect(one(arg.uint("u", 8), 0x1ffn)).toBe("255");
    expect(one(arg.uint("u", 32), 0xffffffffn)).toBe("4294967295");
    expect(one(arg.uint("u", 64), 1n << 40n)).toBe(String(2 ** 40));
    expect(one(arg.uint("u", 32, true), 0x1234n)).toBe("0x1234");
    expect(one(arg.uint("u", 64, true), 0x7f0012345678n)).toBe("0x7f0012345678");
  });

  it("fds and pids are signed ints; a dirfd of -100 is AT_FDCWD", () => {
    expect(one(arg.fd(), 3n)).toBe("3");
    expect(one(arg.fd(), 0xffffffffn)).toBe("-1");
    expect(one(arg.pid(), -1n)).toBe("-1");
    expect(one(arg.dirfd(), -100n)).toBe("AT_FDCWD");
    expect(one(arg.dirfd(), 7n)).toBe("7");
  });

  it("pointers: NULL, else hex; a buffer prints its bytes (in: by the length argument; out: by the result)", () => {
    const memory = new PageMemory().map(0x1000, 4096).poke(0x1000, "hello\nworld");
    expect(one(arg.pointer("p", "in", { size: 8 }), 0n)).toBe("NULL");
    expect(one(arg.pointer("p", "in", { size: 8 }), 0x7ffe1000n)).toBe("0x7ffe1000");
    const write = target([arg.fd(), arg.pointer("buf", "in", { length: 2, buffer: true }), arg.size()]);
    expect(argumentList(write, words(1n, 0x1000n, 6n), 6, memory)).toEqual(["1", '"hello\\n"', "6"]);
    const read = target([arg.fd(), arg.pointer("buf", "out", { length: 2, buffer: true }), arg.size()]);
    expect(argumentList(read, words(0n, 0x1000n, 64n), 3, memory)).toEqual(["0", '"hel"', "64"]);
    // A failed read prints the address (nothing was written); so does an unreadable buffer.
    expect(argumentList(read, words(0n, 0x1000n, 64n), -ERRNO.EBADF, memory)[1]).toBe("0x1000");
    expect(argumentList(write, words(1n, 0x9000n, 6n), 6, memory)[1]).toBe("0x9000");
    // Longer than the string limit: 32 bytes then ...
    memory.poke(0x1100, "x".repeat(40));
    expect(argumentList(write, words(1n, 0x1100n, 40n), 40, memory)[1]).toBe(`"${"x".repeat(32)}"...`);
  });

  it("strings: NULL, quoted up to the NUL, truncated past the limit, hex when unreadable", () => {
    const memory = new PageMemory().map(0x2000, 4096).poke(0x2000, "/etc/passwd\0");
    memory.poke(0x2100, `${"y".repeat(40)}\0`);
    memory.poke(0x2ffe, "ab"); // runs off the mapping without a NUL
    const spec = arg.string("path");
    expect(one(spec, 0n, memory)).toBe("NULL");
    expect(one(spec, 0x2000n, memory)).toBe('"/etc/passwd"');
    expect(one(spec, 0x2100n, memory)).toBe(`"${"y".repeat(32)}"...`);
    expect(one(spec, 0x5000n, memory)).toBe("0x5000");
    expect(one(spec, 0x2ffen, memory)).toBe('"ab"...');
    expect(one(spec, 0x2000n, null)).toBe("0x2000");
  });

  it("flags: a named field, then named bits, then the rest in hex; 0 when nothing is set", () => {
    const names = {
      field: { mask: 3, values: { 0: "O_RDONLY", 1: "O_WRONLY", 2: "O_RDWR" } },
      bits: { O_CREAT: 0o100, O_CLOEXEC: 0o2000000 },
    };
    const spec = arg.flags("flags", 0xffffffff, names);
    expect(one(spec, 0n)).toBe("O_RDONLY");
    expect(one(spec, BigInt(0o2000000 | 0o100 | 1))).toBe("O_WRONLY|O_CREAT|O_CLOEXEC");
    expect(one(spec, BigInt(2 | 0x80000000))).toBe("O_RDWR|0x80000000");
    expect(one(arg.flags("f", 0xff), 0n)).toBe("0");
    expect(one(arg.flags("f", 0xff, { bits: { A: 1 } }), 0x11n)).toBe("A|0x10");
  });

  it("clock ids, sizes, signals and raw words", () => {
    expect(one(arg.clockId(), 1n)).toBe("CLOCK_MONOTONIC");
    expect(one(arg.clockId(), 11n)).toBe("CLOCK_TAI");
    expect(one(arg.clockId(), 99n)).toBe("99");
    expect(one(arg.size(), 1n << 33n)).toBe(String(2 ** 33));
    expect(one(arg.signal(), 9n)).toBe("SIGKILL");
    expect(one(arg.signal(), 0n)).toBe("0");
    expect(one(arg.signal(), 32n)).toBe("SIGRTMIN");
    expect(one(arg.signal(), 35n)).toBe("SIGRT_3");
    expect(one(arg.signal(), 99n)).toBe("99");
    expect(one(arg.raw("r"), 0xdeadbeef00000001n)).toBe("0xdeadbeef00000001");
  });

  it("a mode after open flags prints only with O_CREAT or O_TMPFILE, in octal", () => {
    const openat = target([arg.dirfd(), arg.flags("flags", 0xffffffff), arg.mode()]);
    expect(argumentList(openat, words(-100n, 0n, 0o644n), 3, null)).toEqual(["AT_FDCWD", "0"]);
    expect(argumentList(openat, words(-100n, 0o100n, 0o644n), 3, null)).toEqual(["AT_FDCWD", "0x40", "0644"]);
    expect(argumentList(openat, words(-100n, 0o100n, 0n), 3, null)[2]).toBe("000");
    expect(one(arg.mode(), 0o4755n)).toBe("04755");
  });

  it("an unknown call prints its six registers in hex", () => {
    expect(argumentList(undefined, words(1n, 2n), 0, null)).toEqual([
      "0x1",
      "0x2",
      "0x0",
      "0x0",
      "0x0",
      "0x0",
    ]);
  });
});

describe("results and lines", () => {
  it("ints, -errno with name and message, pointers in hex, ? for calls that do not return", () => {
    expect(formatResult(RETURN_KIND.INT, 3)).toBe("= 3");
    expect(formatResult(RETURN_KIND.INT, -ERRNO.ENOENT)).toBe("= -1 ENOENT (No such file or directory)");
    expect(formatResult(RETURN_KIND.POINTER, 0x7f0000001000)).toBe("= 0x7f0000001000");
    expect(formatResult(RETURN_KIND.POINTER, -ERRNO.ENOMEM)).toBe("= -1 ENOMEM (Cannot allocate memory)");
    expect(formatResult(RETURN_KIND.NONE, 0)).toBe("= ?");
    expect(formatResult(RETURN_KIND.INT, -4000)).toBe("= -1 E4000 (Unknown error 4000)");
    expect(formatResult(RETURN_KIND.INT, -5000)).toBe("= -5000");
  });

  it("pads the call to column 40 before the result, or leaves one space past it", () => {
    expect(withResult("getpid()", "= 1")).toBe(`getpid()${" ".repeat(32)}= 1`);
    const long = `write(1, "${"z".repeat(40)}", 40)`;
    expect(withResult(long, "= 40")).toBe(`${long} = 40`);
  });

  it("names: the entry's, else Linux's, else syscall_0x…", () => {
    expect(traceName(undefined, 39)).toBe("getpid");
    expect(traceName(undefined, 1000)).toBe("syscall_0x3e8");
    expect(traceName(target([]), 39)).toBe("t");
    expect(formatCall(undefined, 1000, words(), -ERRNO.ENOSYS, null)).toBe(
      "syscall_0x3e8(0x0, 0x0, 0x0, 0x0, 0x0, 0x0) = -1 ENOSYS (Function not implemented)",
    );
  });
});

describe("structures strace decodes", () => {
  /** struct iovec entries at 0x2000 pointing into 0x1000. */
  function iovecs(...entries: [base: number, length: number][]): PageMemory {
    const memory = new PageMemory().map(0x1000, 4096).map(0x2000, 4096).poke(0x1000, "hello, world\n");
    const table = new DataView(new ArrayBuffer(entries.length * 16));
    entries.forEach(([base, length], index) => {
      table.setUint32(index * 16, base, true);
      table.setUint32(index * 16 + 8, length, true);
    });
    memory.write(0x2000, new Uint8Array(table.buffer));
    return memory;
  }
  const vectored = (direction: "in" | "out") =>
    target([arg.fd(), arg.pointer("iov", direction, { iovecCount: 2 }), arg.int("iovcnt")]);

  it("writev's iovec array: every buffer's bytes, NULL and empty buffers as strace prints them", () => {
    const memory = iovecs([0x1000, 5], [0, 0], [0x1007, 0], [0x1007, 6]);
    expect(argumentList(vectored("in"), words(1n, 0x2000n, 4n), 11, memory)[1]).toBe(
      '[{iov_base="hello", iov_len=5}, {iov_base=NULL, iov_len=0}, {iov_base="", iov_len=0}, {iov_base="world\\n", iov_len=6}]',
    );
    // An unreadable array prints as its address.
    expect(argumentList(vectored("in"), words(1n, 0x9000n, 1n), 0, memory)[1]).toBe("0x9000");
  });

  it("readv's array shows only the bytes the call returned, spread over the buffers in order", () => {
    const memory = iovecs([0x1000, 3], [0x1003, 8]);
    expect(argumentList(vectored("out"), words(0n, 0x2000n, 2n), 5, memory)[1]).toBe(
      '[{iov_base="hel", iov_len=3}, {iov_base="lo", iov_len=8}]',
    );
    expect(argumentList(vectored("out"), words(0n, 0x2000n, 2n), -ERRNO.EFAULT, memory)[1]).toBe("0x2000");
  });

  it("ioctl requests by name, and the winsize or count of the ones strace decodes", () => {
    const ioctl = target([
      arg.fd(),
      arg.uint("request", 32, true, IOCTL_REQUESTS),
      arg.raw("argp", { ioctlArgument: true }),
    ]);
    const memory = new PageMemory().map(0x1000, 4096);
    memory.write(0x1000, Uint8Array.of(24, 0, 80, 0, 0, 0, 0, 0));
    expect(argumentList(ioctl, words(1n, 0x5413n, 0x1000n), 0, memory).slice(1)).toEqual([
      "TIOCGWINSZ",
      "{ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}",
    ]);
    expect(argumentList(ioctl, words(1n, 0x5413n, 0x1000n), -ERRNO.ENOTTY, memory)[2]).toBe("0x1000");
    expect(argumentList(ioctl, words(1n, 0x541bn, 0x1000n), 0, memory)[2]).toBe("[5242904]");
    expect(argumentList(ioctl, words(1n, 0x1234n, 0x1000n), 0, memory).slice(1)).toEqual([
      "0x1234",
      "0x1000",
    ]);
  });
});

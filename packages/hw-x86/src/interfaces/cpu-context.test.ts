import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONTEXT_WORDS,
  copyCpuContext,
  createCpuContext,
  GPR,
  MXCSR_DEFAULT,
  readBig,
  readHigh,
  readLow,
  readNumber,
  readSignedNumber,
  SLOT,
  writeBig,
  writeHalves,
  writeNumber,
  writeZeroExtended32,
  XMM_WORDS,
} from "./cpu-context";

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe("CpuContext layout", () => {
  it("starts with zero registers, RFLAGS bit 1 set and MXCSR at reset", () => {
    const context = createCpuContext();
    expect(context.regs).toHaveLength(CONTEXT_WORDS);
    expect(context.xmm).toHaveLength(XMM_WORDS);
    expect(readBig(context.regs, SLOT.RFLAGS)).toBe(2n);
    expect(readBig(context.regs, GPR.RAX)).toBe(0n);
    expect(context.mxcsr).toBe(MXCSR_DEFAULT);
  });

  it("stores slot s at words 2s (low) and 2s+1 (high)", () => {
    const { regs } = createCpuContext();
    writeHalves(regs, GPR.RDI, 0x89abcdef, 0x01234567);
    expect(regs[GPR.RDI * 2]).toBe(0x89abcdef);
    expect(regs[GPR.RDI * 2 + 1]).toBe(0x01234567);
    expect(readLow(regs, GPR.RDI)).toBe(0x89abcdef);
    expect(readHigh(regs, GPR.RDI)).toBe(0x01234567);
  });

  it("copies every register, XMM word and MXCSR on a context switch", () => {
    const from = createCpuContext();
    from.regs.fill(7);
    from.xmm.fill(9);
    from.mxcsr = 0x1fbf;
    const into = createCpuContext();
    copyCpuContext(into, from);
    expect([...into.regs]).toEqual([...from.regs]);
    expect([...into.xmm]).toEqual([...from.xmm]);
    expect(into.mxcsr).toBe(0x1fbf);
    expect(into.regs).not.toBe(from.regs);
  });
});

describe("register accessors", () => {
  it("round-trips any 64-bit value through writeBig/readBig", () => {
    const { regs } = createCpuContext();
    fc.assert(
      fc.property(u64, (value) => {
        writeBig(regs, GPR.R11, value);
        return readBig(regs, GPR.R11) === value;
      }),
    );
  });

  it("wraps bigints modulo 2^64 (negative values become two's complement)", () => {
    const { regs } = createCpuContext();
    writeBig(regs, GPR.RAX, -1n);
    expect(readBig(regs, GPR.RAX)).toBe(0xffff_ffff_ffff_ffffn);
    writeBig(regs, GPR.RAX, (1n << 64n) + 5n);
    expect(readBig(regs, GPR.RAX)).toBe(5n);
  });

  it("writeNumber sign-extends like a syscall return: -ENOENT is 0xffff_ffff_ffff_fffe", () => {
    const { regs } = createCpuContext();
    writeNumber(regs, GPR.RAX, -2);
    expect(readLow(regs, GPR.RAX)).toBe(0xfffffffe);
    expect(readHigh(regs, GPR.RAX)).toBe(0xffffffff);
    expect(readSignedNumber(regs, GPR.RAX)).toBe(-2);
    expect(readNumber(regs, GPR.RAX)).toBeNaN();
  });

  it("round-trips every safe integer through writeNumber and the readers", () => {
    const { regs } = createCpuContext();
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        writeNumber(regs, GPR.RSI, value);
        const asBig = BigInt.asUintN(64, BigInt(value));
        expect(readBig(regs, GPR.RSI)).toBe(asBig);
        expect(readSignedNumber(regs, GPR.RSI)).toBe(value);
        if (value >= 0) expect(readNumber(regs, GPR.RSI)).toBe(value);
      }),
    );
  });

  it("readNumber is exact below 2^53 and NaN from 2^53 up", () => {
    const { regs } = createCpuContext();
    writeBig(regs, GPR.RDX, (1n << 53n) - 1n);
    expect(readNumber(regs, GPR.RDX)).toBe(Number.MAX_SAFE_INTEGER);
    writeBig(regs, GPR.RDX, 1n << 53n);
    expect(readNumber(regs, GPR.RDX)).toBeNaN();
  });

  it("readSignedNumber is NaN outside [-2^53, 2^53)", () => {
    const { regs } = createCpuContext();
    writeBig(regs, GPR.RDX, -(1n << 53n));
    expect(readSignedNumber(regs, GPR.RDX)).toBe(-(2 ** 53));
    writeBig(regs, GPR.RDX, -(1n << 53n) - 1n);
    expect(readSignedNumber(regs, GPR.RDX)).toBeNaN();
  });

  it("writeNumber refuses a value that is not a safe integer", () => {
    const { regs } = createCpuContext();
    expect(() => writeNumber(regs, GPR.RAX, 1.5)).toThrow(RangeError);
    expect(() => writeNumber(regs, GPR.RAX, 2 ** 60)).toThrow(RangeError);
  });

  it("a 32-bit write zero-extends, as on x86-64", () => {
    const { regs } = createCpuContext();
    writeBig(regs, GPR.RBX, -1n);
    writeZeroExtended32(regs, GPR.RBX, 0x80000000);
    expect(readBig(regs, GPR.RBX)).toBe(0x80000000n);
  });
});

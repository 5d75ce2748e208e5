/**
 * Inline forms of the arithmetic instructions in compiled blocks: the
 * group-1 ALU (ADD/SUB/CMP/AND/OR/XOR; ADC/SBB use the handler), TEST,
 * INC/DEC/NEG/NOT, SHL/SHR/SAR of 32/64-bit registers and 32-bit ROL/ROR by
 * an immediate, and 32-bit IMUL. Each records its flags in the tracker's
 * locals (block-flags.ts) exactly as the interpreter's lazy record would.
 */
import type { BlockBuilder, InstructionSite } from "./block-builder";
import {
  type Halves,
  immediateText,
  LOADED,
  loadText,
  maskText,
  readRegisterText,
  storeText,
  writeRegisterText,
} from "./block-operands";
import { LAZY } from "./cpu-state";
import { ALU, OP, OPERAND, SHIFT } from "./ops";

/** Emits the ALU operation `kind` of dst and src into the flag locals; returns the result halves (frl/frh). */
function aluText(b: BlockBuilder, kind: number, size: number, dst: Halves, src: Halves): string {
  const wide = size === 8;
  const fit = (expr: string) => (size >= 4 ? `(${expr}) >>> 0` : `(${expr}) & ${maskText(size)}`);
  if (kind === ALU.AND || kind === ALU.OR || kind === ALU.XOR) {
    const operator = kind === ALU.AND ? "&" : kind === ALU.OR ? "|" : "^";
    b.flags.setLazy(LAZY.LOGIC, size);
    return `frl = (${dst.low} ${operator} ${src.low}) >>> 0; frh = ${wide ? `(${dst.high} ${operator} ${src.high}) >>> 0` : "0"};`;
  }
  const add = kind === ALU.ADD;
  b.flags.setLazy(add ? LAZY.ADD : LAZY.SUB, size);
  const operands = `fdl = ${dst.low}; fdh = ${dst.high}; fsl = ${src.low}; fsh = ${src.high}; fc = 0;`;
  if (add) {
    const high = wide ? `frh = (fdh + fsh + (x > 4294967295 ? 1 : 0)) >>> 0;` : "frh = 0;";
    return `${operands} x = fdl + fsl; frl = ${fit("x")}; ${high}`;
  }
  const high = wide ? `frh = (fdh - fsh - (x < 0 ? 1 : 0)) >>> 0;` : "frh = 0;";
  return `${operands} x = fdl - fsl; frl = ${fit("x")}; ${high}`;
}

const RESULT: Halves = { low: "frl", high: "frh" };

/** Group-1 ALU in its three forms (r/m ← reg, reg ← r/m, r/m ← imm). ADC/SBB use the handler. */
export function emitAlu(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const op = cache.op[slot]!;
  const kind = cache.aux[slot]!;
  const size = cache.size[slot]!;
  if (kind === ALU.ADC || kind === ALU.SBB) return b.fallback(site);
  const compare = kind === ALU.CMP;
  const kindForFlags = compare ? ALU.SUB : kind;
  const rm = cache.rm[slot]!;
  const other =
    op === OP.ALU_RM_I ? immediateText(cache, slot, size) : readRegisterText(size, cache.reg[slot]!);
  if (rm !== OPERAND.MEMORY) {
    const rmValue = readRegisterText(size, rm);
    if (op === OP.ALU_R_RM) {
      const text = aluText(b, kindForFlags, size, other, rmValue);
      b.emit(compare ? text : `${text} ${writeRegisterText(size, cache.reg[slot]!, RESULT)}`);
    } else {
      const text = aluText(b, kindForFlags, size, rmValue, other);
      b.emit(compare ? text : `${text} ${writeRegisterText(size, rm, RESULT)}`);
    }
    return false;
  }
  if (op === OP.ALU_R_RM) {
    return b.memory(site, size, false, () => {
      const text = aluText(b, kindForFlags, size, other, LOADED);
      return `${loadText(size)} ${text}${compare ? "" : ` ${writeRegisterText(size, cache.reg[slot]!, RESULT)}`}`;
    });
  }
  return b.memory(site, size, !compare, () => {
    const text = aluText(b, kindForFlags, size, LOADED, other);
    return `${loadText(size)} ${text}${compare ? "" : ` ${storeText(size, RESULT)}`}`;
  });
}

export function emitTest(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const size = cache.size[slot]!;
  const other =
    cache.op[slot] === OP.TEST_RM_I
      ? immediateText(cache, slot, size)
      : readRegisterText(size, cache.reg[slot]!);
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) {
    b.emit(aluText(b, ALU.AND, size, readRegisterText(size, rm), other));
    return false;
  }
  return b.memory(site, size, false, () => `${loadText(size)} ${aluText(b, ALU.AND, size, LOADED, other)}`);
}

/** INC, DEC, NEG, NOT on a register or memory. */
export function emitUnary(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const op = cache.op[slot]!;
  const size = cache.size[slot]!;
  const rm = cache.rm[slot]!;
  const compute = (value: Halves): string => {
    if (op === OP.NEG) {
      const text = aluText(b, ALU.SUB, size, { low: "0", high: "0" }, value);
      return `${text} x = frl; y = frh;`;
    }
    const carry = b.flags.carryValue();
    const text = aluText(b, op === OP.INC ? ALU.ADD : ALU.SUB, size, value, { low: "1", high: "0" });
    b.flags.setLazy(op === OP.INC ? LAZY.INC : LAZY.DEC, size);
    return `${carry.pre} y = ${carry.expr}; ${text} fc = y; x = frl; y = frh;`;
  };
  const result: Halves = { low: "x", high: "y" };
  if (rm !== OPERAND.MEMORY) {
    // NOT leaves the flags alone; its scratch use of frl must not clobber a live record.
    if (op === OP.NOT) {
      b.emit(
        `x = ~${readRegisterText(size, rm).low} & ${maskText(size)}; ${writeRegisterText(size, rm, { low: "(x >>> 0)", high: size === 8 ? `(~regs[${rm * 2 + 1}] >>> 0)` : "0" })}`,
      );
      return false;
    }
    b.emit(`${compute(readRegisterText(size, rm))} ${writeRegisterText(size, rm, result)}`);
    return false;
  }
  if (op === OP.NOT) return b.fallback(site);
  return b.memory(site, size, true, () => `${loadText(size)} ${compute(LOADED)} ${storeText(size, result)}`);
}

/** Shifts (SHL/SHR/SAR, 32 and 64 bits) and 32-bit ROL/ROR of a register by an immediate. */
export function emitShift(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const size = cache.size[slot]!;
  const rm = cache.rm[slot]!;
  let kind = cache.aux[slot]!;
  if (kind === SHIFT.SAL) kind = SHIFT.SHL;
  if (rm >= 16 || size < 4) return b.fallback(site);
  const count = cache.immLow[slot]! & 0xff & (size === 8 ? 63 : 31);
  const at = rm * 2;
  if (count === 0) {
    if (size === 4) b.emit(`regs[${at + 1}] = 0;`);
    return false;
  }
  if (kind === SHIFT.ROL || kind === SHIFT.ROR) {
    if (size !== 4) return b.fallback(site);
    const rotated =
      kind === SHIFT.ROL
        ? `y = ((x << ${count}) | (x >>> ${32 - count})) >>> 0; rcf = y & 1; rof = (y >>> 31) ^ rcf;`
        : `y = ((x >>> ${count}) | (x << ${32 - count})) >>> 0; rcf = y >>> 31; rof = rcf ^ ((y >>> 30) & 1);`;
    b.emit(b.flags.settle());
    b.flags.setRotate();
    b.emit(`x = regs[${at}]; ${rotated} regs[${at}] = y; regs[${at + 1}] = 0;`);
    return false;
  }
  if (kind !== SHIFT.SHL && kind !== SHIFT.SHR && kind !== SHIFT.SAR) return b.fallback(site);
  b.flags.setLazy(LAZY.SHIFT, size);
  const text = size === 4 ? shift32(kind, count) : shift64(kind, count);
  b.emit(`x = regs[${at}]; y = regs[${at + 1}]; ${text} regs[${at}] = frl; regs[${at + 1}] = frh;`);
  return false;
}

/** 32-bit shift of `x` by `c` (1..31) into frl/frh, CF into fc, OF into fsl. */
function shift32(kind: number, c: number): string {
  if (kind === SHIFT.SHL)
    return `frl = (x << ${c}) >>> 0; frh = 0; fc = (x >>> ${32 - c}) & 1; fsl = (frl >>> 31) ^ fc;`;
  if (kind === SHIFT.SHR) return `frl = x >>> ${c}; frh = 0; fc = (x >>> ${c - 1}) & 1; fsl = x >>> 31;`;
  return `frl = (x >> ${c}) >>> 0; frh = 0; fc = (x >>> ${c - 1}) & 1; fsl = 0;`;
}

/** 64-bit shift of (x, y) by `c` (1..63) into frl/frh, CF into fc, OF into fsl. */
function shift64(kind: number, c: number): string {
  const bit = (n: number) => (n < 32 ? `((x >>> ${n}) & 1)` : `((y >>> ${n - 32}) & 1)`);
  if (kind === SHIFT.SHL) {
    const value =
      c < 32
        ? `frh = ((y << ${c}) | (x >>> ${32 - c})) >>> 0; frl = (x << ${c}) >>> 0;`
        : `frh = (x << ${c - 32}) >>> 0; frl = 0;`;
    return `${value} fc = ${bit(64 - c)}; fsl = (frh >>> 31) ^ fc;`;
  }
  if (kind === SHIFT.SHR) {
    const value =
      c < 32
        ? `frl = ((x >>> ${c}) | (y << ${32 - c})) >>> 0; frh = y >>> ${c};`
        : `frl = y >>> ${c - 32}; frh = 0;`;
    return `${value} fc = ${bit(c - 1)}; fsl = y >>> 31;`;
  }
  const value =
    c < 32
      ? `frl = ((x >>> ${c}) | (y << ${32 - c})) >>> 0; frh = ((y | 0) >> ${c}) >>> 0;`
      : `frl = ((y | 0) >> ${c - 32}) >>> 0; frh = ((y | 0) >> 31) >>> 0;`;
  return `${value} fc = ${bit(c - 1)}; fsl = 0;`;
}

/** 32-bit IMUL r, r/m and IMUL r, r/m, imm (register source; memory sources use the handler). */
export function emitImul(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const rm = cache.rm[slot]!;
  const size = cache.size[slot]!;
  if (size !== 4 && size !== 8) return b.fallback(site);
  const reg = cache.reg[slot]!;
  const immediate = cache.op[slot] === OP.IMUL_R_RM_I;
  const multiply = (source: Halves): string => {
    b.flags.setMultiply(size);
    if (size === 4) {
      const other = immediate ? `${cache.immLow[slot]! | 0}` : `(regs[${reg * 2}] | 0)`;
      return `x = ${source.low} | 0; y = ${other}; frl = Math.imul(x, y) >>> 0; frh = 0; fc = x * y !== (frl | 0) ? 1 : 0; regs[${reg * 2}] = frl; regs[${reg * 2 + 1}] = 0;`;
    }
    const [low, high] = immediate
      ? [`${cache.immLow[slot]! >>> 0}`, `${cache.immHigh[slot]! >>> 0}`]
      : [`regs[${reg * 2}]`, `regs[${reg * 2 + 1}]`];
    return `fc = signedProduct64(${source.low}, ${source.high}, ${low}, ${high}); frl = product[0]; frh = product[1]; regs[${reg * 2}] = frl; regs[${reg * 2 + 1}] = frh;`;
  };
  if (rm !== OPERAND.MEMORY) {
    b.emit(multiply({ low: `regs[${rm * 2}]`, high: size === 8 ? `regs[${rm * 2 + 1}]` : "0" }));
    return false;
  }
  return b.memory(site, size, false, () => `${loadText(size)} ${multiply(LOADED)}`);
}

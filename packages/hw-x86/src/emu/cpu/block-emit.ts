/**
 * Per-instruction source text of compiled blocks: the inline forms of the
 * operations gcc's integer code spends its time in (MOV family, LEA, the
 * group-1 ALU, TEST, INC/DEC/NEG/NOT, shifts and 32-bit rotates by an
 * immediate, 32-bit IMUL, MOVZX/MOVSX, CMOVcc/SETcc, PUSH/POP, CALL/RET/JMP,
 * Jcc, CDQE/CQO). Every other instruction calls the interpreter's own
 * handler, and an inline form whose fast path does not apply at run time
 * leaves the block so the interpreter runs it, so the interpreter stays the
 * single definition of each instruction's semantics and of its faults.
 *
 * Each emitter appends statements to the builder and returns whether the
 * block ends after the instruction (all paths of an ending instruction
 * return from the block function).
 */

import type { BlockBuilder, InstructionSite } from "./block-builder";
import { emitAlu, emitImul, emitShift, emitTest, emitUnary } from "./block-emit-alu";
import { emitBranch, emitControl } from "./block-emit-control";
import { emitSse } from "./block-emit-sse";
import { emitSseFloat } from "./block-emit-sse-float";
import {
  type Halves,
  LOADED,
  loadText,
  readRegisterText,
  storeText,
  writeRegisterText,
} from "./block-operands";
import { OP, OPERAND, PREFIX } from "./ops";

function emitMove(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const op = cache.op[slot]!;
  const size = cache.size[slot]!;
  const rm = cache.rm[slot]!;
  const value =
    op === OP.MOV_RM_I
      ? { low: `${cache.immLow[slot]! >>> 0}`, high: `${cache.immHigh[slot]! >>> 0}` }
      : readRegisterText(size, cache.reg[slot]!);
  if (op === OP.MOV_R_RM) {
    if (rm !== OPERAND.MEMORY) {
      b.emit(writeRegisterText(size, cache.reg[slot]!, readRegisterText(size, rm)));
      return false;
    }
    return b.memory(
      site,
      size,
      false,
      () => `${loadText(size)} ${writeRegisterText(size, cache.reg[slot]!, LOADED)}`,
    );
  }
  if (rm !== OPERAND.MEMORY) {
    b.emit(writeRegisterText(size, rm, value));
    return false;
  }
  return b.memory(site, size, true, () => storeText(size, value));
}

/** MOVZX / MOVSX / MOVSXD (`aux` = source size). */
function emitExtend(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const size = cache.size[slot]!;
  const from = cache.aux[slot]!;
  const signed = cache.op[slot] !== OP.MOVZX;
  const reg = cache.reg[slot]!;
  const extend = (source: string): string => {
    if (!signed)
      return writeRegisterText(size, reg, { low: size === 2 ? `(${source} & 65535)` : source, high: "0" });
    const shift = 32 - from * 8;
    const value = shift === 0 ? `(${source} | 0)` : `((${source} << ${shift}) >> ${shift})`;
    const low = size === 2 ? "(x & 65535)" : "(x >>> 0)";
    return `x = ${value}; ${writeRegisterText(size, reg, { low, high: "(x < 0 ? 4294967295 : 0)" })}`;
  };
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) {
    b.emit(extend(readRegisterText(from, rm).low));
    return false;
  }
  return b.memory(site, from, false, () => `${loadText(from)} ${extend("ml")}`);
}

/** LEA without the 67 prefix: base + index·scale + disp in 64-bit arithmetic, truncated to `size`. */
function emitLea(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  if ((cache.prefix[slot]! & PREFIX.ADDR32) !== 0) return b.fallback(site);
  const size = cache.size[slot]!;
  const reg = cache.reg[slot]!;
  const base = cache.base[slot]!;
  const index = cache.index[slot]!;
  const disp = cache.disp[slot]!;
  if (base === OPERAND.RIP) {
    const value = { low: "(x >>> 0)", high: "(Math.floor(x / 4294967296) >>> 0)" };
    b.emit(`x = rip0 + ${site.next + disp}; ${writeRegisterText(size, reg, value)}`);
    return false;
  }
  const lowTerms = [`${disp >>> 0}`];
  const highTerms = [disp < 0 ? "4294967295" : "0"];
  if (base !== OPERAND.NONE) {
    lowTerms.push(`regs[${base * 2}]`);
    highTerms.push(`regs[${base * 2 + 1}]`);
  }
  if (index !== OPERAND.NONE) {
    const scale = cache.scale[slot]!;
    lowTerms.push(scale === 0 ? `regs[${index * 2}]` : `regs[${index * 2}] * ${1 << scale}`);
    highTerms.push(scale === 0 ? `regs[${index * 2 + 1}]` : `(regs[${index * 2 + 1}] << ${scale})`);
  }
  if (size === 8) {
    b.emit(
      `x = ${lowTerms.join(" + ")}; y = ${highTerms.join(" + ")} + Math.floor(x / 4294967296); ${writeRegisterText(8, reg, { low: "x", high: "y" })}`,
    );
  } else {
    b.emit(`x = ${lowTerms.join(" + ")}; ${writeRegisterText(size, reg, { low: "(x >>> 0)", high: "0" })}`);
  }
  return false;
}

/** SETcc and CMOVcc. */
function emitConditional(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const size = cache.size[slot]!;
  const rm = cache.rm[slot]!;
  const test = b.flags.condition(cache.aux[slot]!);
  b.emit(test.pre);
  if (cache.op[slot] === OP.SETCC) {
    const value = { low: `(${test.expr} ? 1 : 0)`, high: "0" };
    if (rm !== OPERAND.MEMORY) {
      b.emit(writeRegisterText(1, rm, value));
      return false;
    }
    return b.memory(site, 1, true, () => storeText(1, value));
  }
  if (size < 4) return b.fallback(site);
  const reg = cache.reg[slot]!;
  const move = (value: Halves) =>
    `if (${test.expr}) { ${writeRegisterText(size, reg, value)} }${size === 4 ? ` else { regs[${reg * 2 + 1}] = 0; }` : ""}`;
  if (rm !== OPERAND.MEMORY) {
    b.emit(move(readRegisterText(size, rm)));
    return false;
  }
  return b.memory(site, size, false, () => `${loadText(size)} ${move(LOADED)}`);
}

/** CBW/CWDE/CDQE and CWD/CDQ/CQO at 32 and 64 bits. */
function emitSignExtendAccumulator(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const size = cache.size[slot]!;
  if (size === 2) return b.fallback(site);
  if (cache.op[slot] === OP.CBW) {
    b.emit(
      size === 8
        ? "regs[1] = (regs[0] >>> 31) === 1 ? 4294967295 : 0;"
        : "regs[0] = (regs[0] << 16) >> 16; regs[1] = 0;",
    );
    return false;
  }
  b.emit(
    size === 8
      ? "x = (regs[1] >>> 31) === 1 ? 4294967295 : 0; regs[4] = x; regs[5] = x;"
      : "regs[4] = (regs[0] >>> 31) === 1 ? 4294967295 : 0; regs[5] = 0;",
  );
  return false;
}

/** Emits instruction `site`; returns true when the block ends after it. */
export function emitInstruction(b: BlockBuilder, site: InstructionSite): boolean {
  const op = b.cache.op[site.slot]!;
  switch (op) {
    case OP.ALU_RM_R:
    case OP.ALU_R_RM:
    case OP.ALU_RM_I:
      return emitAlu(b, site);
    case OP.TEST_RM_R:
    case OP.TEST_RM_I:
      return emitTest(b, site);
    case OP.MOV_RM_R:
    case OP.MOV_R_RM:
    case OP.MOV_RM_I:
      return emitMove(b, site);
    case OP.MOVZX:
    case OP.MOVSX:
    case OP.MOVSXD:
      return emitExtend(b, site);
    case OP.LEA:
      return emitLea(b, site);
    case OP.INC:
    case OP.DEC:
    case OP.NEG:
    case OP.NOT:
      return emitUnary(b, site);
    case OP.SHIFT_I:
      return emitShift(b, site);
    case OP.IMUL_R_RM:
    case OP.IMUL_R_RM_I:
      return emitImul(b, site);
    case OP.SETCC:
    case OP.CMOVCC:
      return emitConditional(b, site);
    case OP.CBW:
    case OP.CWD:
      return emitSignExtendAccumulator(b, site);
    case OP.NOP:
      return false;
    case OP.JCC:
      return emitBranch(b, site);
    case OP.SSE_LOAD:
    case OP.SSE_STORE:
    case OP.SSE_BINARY:
    case OP.SSE_SHUFFLE:
    case OP.SSE_SHIFT_IMM:
    case OP.MOVD_IN:
    case OP.MOVD_OUT:
      return emitSse(b, site);
    case OP.SSE_FLOAT:
    case OP.SSE_SCALAR_MOVE:
    case OP.SSE_COMPARE_FLAGS:
    case OP.SSE_CONVERT:
      return emitSseFloat(b, site);
    default:
      return emitControl(b, site);
  }
}

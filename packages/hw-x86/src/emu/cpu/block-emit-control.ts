/**
 * Control transfers and stack operations in compiled blocks: Jcc (a side
 * exit, or the back edge of a block that loops on itself), JMP, CALL, RET,
 * PUSH/POP, and the handler call for every instruction without an inline
 * form.
 *
 * Stack fast path: RSP's high word in the lower canonical half and no carry
 * out of its low word, the 8 bytes inside one page, a TLB hit (writable for
 * pushes). Branch targets must be canonical: a taken branch to a
 * non-canonical target raises #GP(0) on the branch (exitJump in
 * block-runtime.ts); inline CALL/RET/JMP r/m check before committing and
 * otherwise leave the instruction to its handler.
 */
import type { BlockBuilder, InstructionSite } from "./block-builder";
import { LOWER_HALF_END_TEXT, memoryFastPath, TWO_POW_32_TEXT, tlbTest } from "./block-operands";
import { OP, OPERAND } from "./ops";

/** Setup of an 8-byte push slot at RSP - 8. */
const PUSH_SETUP = "as = regs[8] - 8; ah = regs[9];";

/** Test of the push slot at RSP - 8 (translation memo `memo`). */
function pushTest(memo: number): string {
  return `as >= 0 && ah < 32768 && ${tlbTest(8, true, memo)}`;
}

/** Setup of an 8-byte read at RSP (POP, RET). */
const POP_SETUP = "as = regs[8]; ah = regs[9];";

/** Test of the 8-byte read at RSP, after which RSP grows by `release` without a carry (translation memo `memo`). */
function popTest(release: number, memo: number): string {
  return `as <= ${4294967295 - release} && ah < 32768 && ${tlbTest(8, false, memo)}`;
}

/** Statements storing the 64-bit number `value` (a signed canonical address) at `p`. */
function storeAddress(value: string): string {
  return `view.setUint32(p, ${value} >>> 0, true); view.setUint32(p + 4, Math.floor(${value} / ${TWO_POW_32_TEXT}) >>> 0, true);`;
}

/** Jcc: a side exit when taken (or the loop's back edge); falls through otherwise. */
export function emitBranch(b: BlockBuilder, site: InstructionSite): boolean {
  const slot = site.slot;
  const target = site.next + b.cache.immLow[slot]!;
  const test = b.flags.condition(b.cache.aux[slot]!);
  b.emit(test.pre);
  b.emit(`if (${test.expr}) { ${b.takenText(site, target)} }`);
  return false;
}

/** Statements leaving the block to `target` (an offset from rip0) after this instruction, or looping. */
function jumpText(b: BlockBuilder, site: InstructionSite, target: number): string {
  return b.takenText(site, target);
}

function emitCall(b: BlockBuilder, site: InstructionSite): boolean {
  const slot = site.slot;
  const target = site.next + b.cache.immLow[slot]!;
  const guard = `(t = rip0 + ${target}) < ${LOWER_HALF_END_TEXT} && t >= -${LOWER_HALF_END_TEXT}`;
  return b.custom(site, PUSH_SETUP, `${guard} && ${pushTest(b.nextMemo())}`, () => {
    return `x = rip0 + ${site.next}; ${storeAddress("x")} regs[8] = as; ${b.exitToText(site, "t")}`;
  });
}

function emitRet(b: BlockBuilder, site: InstructionSite): boolean {
  const release = 8 + b.cache.immLow[site.slot]!;
  const test = `${popTest(release, b.nextMemo())} && (mh = view.getUint32(p + 4, true)) < 32768`;
  return b.custom(site, POP_SETUP, test, () => {
    return `ml = view.getUint32(p, true); regs[8] = as + ${release}; t = mh * ${TWO_POW_32_TEXT} + ml; ${b.exitToText(site, "t")}`;
  });
}

/** JMP r/m64 and CALL r/m64 with a register operand, JMP m64 through the TLB. */
function emitIndirect(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const rm = cache.rm[slot]!;
  const call = cache.op[slot] === OP.CALL_RM;
  if (rm !== OPERAND.MEMORY) {
    const load = `x = regs[${rm * 2}]; y = regs[${rm * 2 + 1}];`;
    if (!call) {
      return b.custom(site, load, "y < 32768", () => b.exitToText(site, `(y * ${TWO_POW_32_TEXT} + x)`));
    }
    return b.custom(site, `${load} ${PUSH_SETUP}`, `y < 32768 && ${pushTest(b.nextMemo())}`, () => {
      return `t = rip0 + ${site.next}; ${storeAddress("t")} regs[8] = as; ${b.exitToText(site, `(y * ${TWO_POW_32_TEXT} + x)`)}`;
    });
  }
  if (call) return b.fallback(site);
  const path = memoryFastPath(cache, slot, 8, false, site.next, b.nextMemo());
  if (path === undefined) return b.fallback(site);
  return b.custom(site, path.setup, `${path.test} && (mh = view.getUint32(p + 4, true)) < 32768`, () => {
    return `ml = view.getUint32(p, true); ${b.exitToText(site, `(mh * ${TWO_POW_32_TEXT} + ml)`)}`;
  });
}

function emitPush(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  if (cache.size[slot] !== 8) return b.fallback(site);
  const reg = cache.reg[slot]!;
  const value =
    cache.op[slot] === OP.PUSH_R
      ? { low: `regs[${reg * 2}]`, high: `regs[${reg * 2 + 1}]` }
      : { low: `${cache.immLow[slot]! >>> 0}`, high: `${cache.immHigh[slot]! >>> 0}` };
  return b.custom(site, PUSH_SETUP, pushTest(b.nextMemo()), () => {
    return `view.setUint32(p, ${value.low}, true); view.setUint32(p + 4, ${value.high}, true); regs[8] = as;`;
  });
}

function emitPop(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  if (cache.size[slot] !== 8) return b.fallback(site);
  const reg = cache.reg[slot]!;
  return b.custom(site, POP_SETUP, popTest(8, b.nextMemo()), () => {
    return `ml = view.getUint32(p, true); mh = view.getUint32(p + 4, true); regs[8] = as + 8; regs[${reg * 2}] = ml; regs[${reg * 2 + 1}] = mh;`;
  });
}

/** Control transfers, stack operations, and the handler call for everything else. */
export function emitControl(b: BlockBuilder, site: InstructionSite): boolean {
  const op = b.cache.op[site.slot]!;
  switch (op) {
    case OP.JMP_REL:
      b.emit(jumpText(b, site, site.next + b.cache.immLow[site.slot]!));
      return true;
    case OP.CALL_REL:
      return emitCall(b, site);
    case OP.RET:
      return emitRet(b, site);
    case OP.JMP_RM:
    case OP.CALL_RM:
      return emitIndirect(b, site);
    case OP.PUSH_R:
    case OP.PUSH_I:
      return emitPush(b, site);
    case OP.POP_R:
      return emitPop(b, site);
    case OP.SYSCALL:
      return b.cache.blocks?.syscallsInBlocks === false ? b.fallback(site) : b.syscall(site);
    default:
      return b.fallback(site);
  }
}

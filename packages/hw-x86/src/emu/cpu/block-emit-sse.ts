/**
 * Inline forms of the SSE2 integer instructions gcc's vectorised integer
 * code spends its time in: 128-bit moves (register and memory), PAND/PANDN/
 * POR/PXOR, PADDD/PSUBD/PADDQ/PSUBQ, PCMPEQD, PUNPCK[LH](DQ|QDQ), PSHUFD,
 * PSRLD/PSLLD/PSRAD/PSRLQ/PSLLQ by an immediate, and MOVD/MOVQ between a
 * GPR and an XMM register. Everything else, and any form whose condition
 * does not hold at run time (SSE disabled through CR0/CR4, a misaligned
 * aligned-form operand, a slow memory access), calls the interpreter's
 * handler, which raises the fault.
 *
 * Generated code names: `xmm` (the XMM file, four words per register) and
 * the scratch words `q0`–`q3`. A block with inline SSE starts with a guard
 * (block-compiler.ts): unless CR4.OSFXSR = 1 and CR0.EM = CR0.TS = 0, it
 * only runs its first instruction through the handler (which raises #UD or
 * #NM as due) — control registers change only in trap handlers, never inside
 * a block, so the inline forms need no test of their own.
 */
import type { BlockBuilder, InstructionSite } from "./block-builder";
import { memoryFastPath } from "./block-operands";
import { OP, OPERAND } from "./ops";
import { SHUFFLE, SSE, SSE_MOVE } from "./sse-ops";

/** Statements loading the source register's four words into q0–q3. */
function loadRegister(reg: number): string {
  const at = reg * 4;
  return `q0 = xmm[${at}]; q1 = xmm[${at + 1}]; q2 = xmm[${at + 2}]; q3 = xmm[${at + 3}];`;
}

/** Statements loading 16 bytes at physical `p` into q0–q3. */
const LOAD_MEMORY =
  "q0 = view.getUint32(p, true); q1 = view.getUint32(p + 4, true); q2 = view.getUint32(p + 8, true); q3 = view.getUint32(p + 12, true);";

/** Statements computing `xmm[dst] op= q` for a lane-wise binary operation, or undefined when not inline. */
function binaryText(op: number, dst: number): string | undefined {
  const at = dst * 4;
  const lanes = (expr: (lane: number, q: string) => string) =>
    [0, 1, 2, 3].map((lane) => `xmm[${at + lane}] = ${expr(at + lane, `q${lane}`)};`).join(" ");
  switch (op) {
    case SSE.AND:
      return lanes((d, q) => `xmm[${d}] & ${q}`);
    case SSE.ANDN:
      return lanes((d, q) => `~xmm[${d}] & ${q}`);
    case SSE.OR:
      return lanes((d, q) => `xmm[${d}] | ${q}`);
    case SSE.XOR:
      return lanes((d, q) => `xmm[${d}] ^ ${q}`);
    case SSE.ADD32:
      return lanes((d, q) => `xmm[${d}] + ${q}`);
    case SSE.SUB32:
      return lanes((d, q) => `xmm[${d}] - ${q}`);
    case SSE.CMPEQ32:
      return lanes((d, q) => `xmm[${d}] === ${q} ? 4294967295 : 0`);
    case SSE.ADD64:
    case SSE.SUB64: {
      const sign = op === SSE.ADD64 ? "+" : "-";
      const carry = op === SSE.ADD64 ? "(x > 4294967295 ? 1 : 0)" : "(x < 0 ? 1 : 0)";
      return [0, 2]
        .map(
          (lane) =>
            `x = xmm[${at + lane}] ${sign} q${lane}; xmm[${at + lane + 1}] = xmm[${at + lane + 1}] ${sign} q${lane + 1} ${sign} ${carry}; xmm[${at + lane}] = x;`,
        )
        .join(" ");
    }
    case SSE.ADD8:
    case SSE.ADD16: {
      // SWAR: add the lanes without their top bits, then put the top bits back by XOR.
      const [low, top] = op === SSE.ADD8 ? [0x7f7f7f7f, 0x80808080] : [0x7fff7fff, 0x80008000];
      return lanes((d, q) => `((xmm[${d}] & ${low}) + (${q} & ${low})) ^ ((xmm[${d}] ^ ${q}) & ${top})`);
    }
    case SSE.SUB8:
    case SSE.SUB16: {
      const [low, top] = op === SSE.SUB8 ? [0x7f7f7f7f, 0x80808080] : [0x7fff7fff, 0x80008000];
      return lanes((d, q) => `((xmm[${d}] | ${top}) - (${q} & ${low})) ^ ((xmm[${d}] ^ ~${q}) & ${top})`);
    }
    case SSE.UNPCKL16:
    case SSE.UNPCKH16: {
      const from = op === SSE.UNPCKL16 ? 0 : 2;
      return `x = xmm[${at + from}]; y = xmm[${at + from + 1}]; xmm[${at}] = (x & 65535) | (q${from} << 16); xmm[${at + 1}] = (x >>> 16) | (q${from} & 4294901760); xmm[${at + 2}] = (y & 65535) | (q${from + 1} << 16); xmm[${at + 3}] = (y >>> 16) | (q${from + 1} & 4294901760);`;
    }
    case SSE.UNPCKL8:
    case SSE.UNPCKH8: {
      const from = op === SSE.UNPCKL8 ? 0 : 2;
      const low = (d: string, q: string) =>
        `(${d} & 255) | ((${q} & 255) << 8) | ((${d} & 65280) << 8) | ((${q} & 65280) << 16)`;
      const high = (d: string, q: string) =>
        `((${d} >>> 16) & 255) | (((${q} >>> 16) & 255) << 8) | ((${d} >>> 8) & 16711680) | (${q} & 4278190080)`;
      return `x = xmm[${at + from}]; y = xmm[${at + from + 1}]; xmm[${at}] = ${low("x", `q${from}`)}; xmm[${at + 1}] = ${high("x", `q${from}`)}; xmm[${at + 2}] = ${low("y", `q${from + 1}`)}; xmm[${at + 3}] = ${high("y", `q${from + 1}`)};`;
    }
    case SSE.PACKUSWB:
      return `packUnsigned(xmm, ${at}, q0, q1, q2, q3);`;
    case SSE.UNPCKL32:
      return `xmm[${at + 3}] = q1; xmm[${at + 2}] = xmm[${at + 1}]; xmm[${at + 1}] = q0;`;
    case SSE.UNPCKH32:
      return `xmm[${at}] = xmm[${at + 2}]; xmm[${at + 1}] = q2; xmm[${at + 2}] = xmm[${at + 3}]; xmm[${at + 3}] = q3;`;
    case SSE.UNPCKL64:
      return `xmm[${at + 2}] = q0; xmm[${at + 3}] = q1;`;
    case SSE.UNPCKH64:
      return `xmm[${at}] = xmm[${at + 2}]; xmm[${at + 1}] = xmm[${at + 3}]; xmm[${at + 2}] = q2; xmm[${at + 3}] = q3;`;
    default:
      return undefined;
  }
}

/** Statements shifting register `reg` by the constant `count` (PSRLD/PSLLD/PSRAD/PSRLQ/PSLLQ), or undefined. */
function shiftText(op: number, reg: number, count: number): string | undefined {
  const at = reg * 4;
  const each = (expr: (word: string) => string) =>
    [0, 1, 2, 3].map((lane) => `xmm[${at + lane}] = ${expr(`xmm[${at + lane}]`)};`).join(" ");
  switch (op) {
    case SSE.SRL32:
      return count > 31 ? each(() => "0") : each((w) => `${w} >>> ${count}`);
    case SSE.SLL32:
      return count > 31 ? each(() => "0") : each((w) => `${w} << ${count}`);
    case SSE.SRA32:
      return each((w) => `${w} >> ${Math.min(count, 31)}`);
    case SSE.SRL16:
      return count > 15
        ? each(() => "0")
        : each((w) => `(${w} >>> ${count}) & ${((0xffff >>> count) * 0x10001) >>> 0}`);
    case SSE.SLL16:
      return count > 15
        ? each(() => "0")
        : each((w) => `(${w} << ${count}) & ${(((0xffff << count) & 0xffff) * 0x10001) >>> 0}`);
    case SSE.SRL64:
    case SSE.SLL64: {
      if (count > 63) return each(() => "0");
      if (count === 0) return "";
      return [0, 2]
        .map((lane) => {
          const low = `xmm[${at + lane}]`;
          const high = `xmm[${at + lane + 1}]`;
          if (op === SSE.SRL64) {
            return count < 32
              ? `${low} = (${low} >>> ${count}) | (${high} << ${32 - count}); ${high} = ${high} >>> ${count};`
              : `${low} = ${high} >>> ${count - 32}; ${high} = 0;`;
          }
          return count < 32
            ? `${high} = (${high} << ${count}) | (${low} >>> ${32 - count}); ${low} = ${low} << ${count};`
            : `${high} = ${low} << ${count - 32}; ${low} = 0;`;
        })
        .join(" ");
    }
    default:
      return undefined;
  }
}

/**
 * MOVQ xmm, xmm/m64 (loads zero the upper half) and MOVQ m64/xmm, xmm (the
 * register form of the store zeroes the destination's upper half too, as
 * the handler does).
 */
function emitMoveQuad(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const reg = cache.reg[slot]!;
  const rm = cache.rm[slot]!;
  const load = cache.op[slot] === OP.SSE_LOAD;
  if (rm !== OPERAND.MEMORY) {
    const [from, to] = load ? [rm, reg] : [reg, rm];
    const move = `q0 = xmm[${from * 4}]; q1 = xmm[${from * 4 + 1}]; xmm[${to * 4}] = q0; xmm[${to * 4 + 1}] = q1; xmm[${to * 4 + 2}] = 0; xmm[${to * 4 + 3}] = 0;`;
    b.emit(move);
    return false;
  }
  const path = memoryFastPath(cache, slot, 8, !load, site.next, b.nextMemo());
  if (path === undefined) return b.fallback(site);
  const at = reg * 4;
  const body = load
    ? `xmm[${at}] = view.getUint32(p, true); xmm[${at + 1}] = view.getUint32(p + 4, true); xmm[${at + 2}] = 0; xmm[${at + 3}] = 0;`
    : `view.setUint32(p, xmm[${at}], true); view.setUint32(p + 4, xmm[${at + 1}], true);`;
  return b.custom(site, path.setup, path.test, () => body);
}

/**
 * Emits the SSE instruction at `site` inline when it has an inline form;
 * returns false (block continues) either way — SSE instructions never end a
 * block — or calls the handler.
 */
export function emitSse(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const op = cache.op[slot]!;
  const reg = cache.reg[slot]!;
  const rm = cache.rm[slot]!;
  const aux = cache.aux[slot]!;
  const aligned = (aux & SSE_MOVE.ALIGNED) !== 0;
  b.usesSse = true;
  switch (op) {
    case OP.SSE_LOAD:
    case OP.SSE_STORE: {
      if (cache.size[slot] === 8) return emitMoveQuad(b, site);
      if (cache.size[slot] !== 16) break;
      const load = op === OP.SSE_LOAD;
      if (rm !== OPERAND.MEMORY) {
        const [from, to] = load ? [rm, reg] : [reg, rm];
        const store = [0, 1, 2, 3].map((lane) => `xmm[${to * 4 + lane}] = q${lane};`).join(" ");
        b.emit(`${loadRegister(from)} ${store}`);
        return false;
      }
      const path = memoryFastPath(cache, slot, 16, !load, site.next, b.nextMemo());
      if (path === undefined) break;
      const test = `${path.test}${aligned ? " && (o & 15) === 0" : ""}`;
      if (load) {
        const store = [0, 1, 2, 3].map((lane) => `xmm[${reg * 4 + lane}] = q${lane};`).join(" ");
        return b.custom(site, path.setup, test, () => `${LOAD_MEMORY} ${store}`);
      }
      const write = [0, 1, 2, 3].map(
        (lane) => `view.setUint32(p + ${lane * 4}, xmm[${reg * 4 + lane}], true);`,
      );
      return b.custom(site, path.setup, test, () => write.join(" "));
    }
    case OP.SSE_BINARY:
    case OP.SSE_SHUFFLE: {
      const shuffle = op === OP.SSE_SHUFFLE;
      if (shuffle && aux !== SHUFFLE.PSHUFD && aux !== SHUFFLE.SHUFPS) break;
      const order = cache.immLow[slot]! & 0xff;
      const pick = (lane: number) => (order >>> (2 * lane)) & 3;
      const at = reg * 4;
      let text: string | undefined;
      if (!shuffle) text = binaryText(aux, reg);
      else if (aux === SHUFFLE.PSHUFD)
        text = [0, 1, 2, 3].map((lane) => `xmm[${at + lane}] = q${pick(lane)};`).join(" ");
      // SHUFPS: the two low lanes from the destination, the two high from the source.
      else
        text = `x = xmm[${at + pick(0)}]; y = xmm[${at + pick(1)}]; xmm[${at}] = x; xmm[${at + 1}] = y; xmm[${at + 2}] = q${pick(2)}; xmm[${at + 3}] = q${pick(3)};`;
      if (text === undefined) break;
      if (rm !== OPERAND.MEMORY) {
        b.emit(`${loadRegister(rm)} ${text}`);
        return false;
      }
      const path = memoryFastPath(cache, slot, 16, false, site.next, b.nextMemo());
      if (path === undefined) break;
      return b.custom(site, path.setup, `${path.test} && (o & 15) === 0`, () => `${LOAD_MEMORY} ${text}`);
    }
    case OP.SSE_SHIFT_IMM: {
      const text = shiftText(aux, rm, cache.immLow[slot]! & 0xff);
      if (text === undefined) break;
      b.emit(text);
      return false;
    }
    case OP.MOVD_IN:
    case OP.MOVD_OUT: {
      if (rm === OPERAND.MEMORY) break;
      const wide = cache.size[slot] === 8;
      const move =
        op === OP.MOVD_IN
          ? `xmm[${reg * 4}] = regs[${rm * 2}]; xmm[${reg * 4 + 1}] = ${wide ? `regs[${rm * 2 + 1}]` : "0"}; xmm[${reg * 4 + 2}] = 0; xmm[${reg * 4 + 3}] = 0;`
          : `regs[${rm * 2}] = xmm[${reg * 4}]; regs[${rm * 2 + 1}] = ${wide ? `xmm[${reg * 4 + 1}]` : "0"};`;
      b.emit(move);
      return false;
    }
  }
  return b.fallback(site);
}

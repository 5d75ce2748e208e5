/**
 * Inline forms of SSE floating point in compiled blocks: MOVSS/MOVSD
 * entirely inline; ADD/SUB/MUL/DIV/SQRT (PS, PD, SS, SD), (U)COMISS/
 * (U)COMISD, CVTSI2SS/SD, CVTTSS2SI/CVTTSD2SI and CVTSS2SD/CVTSD2SS through
 * the host-double fast path of sse-float-fast.ts, called without leaving
 * the block and without flushing the flags; when the fast path declines
 * (MXCSR not in its mode, an operand or result outside it) the same place
 * calls the interpreter's handler, which is exact.
 *
 * Generated code names (besides block-emit-sse.ts's `xmm`): the runtime's
 * `sseFloatFast sseOrderFast sseFromIntegerFast sseTruncateFast sseConvertFloatFast
 * converted`, and `fsrc`, four words of scratch holding a memory operand.
 * A memory operand whose inline access does not apply (TLB miss, page
 * crossing, a misaligned 16-byte operand) goes to the handler too, which
 * raises the fault.
 */
import type { BlockBuilder, InstructionSite } from "./block-builder";
import { memoryFastPath } from "./block-operands";
import { OP, OPERAND } from "./ops";
import { COMPARE_FLAGS, SSE_CONVERT, SSE_CONVERT_WIDE } from "./sse-float-ops";

/** Statements reading `words` words at physical `p` into `fsrc`, as one comma expression. */
function loadScratch(words: number): string {
  return Array.from(
    { length: words },
    (_, word) => `fsrc[${word}] = view.getUint32(p + ${word * 4}, true)`,
  ).join(", ");
}

/**
 * The fast-path call `call(source, from)` on the instruction's XMM-or-memory
 * source of `size` bytes; the handler when it declines. `body` runs after a
 * successful call. `flagsWritten`: the instruction sets RFLAGS.
 */
function fastWithSource(
  b: BlockBuilder,
  site: InstructionSite,
  size: number,
  call: (source: string, from: string) => string,
  body: string,
  flagsWritten: boolean,
): boolean {
  const rm = b.cache.rm[site.slot]!;
  if (rm !== OPERAND.MEMORY) return b.fastOrFallback(site, "", call("xmm", `${rm * 4}`), body, flagsWritten);
  const path = memoryFastPath(b.cache, site.slot, size, false, site.next, b.nextMemo());
  if (path === undefined) return b.fallback(site);
  const test = `${path.test}${size === 16 ? " && (o & 15) === 0" : ""}`;
  const fast = `(${test}) && (${loadScratch(size / 4)}, ${call("fsrc", "0")})`;
  return b.fastOrFallback(site, path.setup, fast, body, flagsWritten);
}

/** MOVSS/MOVSD: register moves touch lane 0 only, loads zero the upper lanes, stores write the low lane. */
function emitScalarMove(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const words = cache.size[slot] === 8 ? 2 : 1;
  const reg = cache.reg[slot]! * 4;
  const rm = cache.rm[slot]!;
  const load = cache.aux[slot] === 0;
  if (rm !== OPERAND.MEMORY) {
    const [from, to] = load ? [rm * 4, reg] : [reg, rm * 4];
    b.emit(Array.from({ length: words }, (_, word) => `xmm[${to + word}] = xmm[${from + word}];`).join(" "));
    return false;
  }
  const path = memoryFastPath(cache, slot, words * 4, !load, site.next, b.nextMemo());
  if (path === undefined) return b.fallback(site);
  const body = load
    ? [0, 1, 2, 3]
        .map(
          (word) => `xmm[${reg + word}] = ${word < words ? `view.getUint32(p + ${word * 4}, true)` : "0"};`,
        )
        .join(" ")
    : Array.from(
        { length: words },
        (_, word) => `view.setUint32(p + ${word * 4}, xmm[${reg + word}], true);`,
      ).join(" ");
  return b.custom(site, path.setup, path.test, () => body);
}

/** CVTSI2SS/SD from a GPR or memory, CVTTSS2SI/CVTTSD2SI, CVTSS2SD/CVTSD2SS; anything else calls the handler. */
function emitConvert(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const aux = cache.aux[slot]!;
  const id = aux & ~SSE_CONVERT_WIDE;
  const wide = (aux & SSE_CONVERT_WIDE) !== 0;
  const size = cache.size[slot]!;
  const reg = cache.reg[slot]!;
  const rm = cache.rm[slot]!;
  switch (id) {
    case SSE_CONVERT.CVTSI2SS:
    case SSE_CONVERT.CVTSI2SD: {
      const double = id === SSE_CONVERT.CVTSI2SD;
      const call = (low: string, high: string) =>
        `sseFromIntegerFast(xmm, ${reg}, ${low}, ${high}, ${wide}, ${double})`;
      if (rm !== OPERAND.MEMORY) {
        return b.fastOrFallback(
          site,
          "",
          call(`regs[${rm * 2}]`, wide ? `regs[${rm * 2 + 1}]` : "0"),
          "",
          false,
        );
      }
      const path = memoryFastPath(cache, slot, size, false, site.next, b.nextMemo());
      if (path === undefined) return b.fallback(site);
      const high = wide ? "view.getUint32(p + 4, true)" : "0";
      return b.fastOrFallback(
        site,
        path.setup,
        `(${path.test}) && ${call("view.getUint32(p, true)", high)}`,
        "",
        false,
      );
    }
    case SSE_CONVERT.CVTTSS2SI:
    case SSE_CONVERT.CVTTSD2SI: {
      const double = id === SSE_CONVERT.CVTTSD2SI;
      const write = `regs[${reg * 2}] = converted.low; regs[${reg * 2 + 1}] = converted.high;`;
      return fastWithSource(
        b,
        site,
        size,
        (source, from) => `sseTruncateFast(state, ${source}, ${from}, ${double}, ${wide})`,
        write,
        false,
      );
    }
    case SSE_CONVERT.CVTSS2SD:
    case SSE_CONVERT.CVTSD2SS: {
      const toDouble = id === SSE_CONVERT.CVTSS2SD;
      return fastWithSource(
        b,
        site,
        size,
        (source, from) => `sseConvertFloatFast(state, ${reg}, ${source}, ${from}, ${toDouble})`,
        "",
        false,
      );
    }
    default:
      return b.fallback(site);
  }
}

/** Emits the SSE floating-point instruction at `site` (see the file header). */
export function emitSseFloat(b: BlockBuilder, site: InstructionSite): boolean {
  const { cache } = b;
  const slot = site.slot;
  const aux = cache.aux[slot]!;
  const reg = cache.reg[slot]!;
  const size = cache.size[slot]!;
  b.usesSse = true;
  switch (cache.op[slot]) {
    case OP.SSE_SCALAR_MOVE:
      return emitScalarMove(b, site);
    case OP.SSE_FLOAT:
      return fastWithSource(
        b,
        site,
        size,
        (source, from) => `sseFloatFast(state, ${aux}, ${reg}, ${source}, ${from})`,
        "",
        false,
      );
    case OP.SSE_COMPARE_FLAGS: {
      const double = (aux & COMPARE_FLAGS.DOUBLE) !== 0;
      return fastWithSource(
        b,
        site,
        size,
        (source, from) => `sseOrderFast(state, ${double}, ${reg}, ${source}, ${from})`,
        "",
        true,
      );
    }
    case OP.SSE_CONVERT:
      return emitConvert(b, site);
    default:
      return b.fallback(site);
  }
}

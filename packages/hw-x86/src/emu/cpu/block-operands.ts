/**
 * Source-text builders for operands in compiled blocks: registers of every
 * width and the inline fast path of a memory access.
 *
 * Names the generated code provides (block-compiler.ts): `regs` (the
 * register file), `view`/`u8` (RAM), `tlbTag tlbPhysical tlbAccess`,
 * `codePages`, `rip0` (RIP at block entry), the scratch locals
 * `a ah as o v e p ml mh x y`, and the translation memos `mk<n> mp<n>`.
 *
 * The memory fast path mirrors the interpreter's (memory.ts, operands.ts):
 * no FS/GS/67 prefix; an address whose high word is in the lower canonical
 * half with no carry out of the low word (or RIP-relative inside
 * [0, 2^47)); an access inside one page; a TLB hit (for writes: a writable
 * entry of a page holding no decoded code). Anything else takes the
 * interpreter's handler for the whole instruction, which also raises the
 * faults — so the inline path never has to.
 *
 * Invariant: expressions for register values are uint32 numbers masked to
 * the operand size; high halves are "0" below 64 bits.
 */
import type { DecodedCache } from "./decoded-cache";
import { OPERAND, PREFIX } from "./ops";

/** 2^32, as source text (a constant of the generated code). */
export const TWO_POW_32_TEXT = "K32";
/** 2^47 (first non-canonical address of the lower half), as source text (a constant of the generated code). */
export const LOWER_HALF_END_TEXT = "K47";

/** Low and high halves of a value, as expressions. */
export interface Halves {
  /** Low 32 bits (masked to the operand size). */
  low: string;
  /** High 32 bits ("0" below 64 bits). */
  high: string;
}

/** Mask of an operand of `size` bytes, as source text. */
export function maskText(size: number): string {
  return size === 1 ? "255" : size === 2 ? "65535" : "4294967295";
}

/** Register `reg` (OPERAND high-byte encoding for 8-bit) read at `size`. */
export function readRegisterText(size: number, reg: number): Halves {
  if (size === 8) return { low: `regs[${reg * 2}]`, high: `regs[${reg * 2 + 1}]` };
  if (size === 4) return { low: `regs[${reg * 2}]`, high: "0" };
  if (size === 2) return { low: `(regs[${reg * 2}] & 65535)`, high: "0" };
  if (reg >= OPERAND.HIGH_BYTE_BASE) {
    return { low: `((regs[${(reg - OPERAND.HIGH_BYTE_BASE) * 2}] >>> 8) & 255)`, high: "0" };
  }
  return { low: `(regs[${reg * 2}] & 255)`, high: "0" };
}

/** Statements writing `value` to register `reg` at `size` (merge below 32 bits, zero-extend at 32). */
export function writeRegisterText(size: number, reg: number, value: Halves): string {
  const at = reg * 2;
  if (size === 8) return `regs[${at}] = ${value.low}; regs[${at + 1}] = ${value.high};`;
  if (size === 4) return `regs[${at}] = ${value.low}; regs[${at + 1}] = 0;`;
  if (size === 2) return `regs[${at}] = (regs[${at}] & 4294901760) | (${value.low} & 65535);`;
  if (reg >= OPERAND.HIGH_BYTE_BASE) {
    const word = (reg - OPERAND.HIGH_BYTE_BASE) * 2;
    return `regs[${word}] = (regs[${word}] & 4294902015) | ((${value.low} & 255) << 8);`;
  }
  return `regs[${at}] = (regs[${at}] & 4294967040) | (${value.low} & 255);`;
}

/** The immediate of `slot` as an operand of `size` (sign-extended as decoded, masked below 32 bits). */
export function immediateText(cache: DecodedCache, slot: number, size: number): Halves {
  const low = cache.immLow[slot]! >>> 0;
  if (size === 8) return { low: `${low}`, high: `${cache.immHigh[slot]! >>> 0}` };
  if (size === 4) return { low: `${low}`, high: "0" };
  return { low: `${low & (size === 1 ? 0xff : 0xffff)}`, high: "0" };
}

/**
 * The fast path of a memory access of `size` bytes: `setup` statements, then
 * `test`, a condition that is true when the access can be done inline, and
 * then leaves the physical address in `p`. Undefined when the operand's
 * form never has a fast path (segment or address-size prefix, negative
 * absolute address).
 */
export interface MemoryFastPath {
  /** Statements computing the address parts. */
  setup: string;
  /** Condition; when true, `p` is the physical address of the access. */
  test: string;
}

/**
 * TLB part of a fast-path test for an access of `size` bytes at the linear
 * address `ah`·2^32 + `as` (`ah` < 2^15 and `as` in [0, 2^32) already
 * checked): computes `o` (the page offset), `v` (the virtual page number)
 * and, when true, `p` (the physical address).
 *
 * Translation memo `memo`: the locals `mk<memo>` / `mp<memo>` hold the last
 * virtual page this site hit in the TLB and its physical page, so an access
 * to the same page as the site's previous one costs one compare. Valid
 * because nothing inline changes the TLB or `codePages`: the memos are
 * cleared at entry and after every handler call (the compiler puts
 * {@link memoReset} at every RELOAD marker), the only points where a
 * translation, an INVLPG, a CR3 load or new decoded code can happen. A
 * write memo is filled only from a writable entry of a page without
 * decoded code, so it answers exactly what the write test would.
 */
export function tlbTest(size: number, write: boolean, memo: number): string {
  const key = `mk${memo}`;
  const base = `mp${memo}`;
  const hit = "tlbTag[(e = (as >>> 12) & 4095)] === v";
  const allowed = write ? ` && (tlbAccess[e] & 2) !== 0 && codePages[tlbPhysical[e] >>> 12] === 0` : "";
  return `(o = as & 4095) <= ${4096 - size} && ((v = ah * 1048576 + (as >>> 12)) === ${key} || (${hit}${allowed} && ((${key} = v), (${base} = tlbPhysical[e]), true))) && ((p = ${base} + o), true)`;
}

/** Declarations of translation memos 0..count-1 (see {@link tlbTest}). */
export function memoDeclarations(count: number): string {
  if (count === 0) return "";
  return `let ${Array.from({ length: count }, (_, memo) => `mk${memo} = -1, mp${memo} = 0`).join(", ")};`;
}

/** Statements clearing translation memos 0..count-1 (after a handler call). */
export function memoReset(count: number): string {
  return Array.from({ length: count }, (_, memo) => `mk${memo} = -1;`).join(" ");
}

/**
 * Fast path of the memory operand of `slot` (see MemoryFastPath); `next` is
 * the instruction's end offset from `rip0`, `memo` the translation memo the
 * site owns ({@link tlbTest}). After a true test, `o` is the page offset of
 * the access (alignment checks use it).
 */
export function memoryFastPath(
  cache: DecodedCache,
  slot: number,
  size: number,
  write: boolean,
  next: number,
  memo: number,
): MemoryFastPath | undefined {
  if ((cache.prefix[slot]! & (PREFIX.FS | PREFIX.GS | PREFIX.ADDR32)) !== 0) return undefined;
  const base = cache.base[slot]!;
  const index = cache.index[slot]!;
  const disp = cache.disp[slot]!;
  const tlb = tlbTest(size, write, memo);
  if (base === OPERAND.RIP) {
    return {
      setup: `a = rip0 + ${next + disp};`,
      test: `a >= 0 && a < ${LOWER_HALF_END_TEXT} && ((ah = Math.floor(a / ${TWO_POW_32_TEXT})), (as = a - ah * ${TWO_POW_32_TEXT}), true) && ${tlb}`,
    };
  }
  if (base === OPERAND.NONE && index === OPERAND.NONE) {
    if (disp < 0) return undefined;
    return { setup: `ah = 0; as = ${disp};`, test: tlb };
  }
  const terms: string[] = [];
  if (base !== OPERAND.NONE) terms.push(`regs[${base * 2}]`);
  if (index !== OPERAND.NONE) {
    const scale = cache.scale[slot]!;
    terms.push(scale === 0 ? `regs[${index * 2}]` : `regs[${index * 2}] * ${1 << scale}`);
  }
  if (disp !== 0) terms.push(`${disp}`);
  const checks: string[] = [];
  if (base !== OPERAND.NONE) checks.push("ah < 32768");
  checks.push("as >= 0", `as < ${TWO_POW_32_TEXT}`);
  if (index !== OPERAND.NONE) checks.push(`regs[${index * 2 + 1}] === 0`);
  const high = base !== OPERAND.NONE ? `regs[${base * 2 + 1}]` : "0";
  return {
    setup: `ah = ${high}; as = ${terms.join(" + ")};`,
    test: `${checks.join(" && ")} && ${tlb}`,
  };
}

/** Statements loading `size` bytes at physical `p` into `ml` (and `mh` for 8; `mh` = 0 otherwise). */
export function loadText(size: number): string {
  if (size === 8) return "ml = view.getUint32(p, true); mh = view.getUint32(p + 4, true);";
  if (size === 4) return "ml = view.getUint32(p, true); mh = 0;";
  if (size === 2) return "ml = view.getUint16(p, true); mh = 0;";
  return "ml = u8[p]; mh = 0;";
}

/** Statements storing `value` (`size` bytes) at physical `p`. */
export function storeText(size: number, value: Halves): string {
  if (size === 8) return `view.setUint32(p, ${value.low}, true); view.setUint32(p + 4, ${value.high}, true);`;
  if (size === 4) return `view.setUint32(p, ${value.low}, true);`;
  if (size === 2) return `view.setUint16(p, ${value.low}, true);`;
  return `u8[p] = ${value.low};`;
}

/** The loaded value (`ml`, `mh`) as Halves. */
export const LOADED: Halves = { low: "ml", high: "mh" };

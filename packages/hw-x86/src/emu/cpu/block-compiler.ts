/**
 * The block compiler: turns a hot run of decoded guest instructions into one
 * JavaScript function (`new Function`), which V8 then optimises like any
 * other code. It removes what dominates the interpreter's time — fetch,
 * dispatch, reading operands out of the decoded cache, and recording lazy
 * flags that are overwritten before anyone reads them — while the
 * interpreter stays the definition of every instruction: forms without
 * inline code call its handlers, and an inline form whose fast path does
 * not apply at run time leaves the block for the interpreter to run it
 * (block-emit.ts).
 *
 * Block formation: from the start slot, instructions are decoded ahead in
 * the same physical page, up to MAX_BLOCK_INSTRUCTIONS, the end of the page,
 * an instruction that does not decode inside the page, or an instruction
 * that ends a block (block-builder.ts `endsBlock`). A Jcc is a side exit,
 * not an end. A block whose Jcc or JMP targets its own first byte runs as a
 * loop inside the function while its instruction budget allows.
 *
 * Invariants: a block only runs from its own page (a block never spans
 * pages, and the run loop enters it through the same fetch as the
 * interpreter); it is dropped with its page's decoded instructions
 * (block-table.ts); guest-visible results equal the interpreter's — same
 * registers, memory, flags, RIP, retired count, faults and trap order.
 */
import { CR0, CR4 } from "./arch-bits";
import { BlockBuilder, endsBlock, type InstructionSite, SPILL } from "./block-builder";
import { emitInstruction } from "./block-emit";
import type { FlagRecord } from "./block-flags";
import { memoDeclarations, memoReset } from "./block-operands";
import { RUNTIME } from "./block-runtime";
import type { BlockFunction, BlockTable } from "./block-table";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { decodeInstruction } from "./decoder";
import { OP } from "./ops";

/** Longest block, in instructions (also bounded by the 255 of `BlockTable.count`). */
export const MAX_BLOCK_INSTRUCTIONS = 32;

/**
 * Register allocation by rewriting: every `regs[k]` of the generated code
 * becomes the local `gk`, loaded at entry; a write `regs[k] = e;` becomes
 * `gk = (e) >>> 0;` (the wrap to uint32 the typed array did on store); the
 * SPILL / RELOAD markers become the write-backs and reloads around handler
 * calls and exits; `reset` (clearing the translation memos) follows every
 * reload. Returns the declarations and the rewritten body.
 */
function allocateRegisters(
  body: string,
  loops: boolean,
  reset: string,
): { declarations: string; body: string } {
  const used = new Set<number>();
  const written = new Set<number>();
  for (const match of body.matchAll(/regs\[(\d+)\]( = )?/g)) {
    const k = Number(match[1]);
    used.add(k);
    if (match[2] !== undefined) written.add(k);
  }
  const sortedUsed = [...used].sort((left, right) => left - right);
  const reloadAll = sortedUsed.map((k) => `g${k} = regs[${k}];`).join(" ");
  // A spill stores the registers written before it in the text (every written one in a loop,
  // where a write later in the previous iteration is live too). One pass, in text order.
  const dirty = new Set<number>(loops ? written : []);
  const rewritten = body.replace(
    /regs\[(\d+)\] = ([^;]*);|regs\[(\d+)\]|\/\*spill\*\/|\/\*reload(?::([\d,]*))?\*\//g,
    (text: string, writeTo?: string, value?: string, readFrom?: string, list?: string) => {
      if (writeTo !== undefined) {
        dirty.add(Number(writeTo));
        // A decimal literal from the emitters is already a uint32.
        if (/^\d+$/.test(value!)) return `g${writeTo} = ${value};`;
        return `g${writeTo} = (${value!.replace(/regs\[(\d+)\]/g, "g$1")}) >>> 0;`;
      }
      if (readFrom !== undefined) return `g${readFrom}`;
      if (text === SPILL) {
        return [...dirty]
          .sort((left, right) => left - right)
          .map((k) => `regs[${k}] = g${k};`)
          .join(" ");
      }
      if (list === undefined) return `${reloadAll} ${reset}`;
      const loads = list
        .split(",")
        .filter((entry) => entry !== "")
        .flatMap((gpr) => [Number(gpr) * 2, Number(gpr) * 2 + 1])
        .filter((k) => used.has(k))
        .map((k) => `g${k} = regs[${k}];`)
        .join(" ");
      return `${loads} ${reset}`;
    },
  );
  const declarations =
    sortedUsed.length === 0 ? "" : `let ${sortedUsed.map((k) => `g${k} = regs[${k}]`).join(", ")};`;
  return { declarations, body: rewritten };
}

/** State fields generated code may use, by the name it uses them under. */
const STATE_VIEWS = [
  "regs",
  "view",
  "u8",
  "tlbTag",
  "tlbPhysical",
  "tlbAccess",
  "codePages",
  "cache",
] as const;

/** The declarations of the state fields `code` uses (a block entry loads nothing it does not need). */
function stateViews(code: string, profile: boolean): string {
  const used = STATE_VIEWS.filter(
    (name) => (name === "cache" && profile) || new RegExp(`\\b${name}\\b`).test(code),
  );
  return used.length === 0 ? "" : `const ${used.map((name) => `${name} = state.${name}`).join(", ")};`;
}

/** Declarations of blocks with inline SSE (block-emit-sse.ts): CR4.OSFXSR = 1, CR0.EM = CR0.TS = 0. */
const SSE_PREAMBLE = `const xmm = state.context.xmm, fsrc = rt.floatScratch, sseOk = (state.cr4 & ${CR4.OSFXSR}) !== 0 && (state.cr0 & ${CR0.EM | CR0.TS}) === 0;
let q0 = 0, q1 = 0, q2 = 0, q3 = 0;`;

/** Operations with an inline form in block-emit.ts (a block of none of them is not worth compiling). */
const INLINE_OPS = new Set<number>([
  OP.ALU_RM_R,
  OP.ALU_R_RM,
  OP.ALU_RM_I,
  OP.TEST_RM_R,
  OP.TEST_RM_I,
  OP.MOV_RM_R,
  OP.MOV_R_RM,
  OP.MOV_RM_I,
  OP.MOVZX,
  OP.MOVSX,
  OP.MOVSXD,
  OP.LEA,
  OP.INC,
  OP.DEC,
  OP.NEG,
  OP.NOT,
  OP.SHIFT_I,
  OP.IMUL_R_RM,
  OP.IMUL_R_RM_I,
  OP.SETCC,
  OP.CMOVCC,
  OP.CBW,
  OP.CWD,
  OP.NOP,
  OP.JCC,
  OP.JMP_REL,
  OP.CALL_REL,
  OP.RET,
  OP.JMP_RM,
  OP.CALL_RM,
  OP.PUSH_R,
  OP.PUSH_I,
  OP.POP_R,
  OP.SSE_LOAD,
  OP.SSE_STORE,
  OP.SSE_BINARY,
  OP.SSE_SHUFFLE,
  OP.SSE_SHIFT_IMM,
  OP.MOVD_IN,
  OP.MOVD_OUT,
  OP.SSE_FLOAT,
  OP.SSE_SCALAR_MOVE,
  OP.SSE_COMPARE_FLAGS,
  OP.SSE_CONVERT,
  OP.SYSCALL,
]);

/** The instructions of the block starting at `start` (decoding ahead in the current fetch page). */
function formBlock(
  state: CpuState,
  cache: DecodedCache,
  start: number,
): { sites: InstructionSite[]; loops: boolean } {
  const pageOffset = start & 4095;
  const base = start - pageOffset;
  const physical = state.fetchPhysical;
  const sites: InstructionSite[] = [];
  let offset = pageOffset;
  let loops = false;
  while (sites.length < MAX_BLOCK_INSTRUCTIONS && offset < 4096) {
    const slot = base + offset;
    if (cache.length[slot] === 0) {
      if (decodeInstruction(state.u8, physical + offset, physical + 4096, cache, slot) <= 0) break;
    }
    const length = cache.length[slot]!;
    const site = { slot, index: sites.length, off: offset - pageOffset, next: offset - pageOffset + length };
    sites.push(site);
    const op = cache.op[slot];
    if ((op === OP.JCC || op === OP.JMP_REL) && site.next + cache.immLow[slot]! === 0) loops = true;
    if (endsBlock(cache, slot)) break;
    offset += length;
  }
  return { sites, loops };
}

/** The generated source of one block. */
export interface BlockSource {
  /** JavaScript: the body of `new Function("rt", source)`, which returns the block function. */
  source: string;
  /** Instructions in the block (the most one pass runs). */
  count: number;
}

/**
 * The join of a forward Jcc at `sites[at]` whose target is the start of a
 * later instruction of [at + 2, to): the skipped instructions become the
 * body of an `if` (a hammock), so a loop with an `if` inside stays one
 * block. Undefined for any other Jcc.
 */
function hammockJoin(
  cache: DecodedCache,
  sites: readonly InstructionSite[],
  at: number,
  to: number,
): number | undefined {
  const site = sites[at]!;
  if (cache.op[site.slot] !== OP.JCC) return undefined;
  const target = site.next + cache.immLow[site.slot]!;
  for (let join = at + 2; join < to; join++) {
    if (sites[join]!.off === target) return join;
    if (sites[join]!.off > target) return undefined;
  }
  return undefined;
}

/**
 * Emits `sites[from, to)`; returns whether the last instruction leaves the
 * block on every path. A forward Jcc to a later instruction of the range
 * becomes `if (!cc) { skipped } else { done -= skipped count }`: `done` keeps
 * counting the instructions that really ran. When the skipped instructions
 * change where the flags are, both arms flush them and the join starts from
 * the state.
 */
function emitRange(b: BlockBuilder, sites: readonly InstructionSite[], from: number, to: number): boolean {
  let ended = false;
  let at = from;
  while (at < to) {
    const join = hammockJoin(b.cache, sites, at, to);
    if (join === undefined) {
      ended = emitInstruction(b, sites[at]!);
      at++;
      continue;
    }
    const test = b.flags.condition(b.cache.aux[sites[at]!.slot]!);
    b.emit(test.pre);
    const before = b.flags.save();
    const version = b.flags.version;
    b.emit(`if (!(${test.expr})) {`);
    emitRange(b, sites, at + 1, join);
    const changed = b.flags.version !== version;
    if (changed) b.emit(b.flags.flushCode());
    const after = b.flags.save();
    b.flags.restore(before);
    b.emit(`} else { ${changed ? b.flags.flushCode() : ""} done -= ${join - at - 1}; }`);
    if (changed) {
      b.flags.setState();
    } else {
      // Same record on both arms; it is in the state only if both arms put it there.
      b.flags.restore(before);
      b.flags.flushed = before.flushed && after.flushed;
    }
    ended = false;
    at = join;
  }
  return ended;
}

/**
 * The JavaScript source of the block starting at `start` and its instruction
 * count, or undefined when no instruction in it has an inline form.
 */
export function blockSource(state: CpuState, cache: DecodedCache, start: number): BlockSource | undefined {
  return sourceOf(cache, start, formBlock(state, cache, start));
}

/** The source of the formed block `formed` starting at slot `start` (see {@link blockSource}). */
function sourceOf(
  cache: DecodedCache,
  start: number,
  { sites, loops }: { sites: InstructionSite[]; loops: boolean },
): BlockSource | undefined {
  if (!sites.some((site) => INLINE_OPS.has(cache.op[site.slot]!))) return undefined;
  const profile = cache.blocks?.profile ?? false;
  const emitAll = (pending?: FlagRecord) => {
    const builder = new BlockBuilder(cache, sites.length, start, loops, profile, pending);
    const ended = emitRange(builder, sites, 0, sites.length);
    return { builder, ended };
  };
  let { builder, ended } = emitAll();
  const records = builder.backEdgeRecords;
  const first = records[0];
  if (
    first !== undefined &&
    records.every((r) => r?.kind === first.kind && r.op === first.op && r.size === first.size)
  ) {
    // Second pass: the loop head starts PENDING on the back edges' common record.
    ({ builder, ended } = emitAll(first));
  }
  const last = sites[sites.length - 1]!;
  const end = ended ? "" : builder.endText(last.next);
  const registers = allocateRegisters(`${builder.body()}\n${end}`, loops, memoReset(builder.memos));
  // Inline SSE assumes SSE is usable; otherwise only the first instruction runs, through its handler.
  const head = sites[0]!;
  const headOp = cache.op[head.slot]!;
  if (builder.usesSse) builder.handlers.add(headOp);
  const sseGuard = builder.usesSse
    ? `if (!sseOk) { state.nextRip = rip0 + ${head.next}; h${headOp}(state, cache, s0); return exitCall(state, rip0, 0); }`
    : "";
  const handlers = [...builder.handlers].map((op) => `const h${op} = rt.handler(${op});`).join("\n");
  const source = `"use strict";
const exitCall = rt.exitCall, exitJump = rt.exitJump, condition = rt.condition, carryFlag = rt.carryFlag, parity = rt.parity, setCarryOverflow = rt.setCarryOverflow, packUnsigned = rt.packUnsigned, setLazy = rt.setLazy;
const sseFloatFast = rt.sseFloatFast, sseOrderFast = rt.sseOrderFast, sseFromIntegerFast = rt.sseFromIntegerFast, sseTruncateFast = rt.sseTruncateFast, sseConvertFloatFast = rt.sseConvertFloatFast, converted = rt.converted, signedProduct64 = rt.signedProduct64, product = rt.product;
const K32 = 4294967296, K47 = 140737488355328;
${handlers}
return (function block_${start & 4095}(state, budget, s0) {
${stateViews(`${registers.declarations}\n${registers.body}\n${sseGuard}`, profile)}
const rip0 = state.rip, r0 = state.retired;
let done = 0, a = 0, ah = 0, as = 0, o = 0, v = 0, e = 0, p = 0, ml = 0, mh = 0, t = 0, x = 0, y = 0;
let fdl = 0, fdh = 0, fsl = 0, fsh = 0, frl = 0, frh = 0, fc = 0, rcf = 0, rof = 0, pending = 0;
${builder.usesSse ? SSE_PREAMBLE : ""}
${memoDeclarations(builder.memos)}
${profile ? "const handlerCalls = cache.blocks.handlerCalls;" : ""}
${sseGuard}
${registers.declarations}
${loops ? "for (;;) {" : ""}
${registers.body}
${loops ? "}" : ""}
});`;
  return { source, count: sites.length };
}

/**
 * Compiles the block starting at `start` (the slot the run loop just
 * fetched; `state.fetchPhysical` is its page) into `table`, or marks the
 * start rejected when it holds no instruction with an inline form. The
 * process-wide code cache is looked up by the block's bytes first, so a
 * block seen before costs neither source generation nor a compile; called
 * at the table's probe threshold, that look-up is all it does.
 */
export function compileBlock(state: CpuState, cache: DecodedCache, table: BlockTable, start: number): void {
  if (start === cache.scratchSlot) {
    table.reject(start);
    return;
  }
  const formed = formBlock(state, cache, start);
  if (formed.sites.length === 0) {
    table.reject(start);
    return;
  }
  const key = codeKey(state, table, formed.sites);
  const known = SHARED_CODE.get(key);
  if (known !== undefined) {
    // Refresh its place in the eviction order.
    SHARED_CODE.delete(key);
    SHARED_CODE.set(key, known);
    table.install(start, known.block, known.count);
    return;
  }
  // At the probe, only a block compiled before is taken; the start goes on counting.
  if (table.heat[start]! < table.threshold) return;
  const built = sourceOf(cache, start, formed);
  if (built === undefined) {
    table.reject(start);
    return;
  }
  let block: BlockFunction;
  try {
    const factory = new Function("rt", built.source) as (rt: typeof RUNTIME) => BlockFunction;
    block = factory(RUNTIME);
  } catch (error) {
    // A compiler bug, never a guest outcome: the start keeps running in the interpreter.
    table.fail(start, error);
    return;
  }
  if (SHARED_CODE.size >= SHARED_CODE_LIMIT) SHARED_CODE.delete(SHARED_CODE.keys().next().value!);
  SHARED_CODE.set(key, { block, count: built.count });
  table.install(start, block, built.count);
}

/**
 * The code-cache key of a formed block: the table's code-shaping options
 * and the bytes of its instructions. The generated source is a function of
 * exactly these (it names offsets relative to the block's RIP, slots
 * relative to its first slot, and decodes only 64-bit code), so equal keys
 * give equal source.
 */
function codeKey(state: CpuState, table: BlockTable, sites: readonly InstructionSite[]): string {
  const last = sites[sites.length - 1]!;
  const from = state.fetchPhysical + (sites[0]!.slot & 4095);
  const bytes = state.u8.subarray(from, from + last.next);
  let key = `${table.profile ? 1 : 0}${table.syscallsInBlocks ? 1 : 0}`;
  for (let i = 0; i < bytes.length; i += 1024) {
    key += String.fromCharCode.apply(null, bytes.subarray(i, i + 1024) as unknown as number[]);
  }
  return key;
}

/**
 * Compiled block functions of this host process, by their bytes
 * ({@link codeKey}). The source names nothing machine-specific — code offsets relative to the
 * block's RIP, slots relative to its first slot (`s0`), state through its
 * argument — so the same instructions compile to the same text in every
 * machine, process image and run, and reuse one function (and V8's
 * optimised code for it). Least recently used entries go first.
 */
const SHARED_CODE = new Map<string, { block: BlockFunction; count: number }>();
/**
 * Most functions kept in {@link SHARED_CODE}: a bound on what a guest that
 * keeps generating new code can make the host hold (each function is tens
 * of KiB of source, bytecode and optimised code).
 */
const SHARED_CODE_LIMIT = 4096;

/** Number of block functions the process-wide code cache holds (statistics, tests). */
export function sharedBlockCount(): number {
  return SHARED_CODE.size;
}

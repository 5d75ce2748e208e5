/**
 * Process-context identifiers (Intel SDM vol 3A §4.10.1, §4.10.4): with
 * CR4.PCIDE = 1 the TLB holds translations of several address spaces, each
 * tagged with the 12-bit PCID in CR3[11:0], so a CR3 load with bit 63 set
 * switches address spaces without losing any; with bit 63 clear it also
 * drops the new PCID's non-global entries. Here each PCID owns a whole
 * direct-mapped TLB (the arrays the CPU's fast paths index), and a CR3 load
 * swaps the current one for the target's: lookups cost nothing more, and
 * the compiled blocks, which load the arrays from the state at entry, see
 * the swap (a CR3 load only happens between blocks, in the kernel).
 *
 * At most {@link TLB_CONTEXTS} PCIDs are kept per CPU; switching to another
 * evicts the least recently used one (a TLB may always drop entries).
 * Global entries are cached in the context that filled them, so another
 * PCID walks for them again (allowed: caching less is always correct);
 * flushes that include global entries (CR4 and CR0 writes, INVPCID types
 * 2, INVLPG of a global page) reach every context.
 *
 * INVPCID (the kernel's method): 0 individual address (except global), 1
 * single context (except global), 2 all contexts with global, 3 all
 * contexts except global.
 */
import { type CpuState, TLB_ENTRIES, TLB_MASK, type TlbContext } from "./cpu-state";
import { NO_FETCH_WINDOW } from "./decoded-cache";

/** PCIDs whose TLBs one CPU keeps at once. */
export const TLB_CONTEXTS = 8;

/** INVPCID types. */
export const INVPCID_TYPE = { ADDRESS: 0, SINGLE: 1, ALL_WITH_GLOBAL: 2, ALL: 3 } as const;

let useCounter = 0;

function newContext(pcid: number): TlbContext {
  return {
    pcid,
    lastUse: ++useCounter,
    tag: new Float64Array(TLB_ENTRIES).fill(-1),
    physical: new Float64Array(TLB_ENTRIES),
    access: new Uint8Array(TLB_ENTRIES),
    global: new Uint8Array(TLB_ENTRIES),
    filled: new Int32Array(TLB_ENTRIES),
    filledCount: 0,
    listed: new Uint8Array(TLB_ENTRIES),
    hasLarge: false,
  };
}

/** Drops a parked context's entries (all, or the non-global ones). */
function clearContext(context: TlbContext, includingGlobal: boolean): void {
  let kept = 0;
  for (let index = 0; index < context.filledCount; index++) {
    const slot = context.filled[index]!;
    if (includingGlobal || context.global[slot] === 0) {
      context.tag[slot] = -1;
      context.listed[slot] = 0;
    } else context.filled[kept++] = slot;
  }
  context.filledCount = kept;
  if (includingGlobal) context.hasLarge = false;
}

function invalidated(state: CpuState): void {
  state.tlbEpoch++;
  state.fetchRipBase = NO_FETCH_WINDOW;
}

/**
 * Makes `pcid` the current context (a CR3 load): parks the current TLB,
 * brings back `pcid`'s (or a fresh one, evicting the least recently used),
 * and drops its non-global entries unless `keep` (CR3 bit 63).
 */
export function switchTlbContext(state: CpuState, pcid: number, keep: boolean): void {
  if (pcid !== state.tlbPcid) {
    const contexts = state.tlbContexts;
    let index = -1;
    for (let other = 0; other < contexts.length; other++) {
      if (contexts[other]!.pcid === pcid) {
        index = other;
        break;
      }
    }
    let target: TlbContext;
    if (index >= 0) target = contexts[index]!;
    else {
      if (contexts.length < TLB_CONTEXTS - 1) {
        target = newContext(pcid);
        contexts.push(target);
        index = contexts.length - 1;
      } else {
        index = 0;
        for (let other = 1; other < contexts.length; other++)
          if (contexts[other]!.lastUse < contexts[index]!.lastUse) index = other;
        target = contexts[index]!;
        clearContext(target, true);
        target.pcid = pcid;
      }
    }
    // The target's record now parks the current context (swapped field by field: no allocation per switch).
    const tag = target.tag;
    const physical = target.physical;
    const access = target.access;
    const global = target.global;
    const filled = target.filled;
    const filledCount = target.filledCount;
    const listed = target.listed;
    const hasLarge = target.hasLarge;
    target.pcid = state.tlbPcid;
    target.lastUse = ++useCounter;
    target.tag = state.tlbTag;
    target.physical = state.tlbPhysical;
    target.access = state.tlbAccess;
    target.global = state.tlbGlobal;
    target.filled = state.tlbFilled;
    target.filledCount = state.tlbFilledCount;
    target.listed = state.tlbListed;
    target.hasLarge = state.tlbHasLarge;
    state.tlbPcid = pcid;
    state.tlbTag = tag;
    state.tlbPhysical = physical;
    state.tlbAccess = access;
    state.tlbGlobal = global;
    state.tlbFilled = filled;
    state.tlbFilledCount = filledCount;
    state.tlbListed = listed;
    state.tlbHasLarge = hasLarge;
  }
  if (!keep) flushCurrent(state, false);
  invalidated(state);
}

/** Drops the current context's entries (all, or the non-global ones). */
export function flushCurrent(state: CpuState, includingGlobal: boolean): void {
  const filled = state.tlbFilled;
  let kept = 0;
  for (let index = 0; index < state.tlbFilledCount; index++) {
    const slot = filled[index]!;
    if (includingGlobal || state.tlbGlobal[slot] === 0) {
      state.tlbTag[slot] = -1;
      state.tlbListed[slot] = 0;
    } else filled[kept++] = slot;
  }
  state.tlbFilledCount = kept;
  if (includingGlobal) state.tlbHasLarge = false;
  invalidated(state);
}

/** Drops the entries of every context (all, or the non-global ones). */
export function flushAllContexts(state: CpuState, includingGlobal: boolean): void {
  for (const context of state.tlbContexts) clearContext(context, includingGlobal);
  flushCurrent(state, includingGlobal);
}

/** Global entries for the page `vpn` in the parked contexts go (INVLPG drops global translations whatever the PCID). */
export function dropParkedGlobal(state: CpuState, vpn: number): void {
  const slot = vpn & TLB_MASK;
  for (const context of state.tlbContexts) {
    if (context.tag[slot] === vpn && context.global[slot] === 1) context.tag[slot] = -1;
  }
}

/**
 * INVPCID of `type` for `pcid` (and `linear` for type 0). A context not
 * kept has nothing to drop.
 */
export function invalidatePcid(state: CpuState, type: number, pcid: number, linear: number): void {
  if (type === INVPCID_TYPE.ALL_WITH_GLOBAL || type === INVPCID_TYPE.ALL) {
    flushAllContexts(state, type === INVPCID_TYPE.ALL_WITH_GLOBAL);
    return;
  }
  const current = pcid === state.tlbPcid;
  const parked = current ? undefined : state.tlbContexts.find((context) => context.pcid === pcid);
  if (!current && parked === undefined) return;
  if (type === INVPCID_TYPE.SINGLE) {
    if (current) flushCurrent(state, false);
    else clearContext(parked!, false);
    return;
  }
  const hasLarge = current ? state.tlbHasLarge : parked!.hasLarge;
  if (hasLarge) {
    // Large-page entries cover more than the slot of `linear`: drop the context's non-global entries.
    if (current) flushCurrent(state, false);
    else clearContext(parked!, false);
    return;
  }
  const vpn = Math.floor(linear / 4096);
  const slot = vpn & TLB_MASK;
  const tag = current ? state.tlbTag : parked!.tag;
  const global = current ? state.tlbGlobal : parked!.global;
  if (tag[slot] === vpn && global[slot] === 0) tag[slot] = -1;
  if (current) invalidated(state);
}

/**
 * 4-level paging for CPL 3 accesses (SDM vol 3 §4.5) with a direct-mapped
 * software TLB.
 *
 * The walk reads real PTEs from physical memory at CR3, checks P, reserved
 * bits (address bits above PHYSICAL_ADDRESS_BITS, PS in a PML4E, the
 * reserved low bits of 1 GiB / 2 MiB leaves, XD when EFER.NXE = 0), then U/S
 * and R/W at every level (a user write needs RW = 1 everywhere; CR0.WP does
 * not matter at CPL 3) and XD for fetches when EFER.NXE = 1. On success it
 * sets the A bit of every entry used and D in the leaf for writes, then
 * caches a 4 KiB translation. On failure it records #PF with the SDM error
 * code (P, W, U = 1, RSVD, I when NXE) and CR2, and sets no A/D bits.
 *
 * TLB invariants: an entry grants WRITE only if the leaf's D bit is already
 * set (so the first write walks again and sets D); translations to physical
 * addresses outside RAM are never cached (MMIO goes through the bus every
 * time). Global entries (G in the leaf with CR4.PGE) survive CR3 reloads.
 * Page-table entries outside RAM read as all-ones (reserved bits set → #PF
 * with RSVD).
 */
import {
  CR4 as CR4Import,
  EFER as EFERImport,
  PF_ERROR as PF_ERRORImport,
  PHYSICAL_ADDRESS_BITS as PHYSICAL_ADDRESS_BITSImport,
  PTE_HIGH_XD as PTE_HIGH_XDImport,
  PTE as PTEImport,
  VECTOR as VECTORImport,
} from "./arch-bits";
import { ACCESS as ACCESSImport, type CpuState, TLB_MASK as TLB_MASKImport } from "./cpu-state";
import { NO_FETCH_WINDOW } from "./decoded-cache";
import { dropParkedGlobal, flushAllContexts, flushCurrent } from "./tlb-contexts";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const CR4 = CR4Import;
const EFER = EFERImport;
const PF_ERROR = PF_ERRORImport;
const PHYSICAL_ADDRESS_BITS = PHYSICAL_ADDRESS_BITSImport;
const PTE = PTEImport;
const PTE_HIGH_XD = PTE_HIGH_XDImport;
const VECTOR = VECTORImport;
const ACCESS = ACCESSImport;
const TLB_MASK = TLB_MASKImport;

const TWO_POW_32 = 4294967296;
/** High-word mask of physical-address bits 32..(PHYSICAL_ADDRESS_BITS-1). */
const ADDRESS_HIGH_MASK = (1 << (PHYSICAL_ADDRESS_BITS - 32)) - 1;
/** High-word bits 51..PHYSICAL_ADDRESS_BITS: reserved in every entry (SDM vol 3 §4.5, "M" = MAXPHYADDR). */
const RESERVED_HIGH = ((1 << 20) - 1) & ~ADDRESS_HIGH_MASK;
/** Bits 29:13 of a 1 GiB leaf (SDM vol 3 table 4-16). */
const RESERVED_1G_LOW = 0x3fffe000;
/** Bits 20:13 of a 2 MiB leaf (SDM vol 3 table 4-18). */
const RESERVED_2M_LOW = 0x001fe000;

/** Entry addresses used by the last walk (for A/D updates), by level 4..1. */
const walkEntries = new Float64Array(4);

function readEntryWord(state: CpuState, address: number): number {
  if (address + 4 <= state.ramSize) return state.view.getUint32(address, true);
  return 0xffffffff;
}

function setEntryBits(state: CpuState, address: number, bits: number): void {
  const low = state.view.getUint32(address, true);
  if ((low & bits) === bits) return;
  state.view.setUint32(address, (low | bits) >>> 0, true);
  const page = Math.floor(address / 4096);
  if (state.codePages[page] !== 0) state.ram.invalidateCodePage(page);
}

function pageFault(state: CpuState, linear: number, errorCode: number): number {
  state.faultAddress = linear;
  state.raise(VECTOR.PF, errorCode);
  return -1;
}

/**
 * Walks the page tables for a CPL 3 access of kind `access` (one ACCESS bit)
 * at `linear` and fills the TLB. Returns the physical address, or -1 with
 * #PF recorded.
 */
export function walk(state: CpuState, linear: number, access: number): number {
  const nxe = (state.efer & EFER.NXE) !== 0;
  let errorBase: number = PF_ERROR.U;
  if (access === ACCESS.WRITE) errorBase |= PF_ERROR.W;
  if (access === ACCESS.EXECUTE && nxe) errorBase |= PF_ERROR.I;
  const reservedHigh = nxe ? RESERVED_HIGH : RESERVED_HIGH | PTE_HIGH_XD;
  let table = (state.cr3High & ADDRESS_HIGH_MASK) * TWO_POW_32 + ((state.cr3Low & 0xfffff000) >>> 0);
  let user = true;
  let writable = true;
  let executable = true;
  let pageBase = 0;
  let pageSize = 4096;
  let leafLow = 0;
  let levels = 0;
  for (let level = 4; level >= 1; level--) {
    const shift = 12 + 9 * (level - 1);
    const index = Math.floor(linear / 2 ** shift) & 511;
    const address = table + index * 8;
    const low = readEntryWord(state, address);
    const high = readEntryWord(state, address + 4);
    walkEntries[4 - level] = address;
    levels++;
    if ((low & PTE.P) === 0) return pageFault(state, linear, errorBase);
    const leaf = level === 1 || (level <= 3 && (low & PTE.PS) !== 0);
    let reserved = (high & reservedHigh) !== 0;
    if (level === 4 && (low & PTE.PS) !== 0) reserved = true;
    if (leaf && level === 3 && (low & RESERVED_1G_LOW) !== 0) reserved = true;
    if (leaf && level === 2 && (low & RESERVED_2M_LOW) !== 0) reserved = true;
    if (reserved) return pageFault(state, linear, errorBase | PF_ERROR.P | PF_ERROR.RSVD);
    if ((low & PTE.US) === 0) user = false;
    if ((low & PTE.RW) === 0) writable = false;
    if (nxe && (high & PTE_HIGH_XD) !== 0) executable = false;
    table = (high & ADDRESS_HIGH_MASK) * TWO_POW_32 + ((low & 0xfffff000) >>> 0);
    if (leaf) {
      pageSize = 2 ** shift;
      pageBase = table - (table % pageSize);
      leafLow = low;
      break;
    }
  }
  if (!user) return pageFault(state, linear, errorBase | PF_ERROR.P);
  if (access === ACCESS.WRITE && !writable) return pageFault(state, linear, errorBase | PF_ERROR.P);
  if (access === ACCESS.EXECUTE && !executable) return pageFault(state, linear, errorBase | PF_ERROR.P);
  for (let i = 0; i < levels - 1; i++) setEntryBits(state, walkEntries[i]!, PTE.A);
  const leafAddress = walkEntries[levels - 1]!;
  const dirty = access === ACCESS.WRITE || (leafLow & PTE.D) !== 0;
  setEntryBits(state, leafAddress, access === ACCESS.WRITE ? PTE.A | PTE.D : PTE.A);
  const offsetInPage = linear % pageSize;
  const physicalPage = pageBase + (offsetInPage - (offsetInPage % 4096));
  const physical = physicalPage + (linear % 4096);
  if (physicalPage < state.ramSize) {
    const vpn = Math.floor(linear / 4096);
    const slot = vpn & TLB_MASK;
    if (state.tlbListed[slot] === 0) {
      state.tlbListed[slot] = 1;
      state.tlbFilled[state.tlbFilledCount++] = slot;
    }
    state.tlbTag[slot] = vpn;
    state.tlbPhysical[slot] = physicalPage;
    state.tlbAccess[slot] =
      ACCESS.READ | (writable && dirty ? ACCESS.WRITE : 0) | (executable ? ACCESS.EXECUTE : 0);
    state.tlbGlobal[slot] = (leafLow & PTE.G) !== 0 && (state.cr4 & CR4.PGE) !== 0 ? 1 : 0;
    if (pageSize > 4096) state.tlbHasLarge = true;
  }
  return physical;
}

/** Translates `linear` for `access`, from the TLB when possible. Returns the physical address or -1 (#PF recorded). */
export function translate(state: CpuState, linear: number, access: number): number {
  const vpn = (linear - (linear & 4095)) / 4096;
  const slot = vpn & TLB_MASK;
  if (state.tlbTag[slot] === vpn && (state.tlbAccess[slot]! & access) !== 0) {
    return state.tlbPhysical[slot]! + (linear & 4095);
  }
  return walk(state, linear, access);
}

/**
 * Drops every TLB entry of every PCID context (CR0/CR4/EFER writes), or
 * only the current context's non-global ones (a CR3 load without PCIDs).
 */
export function flushTlb(state: CpuState, includingGlobal: boolean): void {
  if (includingGlobal) flushAllContexts(state, true);
  else flushCurrent(state, false);
}

/**
 * INVLPG: drops the current context's translation of the page holding
 * `linear`, and global translations of it in every context (all entries if
 * large pages are cached).
 */
export function invalidatePage(state: CpuState, linear: number): void {
  if (state.tlbHasLarge) {
    flushTlb(state, true);
    return;
  }
  const vpn = Math.floor(linear / 4096);
  const slot = vpn & TLB_MASK;
  if (state.tlbTag[slot] === vpn) state.tlbTag[slot] = -1;
  if (state.tlbContexts.length > 0) dropParkedGlobal(state, vpn);
  state.tlbEpoch++;
  state.fetchRipBase = NO_FETCH_WINDOW;
}

/**
 * Translates `linear` as a CPL 0 read would for the CPU's own use (IDT gate
 * reads): P and the paging hierarchy only, no permission checks, no A/D
 * updates, no TLB fill. Returns -1 when the address is not mapped.
 */
export function translateSupervisor(state: CpuState, linear: number): number {
  let table = (state.cr3High & ADDRESS_HIGH_MASK) * TWO_POW_32 + ((state.cr3Low & 0xfffff000) >>> 0);
  for (let level = 4; level >= 1; level--) {
    const shift = 12 + 9 * (level - 1);
    const index = Math.floor(linear / 2 ** shift) & 511;
    const low = readEntryWord(state, table + index * 8);
    const high = readEntryWord(state, table + index * 8 + 4);
    if ((low & PTE.P) === 0 || (high & RESERVED_HIGH) !== 0) return -1;
    table = (high & ADDRESS_HIGH_MASK) * TWO_POW_32 + ((low & 0xfffff000) >>> 0);
    if (level === 1 || (level <= 3 && (low & PTE.PS) !== 0)) {
      const pageSize = 2 ** shift;
      return table - (table % pageSize) + (linear % pageSize);
    }
  }
  return -1;
}

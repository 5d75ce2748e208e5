/**
 * IA32_APIC_BASE and the x2APIC MSR interface of a {@link Lapic} (Intel SDM
 * vol 3 §11.4.4, §11.12).
 *
 * IA32_APIC_BASE: bit 8 BSP (read-only), bit 10 EXTD, bit 11 EN, bits 51:12
 * the base address. Legal states are disabled (EN=0, EXTD=0), xAPIC (EN=1,
 * EXTD=0) and x2APIC (EN=1, EXTD=1); writes that set reserved bits, ask for
 * EN=0/EXTD=1, go from x2APIC straight back to xAPIC, or from disabled
 * straight to x2APIC are refused (#GP on hardware, `false` here). Entering
 * the disabled state, or leaving it, resets the LAPIC to its power-up state
 * (SDM vol 3 §11.4.3). Relocating the base is recorded; re-mapping the MMIO
 * window is the machine's job (`lapic.baseAddress`).
 *
 * x2APIC MSRs 0x800–0x8FF (SDM vol 3 §11.12.1.2, Table 11-6): valid only in
 * x2APIC mode. The ID is the full APIC ID, LDR is read-only and derived from
 * it (cluster = ID[31:4] in bits 31:16, bit ID[3:0] in bits 15:0), ICR is one
 * 64-bit register with a 32-bit destination, SELF IPI (0x83F) sends a fixed
 * edge interrupt to this LAPIC. Reads of write-only or reserved MSRs, writes
 * to read-only or reserved MSRs, and writes with reserved bits set are
 * refused (#GP). There is no CMCI LVT, no APR, RRD or DFR.
 */
import { ICR_LOW_WRITABLE, ICR_SHORTHAND } from "../../arch/lapic-icr";
import { LVT_WRITABLE } from "../../arch/lapic-lvt";
import { TIMER_DIVIDE } from "../../arch/lapic-registers";
import { APIC_BASE, MSR } from "../../arch/msr";
import { X2APIC_MSR } from "../../arch/x2apic-msr";
import type { Lapic } from "./lapic";

const SLOTS = 0x100;
const KIND = { RESERVED: 0, READ_ONLY: 1, READ_WRITE: 2, WRITE_ONLY: 3 } as const;
/** Bits 63:52 of IA32_APIC_BASE (bits 31:20 of the high half) are reserved. */
const APIC_BASE_RESERVED_HIGH = 0xfff00000;
const SVR_WRITABLE = 0x3ff;
const TPR_WRITABLE = 0xff;
const VECTOR_WRITABLE = 0xff;
const ALL_BITS = 0xffffffff;
const TWO_POW_32 = 4294967296;
const SHORTHAND_SHIFT = 18;

const kinds = new Uint8Array(SLOTS);
const writable = new Uint32Array(SLOTS);

function define(index: number, kind: number, mask = 0): void {
  kinds[index - MSR.X2APIC_FIRST] = kind;
  writable[index - MSR.X2APIC_FIRST] = mask;
}

define(X2APIC_MSR.ID, KIND.READ_ONLY);
define(X2APIC_MSR.VERSION, KIND.READ_ONLY);
define(X2APIC_MSR.TPR, KIND.READ_WRITE, TPR_WRITABLE);
define(X2APIC_MSR.PPR, KIND.READ_ONLY);
define(X2APIC_MSR.EOI, KIND.WRITE_ONLY, 0);
define(X2APIC_MSR.LDR, KIND.READ_ONLY);
define(X2APIC_MSR.SVR, KIND.READ_WRITE, SVR_WRITABLE);
for (let word = 0; word < 24; word++) define(X2APIC_MSR.ISR_BASE + word, KIND.READ_ONLY);
define(X2APIC_MSR.ESR, KIND.READ_WRITE, 0);
define(X2APIC_MSR.ICR, KIND.READ_WRITE, ICR_LOW_WRITABLE);
define(X2APIC_MSR.LVT_TIMER, KIND.READ_WRITE, LVT_WRITABLE.TIMER);
define(X2APIC_MSR.LVT_THERMAL, KIND.READ_WRITE, LVT_WRITABLE.WITH_DELIVERY_MODE);
define(X2APIC_MSR.LVT_PERF, KIND.READ_WRITE, LVT_WRITABLE.WITH_DELIVERY_MODE);
define(X2APIC_MSR.LVT_LINT0, KIND.READ_WRITE, LVT_WRITABLE.LINT);
define(X2APIC_MSR.LVT_LINT1, KIND.READ_WRITE, LVT_WRITABLE.LINT);
define(X2APIC_MSR.LVT_ERROR, KIND.READ_WRITE, LVT_WRITABLE.ERROR);
define(X2APIC_MSR.TIMER_INITIAL_COUNT, KIND.READ_WRITE, ALL_BITS);
define(X2APIC_MSR.TIMER_CURRENT_COUNT, KIND.READ_ONLY);
define(X2APIC_MSR.TIMER_DIVIDE, KIND.READ_WRITE, TIMER_DIVIDE.MASK);
define(X2APIC_MSR.SELF_IPI, KIND.WRITE_ONLY, VECTOR_WRITABLE);

/** The x2APIC logical ID of APIC ID `apicId`: cluster in 31:16, one bit in 15:0 (SDM vol 3 §11.12.10.2). */
export function x2apicLogicalId(apicId: number): number {
  return (((apicId >>> 4) << 16) | (1 << (apicId & 0xf))) >>> 0;
}

/** `wrmsr IA32_APIC_BASE`; returns `false` (nothing changes) where hardware raises #GP. */
export function writeApicBase(lapic: Lapic, low: number, high: number): boolean {
  const en = (low & APIC_BASE.EN) !== 0;
  const extd = (low & APIC_BASE.EXTD) !== 0;
  if ((low & APIC_BASE.RESERVED_LOW) !== 0 || (high & APIC_BASE_RESERVED_HIGH) !== 0) return false;
  if (extd && !en) return false;
  if (lapic.x2apicMode && en && !extd) return false;
  if (!lapic.globallyEnabled && extd) return false;
  const wasEnabled = lapic.globallyEnabled;
  const wasX2apic = lapic.x2apicMode;
  const bsp = lapic.state.apicBaseLow & APIC_BASE.BSP;
  lapic.state.apicBaseLow = ((low & (APIC_BASE.BASE_MASK_LOW | APIC_BASE.EN | APIC_BASE.EXTD)) | bsp) >>> 0;
  lapic.state.apicBaseHigh = high >>> 0;
  if (wasEnabled !== en) lapic.resetToPowerUp();
  if (!wasX2apic && lapic.x2apicMode) lapic.state.ldr = x2apicLogicalId(lapic.apicId);
  return true;
}

/** `rdmsr` of x2APIC MSR `index`: the value, or `undefined` where hardware raises #GP. */
export function readX2apicMsr(lapic: Lapic, index: number): bigint | undefined {
  const slot = index - MSR.X2APIC_FIRST;
  const kind = slot >= 0 && slot < SLOTS ? kinds[slot]! : KIND.RESERVED;
  if (!lapic.x2apicMode || kind === KIND.RESERVED || kind === KIND.WRITE_ONLY) return undefined;
  if (index === X2APIC_MSR.ID) return BigInt(lapic.apicId);
  if (index === X2APIC_MSR.LDR) return BigInt(lapic.state.ldr);
  if (index === X2APIC_MSR.ICR) return (BigInt(lapic.state.icrHigh) << 32n) | BigInt(lapic.state.icrLow);
  return BigInt(lapic.readRegister(slot << 4));
}

/** `wrmsr` of x2APIC MSR `index` with EDX:EAX = `high`:`low`; `false` where hardware raises #GP. */
export function writeX2apicMsr(lapic: Lapic, index: number, low: number, high: number): boolean {
  const slot = index - MSR.X2APIC_FIRST;
  const kind = slot >= 0 && slot < SLOTS ? kinds[slot]! : KIND.RESERVED;
  if (!lapic.x2apicMode || kind === KIND.RESERVED || kind === KIND.READ_ONLY) return false;
  if ((low & ~writable[slot]!) !== 0) return false;
  if (index === X2APIC_MSR.ICR) {
    lapic.state.icrLow = low >>> 0;
    lapic.state.icrHigh = high >>> 0;
    lapic.sendIcr(lapic.state.icrLow, lapic.state.icrHigh);
    return true;
  }
  if (high !== 0) return false;
  if (index === X2APIC_MSR.SELF_IPI) {
    lapic.sendIcr(low | (ICR_SHORTHAND.SELF << SHORTHAND_SHIFT), 0);
    return true;
  }
  lapic.writeRegister(slot << 4, low >>> 0);
  return true;
}

/** The 64-bit IA32_APIC_BASE value as a number (below 2^52). */
export function apicBaseNumber(lapic: Lapic): number {
  return lapic.state.apicBaseHigh * TWO_POW_32 + lapic.state.apicBaseLow;
}

/**
 * `MockMsrs`: an `MsrAccess` with a table of implemented MSRs, each with its
 * value and the bits software may write, and a log of every write.
 *
 * Outcomes follow the SDM (vol 4 lists the MSRs; vol 3 §2.2.1 EFER, §5.8.8
 * SYSCALL MSRs): reading an unimplemented index is `undefined` (#GP);
 * writing one, or setting a bit outside the writable mask, or a
 * non-canonical address into a base/entry MSR, is `false` (#GP) and changes
 * nothing. Bits outside the writable mask keep their value on a good write
 * (e.g. EFER.LMA stays as the CPU set it).
 */
import type { MsrAccess } from "@tsos/hw-x86";

/** MSR indices the default table implements (SDM vol 4, table 2-2). */
export const MOCK_MSR = {
  /** Time-stamp counter. */
  IA32_TSC: 0x10,
  /** APIC base address and enable bits. */
  IA32_APIC_BASE: 0x1b,
  /** TSC-deadline timer target. */
  IA32_TSC_DEADLINE: 0x6e0,
  /** Extended feature enables (SCE, LME, LMA, NXE). */
  IA32_EFER: 0xc0000080,
  /** SYSCALL/SYSRET segment selectors. */
  IA32_STAR: 0xc0000081,
  /** SYSCALL target RIP in 64-bit mode. */
  IA32_LSTAR: 0xc0000082,
  /** SYSCALL RFLAGS mask (bits 63:32 reserved). */
  IA32_FMASK: 0xc0000084,
  /** FS segment base. */
  IA32_FS_BASE: 0xc0000100,
  /** GS segment base. */
  IA32_GS_BASE: 0xc0000101,
  /** Value SWAPGS exchanges with GS base. */
  IA32_KERNEL_GS_BASE: 0xc0000102,
} as const;

/** EFER bits software may write: SCE (bit 0), LME (bit 8), NXE (bit 11); LMA (bit 10) is set by the CPU (SDM vol 3 §2.2.1). */
const EFER_WRITABLE = (1n << 0n) | (1n << 8n) | (1n << 11n);
/** EFER after entering long mode with SYSCALL and NX enabled: SCE | LME | LMA | NXE. */
const EFER_LONG_MODE = EFER_WRITABLE | (1n << 10n);
/** IA32_APIC_BASE: BSP (bit 8), x2APIC enable (bit 10), global enable (bit 11), base 35:12 (SDM vol 3 §11.4.4). */
const APIC_BASE_WRITABLE = (1n << 10n) | (1n << 11n) | (((1n << 24n) - 1n) << 12n);
/** Reset value: base 0xFEE00000, global enable, BSP. */
const APIC_BASE_RESET = 0xfee00000n | (1n << 11n) | (1n << 8n);
const ALL_64 = (1n << 64n) - 1n;
const LOW_32 = (1n << 32n) - 1n;

/** How one implemented MSR behaves. */
export interface MsrDefinition {
  /** Current value. */
  value: bigint;
  /** Bits a write may set; writing a 1 elsewhere is #GP. */
  readonly writable: bigint;
  /** The value is an address that must be canonical (48-bit) or the write is #GP. */
  readonly canonical?: boolean;
}

/** True when `value` is a canonical 48-bit address (bits 63:47 all equal, SDM vol 1 §3.3.7.1). */
export function isCanonical(value: bigint): boolean {
  const top = value >> 47n;
  return top === 0n || top === (1n << 17n) - 1n;
}

/** The default MSR table: a long-mode CPU after reset. */
export function defaultMsrTable(): Map<number, MsrDefinition> {
  return new Map<number, MsrDefinition>([
    [MOCK_MSR.IA32_TSC, { value: 0n, writable: ALL_64 }],
    [MOCK_MSR.IA32_APIC_BASE, { value: APIC_BASE_RESET, writable: APIC_BASE_WRITABLE | (1n << 8n) }],
    [MOCK_MSR.IA32_TSC_DEADLINE, { value: 0n, writable: ALL_64 }],
    [MOCK_MSR.IA32_EFER, { value: EFER_LONG_MODE, writable: EFER_WRITABLE | (1n << 10n) }],
    [MOCK_MSR.IA32_STAR, { value: 0n, writable: ALL_64 }],
    [MOCK_MSR.IA32_LSTAR, { value: 0n, writable: ALL_64, canonical: true }],
    [MOCK_MSR.IA32_FMASK, { value: 0n, writable: LOW_32 }],
    [MOCK_MSR.IA32_FS_BASE, { value: 0n, writable: ALL_64, canonical: true }],
    [MOCK_MSR.IA32_GS_BASE, { value: 0n, writable: ALL_64, canonical: true }],
    [MOCK_MSR.IA32_KERNEL_GS_BASE, { value: 0n, writable: ALL_64, canonical: true }],
  ]);
}

/** A table-driven `MsrAccess`. */
export class MockMsrs implements MsrAccess {
  /** Every write attempt, with whether it was accepted. */
  readonly writes: { readonly index: number; readonly value: bigint; readonly accepted: boolean }[] = [];
  /** Every read of an unimplemented index (each one a #GP on hardware). */
  readonly faultingReads: number[] = [];
  /** The table; tests may add or change entries. */
  readonly table: Map<number, MsrDefinition>;

  constructor(table: Map<number, MsrDefinition> = defaultMsrTable()) {
    this.table = table;
  }

  /** Adds or replaces an MSR (writable defaults to all bits). */
  define(index: number, value: bigint, writable: bigint = ALL_64): this {
    this.table.set(index, { value, writable });
    return this;
  }

  read(index: number): bigint | undefined {
    const entry = this.table.get(index);
    if (!entry) this.faultingReads.push(index);
    return entry?.value;
  }

  write(index: number, value: bigint): boolean {
    const wrapped = BigInt.asUintN(64, value);
    const entry = this.table.get(index);
    const accepted =
      entry !== undefined &&
      (wrapped & ~entry.writable & ALL_64) === 0n &&
      (!entry.canonical || isCanonical(wrapped));
    this.writes.push({ index, value: wrapped, accepted });
    if (accepted) entry.value = wrapped;
    return accepted;
  }

  writeHalves(index: number, low: number, high: number): boolean {
    return this.write(index, (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0));
  }
}

/**
 * `MockCpuid`: a `Cpuid` built from a named feature set, so a test can ask
 * "does the kernel refuse to boot without NX?" or "does it use the TSC
 * deadline timer when present?".
 *
 * Leaves produced (SDM vol 2A, CPUID, tables 3-8 to 3-20):
 * - 0: EAX = max basic leaf, EBX:EDX:ECX = vendor string;
 * - 1: EDX / ECX feature flags from the set;
 * - 7 subleaf 0: EBX feature flags;
 * - 0x80000000: max extended leaf; 0x80000001: EDX / ECX extended flags;
 * - 0x80000002–4: brand string (48 bytes, NUL padded).
 * A leaf above the maximum of its range returns zeros; `setLeaf` overrides
 * any (leaf, subleaf). Leaves that take no subleaf ignore ECX; leaves that
 * do (4, 7, 0xB, 0xD) return zeros for a subleaf never set.
 */
import { CPUID_OUT, type Cpuid } from "@tsos/hw-x86";

/** Feature flags: leaf, register and bit (SDM vol 2A, CPUID feature tables). */
export const CPUID_FEATURE = {
  fpu: { leaf: 1, register: "edx", bit: 0 },
  tsc: { leaf: 1, register: "edx", bit: 4 },
  msr: { leaf: 1, register: "edx", bit: 5 },
  pae: { leaf: 1, register: "edx", bit: 6 },
  apic: { leaf: 1, register: "edx", bit: 9 },
  pge: { leaf: 1, register: "edx", bit: 13 },
  fxsr: { leaf: 1, register: "edx", bit: 24 },
  sse: { leaf: 1, register: "edx", bit: 25 },
  sse2: { leaf: 1, register: "edx", bit: 26 },
  sse3: { leaf: 1, register: "ecx", bit: 0 },
  x2apic: { leaf: 1, register: "ecx", bit: 21 },
  "tsc-deadline": { leaf: 1, register: "ecx", bit: 24 },
  fsgsbase: { leaf: 7, register: "ebx", bit: 0 },
  smep: { leaf: 7, register: "ebx", bit: 7 },
  smap: { leaf: 7, register: "ebx", bit: 20 },
  syscall: { leaf: 0x80000001, register: "edx", bit: 11 },
  nx: { leaf: 0x80000001, register: "edx", bit: 20 },
  pdpe1gb: { leaf: 0x80000001, register: "edx", bit: 26 },
  lm: { leaf: 0x80000001, register: "edx", bit: 29 },
  "lahf-lm": { leaf: 0x80000001, register: "ecx", bit: 0 },
} as const;

/** A feature name of {@link CPUID_FEATURE}. */
export type CpuidFeature = keyof typeof CPUID_FEATURE;

/** Features of a plain x86-64 CPU with SSE2, SYSCALL, NX, APIC, TSC and MSRs. */
export const BASELINE_FEATURES: readonly CpuidFeature[] = [
  "fpu",
  "tsc",
  "msr",
  "pae",
  "apic",
  "pge",
  "fxsr",
  "sse",
  "sse2",
  "syscall",
  "nx",
  "lm",
  "lahf-lm",
];

/** Options of {@link MockCpuid}. */
export interface MockCpuidOptions {
  /** 12-character vendor string (default `GenuineIntel`). */
  readonly vendor?: string;
  /** Brand string, up to 48 characters. */
  readonly brand?: string;
  /** Features present (default {@link BASELINE_FEATURES}). */
  readonly features?: readonly CpuidFeature[];
  /** Highest basic leaf (default 7). */
  readonly maxBasicLeaf?: number;
  /** Highest extended leaf (default 0x80000004). */
  readonly maxExtendedLeaf?: number;
}

const EXTENDED_BASE = 0x80000000;
/** Leaves whose output depends on the subleaf in ECX (SDM vol 2A, CPUID). */
const SUBLEAF_LEAVES = new Set([0x4, 0x7, 0xb, 0xd]);
const REGISTER_INDEX = {
  eax: CPUID_OUT.EAX,
  ebx: CPUID_OUT.EBX,
  ecx: CPUID_OUT.ECX,
  edx: CPUID_OUT.EDX,
} as const;

/** Packs 4 ASCII characters of `text` from `offset` into one little-endian register value. */
function packAscii(text: string, offset: number): number {
  let value = 0;
  for (let index = 3; index >= 0; index--)
    value = value * 256 + ((text.charCodeAt(offset + index) || 0) & 0xff);
  return value;
}

/** A configurable `cpuid`. */
export class MockCpuid implements Cpuid {
  readonly features: ReadonlySet<CpuidFeature>;
  private readonly leaves = new Map<string, Uint32Array>();
  private readonly maxBasicLeaf: number;
  private readonly maxExtendedLeaf: number;

  constructor(options: MockCpuidOptions = {}) {
    this.features = new Set(options.features ?? BASELINE_FEATURES);
    this.maxBasicLeaf = options.maxBasicLeaf ?? 7;
    this.maxExtendedLeaf = options.maxExtendedLeaf ?? EXTENDED_BASE + 4;
    const vendor = (options.vendor ?? "GenuineIntel").padEnd(12, "\0");
    this.setLeaf(0, 0, [this.maxBasicLeaf, packAscii(vendor, 0), packAscii(vendor, 8), packAscii(vendor, 4)]);
    this.setLeaf(EXTENDED_BASE, 0, [this.maxExtendedLeaf, 0, 0, 0]);
    for (const name of this.features) {
      const { leaf, register, bit } = CPUID_FEATURE[name];
      const words = this.leafWords(leaf, 0);
      words[REGISTER_INDEX[register]] = (words[REGISTER_INDEX[register]]! | (1 << bit)) >>> 0;
    }
    const brand = (options.brand ?? "tsos mock CPU").slice(0, 48).padEnd(48, "\0");
    for (let part = 0; part < 3; part++) {
      const offset = part * 16;
      const registers = [0, 4, 8, 12].map((shift) => packAscii(brand, offset + shift));
      this.setLeaf(EXTENDED_BASE + 2 + part, 0, registers as [number, number, number, number]);
    }
  }

  /** True when `feature` is in the set. */
  has(feature: CpuidFeature): boolean {
    return this.features.has(feature);
  }

  /** Overrides the registers returned for (`leaf`, `subleaf`). */
  setLeaf(leaf: number, subleaf: number, registers: readonly [number, number, number, number]): this {
    this.leafWords(leaf, subleaf).set(registers.map((value) => value >>> 0));
    return this;
  }

  query(leaf: number, subleaf: number, out: Uint32Array): void {
    const extended = leaf >= EXTENDED_BASE;
    const beyond = extended ? leaf > this.maxExtendedLeaf : leaf > this.maxBasicLeaf;
    const effectiveSubleaf = SUBLEAF_LEAVES.has(leaf) ? subleaf : 0;
    const words = beyond ? undefined : this.leaves.get(`${leaf}:${effectiveSubleaf}`);
    if (words) out.set(words);
    else out.fill(0, 0, 4);
  }

  private leafWords(leaf: number, subleaf: number): Uint32Array {
    const key = `${leaf}:${subleaf}`;
    let words = this.leaves.get(key);
    if (!words) {
      words = new Uint32Array(4);
      this.leaves.set(key, words);
    }
    return words;
  }
}

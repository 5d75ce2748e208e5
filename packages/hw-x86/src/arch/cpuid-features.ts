/**
 * CPUID feature flags a kernel checks, each described as data:
 * `{ leaf, subleaf, register, bit }`, with allocation-free test and set
 * helpers. The emulator's CPU model builds its CPUID answers with
 * {@link setFeature}; the kernel tests them with {@link hasFeature}.
 *
 * Invariants:
 * - `register` is a `CPUID_OUT` index (EAX 0, EBX 1, ECX 2, EDX 3) into the
 *   `out` array of `Cpuid.query`; `bit` is 0–31.
 * - {@link hasFeature} only looks at `out`: the caller must have queried the
 *   feature's leaf and subleaf into it.
 *
 * Source: Intel SDM vol 2A, CPUID instruction: table 3-10 (leaf 1 ECX),
 * table 3-11 (leaf 1 EDX), table 3-8 (leaves 6, 7, 80000001H, 80000007H).
 */
import { CPUID_OUT, type Cpuid } from "../interfaces/cpuid";
import { CPUID_LEAF } from "./cpuid-leaves";

/** Where one feature flag lives in CPUID output. */
export interface CpuidFeature {
  /** EAX input. */
  readonly leaf: number;
  /** ECX input (0 where the leaf has no subleaves). */
  readonly subleaf: number;
  /** Output register, a `CPUID_OUT` index. */
  readonly register: number;
  /** Bit number, 0–31. */
  readonly bit: number;
}

function feature(leaf: number, register: number, bit: number): CpuidFeature {
  return Object.freeze({ leaf, subleaf: 0, register, bit });
}

const { EAX, EBX, ECX, EDX } = CPUID_OUT;
const L1 = CPUID_LEAF.FEATURES;
const L7 = CPUID_LEAF.EXTENDED_FEATURES;
const LX1 = CPUID_LEAF.EXTENDED_FEATURES_1;

/** Feature flags (Intel SDM vol 2A CPUID, tables 3-8, 3-10, 3-11). */
export const CPUID_FEATURE = {
  /** Leaf 1 EDX 0: x87 FPU on chip. */
  FPU: feature(L1, EDX, 0),
  /** Leaf 1 EDX 4: RDTSC and CR4.TSD. */
  TSC: feature(L1, EDX, 4),
  /** Leaf 1 EDX 5: RDMSR / WRMSR. */
  MSR: feature(L1, EDX, 5),
  /** Leaf 1 EDX 6: physical address extension. */
  PAE: feature(L1, EDX, 6),
  /** Leaf 1 EDX 8: CMPXCHG8B. */
  CX8: feature(L1, EDX, 8),
  /** Leaf 1 EDX 9: on-chip APIC. */
  APIC: feature(L1, EDX, 9),
  /** Leaf 1 EDX 11: SYSENTER / SYSEXIT. */
  SEP: feature(L1, EDX, 11),
  /** Leaf 1 EDX 12: memory type range registers. */
  MTRR: feature(L1, EDX, 12),
  /** Leaf 1 EDX 13: page global enable (CR4.PGE). */
  PGE: feature(L1, EDX, 13),
  /** Leaf 1 EDX 15: CMOVcc. */
  CMOV: feature(L1, EDX, 15),
  /** Leaf 1 EDX 16: page attribute table. */
  PAT: feature(L1, EDX, 16),
  /** Leaf 1 EDX 19: CLFLUSH. */
  CLFSH: feature(L1, EDX, 19),
  /** Leaf 1 EDX 23: MMX. */
  MMX: feature(L1, EDX, 23),
  /** Leaf 1 EDX 24: FXSAVE / FXRSTOR. */
  FXSR: feature(L1, EDX, 24),
  /** Leaf 1 EDX 25: SSE. */
  SSE: feature(L1, EDX, 25),
  /** Leaf 1 EDX 26: SSE2. */
  SSE2: feature(L1, EDX, 26),
  /** Leaf 1 EDX 28: max APIC IDs field (EBX 23:16) is valid. */
  HTT: feature(L1, EDX, 28),
  /** Leaf 1 ECX 0: SSE3. */
  SSE3: feature(L1, ECX, 0),
  /** Leaf 1 ECX 1: PCLMULQDQ. */
  PCLMULQDQ: feature(L1, ECX, 1),
  /** Leaf 1 ECX 9: SSSE3. */
  SSSE3: feature(L1, ECX, 9),
  /** Leaf 1 ECX 13: CMPXCHG16B. */
  CX16: feature(L1, ECX, 13),
  /** Leaf 1 ECX 17: process-context identifiers (CR4.PCIDE). */
  PCID: feature(L1, ECX, 17),
  /** Leaf 1 ECX 19: SSE4.1. */
  SSE4_1: feature(L1, ECX, 19),
  /** Leaf 1 ECX 20: SSE4.2. */
  SSE4_2: feature(L1, ECX, 20),
  /** Leaf 1 ECX 21: x2APIC. */
  X2APIC: feature(L1, ECX, 21),
  /** Leaf 1 ECX 22: MOVBE. */
  MOVBE: feature(L1, ECX, 22),
  /** Leaf 1 ECX 23: POPCNT. */
  POPCNT: feature(L1, ECX, 23),
  /** Leaf 1 ECX 24: LAPIC timer TSC-deadline mode. */
  TSC_DEADLINE: feature(L1, ECX, 24),
  /** Leaf 1 ECX 25: AES-NI. */
  AES: feature(L1, ECX, 25),
  /** Leaf 1 ECX 26: XSAVE / XRSTOR, XCR0. */
  XSAVE: feature(L1, ECX, 26),
  /** Leaf 1 ECX 27: OS has set CR4.OSXSAVE. */
  OSXSAVE: feature(L1, ECX, 27),
  /** Leaf 1 ECX 28: AVX. */
  AVX: feature(L1, ECX, 28),
  /** Leaf 1 ECX 30: RDRAND. */
  RDRAND: feature(L1, ECX, 30),
  /** Leaf 1 ECX 31: running under a hypervisor (always 0 on bare metal). */
  HYPERVISOR: feature(L1, ECX, 31),
  /** Leaf 6 EAX 2: APIC timer always running (ARAT) in deep C-states. */
  ARAT: feature(CPUID_LEAF.THERMAL_POWER, EAX, 2),
  /** Leaf 7 EBX 0: RDFSBASE / WRFSBASE / RDGSBASE / WRGSBASE. */
  FSGSBASE: feature(L7, EBX, 0),
  /** Leaf 7 EBX 3: BMI1 (ANDN, BEXTR, BLSI, ..., TZCNT). */
  BMI1: feature(L7, EBX, 3),
  /** Leaf 7 EBX 5: AVX2. */
  AVX2: feature(L7, EBX, 5),
  /** Leaf 7 EBX 7: supervisor-mode execution prevention. */
  SMEP: feature(L7, EBX, 7),
  /** Leaf 7 EBX 8: BMI2 (BZHI, MULX, PDEP, PEXT, RORX, SARX, ...). */
  BMI2: feature(L7, EBX, 8),
  /** Leaf 7 EBX 9: enhanced REP MOVSB / STOSB. */
  ERMS: feature(L7, EBX, 9),
  /** Leaf 7 EBX 10: INVPCID. */
  INVPCID: feature(L7, EBX, 10),
  /** Leaf 7 EBX 18: RDSEED. */
  RDSEED: feature(L7, EBX, 18),
  /** Leaf 7 EBX 19: ADCX / ADOX. */
  ADX: feature(L7, EBX, 19),
  /** Leaf 7 EBX 20: supervisor-mode access prevention. */
  SMAP: feature(L7, EBX, 20),
  /** Leaf 7 ECX 2: user-mode instruction prevention. */
  UMIP: feature(L7, ECX, 2),
  /** Leaf 7 ECX 3: protection keys for user pages. */
  PKU: feature(L7, ECX, 3),
  /** Leaf 7 ECX 22: RDPID. */
  RDPID: feature(L7, ECX, 22),
  /** Leaf 80000001H ECX 0: LAHF / SAHF in 64-bit mode. */
  LAHF_LM: feature(LX1, ECX, 0),
  /** Leaf 80000001H ECX 5: LZCNT (AMD "ABM"). */
  LZCNT: feature(LX1, ECX, 5),
  /** Leaf 80000001H ECX 8: PREFETCHW. */
  PREFETCHW: feature(LX1, ECX, 8),
  /** Leaf 80000001H EDX 11: SYSCALL / SYSRET in 64-bit mode. */
  SYSCALL: feature(LX1, EDX, 11),
  /** Leaf 80000001H EDX 20: execute-disable bit (EFER.NXE, PTE bit 63). */
  NX: feature(LX1, EDX, 20),
  /** Leaf 80000001H EDX 26: 1 GiB pages. */
  PDPE1GB: feature(LX1, EDX, 26),
  /** Leaf 80000001H EDX 27: RDTSCP and IA32_TSC_AUX. */
  RDTSCP: feature(LX1, EDX, 27),
  /** Leaf 80000001H EDX 29: Intel 64 / long mode. */
  LM: feature(LX1, EDX, 29),
  /** Leaf 80000007H EDX 8: invariant TSC (constant rate in all states). */
  INVARIANT_TSC: feature(CPUID_LEAF.POWER_MANAGEMENT, EDX, 8),
} as const;

/** Name of a feature in {@link CPUID_FEATURE}. */
export type CpuidFeatureName = keyof typeof CPUID_FEATURE;

/** True if `out` (the result of querying `feature`'s leaf/subleaf) has the feature's bit set. */
export function hasFeature(out: Uint32Array, feature: CpuidFeature): boolean {
  return ((out[feature.register]! >>> feature.bit) & 1) === 1;
}

/** Sets (or with `present` false, clears) the feature's bit in `out`; for building a CPU model's answers. */
export function setFeature(out: Uint32Array, feature: CpuidFeature, present = true): void {
  const bit = (1 << feature.bit) >>> 0;
  const current = out[feature.register]!;
  out[feature.register] = present ? (current | bit) >>> 0 : (current & ~bit) >>> 0;
}

/** The register bit (unsigned) of a feature, for OR-ing constant masks together. */
export function featureMask(feature: CpuidFeature): number {
  return (1 << feature.bit) >>> 0;
}

/** Names of the features in `names` (default: all) that `cpuid` reports present; cold path (allocates). */
export function listFeatures(
  cpuid: Cpuid,
  names: readonly CpuidFeatureName[] = Object.keys(CPUID_FEATURE) as CpuidFeatureName[],
): CpuidFeatureName[] {
  const out = new Uint32Array(4);
  const present: CpuidFeatureName[] = [];
  for (const name of names) {
    const wanted = CPUID_FEATURE[name];
    cpuid.query(wanted.leaf, wanted.subleaf, out);
    if (hasFeature(out, wanted)) present.push(name);
  }
  return present;
}

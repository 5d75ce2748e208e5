/**
 * CPUID leaves a kernel queries and the non-feature fields they return:
 * vendor string, family/model/stepping, initial APIC ID, topology levels,
 * address sizes. Feature flags are in `cpuid-features.ts`.
 *
 * Invariants: results are read from (and written into) the `Uint32Array`
 * of `Cpuid.query`, indexed by `CPUID_OUT` (EAX 0, EBX 1, ECX 2, EDX 3).
 * Decoders are allocation-free except the vendor string.
 *
 * Source: Intel SDM vol 2A, CPUID instruction (table 3-8 and figures 3-6,
 * 3-7); vol 3A §8.9 (topology via leaf 0BH).
 */
import { CPUID_OUT } from "../interfaces/cpuid";

/** CPUID leaf numbers (EAX input; Intel SDM vol 2A CPUID, table 3-8). */
export const CPUID_LEAF = {
  /** Maximum basic leaf (EAX) and vendor string (EBX, EDX, ECX). */
  VENDOR: 0x0,
  /** Version information (EAX), APIC ID and counts (EBX), feature flags (ECX, EDX). */
  FEATURES: 0x1,
  /** Thermal and power management (EAX bit 2: ARAT, APIC timer always running). */
  THERMAL_POWER: 0x6,
  /** Structured extended features (subleaf 0: EBX, ECX, EDX flags). */
  EXTENDED_FEATURES: 0x7,
  /** Extended topology enumeration (subleaf = level: SMT, core). */
  TOPOLOGY: 0xb,
  /** Maximum extended leaf (EAX). */
  EXTENDED_MAX: 0x80000000,
  /** Extended feature flags (ECX, EDX): SYSCALL, NX, LM, 1 GiB pages, RDTSCP. */
  EXTENDED_FEATURES_1: 0x80000001,
  /** Advanced power management (EDX bit 8: invariant TSC). */
  POWER_MANAGEMENT: 0x80000007,
  /** Physical and linear address sizes (EAX). */
  ADDRESS_SIZES: 0x80000008,
} as const;

/** Vendor string of Intel CPUs, as leaf 0 returns it in EBX, EDX, ECX. */
export const VENDOR_INTEL = "GenuineIntel";

/** Leaf 1 EAX version fields (Intel SDM vol 2A CPUID, fig. 3-6). */
export const CPUID_VERSION = {
  /** Stepping, bits 3:0. */
  STEPPING_MASK: 0xf,
  /** Model, bits 7:4. */
  MODEL_SHIFT: 4,
  /** Family, bits 11:8. */
  FAMILY_SHIFT: 8,
  /** Processor type, bits 13:12. */
  TYPE_SHIFT: 12,
  /** Extended model, bits 19:16. */
  EXTENDED_MODEL_SHIFT: 16,
  /** Extended family, bits 27:20. */
  EXTENDED_FAMILY_SHIFT: 20,
  /** Width mask of the 4-bit fields. */
  NIBBLE_MASK: 0xf,
  /** Width mask of the 8-bit extended family. */
  BYTE_MASK: 0xff,
} as const;

/** Leaf 1 EBX fields (Intel SDM vol 2A CPUID, table 3-8). */
export const CPUID_LEAF1_EBX = {
  /** CLFLUSH line size in 8-byte units, bits 15:8. */
  CLFLUSH_SHIFT: 8,
  /** Maximum addressable logical-processor IDs in the package, bits 23:16. */
  LOGICAL_COUNT_SHIFT: 16,
  /** Initial APIC ID, bits 31:24. */
  INITIAL_APIC_ID_SHIFT: 24,
} as const;

/** Leaf 0BH topology fields (Intel SDM vol 2A CPUID, table 3-8; vol 3A §8.9.1). */
export const CPUID_TOPOLOGY = {
  /** EAX bits 4:0: shift right of the x2APIC ID to get the next level's ID. */
  SHIFT_MASK: 0x1f,
  /** EBX bits 15:0: logical processors at this level. */
  COUNT_MASK: 0xffff,
  /** ECX bits 7:0: the level number (= input subleaf). */
  LEVEL_NUMBER_MASK: 0xff,
  /** ECX bits 15:8: level type. */
  LEVEL_TYPE_SHIFT: 8,
  /** Level type: invalid (end of enumeration). */
  TYPE_INVALID: 0,
  /** Level type: SMT (hyper-threads). */
  TYPE_SMT: 1,
  /** Level type: core. */
  TYPE_CORE: 2,
} as const;

/** Leaf 80000008H EAX fields (Intel SDM vol 2A CPUID, table 3-8). */
export const CPUID_ADDRESS_SIZES = {
  /** Physical-address bits (MAXPHYADDR), bits 7:0. */
  PHYSICAL_MASK: 0xff,
  /** Linear-address bits, bits 15:8. */
  LINEAR_SHIFT: 8,
} as const;

const BYTE_MASK = 0xff;
const FAMILY_USING_EXTENSIONS = 0xf;
const FAMILY_6 = 0x6;

function registerBytes(value: number): string {
  let text = "";
  for (let shift = 0; shift < 32; shift += 8) text += String.fromCharCode((value >>> shift) & BYTE_MASK);
  return text;
}

/** The 12-character vendor string from a leaf 0 result (EBX, EDX, ECX order). Cold path. */
export function cpuidVendor(out: Uint32Array): string {
  return (
    registerBytes(out[CPUID_OUT.EBX]!) +
    registerBytes(out[CPUID_OUT.EDX]!) +
    registerBytes(out[CPUID_OUT.ECX]!)
  );
}

function packBytes(text: string, start: number): number {
  let value = 0;
  for (let index = 0; index < 4; index++)
    value |= (text.charCodeAt(start + index) & BYTE_MASK) << (index * 8);
  return value >>> 0;
}

/** Writes a 12-character vendor string into EBX, EDX, ECX of `out` (what a CPU model returns for leaf 0). */
export function writeCpuidVendor(vendor: string, out: Uint32Array): void {
  out[CPUID_OUT.EBX] = packBytes(vendor, 0);
  out[CPUID_OUT.EDX] = packBytes(vendor, 4);
  out[CPUID_OUT.ECX] = packBytes(vendor, 8);
}

/** Display family from leaf 1 EAX: family, plus extended family when family is 0xF (SDM vol 2A CPUID). */
export function cpuidFamily(eax: number): number {
  const family = (eax >>> CPUID_VERSION.FAMILY_SHIFT) & CPUID_VERSION.NIBBLE_MASK;
  if (family !== FAMILY_USING_EXTENSIONS) return family;
  return family + ((eax >>> CPUID_VERSION.EXTENDED_FAMILY_SHIFT) & CPUID_VERSION.BYTE_MASK);
}

/** Display model from leaf 1 EAX: extended model * 16 + model when family is 6 or 0xF (SDM vol 2A CPUID). */
export function cpuidModel(eax: number): number {
  const family = (eax >>> CPUID_VERSION.FAMILY_SHIFT) & CPUID_VERSION.NIBBLE_MASK;
  const model = (eax >>> CPUID_VERSION.MODEL_SHIFT) & CPUID_VERSION.NIBBLE_MASK;
  if (family !== FAMILY_6 && family !== FAMILY_USING_EXTENSIONS) return model;
  return (((eax >>> CPUID_VERSION.EXTENDED_MODEL_SHIFT) & CPUID_VERSION.NIBBLE_MASK) << 4) + model;
}

/** Stepping (bits 3:0) from leaf 1 EAX. */
export function cpuidStepping(eax: number): number {
  return eax & CPUID_VERSION.STEPPING_MASK;
}

/**
 * Leaf 1 EAX for a display family and model (family ≤ 0xF + 0xFF; model
 * < 256) and stepping: the inverse of {@link cpuidFamily} / {@link cpuidModel}.
 */
export function encodeCpuidVersion(family: number, model: number, stepping: number): number {
  const baseFamily = Math.min(family, FAMILY_USING_EXTENSIONS);
  const extendedFamily = family >= FAMILY_USING_EXTENSIONS ? family - FAMILY_USING_EXTENSIONS : 0;
  const usesExtendedModel = baseFamily === FAMILY_6 || baseFamily === FAMILY_USING_EXTENSIONS;
  const baseModel = model & CPUID_VERSION.NIBBLE_MASK;
  const extendedModel = usesExtendedModel ? (model >>> 4) & CPUID_VERSION.NIBBLE_MASK : 0;
  return (
    ((stepping & CPUID_VERSION.STEPPING_MASK) |
      (baseModel << CPUID_VERSION.MODEL_SHIFT) |
      (baseFamily << CPUID_VERSION.FAMILY_SHIFT) |
      (extendedModel << CPUID_VERSION.EXTENDED_MODEL_SHIFT) |
      ((extendedFamily & CPUID_VERSION.BYTE_MASK) << CPUID_VERSION.EXTENDED_FAMILY_SHIFT)) >>>
    0
  );
}

/** Initial APIC ID (bits 31:24) from leaf 1 EBX. */
export function cpuidInitialApicId(ebx: number): number {
  return ebx >>> CPUID_LEAF1_EBX.INITIAL_APIC_ID_SHIFT;
}

/** MAXPHYADDR (bits 7:0) from leaf 80000008H EAX. */
export function cpuidPhysicalAddressBits(eax: number): number {
  return eax & CPUID_ADDRESS_SIZES.PHYSICAL_MASK;
}

/** Linear-address width (bits 15:8) from leaf 80000008H EAX. */
export function cpuidLinearAddressBits(eax: number): number {
  return (eax >>> CPUID_ADDRESS_SIZES.LINEAR_SHIFT) & CPUID_ADDRESS_SIZES.PHYSICAL_MASK;
}

/** Leaf 80000008H EAX for the given physical and linear address widths. */
export function encodeCpuidAddressSizes(physicalBits: number, linearBits: number): number {
  return (
    (physicalBits & CPUID_ADDRESS_SIZES.PHYSICAL_MASK) |
    ((linearBits & CPUID_ADDRESS_SIZES.PHYSICAL_MASK) << CPUID_ADDRESS_SIZES.LINEAR_SHIFT)
  );
}

/** Level type (ECX bits 15:8) of a leaf 0BH result. */
export function cpuidTopologyLevelType(ecx: number): number {
  return (ecx >>> CPUID_TOPOLOGY.LEVEL_TYPE_SHIFT) & BYTE_MASK;
}

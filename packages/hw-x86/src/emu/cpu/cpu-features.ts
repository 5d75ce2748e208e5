/**
 * CPUID of the emulated CPU (SDM vol 2 CPUID), reporting honestly only what
 * the interpreter implements completely: the x87 FPU, SSE and SSE2 (all of
 * their instructions except the MMX-register forms: no MMX), FXSR. Not
 * SSE3/SSSE3/SSE4 or AVX. No BMI1 (so F3 0F BC executes as BSF,
 * as on CPUs without BMI1); POPCNT and LZCNT (ABM) yes, CMPXCHG8B/16B, CMOV,
 * NX, 1 GiB pages, SYSCALL, long mode, LAHF/SAHF in 64-bit mode, PGE, PAE,
 * TSC, MSR, APIC. Unknown leaves above the maxima return zeros.
 */
import type { Cpuid } from "../../interfaces/cpuid";
import { LINEAR_ADDRESS_BITS, PHYSICAL_ADDRESS_BITS } from "./arch-bits";

/** CPUID.1:EDX bits (SDM vol 2 table 3-11). */
export const CPUID_1_EDX = {
  FPU: 1 << 0,
  TSC: 1 << 4,
  MSR: 1 << 5,
  PAE: 1 << 6,
  CX8: 1 << 8,
  APIC: 1 << 9,
  PGE: 1 << 13,
  CMOV: 1 << 15,
  FXSR: 1 << 24,
  SSE: 1 << 25,
  SSE2: 1 << 26,
} as const;

/** CPUID.1:ECX bits (SDM vol 2 table 3-10). */
export const CPUID_1_ECX = {
  CX16: 1 << 13,
  PCID: 1 << 17,
  X2APIC: 1 << 21,
  POPCNT: 1 << 23,
  TSC_DEADLINE: 1 << 24,
} as const;

/** CPUID.80000001H bits (SDM vol 2 CPUID leaf 80000001H). */
export const CPUID_EXT_1 = {
  ECX_LAHF_SAHF: 1 << 0,
  ECX_LZCNT: 1 << 5,
  EDX_SYSCALL: 1 << 11,
  EDX_NX: 1 << 20,
  EDX_PAGE_1GB: 1 << 26,
  EDX_LONG_MODE: 1 << 29,
} as const;

/** Options of {@link CpuFeatures}: identity and LAPIC capabilities the machine provides. */
export interface CpuFeatureOptions {
  /** Initial APIC id (CPUID.1:EBX[31:24]). */
  apicId: number;
  /** The machine's LAPIC supports TSC-deadline mode. */
  tscDeadline?: boolean;
  /** The machine's LAPIC supports x2APIC. */
  x2apic?: boolean;
}

const VENDOR = "TsosEmulated";
const BRAND = "tsos x86-64 interpreter";
const MAX_BASIC_LEAF = 7;
const MAX_EXTENDED_LEAF = 0x80000008;

function stringWords(text: string, from: number): number {
  let word = 0;
  for (let i = 0; i < 4; i++) word |= (text.charCodeAt(from + i) & 0xff) << (8 * i);
  return word >>> 0;
}

/** The CPUID table of one CPU. */
export class CpuFeatures implements Cpuid {
  private readonly leaf1Ecx: number;
  constructor(private readonly options: CpuFeatureOptions) {
    this.leaf1Ecx =
      CPUID_1_ECX.CX16 |
      CPUID_1_ECX.PCID |
      CPUID_1_ECX.POPCNT |
      (options.tscDeadline ? CPUID_1_ECX.TSC_DEADLINE : 0) |
      (options.x2apic ? CPUID_1_ECX.X2APIC : 0);
  }

  /** CPUID; no implemented leaf has subleaves, so `_subleaf` is ignored. */
  query(leaf: number, _subleaf: number, out: Uint32Array): void {
    out.fill(0);
    const brand = BRAND.padEnd(48, "\0");
    switch (leaf >>> 0) {
      case 0:
        out[0] = MAX_BASIC_LEAF;
        out[1] = stringWords(VENDOR, 0);
        out[3] = stringWords(VENDOR, 4);
        out[2] = stringWords(VENDOR, 8);
        return;
      case 1:
        // Family 6, model 0; CLFLUSH line 8×8 bytes; one logical processor per package.
        out[0] = 0x600;
        out[1] = ((this.options.apicId & 0xff) << 24) | (1 << 16) | (8 << 8);
        out[2] = this.leaf1Ecx >>> 0;
        out[3] =
          CPUID_1_EDX.FPU |
          CPUID_1_EDX.TSC |
          CPUID_1_EDX.MSR |
          CPUID_1_EDX.PAE |
          CPUID_1_EDX.CX8 |
          CPUID_1_EDX.APIC |
          CPUID_1_EDX.PGE |
          CPUID_1_EDX.CMOV |
          CPUID_1_EDX.FXSR |
          CPUID_1_EDX.SSE |
          CPUID_1_EDX.SSE2;
        return;
      case 7:
        // Structured extended features, subleaf 0: INVPCID (EBX bit 10).
        if (_subleaf === 0) out[1] = 1 << 10;
        return;
      case 0x80000000:
        out[0] = MAX_EXTENDED_LEAF;
        return;
      case 0x80000001:
        out[2] = CPUID_EXT_1.ECX_LAHF_SAHF | CPUID_EXT_1.ECX_LZCNT;
        out[3] =
          CPUID_EXT_1.EDX_SYSCALL | CPUID_EXT_1.EDX_NX | CPUID_EXT_1.EDX_PAGE_1GB | CPUID_EXT_1.EDX_LONG_MODE;
        return;
      case 0x80000002:
      case 0x80000003:
      case 0x80000004: {
        const base = (leaf - 0x80000002) * 16;
        for (let i = 0; i < 4; i++) out[i] = stringWords(brand, base + i * 4);
        return;
      }
      case 0x80000008:
        out[0] = PHYSICAL_ADDRESS_BITS | (LINEAR_ADDRESS_BITS << 8);
        return;
      default:
        return;
    }
  }
}

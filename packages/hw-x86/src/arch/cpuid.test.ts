import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CPUID_OUT, type Cpuid } from "../interfaces/cpuid";
import { CPUID_FEATURE, featureMask, hasFeature, listFeatures, setFeature } from "./cpuid-features";
import {
  CPUID_LEAF,
  cpuidFamily,
  cpuidInitialApicId,
  cpuidLinearAddressBits,
  cpuidModel,
  cpuidPhysicalAddressBits,
  cpuidStepping,
  cpuidTopologyLevelType,
  cpuidVendor,
  encodeCpuidAddressSizes,
  encodeCpuidVersion,
  VENDOR_INTEL,
  writeCpuidVendor,
} from "./cpuid-leaves";

describe("CPUID leaves (SDM vol 2A CPUID)", () => {
  it("reads and writes the vendor string in EBX, EDX, ECX order", () => {
    const out = new Uint32Array(4);
    writeCpuidVendor(VENDOR_INTEL, out);
    expect(out[CPUID_OUT.EBX]).toBe(0x756e6547);
    expect(out[CPUID_OUT.EDX]).toBe(0x49656e69);
    expect(out[CPUID_OUT.ECX]).toBe(0x6c65746e);
    expect(cpuidVendor(out)).toBe("GenuineIntel");
  });

  it("decodes family 6 model 0x9E stepping 10 from EAX 0x000906EA", () => {
    expect(cpuidFamily(0x000906ea)).toBe(6);
    expect(cpuidModel(0x000906ea)).toBe(0x9e);
    expect(cpuidStepping(0x000906ea)).toBe(10);
    expect(encodeCpuidVersion(6, 0x9e, 10)).toBe(0x000906ea);
  });

  it("round-trips family, model and stepping", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x10e }),
        fc.integer({ min: 0, max: 255 }),
        fc.nat(15),
        (family, m, step) => {
          const model = family === 6 || family >= 15 ? m : m & 0xf;
          const eax = encodeCpuidVersion(family, model, step);
          expect([cpuidFamily(eax), cpuidModel(eax), cpuidStepping(eax)]).toEqual([family, model, step]);
        },
      ),
    );
  });

  it("decodes APIC ID, address sizes and topology level type", () => {
    expect(cpuidInitialApicId(0x03100800)).toBe(3);
    const eax = encodeCpuidAddressSizes(40, 48);
    expect(eax).toBe(0x3028);
    expect([cpuidPhysicalAddressBits(eax), cpuidLinearAddressBits(eax)]).toEqual([40, 48]);
    expect(cpuidTopologyLevelType(0x0201)).toBe(2);
    expect(CPUID_LEAF.ADDRESS_SIZES).toBe(0x80000008);
  });
});

describe("CPUID features (SDM vol 2A tables 3-10, 3-11)", () => {
  it("places well-known flags at their documented bits", () => {
    expect(CPUID_FEATURE.APIC).toMatchObject({ leaf: 1, register: CPUID_OUT.EDX, bit: 9 });
    expect(CPUID_FEATURE.X2APIC).toMatchObject({ leaf: 1, register: CPUID_OUT.ECX, bit: 21 });
    expect(CPUID_FEATURE.TSC_DEADLINE).toMatchObject({ leaf: 1, register: CPUID_OUT.ECX, bit: 24 });
    expect(CPUID_FEATURE.SMEP).toMatchObject({ leaf: 7, subleaf: 0, register: CPUID_OUT.EBX, bit: 7 });
    expect(CPUID_FEATURE.NX).toMatchObject({ leaf: 0x80000001, register: CPUID_OUT.EDX, bit: 20 });
    expect(CPUID_FEATURE.LM).toMatchObject({ leaf: 0x80000001, register: CPUID_OUT.EDX, bit: 29 });
    expect(CPUID_FEATURE.INVARIANT_TSC).toMatchObject({ leaf: 0x80000007, register: CPUID_OUT.EDX, bit: 8 });
  });

  it("gives every feature a distinct (leaf, subleaf, register, bit)", () => {
    const keys = Object.values(CPUID_FEATURE).map((f) => `${f.leaf}/${f.subleaf}/${f.register}/${f.bit}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const f of Object.values(CPUID_FEATURE)) expect(f.bit).toBeGreaterThanOrEqual(0);
    for (const f of Object.values(CPUID_FEATURE)) expect(f.bit).toBeLessThan(32);
  });

  it("sets, tests and clears a feature bit in an output array", () => {
    const out = new Uint32Array(4);
    setFeature(out, CPUID_FEATURE.HYPERVISOR);
    expect(out[CPUID_OUT.ECX]).toBe(0x80000000);
    expect(hasFeature(out, CPUID_FEATURE.HYPERVISOR)).toBe(true);
    expect(hasFeature(out, CPUID_FEATURE.SSE3)).toBe(false);
    setFeature(out, CPUID_FEATURE.HYPERVISOR, false);
    expect(out[CPUID_OUT.ECX]).toBe(0);
    expect(featureMask(CPUID_FEATURE.SSE2)).toBe(1 << 26);
  });

  it("lists the features a CPUID implementation reports", () => {
    const cpuid: Cpuid = {
      query(leaf, _subleaf, out) {
        out.fill(0);
        if (leaf === CPUID_LEAF.FEATURES) {
          setFeature(out, CPUID_FEATURE.APIC);
          setFeature(out, CPUID_FEATURE.SSE2);
        }
        if (leaf === CPUID_LEAF.EXTENDED_FEATURES_1) setFeature(out, CPUID_FEATURE.LM);
      },
    };
    expect(listFeatures(cpuid)).toEqual(["APIC", "SSE2", "LM"]);
    expect(listFeatures(cpuid, ["NX", "LM"])).toEqual(["LM"]);
  });
});

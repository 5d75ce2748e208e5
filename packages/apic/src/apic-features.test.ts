/** CPUID availability checks against `MockCpuid`. */
import { BASELINE_FEATURES, MockCpuid } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { checkApicSupport, requireTscDeadline, requireX2apic } from "./apic-features";
import { APIC_ERROR } from "./errors";

describe("checkApicSupport", () => {
  it("reports APIC, x2APIC and TSC-deadline bits", () => {
    const cpuid = new MockCpuid({ features: [...BASELINE_FEATURES, "x2apic", "tsc-deadline"] });
    const result = checkApicSupport(cpuid);
    expect(result.ok && result.value).toMatchObject({
      apic: true,
      x2apic: true,
      tscDeadline: true,
      tsc: true,
    });
    expect(result.ok && requireTscDeadline(result.value).ok).toBe(true);
  });

  it("fails clearly without an APIC", () => {
    const cpuid = new MockCpuid({ features: BASELINE_FEATURES.filter((name) => name !== "apic") });
    const result = checkApicSupport(cpuid);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(APIC_ERROR.NO_APIC);
      expect(result.error.message).toMatch(/no local APIC/);
    }
  });

  it("turns missing TSC-deadline and x2APIC into errors on request", () => {
    const result = checkApicSupport(new MockCpuid());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const deadline = requireTscDeadline(result.value);
    expect(!deadline.ok && deadline.error.code).toBe(APIC_ERROR.NO_TSC_DEADLINE);
    const x2 = requireX2apic(result.value);
    expect(!x2.ok && x2.error.code).toBe(APIC_ERROR.NO_X2APIC);
  });
});

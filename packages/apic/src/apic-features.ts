/**
 * Availability of the interrupt hardware this driver uses, read from CPUID
 * leaf 1: the local APIC (EDX bit 9), x2APIC (ECX bit 21) and the LAPIC
 * timer's TSC-deadline mode (ECX bit 24).
 *
 * Invariants: the check queries CPUID once, allocates one small result, and
 * never throws; a missing APIC is an {@link ApicResult} error, the optional
 * features are booleans the caller picks a path with (or turns into an
 * error with {@link requireTscDeadline} / {@link requireX2apic}).
 *
 * Source: Intel SDM vol 2A, CPUID, tables 3-10 and 3-11; vol 3A §10.4.2
 * (presence of the local APIC), §10.5.4.1 (TSC-deadline), §10.12.1 (x2APIC).
 */
import { CPUID_FEATURE, CPUID_LEAF, type Cpuid, hasFeature } from "@tsos/hw-x86";
import { APIC_ERROR, type ApicResult, apicFail, apicOk } from "./errors";

/** What CPUID says about the interrupt hardware of one CPU. */
export interface ApicFeatures {
  /** A local APIC is present (always true in a successful result). */
  readonly apic: boolean;
  /** The x2APIC MSR interface is available (this driver still uses xAPIC MMIO). */
  readonly x2apic: boolean;
  /** The LAPIC timer supports TSC-deadline mode (IA32_TSC_DEADLINE). */
  readonly tscDeadline: boolean;
  /** The TSC is present (needed to make sense of TSC-deadline times). */
  readonly tsc: boolean;
  /** The initial APIC ID from CPUID.01H:EBX[31:24]. */
  readonly initialApicId: number;
}

const INITIAL_APIC_ID_SHIFT = 24;

/**
 * Checks that `cpuid` reports a local APIC and collects the optional
 * features. Fails with {@link APIC_ERROR.NO_APIC} when the APIC bit is clear.
 */
export function checkApicSupport(cpuid: Cpuid): ApicResult<ApicFeatures> {
  const out = new Uint32Array(4);
  cpuid.query(CPUID_LEAF.FEATURES, 0, out);
  const features: ApicFeatures = {
    apic: hasFeature(out, CPUID_FEATURE.APIC),
    x2apic: hasFeature(out, CPUID_FEATURE.X2APIC),
    tscDeadline: hasFeature(out, CPUID_FEATURE.TSC_DEADLINE),
    tsc: hasFeature(out, CPUID_FEATURE.TSC),
    initialApicId: out[1]! >>> INITIAL_APIC_ID_SHIFT,
  };
  if (!features.apic) {
    return apicFail(
      APIC_ERROR.NO_APIC,
      "CPUID.01H:EDX bit 9 (APIC) is clear: this CPU has no local APIC, so interrupts cannot be routed",
    );
  }
  return apicOk(features);
}

/** Turns a missing TSC-deadline mode (or TSC) into {@link APIC_ERROR.NO_TSC_DEADLINE}. */
export function requireTscDeadline(features: ApicFeatures): ApicResult<ApicFeatures> {
  if (features.tscDeadline && features.tsc) return apicOk(features);
  return apicFail(
    APIC_ERROR.NO_TSC_DEADLINE,
    "CPUID.01H:ECX bit 24 (TSC_Deadline) is clear: use periodic or one-shot LAPIC timer mode instead",
  );
}

/** Turns a missing x2APIC into {@link APIC_ERROR.NO_X2APIC}. */
export function requireX2apic(features: ApicFeatures): ApicResult<ApicFeatures> {
  if (features.x2apic) return apicOk(features);
  return apicFail(APIC_ERROR.NO_X2APIC, "CPUID.01H:ECX bit 21 (x2APIC) is clear: use xAPIC MMIO mode");
}

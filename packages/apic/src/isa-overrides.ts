/**
 * ISA IRQ → global system interrupt (GSI) resolution, honouring the
 * interrupt source overrides the machine description supplies (the ACPI
 * MADT "Interrupt Source Override" entries, e.g. IRQ 0 → GSI 2).
 *
 * Rules (ACPI 6.5 §5.2.12.5, MPS INTI flags; MP spec 1.4 §4.3.4):
 * - Without an override, ISA IRQ n is GSI n, edge-triggered, active high
 *   (the ISA bus conventions).
 * - An override names the GSI and may set polarity (bits 1:0: 00 conforms
 *   to the bus, 01 active high, 11 active low) and trigger mode (bits 3:2:
 *   00 conforms, 01 edge, 11 level); "conforms" means the ISA convention.
 *
 * Invariants: the table is a value input; resolution allocates only the
 * result; unknown IRQs (outside 0–15) resolve to `undefined`.
 */

/** Polarity of an override. */
export type IsaPolarity = "conforms" | "high" | "low";
/** Trigger mode of an override. */
export type IsaTrigger = "conforms" | "edge" | "level";

/** One interrupt source override (MADT entry type 2, bus 0 = ISA). */
export interface IsaOverride {
  /** The ISA IRQ (MADT "Source", 0–15). */
  readonly isaIrq: number;
  /** The global system interrupt it is wired to. */
  readonly gsi: number;
  /** Input polarity. */
  readonly polarity: IsaPolarity;
  /** Trigger mode. */
  readonly trigger: IsaTrigger;
}

/** How one ISA IRQ reaches an IOAPIC. */
export interface IsaLine {
  /** The ISA IRQ. */
  readonly isaIrq: number;
  /** Its global system interrupt. */
  readonly gsi: number;
  /** Active-low input. */
  readonly activeLow: boolean;
  /** Level-triggered input. */
  readonly levelTriggered: boolean;
}

/** MPS INTI flags of a MADT interrupt source override (ACPI 6.5 §5.2.12.5, table 5.50). */
export const MADT_INTI = {
  /** Polarity, bits 1:0. */
  POLARITY_MASK: 0x3,
  /** Polarity value: active high. */
  POLARITY_HIGH: 0x1,
  /** Polarity value: active low. */
  POLARITY_LOW: 0x3,
  /** Trigger mode, bits 3:2. */
  TRIGGER_MASK: 0xc,
  /** Trigger value: edge. */
  TRIGGER_EDGE: 0x4,
  /** Trigger value: level. */
  TRIGGER_LEVEL: 0xc,
} as const;

/** Number of ISA IRQs. */
export const ISA_IRQ_COUNT = 16;

/** The override for MADT `flags` (MPS INTI) of ISA IRQ `isaIrq` wired to `gsi`. Reserved encodings read as "conforms". */
export function isaOverrideFromMadt(isaIrq: number, gsi: number, flags: number): IsaOverride {
  const polarityBits = flags & MADT_INTI.POLARITY_MASK;
  const triggerBits = flags & MADT_INTI.TRIGGER_MASK;
  const polarity: IsaPolarity =
    polarityBits === MADT_INTI.POLARITY_HIGH
      ? "high"
      : polarityBits === MADT_INTI.POLARITY_LOW
        ? "low"
        : "conforms";
  const trigger: IsaTrigger =
    triggerBits === MADT_INTI.TRIGGER_EDGE
      ? "edge"
      : triggerBits === MADT_INTI.TRIGGER_LEVEL
        ? "level"
        : "conforms";
  return { isaIrq, gsi, polarity, trigger };
}

/** The usual PC override: the PIT's IRQ 0 arrives on GSI 2 (edge, active high). */
export const PC_TIMER_OVERRIDE: IsaOverride = Object.freeze({
  isaIrq: 0,
  gsi: 2,
  polarity: "conforms",
  trigger: "conforms",
});

/** Resolves ISA IRQ `isaIrq` through `overrides` (the last override for an IRQ wins); `undefined` outside 0–15. */
export function resolveIsaIrq(isaIrq: number, overrides: readonly IsaOverride[]): IsaLine | undefined {
  if (!Number.isInteger(isaIrq) || isaIrq < 0 || isaIrq >= ISA_IRQ_COUNT) return undefined;
  let found: IsaOverride | undefined;
  for (const override of overrides) if (override.isaIrq === isaIrq) found = override;
  if (!found) return { isaIrq, gsi: isaIrq, activeLow: false, levelTriggered: false };
  return {
    isaIrq,
    gsi: found.gsi,
    activeLow: found.polarity === "low",
    levelTriggered: found.trigger === "level",
  };
}

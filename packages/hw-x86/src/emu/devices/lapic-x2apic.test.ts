import { describe, expect, it } from "vitest";
import { DELIVERY_MODE } from "../../arch/apic-fields";
import { encodeIcrLow } from "../../arch/lapic-icr";
import { LVT_TIMER_MODE } from "../../arch/lapic-lvt";
import { LAPIC } from "../../arch/lapic-registers";
import { MSR } from "../../arch/msr";
import { X2APIC_MSR } from "../../arch/x2apic-msr";
import { Timeline } from "../timeline";
import { ApicBus } from "./apic-bus";
import { Lapic } from "./lapic";

const EN = 0x800;
const EXTD = 0x400;
const BASE = 0xfee00000;

function machine(cpus = 2) {
  const clock = new Timeline(1_000_000_000);
  const bus = new ApicBus();
  const lapics = Array.from({ length: cpus }, (_, apicId) => new Lapic({ apicId, clock, bus }));
  for (const lapic of lapics) lapic.write32(LAPIC.SVR, 0x1ff);
  return { clock, lapics };
}

function toX2apic(lapic: Lapic): void {
  expect(lapic.writeMsrHalves(MSR.APIC_BASE, BASE | EN | EXTD, 0)).toBe(true);
}

function irrHas(lapic: Lapic, vector: number): boolean {
  return ((lapic.irr[vector >>> 5]! >>> (vector & 31)) & 1) === 1;
}

describe("IA32_APIC_BASE", () => {
  it("reads base 0xFEE00000, EN, and BSP only on the bootstrap processor", () => {
    const { lapics } = machine();
    expect(lapics[0]!.readMsr(MSR.APIC_BASE)).toBe(BigInt(BASE | EN | 0x100));
    expect(lapics[1]!.readMsr(MSR.APIC_BASE)).toBe(BigInt(BASE | EN));
    expect(lapics[0]!.ownsMsr(MSR.APIC_BASE)).toBe(true);
    expect(lapics[0]!.ownsMsr(MSR.EFER)).toBe(false);
  });

  it("refuses reserved bits and illegal mode transitions (#GP)", () => {
    const { lapics } = machine();
    const lapic = lapics[1]!;
    expect(lapic.writeMsrHalves(MSR.APIC_BASE, BASE | EN | 0x1, 0)).toBe(false);
    expect(lapic.writeMsrHalves(MSR.APIC_BASE, BASE | EN, 0x00100000)).toBe(false);
    expect(lapic.writeMsrHalves(MSR.APIC_BASE, BASE | EXTD, 0)).toBe(false); // EXTD without EN
    toX2apic(lapic);
    expect(lapic.writeMsrHalves(MSR.APIC_BASE, BASE | EN, 0)).toBe(false); // x2APIC → xAPIC
    expect(lapic.writeMsrHalves(MSR.APIC_BASE, BASE, 0)).toBe(true); // → disabled
    expect(lapic.writeMsrHalves(MSR.APIC_BASE, BASE | EN | EXTD, 0)).toBe(false); // disabled → x2APIC
    expect(lapic.writeMsrHalves(MSR.APIC_BASE, BASE | EN, 0)).toBe(true); // disabled → xAPIC
  });

  it("global disable refuses messages, turns the page off, and re-enabling starts from power-up state", () => {
    const { lapics } = machine();
    const lapic = lapics[1]!;
    lapic.write32(LAPIC.TPR, 0x40);
    lapic.writeMsrHalves(MSR.APIC_BASE, BASE, 0);
    expect(lapic.accept(DELIVERY_MODE.FIXED, 0x50, false)).toBe(false);
    expect(lapic.accept(DELIVERY_MODE.INIT, 0, false)).toBe(false);
    expect(lapic.read32(LAPIC.VERSION)).toBe(0xffffffff);
    lapic.writeMsrHalves(MSR.APIC_BASE, BASE | EN, 0);
    expect(lapic.read32(LAPIC.TPR)).toBe(0);
    expect(lapic.read32(LAPIC.SVR)).toBe(0xff);
  });

  it("records a relocated base for the machine to map", () => {
    const { lapics } = machine();
    expect(lapics[1]!.writeMsrHalves(MSR.APIC_BASE, 0xfed00000 | EN, 0)).toBe(true);
    expect(lapics[1]!.baseAddress).toBe(0xfed00000);
  });
});

describe("x2APIC MSRs", () => {
  it("are #GP in xAPIC mode and replace the MMIO page in x2APIC mode", () => {
    const { lapics } = machine();
    const lapic = lapics[1]!;
    expect(lapic.readMsr(X2APIC_MSR.VERSION)).toBeUndefined();
    expect(lapic.writeMsrHalves(X2APIC_MSR.TPR, 0, 0)).toBe(false);
    toX2apic(lapic);
    expect(lapic.read32(LAPIC.VERSION)).toBe(0xffffffff);
    expect(lapic.readMsr(X2APIC_MSR.VERSION)).toBe(0x00050014n);
    expect(lapic.readMsr(X2APIC_MSR.ID)).toBe(1n);
    expect(lapic.readMsr(X2APIC_MSR.LDR)).toBe(0x00000002n); // cluster 0, bit 1
  });

  it("sends IPIs through the 64-bit ICR with a 32-bit destination, physical and logical", () => {
    const { lapics } = machine(3);
    for (const lapic of lapics) toX2apic(lapic);
    expect(lapics[0]!.writeMsrHalves(X2APIC_MSR.ICR, encodeIcrLow({ vector: 0x70 }), 2)).toBe(true);
    expect(irrHas(lapics[2]!, 0x70)).toBe(true);
    expect(lapics[0]!.readMsr(X2APIC_MSR.ICR)).toBe((2n << 32n) | BigInt(encodeIcrLow({ vector: 0x70 })));
    lapics[0]!.writeMsrHalves(
      X2APIC_MSR.ICR,
      encodeIcrLow({ vector: 0x71, logicalDestination: true }),
      0b011,
    );
    expect(lapics.map((l) => irrHas(l, 0x71))).toEqual([true, true, false]);
    lapics[0]!.writeMsrHalves(X2APIC_MSR.ICR, encodeIcrLow({ vector: 0x72 }), 0xffffffff);
    expect(lapics.map((l) => irrHas(l, 0x72))).toEqual([true, true, true]);
  });

  it("SELF IPI, EOI and ESR accept only their legal values", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    toX2apic(lapic);
    expect(lapic.writeMsrHalves(X2APIC_MSR.SELF_IPI, 0x55, 0)).toBe(true);
    expect(lapic.acknowledge()).toBe(0x55);
    expect(lapic.writeMsrHalves(X2APIC_MSR.EOI, 1, 0)).toBe(false);
    expect(lapic.readMsr(X2APIC_MSR.EOI)).toBeUndefined();
    expect(lapic.writeMsrHalves(X2APIC_MSR.EOI, 0, 0)).toBe(true);
    expect(lapic.readMsr(X2APIC_MSR.ISR_BASE + 2)).toBe(0n);
    expect(lapic.writeMsrHalves(X2APIC_MSR.ESR, 1, 0)).toBe(false);
    expect(lapic.writeMsrHalves(X2APIC_MSR.SELF_IPI, 0x155, 0)).toBe(false);
  });

  it("refuses reserved bits, read-only and reserved MSRs", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    toX2apic(lapic);
    expect(lapic.writeMsrHalves(X2APIC_MSR.TPR, 0x100, 0)).toBe(false);
    expect(lapic.writeMsrHalves(X2APIC_MSR.TPR, 0x20, 1)).toBe(false);
    expect(lapic.writeMsrHalves(X2APIC_MSR.TPR, 0x20, 0)).toBe(true);
    expect(lapic.readMsr(X2APIC_MSR.TPR)).toBe(0x20n);
    expect(lapic.writeMsrHalves(X2APIC_MSR.PPR, 0, 0)).toBe(false);
    expect(lapic.writeMsrHalves(X2APIC_MSR.LDR, 0, 0)).toBe(false);
    expect(lapic.readMsr(0x809)).toBeUndefined(); // no APR in x2APIC mode
    expect(lapic.readMsr(X2APIC_MSR.LVT_CMCI)).toBeUndefined(); // no CMCI LVT here
    expect(lapic.writeMsrHalves(X2APIC_MSR.LVT_ERROR, 0x100ff | 0x700, 0)).toBe(false);
  });

  it("programs the timer and IA32_TSC_DEADLINE through MSRs", () => {
    const { clock, lapics } = machine(1);
    const lapic = lapics[0]!;
    toX2apic(lapic);
    lapic.writeMsrHalves(X2APIC_MSR.LVT_TIMER, (LVT_TIMER_MODE.TSC_DEADLINE << 17) | 0x66, 0);
    expect(lapic.writeMsrHalves(MSR.TSC_DEADLINE, 500, 0)).toBe(true);
    expect(lapic.readMsr(MSR.TSC_DEADLINE)).toBe(500n);
    clock.advanceTo(500);
    expect(lapic.acknowledge()).toBe(0x66);
    expect(lapic.readMsr(MSR.TSC_DEADLINE)).toBe(0n);
  });
});

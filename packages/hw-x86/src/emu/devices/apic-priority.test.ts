import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DELIVERY_MODE } from "../../arch/apic-fields";
import { LAPIC } from "../../arch/lapic-registers";
import { Timeline } from "../timeline";
import { ApicBus } from "./apic-bus";
import { arbitrationPriority, processorPriority } from "./apic-priority";
import { Lapic } from "./lapic";
import { createVectorSet, vectorSetAdd, vectorSetDelete, vectorSetHas, vectorSetHighest } from "./vector-set";

type Operation =
  | { readonly kind: "accept"; readonly vector: number }
  | { readonly kind: "acknowledge" }
  | { readonly kind: "eoi" }
  | { readonly kind: "tpr"; readonly value: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant("accept" as const), vector: fc.integer({ min: 16, max: 255 }) }),
  fc.record({ kind: fc.constant("acknowledge" as const) }),
  fc.record({ kind: fc.constant("eoi" as const) }),
  fc.record({ kind: fc.constant("tpr" as const), value: fc.integer({ min: 0, max: 255 }) }),
);

/** The SDM's rules written the slow, obvious way. */
class ReferenceApic {
  readonly irr = new Set<number>();
  readonly isr = new Set<number>();
  tpr = 0;

  ppr(): number {
    const isrv = this.isr.size === 0 ? 0 : Math.max(...this.isr);
    return this.tpr >> 4 >= isrv >> 4 ? this.tpr : isrv & 0xf0;
  }

  acknowledge(): number {
    if (this.irr.size === 0) return 0xff;
    const irrv = Math.max(...this.irr);
    if (irrv >> 4 <= this.ppr() >> 4) return 0xff;
    this.irr.delete(irrv);
    this.isr.add(irrv);
    return irrv;
  }

  eoi(): void {
    if (this.isr.size > 0) this.isr.delete(Math.max(...this.isr));
  }
}

describe("vector sets", () => {
  it("agree with a Set<number> on add, delete, has and highest", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 255 })), { maxLength: 200 }),
        (ops) => {
          const set = createVectorSet();
          const reference = new Set<number>();
          for (const [add, vector] of ops) {
            if (add) {
              vectorSetAdd(set, vector);
              reference.add(vector);
            } else {
              vectorSetDelete(set, vector);
              reference.delete(vector);
            }
            expect(vectorSetHas(set, vector)).toBe(reference.has(vector));
            expect(vectorSetHighest(set)).toBe(reference.size === 0 ? -1 : Math.max(...reference));
          }
        },
      ),
    );
  });
});

describe("priority arithmetic", () => {
  it("PPR and APR follow the SDM formulas on examples", () => {
    const irr = createVectorSet();
    const isr = createVectorSet();
    expect(processorPriority(0x25, isr)).toBe(0x25);
    vectorSetAdd(isr, 0x41);
    expect(processorPriority(0x25, isr)).toBe(0x40);
    expect(processorPriority(0x45, isr)).toBe(0x45);
    vectorSetAdd(irr, 0x61);
    expect(arbitrationPriority(0x25, irr, isr)).toBe(0x60);
    expect(arbitrationPriority(0x75, irr, isr)).toBe(0x75);
  });

  it("the LAPIC matches a reference model over random accept / acknowledge / EOI / TPR sequences", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 120 }), (ops) => {
        const lapic = new Lapic({ apicId: 0, clock: new Timeline(1_000_000), bus: new ApicBus() });
        lapic.write32(LAPIC.SVR, 0x1ff);
        const reference = new ReferenceApic();
        for (const op of ops) {
          if (op.kind === "accept") {
            lapic.accept(DELIVERY_MODE.FIXED, op.vector, false);
            reference.irr.add(op.vector);
          } else if (op.kind === "acknowledge") {
            expect(lapic.acknowledge()).toBe(reference.acknowledge());
          } else if (op.kind === "eoi") {
            lapic.write32(LAPIC.EOI, 0);
            reference.eoi();
          } else {
            lapic.write32(LAPIC.TPR, op.value);
            reference.tpr = op.value;
          }
          expect(lapic.read32(LAPIC.PPR)).toBe(reference.ppr());
          for (let vector = 16; vector < 256; vector += 37) {
            expect(vectorSetHas(lapic.isr, vector)).toBe(reference.isr.has(vector));
            expect(vectorSetHas(lapic.irr, vector)).toBe(reference.irr.has(vector));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

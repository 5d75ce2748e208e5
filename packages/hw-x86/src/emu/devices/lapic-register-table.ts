/**
 * The xAPIC register map of a {@link Lapic} as a declarative table
 * (slot = offset >> 4; Intel SDM vol 3 §11.4.1, Table 11-1): for each
 * register, what a read returns and what a write changes.
 *
 * Invariants: read-only registers (version, APR, PPR, RRD, ISR, TMR, IRR,
 * current count) have no `write`; the EOI register reads 0; only the bits the
 * SDM marks writable are kept; reserved bits read as the SDM fixes them
 * (DFR bits 27:0 as ones, everything else as zero).
 */
import { ICR_HIGH_WRITABLE } from "../../arch/lapic-icr";
import { LAPIC, LOGICAL_DESTINATION } from "../../arch/lapic-registers";
import { LAPIC_VERSION_VALUE } from "./apic-registers";
import type { Lapic } from "./lapic";
import { LVT_COUNT } from "./lapic-vector-table";
import { type DeviceAccessCounters, type RegisterSpec, RegisterTable } from "./register-table";
import { VECTOR_SET_WORDS } from "./vector-set";

const SLOT_COUNT = 0x100;
const ID_MASK = 0xff000000;
/** Remote read is a P6/Pentium feature; modern parts read it as 0. */
const RRD_VALUE = 0;

function slot(offset: number): number {
  return offset >>> 4;
}

function vectorSetSpecs(
  name: string,
  base: number,
  set: Uint32Array,
): Array<readonly [number, RegisterSpec]> {
  const specs: Array<readonly [number, RegisterSpec]> = [];
  for (let word = 0; word < VECTOR_SET_WORDS; word++) {
    specs.push([slot(base) + word, { name: `${name}${word}`, read: () => set[word]! }]);
  }
  return specs;
}

function lvtSpecs(lapic: Lapic): Array<readonly [number, RegisterSpec]> {
  const names = ["LVT_TIMER", "LVT_THERMAL", "LVT_PERFORMANCE", "LVT_LINT0", "LVT_LINT1", "LVT_ERROR"];
  const specs: Array<readonly [number, RegisterSpec]> = [];
  for (let index = 0; index < LVT_COUNT; index++) {
    specs.push([
      slot(LAPIC.LVT_TIMER) + index,
      {
        name: names[index]!,
        read: () => lapic.lvt.read(index),
        write: (value) => lapic.lvt.write(index, value),
      },
    ]);
  }
  return specs;
}

/** Builds the register table of `lapic`, counting ignored accesses into `counters`. */
export function buildLapicRegisterTable(lapic: Lapic, counters: DeviceAccessCounters): RegisterTable {
  const state = lapic.state;
  const timer = lapic.timer;
  const specs: Array<readonly [number, RegisterSpec]> = [
    [slot(LAPIC.ID), { name: "ID", read: () => state.id & ID_MASK }],
    [slot(LAPIC.VERSION), { name: "VERSION", read: () => LAPIC_VERSION_VALUE }],
    [
      slot(LAPIC.TPR),
      { name: "TPR", read: () => state.tpr, write: (value) => lapic.writeTaskPriority(value) },
    ],
    [slot(LAPIC.APR), { name: "APR", read: () => lapic.arbitrationPriority() }],
    [slot(LAPIC.PPR), { name: "PPR", read: () => lapic.processorPriority() }],
    [slot(LAPIC.EOI), { name: "EOI", read: () => 0, write: () => lapic.endOfInterrupt() }],
    [slot(LAPIC.RRD), { name: "RRD", read: () => RRD_VALUE }],
    [
      slot(LAPIC.LDR),
      { name: "LDR", read: () => state.ldr, write: (value) => (state.ldr = value & ID_MASK) },
    ],
    [
      slot(LAPIC.DFR),
      {
        name: "DFR",
        read: () => state.dfr,
        write: (value) =>
          (state.dfr =
            ((value & LOGICAL_DESTINATION.DFR_MODEL_MASK) | ~LOGICAL_DESTINATION.DFR_MODEL_MASK) >>> 0),
      },
    ],
    [
      slot(LAPIC.SVR),
      { name: "SVR", read: () => state.svr, write: (value) => lapic.writeSpuriousVector(value) },
    ],
    ...vectorSetSpecs("ISR", LAPIC.ISR_BASE, lapic.isr),
    ...vectorSetSpecs("TMR", LAPIC.TMR_BASE, lapic.tmr),
    ...vectorSetSpecs("IRR", LAPIC.IRR_BASE, lapic.irr),
    [slot(LAPIC.ESR), { name: "ESR", read: () => state.esr, write: () => lapic.writeErrorStatus() }],
    [
      slot(LAPIC.ICR_LOW),
      { name: "ICR_LOW", read: () => state.icrLow, write: (value) => lapic.writeIcrLow(value) },
    ],
    [
      slot(LAPIC.ICR_HIGH),
      {
        name: "ICR_HIGH",
        read: () => state.icrHigh,
        write: (value) => (state.icrHigh = (value & ICR_HIGH_WRITABLE) >>> 0),
      },
    ],
    ...lvtSpecs(lapic),
    [
      slot(LAPIC.TIMER_INITIAL_COUNT),
      {
        name: "TIMER_INITIAL_COUNT",
        read: () => timer.readInitialCount(),
        write: (value) => timer.writeInitialCount(value),
      },
    ],
    [slot(LAPIC.TIMER_CURRENT_COUNT), { name: "TIMER_CURRENT_COUNT", read: () => timer.readCurrentCount() }],
    [
      slot(LAPIC.TIMER_DIVIDE),
      {
        name: "TIMER_DIVIDE",
        read: () => timer.readDivideConfiguration(),
        write: (value) => timer.writeDivideConfiguration(value),
      },
    ],
  ];
  return new RegisterTable(SLOT_COUNT, specs, counters);
}

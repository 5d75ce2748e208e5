/**
 * Priority arithmetic of the local APIC (Intel SDM vol 3 §11.8.3.1): a
 * vector's priority class is bits 7:4; the processor priority (PPR) decides
 * what the CPU may receive, the arbitration priority (APR) decides which
 * LAPIC wins a lowest-priority message.
 *
 * Pure functions over TPR and the IRR/ISR vector sets; nothing allocates.
 */
import { vectorSetHighest } from "./vector-set";

/** Bits 7:4 of a vector or priority: its class. */
export const PRIORITY_CLASS_MASK = 0xf0;

function highestClass(set: Uint32Array): number {
  const vector = vectorSetHighest(set);
  return vector < 0 ? 0 : vector & PRIORITY_CLASS_MASK;
}

/** PPR = TPR if TPR[7:4] ≥ ISRV[7:4], else ISRV[7:4]:0 (ISRV = highest in-service vector). */
export function processorPriority(tpr: number, isr: Uint32Array): number {
  const isrClass = highestClass(isr);
  return (tpr & PRIORITY_CLASS_MASK) >= isrClass ? tpr : isrClass;
}

/** APR = TPR if TPR[7:4] ≥ IRRV[7:4] and TPR[7:4] > ISRV[7:4], else the highest of the three classes. */
export function arbitrationPriority(tpr: number, irr: Uint32Array, isr: Uint32Array): number {
  const irrClass = highestClass(irr);
  const isrClass = highestClass(isr);
  const tprClass = tpr & PRIORITY_CLASS_MASK;
  if (tprClass >= irrClass && tprClass > isrClass) return tpr;
  return Math.max(tprClass, irrClass, isrClass);
}

/** The highest IRR vector whose class is above the PPR's class, or -1 if none may be delivered. */
export function deliverableVector(tpr: number, irr: Uint32Array, isr: Uint32Array): number {
  const vector = vectorSetHighest(irr);
  if (vector < 0) return -1;
  const ppr = processorPriority(tpr, isr);
  return (vector & PRIORITY_CLASS_MASK) > (ppr & PRIORITY_CLASS_MASK) ? vector : -1;
}

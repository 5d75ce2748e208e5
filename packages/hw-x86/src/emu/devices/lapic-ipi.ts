/**
 * Decoding of an ICR write into an APIC-bus message (Intel SDM vol 3
 * §11.6.1): which writes send, which are refused, and with which fields.
 *
 * Rules applied before anything is sent:
 * - INIT with level de-assert (bit 14 clear) only re-synchronises
 *   arbitration IDs on P6-era parts: nothing is sent.
 * - Fixed and lowest-priority IPIs with a vector below 16 are refused and
 *   set ESR "send illegal vector".
 * - SMI, ExtINT and the reserved modes 3 and 7, lowest priority to self or
 *   to all-including-self, and NMI/INIT/SIPI to self are invalid
 *   combinations: refused and counted as unsupported.
 * - Only fixed IPIs may be level-triggered (the trigger bit is ignored
 *   otherwise).
 */
import { APIC_FIELD, DELIVERY_MODE } from "../../arch/apic-fields";
import { ICR, ICR_SHORTHAND } from "../../arch/lapic-icr";
import { ESR } from "../../arch/lapic-registers";
import type { ApicBus, ApicBusTarget } from "./apic-bus";
import type { LapicStats } from "./lapic-types";

const FIRST_LEGAL_VECTOR = 16;

/** What sending needs from the LAPIC. */
export interface IpiSender extends ApicBusTarget {
  readonly stats: LapicStats;
  /** Records an ESR error bit. */
  signalError(bit: number): void;
}

/**
 * Sends the IPI that ICR low word `low` describes from `sender` to
 * `destination` (as the bus carries it: see `busDestination` for xAPIC, the
 * full 32-bit ICR high word in x2APIC mode); see the file header.
 */
export function sendIpi(sender: IpiSender, bus: ApicBus, low: number, destination: number): void {
  const vector = low & APIC_FIELD.VECTOR_MASK;
  const mode = (low & APIC_FIELD.DELIVERY_MODE_MASK) >>> APIC_FIELD.DELIVERY_MODE_SHIFT;
  const shorthand = (low & ICR.SHORTHAND_MASK) >>> ICR.SHORTHAND_SHIFT;
  if (mode === DELIVERY_MODE.INIT && (low & APIC_FIELD.LEVEL_ASSERT) === 0) return;
  if (!isSendable(sender, mode, vector, shorthand)) return;
  sender.stats.ipisSent++;
  const logical = (low & APIC_FIELD.DESTINATION_LOGICAL) !== 0;
  const level = mode === DELIVERY_MODE.FIXED && (low & APIC_FIELD.TRIGGER_LEVEL) !== 0;
  bus.deliver(sender, shorthand, logical, destination, mode, vector, level);
}

function isSendable(sender: IpiSender, mode: number, vector: number, shorthand: number): boolean {
  const fixedLike = mode === DELIVERY_MODE.FIXED || mode === DELIVERY_MODE.LOWEST_PRIORITY;
  if (fixedLike && vector < FIRST_LEGAL_VECTOR) {
    sender.signalError(ESR.SEND_ILLEGAL_VECTOR);
    return false;
  }
  const validMode =
    fixedLike || mode === DELIVERY_MODE.NMI || mode === DELIVERY_MODE.INIT || mode === DELIVERY_MODE.STARTUP;
  const toSelf = shorthand === ICR_SHORTHAND.SELF;
  const lowestToSelf =
    mode === DELIVERY_MODE.LOWEST_PRIORITY && (toSelf || shorthand === ICR_SHORTHAND.ALL_INCLUDING_SELF);
  const invalid = !validMode || lowestToSelf || (toSelf && mode !== DELIVERY_MODE.FIXED);
  if (invalid) sender.stats.unsupported++;
  return !invalid;
}

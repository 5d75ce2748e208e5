/**
 * The APIC bus (on modern parts, the system bus): carries interrupt messages
 * from LAPICs (IPIs through the ICR) and the IOAPIC (redirected IRQs) to the
 * LAPICs that the destination selects, and carries EOI broadcasts from LAPICs
 * back to the IOAPIC.
 *
 * Routing (Intel SDM vol 3 §11.6.2):
 * - Shorthand SELF / ALL_INCLUDING_SELF / ALL_EXCLUDING_SELF select by
 *   sender; NONE uses the destination field.
 * - Physical mode: destination = APIC ID; {@link APIC_PHYSICAL_BROADCAST}
 *   (0xFFFFFFFF; senders turn an xAPIC 0xFF into it) is broadcast.
 * - Logical mode: each LAPIC decides with its LDR and DFR
 *   ({@link ApicBusTarget.matchesLogical}): flat model is a bitmask of
 *   logical IDs, cluster model a cluster in 7:4 plus a bitmask in 3:0.
 * - Lowest priority: among the selected LAPICs, the one with the lowest
 *   arbitration priority; ties go to the one attached first (deterministic,
 *   where hardware is model-specific).
 *
 * Invariants: delivery is synchronous (a message is in the target's IRR when
 * `deliver` returns, so ICR and redirection-entry delivery status always read
 * idle); nothing allocates per message; targets are visited in attach order.
 */
import { DELIVERY_MODE } from "../../arch/apic-fields";
import { ICR_SHORTHAND } from "../../arch/lapic-icr";
import { APIC_PHYSICAL_BROADCAST } from "./apic-registers";

/** What the bus needs from a local APIC. */
export interface ApicBusTarget {
  /** The APIC ID used for physical destinations. */
  readonly apicId: number;
  /** True if this LAPIC's logical ID selects it for logical destination `destination` (8-bit xAPIC or 32-bit x2APIC format, per its mode). */
  matchesLogical(destination: number): boolean;
  /** The arbitration priority used for lowest-priority delivery (SDM vol 3 §11.8.3.1). */
  arbitrationPriority(): number;
  /**
   * Accepts a message: `deliveryMode` is an {@link DELIVERY_MODE} value.
   * Returns `false` if the LAPIC refused it (software-disabled for fixed
   * interrupts, or an unsupported mode).
   */
  accept(deliveryMode: number, vector: number, levelTriggered: boolean): boolean;
}

/** Receives EOI broadcasts for level-triggered vectors (the IOAPIC). */
export interface EoiListener {
  /** A LAPIC completed level-triggered `vector`. */
  endOfInterrupt(vector: number): void;
}

/** Connects LAPICs and IOAPICs; see the file header for routing rules. */
export class ApicBus {
  private readonly targets: ApicBusTarget[] = [];
  private readonly eoiListeners: EoiListener[] = [];
  /** Messages that selected no LAPIC (lost, as on hardware). */
  undeliveredMessages = 0;

  /** Adds a LAPIC; returns `false` (and adds nothing) if its APIC ID is already attached. */
  attachLapic(target: ApicBusTarget): boolean {
    for (const existing of this.targets) if (existing.apicId === target.apicId) return false;
    this.targets.push(target);
    return true;
  }

  /** Adds a receiver of EOI broadcasts. */
  attachEoiListener(listener: EoiListener): void {
    this.eoiListeners.push(listener);
  }

  /** Number of attached LAPICs. */
  get lapicCount(): number {
    return this.targets.length;
  }

  /**
   * Delivers one message. `sender` is the sending LAPIC (`null` for the
   * IOAPIC; required for the SELF and ALL_EXCLUDING_SELF shorthands).
   * Returns the number of LAPICs that accepted it.
   */
  deliver(
    sender: ApicBusTarget | null,
    shorthand: number,
    logical: boolean,
    destination: number,
    deliveryMode: number,
    vector: number,
    levelTriggered: boolean,
  ): number {
    if (deliveryMode === DELIVERY_MODE.LOWEST_PRIORITY) {
      return this.deliverLowestPriority(sender, shorthand, logical, destination, vector, levelTriggered);
    }
    let accepted = 0;
    for (const target of this.targets) {
      if (!this.selects(target, sender, shorthand, logical, destination)) continue;
      if (target.accept(deliveryMode, vector, levelTriggered)) accepted++;
    }
    if (accepted === 0) this.undeliveredMessages++;
    return accepted;
  }

  /** Sends an EOI for level-triggered `vector` to every listener. */
  broadcastEoi(vector: number): void {
    for (const listener of this.eoiListeners) listener.endOfInterrupt(vector);
  }

  private deliverLowestPriority(
    sender: ApicBusTarget | null,
    shorthand: number,
    logical: boolean,
    destination: number,
    vector: number,
    levelTriggered: boolean,
  ): number {
    let chosen: ApicBusTarget | null = null;
    let chosenPriority = 256;
    for (const target of this.targets) {
      if (!this.selects(target, sender, shorthand, logical, destination)) continue;
      const priority = target.arbitrationPriority();
      if (priority < chosenPriority) {
        chosen = target;
        chosenPriority = priority;
      }
    }
    if (chosen?.accept(DELIVERY_MODE.LOWEST_PRIORITY, vector, levelTriggered)) return 1;
    this.undeliveredMessages++;
    return 0;
  }

  private selects(
    target: ApicBusTarget,
    sender: ApicBusTarget | null,
    shorthand: number,
    logical: boolean,
    destination: number,
  ): boolean {
    switch (shorthand) {
      case ICR_SHORTHAND.SELF:
        return target === sender;
      case ICR_SHORTHAND.ALL_INCLUDING_SELF:
        return true;
      case ICR_SHORTHAND.ALL_EXCLUDING_SELF:
        return target !== sender;
      default:
        if (logical) return target.matchesLogical(destination);
        return destination === APIC_PHYSICAL_BROADCAST || destination === target.apicId;
    }
  }
}

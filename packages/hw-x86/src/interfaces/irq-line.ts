/**
 * One interrupt request line from a device to an interrupt controller
 * (an IOAPIC input, a LAPIC LINT pin, or a mock).
 *
 * The device drives the line; the controller decides, by its own
 * programming (edge or level, polarity, mask), what an assertion means.
 * Outcomes:
 * - `raise` on a raised line and `lower` on a lowered line change nothing.
 * - For an edge-triggered input, each low→high transition is one interrupt;
 *   for a level-triggered input, the interrupt stays pending while the line is
 *   high and is re-delivered after EOI if the device still holds it high.
 * - A masked input remembers the line's level but delivers nothing.
 */
export interface IrqLine {
  /** Drives the line high (asserted). */
  raise(): void;
  /** Drives the line low (deasserted). */
  lower(): void;
  /** A high-then-low pulse: one edge for edge-triggered inputs; for level-triggered inputs, nothing stays pending. */
  pulse(): void;
}

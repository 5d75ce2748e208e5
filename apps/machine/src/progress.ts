/**
 * The progress line of a long run on a terminal (stderr): virtual time,
 * guest instructions, processes and host time, redrawn in place at most
 * five times a second once the run has taken a second of host time. Any
 * other output clears it first, so it never mixes with the guest's text.
 * Not used when stderr is not a terminal.
 */
import type { RunProgress } from "./run";

/** Host ms before the line first appears, and between redraws. */
const FIRST_AFTER_MS = 1000;
const REDRAW_MS = 200;

/** A redrawable status line. */
export class Progress {
  private shown = false;
  private lastDrawn = Number.NEGATIVE_INFINITY;

  constructor(private readonly write: (text: string) => void) {}

  /** Redraws the line with `figures` (throttled). */
  update(figures: RunProgress): void {
    if (figures.hostMs < FIRST_AFTER_MS || figures.hostMs - this.lastDrawn < REDRAW_MS) return;
    this.lastDrawn = figures.hostMs;
    const text =
      `tsos-machine: virtual ${(figures.virtualNs / 1e6).toFixed(0)} ms, ` +
      `${(figures.instructions / 1e6).toFixed(1)} M instructions, ${figures.processes} processes, ` +
      `host ${(figures.hostMs / 1000).toFixed(1)} s`;
    this.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  /** Erases the line if it is showing. */
  clear(): void {
    if (!this.shown) return;
    this.write("\r\x1b[2K");
    this.shown = false;
  }
}

/**
 * Errors of `@tsos/ds`.
 *
 * Invariants: operations on a structure never throw for expected outcomes
 * (empty, full, not found are return values: `-1`, `false`, a status code).
 * The only exceptions are for host-programmer input checked at cold edges:
 * a bad buffer handed to `attach`, or parameters out of range in `create`.
 */

/** Thrown by `attach`/`create` when a buffer or a parameter is unusable; the message says why. */
export class DsLayoutError extends Error {
  /** Always `"DsLayoutError"`. */
  override readonly name = "DsLayoutError";
}

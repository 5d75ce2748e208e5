/**
 * The values the hash-table test writers store, shared by the worker and the
 * test that checks the final table (kept apart from the worker file, whose
 * top level runs the worker).
 */

/** Bits of a value below the round number. */
export const ROUND_SHIFT = 16;

/** Mask of the key bits a value carries. */
export const KEY_BITS = (1 << ROUND_SHIFT) - 1;

/** The value writers store for `key` in `round`: round in the high half, key's low bits below. */
export function valueFor(key: number, round: number): number {
  return (round << ROUND_SHIFT) | (key & KEY_BITS);
}

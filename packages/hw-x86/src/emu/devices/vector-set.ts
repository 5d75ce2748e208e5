/**
 * 256-bit vector sets (the LAPIC's IRR, ISR and TMR): eight uint32 words,
 * vector `v` at bit `v & 31` of word `v >> 5`, exactly as the LAPIC lays the
 * registers out at offsets base + 0x10 × word (Intel SDM vol 3 §11.8.4).
 *
 * Invariants: vectors are integers in [0, 255]; no operation allocates.
 */

/** Number of 32-bit words in a vector set. */
export const VECTOR_SET_WORDS = 8;

/** A new empty vector set. */
export function createVectorSet(): Uint32Array {
  return new Uint32Array(VECTOR_SET_WORDS);
}

/** Sets `vector`'s bit. */
export function vectorSetAdd(set: Uint32Array, vector: number): void {
  set[vector >>> 5] = set[vector >>> 5]! | (1 << (vector & 31));
}

/** Clears `vector`'s bit. */
export function vectorSetDelete(set: Uint32Array, vector: number): void {
  set[vector >>> 5] = set[vector >>> 5]! & ~(1 << (vector & 31));
}

/** True if `vector`'s bit is set. */
export function vectorSetHas(set: Uint32Array, vector: number): boolean {
  return (set[vector >>> 5]! & (1 << (vector & 31))) !== 0;
}

/** The highest vector in the set, or -1 when the set is empty. */
export function vectorSetHighest(set: Uint32Array): number {
  for (let word = VECTOR_SET_WORDS - 1; word >= 0; word--) {
    const bits = set[word]!;
    if (bits !== 0) return (word << 5) + 31 - Math.clz32(bits);
  }
  return -1;
}

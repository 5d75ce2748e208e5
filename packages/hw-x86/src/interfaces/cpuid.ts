/**
 * The `cpuid` instruction of one CPU.
 *
 * Outcome: `out` receives EAX, EBX, ECX, EDX (indices {@link CPUID_OUT})
 * as unsigned 32-bit values. A leaf above the maximum the CPU reports
 * (leaf 0 EAX for basic leaves, 0x80000000 EAX for extended ones) returns
 * all zeros. Never throws; allocates nothing.
 */
export interface Cpuid {
  /** Executes `cpuid` with EAX = `leaf`, ECX = `subleaf`. */
  query(leaf: number, subleaf: number, out: Uint32Array): void;
}

/** Indices of the four result registers in the `out` array of {@link Cpuid.query}. */
export const CPUID_OUT = {
  /** EAX result. */
  EAX: 0,
  /** EBX result. */
  EBX: 1,
  /** ECX result. */
  ECX: 2,
  /** EDX result. */
  EDX: 3,
} as const;

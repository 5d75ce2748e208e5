/**
 * Model-specific registers of the calling CPU, as `rdmsr` / `wrmsr` see them
 * at CPL 0.
 *
 * Outcomes, following the SDM: an MSR index the CPU does not implement, or a
 * write that sets reserved bits, raises #GP(0) on hardware; here it is the
 * value `undefined` (read) or `false` (write), and nothing changes.
 * `bigint` is fine at these cold edges; `writeHalves` exists for the one hot
 * write (IA32_TSC_DEADLINE on every tick).
 */
export interface MsrAccess {
  /** `rdmsr`: the 64-bit value, or `undefined` where hardware raises #GP. */
  read(index: number): bigint | undefined;
  /** `wrmsr`: returns `false` (and changes nothing) where hardware raises #GP. */
  write(index: number, value: bigint): boolean;
  /** `wrmsr` with EDX:EAX as two unsigned 32-bit halves; same outcomes as {@link MsrAccess.write}. */
  writeHalves(index: number, low: number, high: number): boolean;
}

/**
 * `MockMmio`: an `MmioRegion` for driver unit tests. Records every access,
 * serves register models or scripted values, and checks expectations
 * (see {@link MockRegisterSpace} for the rules).
 *
 * Default fallback is `memory` (an offset with no handler reads back what was
 * last written, so a plain register file needs no setup); pass
 * `{ fallback: "all-ones" }` to model undecoded offsets as a bus does.
 */
import type { MmioRegion } from "@tsos/hw-x86";
import { type FallbackBehaviour, MockRegisterSpace } from "./mock-register-space";

/** Options of {@link MockMmio}. */
export interface MockMmioOptions {
  /** What an offset without handlers does (default `memory`). */
  readonly fallback?: FallbackBehaviour;
}

/** A recording, scriptable MMIO region. */
export class MockMmio extends MockRegisterSpace implements MmioRegion {
  /** A region of `size` bytes. */
  constructor(size: number, options: MockMmioOptions = {}) {
    super(size, options.fallback ?? "memory");
  }

  /** Reads one byte at `offset`. */
  read8(offset: number): number {
    return this.read(offset, 8);
  }
  /** Reads 16 bits at `offset`. */
  read16(offset: number): number {
    return this.read(offset, 16);
  }
  /** Reads 32 bits at `offset`. */
  read32(offset: number): number {
    return this.read(offset, 32);
  }
  /** Writes 8 bits at `offset`. */
  write8(offset: number, value: number): void {
    this.write(offset, 8, value);
  }
  /** Writes 16 bits at `offset`. */
  write16(offset: number, value: number): void {
    this.write(offset, 16, value);
  }
  /** Writes 32 bits at `offset`. */
  write32(offset: number, value: number): void {
    this.write(offset, 32, value);
  }
}

/**
 * The deliberately naive interrupt path the benchmark compares the fast
 * path against (issue 5): the same handler table, but
 * - EOI through a generic read-modify-write register helper (a read of the
 *   EOI register, a masked merge, then the write), and
 * - statistics in a `Map` keyed by "cpu:vector" strings (plus latency
 *   entries in the same map), allocating a key per interrupt.
 * It is correct, just the way a first version might be written.
 */
import { LAPIC, type MmioRegion, type TrapFrame, type TrapHandler } from "@tsos/hw-x86";
import type { AssertionRecorder } from "../src/index";

/** Generic helper: `register = (register & ~mask) | (value & mask)`, by read then write. */
export function modifyRegister(mmio: MmioRegion, offset: number, mask: number, value: number): void {
  const current = mmio.read32(offset);
  mmio.write32(offset, ((current & ~mask) | (value & mask)) >>> 0);
}

/** Mask of every bit of a 32-bit register. */
export const ALL_BITS = 0xffffffff;

/** The naive dispatcher; see the file header. */
export class NaiveDispatcher implements AssertionRecorder {
  /** Every statistic, by string key. */
  readonly statistics = new Map<string, number>();
  private readonly handlers: (TrapHandler | null)[] = new Array(256).fill(null);

  /**
   * @param lapics each CPU's LAPIC page.
   * @param spuriousVector the SVR spurious vector.
   * @param now virtual time.
   * @param endOfInterrupt how to EOI (default: the read-modify-write helper);
   *   the benchmark swaps in the fast EOI to isolate the cost of the Map.
   */
  constructor(
    lapics: readonly MmioRegion[],
    private readonly spuriousVector: number,
    private readonly now: () => number,
    private readonly endOfInterrupt: (cpu: number) => void = (cpu) =>
      modifyRegister(lapics[cpu]!, LAPIC.EOI, ALL_BITS, 0),
  ) {}

  /** Installs `handler` for `vector`. */
  register(vector: number, handler: TrapHandler): void {
    this.handlers[vector] = handler;
  }

  /** Remembers when `vector` on `cpu` is asserted. */
  noteAssertion(cpu: number, vector: number, cycle: number): void {
    this.statistics.set(`${cpu}:${vector}:asserted`, cycle);
  }

  /** Dispatches one interrupt frame. */
  dispatch(frame: TrapFrame): void {
    const key = `${frame.cpuId}:${frame.vector}`;
    if (frame.vector === this.spuriousVector) {
      this.bump(`${frame.cpuId}:spurious`);
      return;
    }
    this.bump(key);
    this.bump(`${frame.cpuId}:total`);
    const asserted = this.statistics.get(`${key}:asserted`);
    if (asserted !== undefined) {
      this.statistics.delete(`${key}:asserted`);
      const latency = this.now() - asserted;
      this.statistics.set(
        `${frame.cpuId}:latency-sum`,
        (this.statistics.get(`${frame.cpuId}:latency-sum`) ?? 0) + latency,
      );
      this.bump(`${frame.cpuId}:latency-samples`);
    }
    const handler = this.handlers[frame.vector];
    if (handler) handler(frame);
    else this.bump(`${frame.cpuId}:unhandled`);
    this.endOfInterrupt(frame.cpuId);
  }

  private bump(key: string): void {
    this.statistics.set(key, (this.statistics.get(key) ?? 0) + 1);
  }
}

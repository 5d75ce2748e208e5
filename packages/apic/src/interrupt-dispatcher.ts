/**
 * Interrupt dispatch: the vector → handler table, spurious-vector handling,
 * per-CPU statistics and the EOI, for every external and inter-processor
 * interrupt (vectors 32–255) the CPU delivers.
 *
 * The path for one interrupt on CPU `c` with vector `v`:
 * 1. `v` is the spurious vector: count it and return, with NO EOI — the
 *    LAPIC did not set an ISR bit for it (SDM vol 3A §10.9).
 * 2. Count it in CPU `c`'s statistics row (with its latency when the
 *    assertion time is known), call `handlers[v]` (or count it unhandled),
 *    then EOI through CPU `c`'s LAPIC driver: one 32-bit write.
 * Handlers run to completion (the kernel is non-preemptible, DESIGN §3),
 * so the EOI after the handler retires exactly this vector's ISR bit, and a
 * level-triggered line still asserted is re-delivered by the IOAPIC after it.
 *
 * Invariants: the handler table is a plain 256-entry array (no Map); the
 * dispatch path allocates nothing; each CPU writes only its own statistics
 * block; vectors below 32 are exceptions, not interrupts: such frames are
 * counted as misrouted and get no EOI.
 */
import { FIRST_INTERRUPT_VECTOR, type TrapFrame, type TrapHandler, VECTOR_COUNT } from "@tsos/hw-x86";
import { APIC_ERROR, type ApicResult, apicFail, apicOk } from "./errors";
import { type InterruptStatistics, STAT } from "./interrupt-statistics";

/** The one operation dispatch needs from a CPU's LAPIC driver. */
export interface EndOfInterrupt {
  /** Signals EOI for the highest in-service vector. */
  endOfInterrupt(): void;
}

/** Where dispatch reads virtual time for latency (a `Clock` fits). */
export interface CycleSource {
  /** The current virtual time in cycles. */
  now(): number;
}

/** Construction parameters of an {@link InterruptDispatcher}. */
export interface InterruptDispatcherOptions {
  /** LAPIC driver of each CPU, indexed by CPU id (= APIC ID). */
  readonly lapics: readonly EndOfInterrupt[];
  /** Where statistics go; one block per CPU. */
  readonly statistics: InterruptStatistics;
  /** The spurious vector programmed in every LAPIC's SVR. */
  readonly spuriousVector: number;
  /** Virtual time, for latency; without it every latency is "unknown". */
  readonly clock?: CycleSource;
}

/** Vector → handler dispatch; see the file header. */
export class InterruptDispatcher {
  /** The spurious vector (never EOIed). */
  readonly spuriousVector: number;
  /** Statistics, one block per CPU. */
  readonly statistics: InterruptStatistics;
  private readonly handlers: (TrapHandler | null)[];
  private readonly lapics: readonly EndOfInterrupt[];
  private readonly clock: CycleSource | null;

  constructor(options: InterruptDispatcherOptions) {
    if (options.lapics.length !== options.statistics.cpuCount)
      throw new RangeError("InterruptDispatcher: one LAPIC driver per statistics CPU is required");
    this.spuriousVector = options.spuriousVector;
    this.statistics = options.statistics;
    this.lapics = options.lapics;
    this.clock = options.clock ?? null;
    this.handlers = new Array<TrapHandler | null>(VECTOR_COUNT).fill(null);
  }

  /**
   * Installs `handler` for `vector` (32–255, not the spurious vector).
   * Replaces any previous handler; fails with INVALID_VECTOR otherwise.
   */
  register(vector: number, handler: TrapHandler): ApicResult<number> {
    if (!this.isHandlerVector(vector)) {
      return apicFail(
        APIC_ERROR.INVALID_VECTOR,
        `vector ${vector} cannot take an interrupt handler (32..255, not the spurious vector ${this.spuriousVector})`,
      );
    }
    this.handlers[vector] = handler;
    return apicOk(vector);
  }

  /** Removes the handler of `vector`; `false` if there was none. */
  unregister(vector: number): boolean {
    if (!this.isHandlerVector(vector) || this.handlers[vector] === null) return false;
    this.handlers[vector] = null;
    return true;
  }

  /** True if `vector` has a handler. */
  hasHandler(vector: number): boolean {
    return this.isHandlerVector(vector) && this.handlers[vector] !== null;
  }

  /** The trap entry for interrupt vectors: bind it to IDT gates 32–255. Hot path. */
  dispatch(frame: TrapFrame): void {
    const cpu = frame.cpuId;
    const vector = frame.vector;
    const statistics = this.statistics;
    if (vector === this.spuriousVector) {
      statistics.bump(cpu, STAT.SPURIOUS);
      return;
    }
    if (vector < FIRST_INTERRUPT_VECTOR || vector >= VECTOR_COUNT) {
      statistics.bump(cpu, STAT.MISROUTED);
      return;
    }
    statistics.recordDelivery(cpu, vector, this.clock === null ? Number.NaN : this.clock.now());
    const handler = this.handlers[vector]!;
    if (handler === null) statistics.bump(cpu, STAT.UNHANDLED);
    else handler(frame);
    this.lapics[cpu]!.endOfInterrupt();
  }

  private isHandlerVector(vector: number): boolean {
    return (
      Number.isInteger(vector) &&
      vector >= FIRST_INTERRUPT_VECTOR &&
      vector < VECTOR_COUNT &&
      vector !== this.spuriousVector
    );
  }
}

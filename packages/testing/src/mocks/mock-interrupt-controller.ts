/**
 * `MockInterruptController`: an `InterruptController` with the behaviour a
 * kernel's interrupt code must cope with, for unit tests of handlers,
 * drivers and schedulers.
 *
 * Model (a simplified xAPIC + IOAPIC, SDM vol 3 §11.8):
 * - External line `irq` maps to vector `vectorBase + irq` on `targetCpu(irq)`
 *   (CPU 0 by default); each line is edge- or level-triggered.
 * - Each CPU has a pending set (IRR) and an in-service stack (ISR). A pending
 *   vector is delivered when the CPU has interrupts enabled and its priority
 *   class (vector >> 4) is above the class of the innermost in-service
 *   vector: a higher class arriving inside a handler NESTS, a lower or equal
 *   one waits for the EOI.
 * - Delivery calls the handler registered for the vector synchronously,
 *   with interrupts disabled on that CPU as an interrupt gate does (SDM vol 3
 *   §6.12.1.3); a handler that re-enables them (`setInterruptsEnabled`) can
 *   be nested into. On return the previous state is restored and whatever
 *   became deliverable is delivered. `endOfInterrupt(cpu)` retires the
 *   innermost in-service vector; a level-triggered line still high at EOI is
 *   delivered again.
 * - Masked lines remember their level; an edge while masked is lost (as on
 *   the IOAPIC), a level still high at unmask is delivered.
 * - A spurious interrupt (`raiseSpurious`) calls the spurious vector's
 *   handler WITHOUT entering service: the handler must not EOI it.
 * Mistakes it records instead of hiding: an EOI with nothing in service
 * (`unexpectedEois`), a handler returning without its EOI while the test
 * requires one (`assertAllEoied`), a vector with no handler (`unhandled`),
 * and an interrupt storm (a level line nobody lowers): more than
 * `stormLimit` deliveries in one dispatch throw an Error instead of hanging.
 */
import type { InterruptController, IrqLine } from "@tsos/hw-x86";

/** Trigger mode of an external line. */
export type TriggerMode = "edge" | "level";

/** A vector handler: `cpu` received `vector` (nesting depth 1 = outermost). */
export type VectorHandler = (cpu: number, vector: number, depth: number) => void;

/** One delivery, in order. */
export interface Delivery {
  readonly cpu: number;
  readonly vector: number;
  /** In-service depth while its handler ran (1 = not nested). */
  readonly depth: number;
  readonly spurious: boolean;
}

/** Options of {@link MockInterruptController}. */
export interface MockInterruptControllerOptions {
  /** CPUs (default 1). */
  readonly cpuCount?: number;
  /** External lines (default 24, as one IOAPIC). */
  readonly irqCount?: number;
  /** Vector of IRQ 0 (default 32, the first non-exception vector). */
  readonly vectorBase?: number;
  /** Spurious-interrupt vector (default 0xff, the SVR reset value's vector field). */
  readonly spuriousVector?: number;
  /** Deliveries in one dispatch after which a storm is reported by throwing (default 10000). */
  readonly stormLimit?: number;
}

/** Lowest vector an IPI may use: 0–15 are reserved (SDM vol 3 §11.5.2, illegal vector). */
const FIRST_VALID_VECTOR = 16;
/** Priority class of a vector: bits 7:4 (SDM vol 3 §11.8.3). */
const PRIORITY_CLASS_SHIFT = 4;

interface CpuState {
  readonly pending: Set<number>;
  readonly inService: number[];
  interruptsEnabled: boolean;
}

interface LineState {
  trigger: TriggerMode;
  masked: boolean;
  high: boolean;
  targetCpu: number;
}

/** The recording interrupt controller. */
export class MockInterruptController implements InterruptController {
  readonly cpuCount: number;
  readonly irqCount: number;
  readonly vectorBase: number;
  readonly spuriousVector: number;
  readonly stormLimit: number;
  /** Every delivery, in order. */
  readonly deliveries: Delivery[] = [];
  /** Every EOI: the CPU and the vector it retired. */
  readonly eois: { readonly cpu: number; readonly vector: number }[] = [];
  /** EOIs with nothing in service (a handler EOI'd twice, or EOI'd a spurious interrupt). */
  readonly unexpectedEois: number[] = [];
  /** Every mask / unmask call on a valid IRQ, in order. */
  readonly maskLog: { readonly irq: number; readonly masked: boolean }[] = [];
  /** Every accepted IPI. */
  readonly ipis: { readonly targetCpu: number; readonly vector: number }[] = [];
  /** Vectors delivered with no handler registered. */
  readonly unhandled: Delivery[] = [];
  private readonly cpus: CpuState[];
  private readonly lines: LineState[];
  private readonly handlers = new Map<number, VectorHandler>();

  constructor(options: MockInterruptControllerOptions = {}) {
    this.cpuCount = options.cpuCount ?? 1;
    this.irqCount = options.irqCount ?? 24;
    this.vectorBase = options.vectorBase ?? 32;
    this.spuriousVector = options.spuriousVector ?? 0xff;
    this.stormLimit = options.stormLimit ?? 10_000;
    const newCpu = (): CpuState => ({ pending: new Set<number>(), inService: [], interruptsEnabled: true });
    const newLine = (): LineState => ({ trigger: "edge", masked: false, high: false, targetCpu: 0 });
    this.cpus = Array.from({ length: this.cpuCount }, newCpu);
    this.lines = Array.from({ length: this.irqCount }, newLine);
  }

  /** Registers the handler for `vector` (replacing any). */
  onVector(vector: number, handler: VectorHandler): this {
    this.handlers.set(vector, handler);
    return this;
  }

  /** Configures line `irq`: trigger mode and target CPU. Throws `RangeError` for an unknown IRQ or CPU (a test bug). */
  configureIrq(irq: number, config: { trigger?: TriggerMode; targetCpu?: number }): this {
    const line = this.lineOrThrow(irq);
    if (config.targetCpu !== undefined) this.cpuOrThrow(config.targetCpu);
    line.trigger = config.trigger ?? line.trigger;
    line.targetCpu = config.targetCpu ?? line.targetCpu;
    return this;
  }

  /** The `IrqLine` a device model drives for `irq`. */
  line(irq: number): IrqLine {
    this.lineOrThrow(irq);
    return {
      raise: () => this.setLevel(irq, true),
      lower: () => this.setLevel(irq, false),
      pulse: () => {
        this.setLevel(irq, true);
        this.setLevel(irq, false);
      },
    };
  }

  /** Vector that line `irq` delivers. */
  vectorOf(irq: number): number {
    return this.vectorBase + irq;
  }

  /** Enables or disables delivery on `cpu` (RFLAGS.IF); enabling delivers what is pending. */
  setInterruptsEnabled(cpu: number, enabled: boolean): void {
    this.cpuOrThrow(cpu).interruptsEnabled = enabled;
    if (enabled) this.dispatch(cpu);
  }

  /** Makes `vector` pending on `cpu` directly (an MSI, or a test shortcut) and delivers if possible. */
  inject(cpu: number, vector: number): void {
    this.cpuOrThrow(cpu).pending.add(vector);
    this.dispatch(cpu);
  }

  /** Delivers a spurious interrupt on `cpu`: its handler runs, nothing enters service. */
  raiseSpurious(cpu: number): void {
    const state = this.cpuOrThrow(cpu);
    this.run({ cpu, vector: this.spuriousVector, depth: state.inService.length + 1, spurious: true });
    this.dispatch(cpu);
  }

  /** Vectors in service on `cpu`, outermost first. */
  inService(cpu: number): readonly number[] {
    return this.cpuOrThrow(cpu).inService;
  }

  /** Vectors pending (not yet delivered) on `cpu`, ascending. */
  pending(cpu: number): number[] {
    return [...this.cpuOrThrow(cpu).pending].sort((left, right) => left - right);
  }

  /** Deepest nesting seen so far. */
  get maxDepth(): number {
    return this.deliveries.reduce((deepest, delivery) => Math.max(deepest, delivery.depth), 0);
  }

  /** Throws if any vector is still in service (a handler that never EOI'd) or any EOI was unexpected. */
  assertAllEoied(): void {
    const missing = this.cpus.flatMap((state, cpu) =>
      state.inService.map((vector) => `cpu ${cpu} vector ${vector}`),
    );
    const problems: string[] = [];
    if (missing.length > 0) problems.push(`missing EOI for: ${missing.join(", ")}`);
    if (this.unexpectedEois.length > 0) {
      problems.push(`EOI with nothing in service on cpu ${this.unexpectedEois.join(", ")}`);
    }
    if (problems.length > 0) throw new Error(problems.join("; "));
  }

  endOfInterrupt(cpu: number): void {
    const state = this.cpus[cpu];
    if (!state) return;
    const vector = state.inService.pop();
    if (vector === undefined) {
      this.unexpectedEois.push(cpu);
      return;
    }
    this.eois.push({ cpu, vector });
    this.redeliverLevel(vector);
    this.dispatch(cpu);
  }

  maskIrq(irq: number): boolean {
    const line = this.lines[irq];
    if (!line) return false;
    line.masked = true;
    this.maskLog.push({ irq, masked: true });
    return true;
  }

  unmaskIrq(irq: number): boolean {
    const line = this.lines[irq];
    if (!line) return false;
    line.masked = false;
    this.maskLog.push({ irq, masked: false });
    if (line.trigger === "level" && line.high) this.inject(line.targetCpu, this.vectorOf(irq));
    return true;
  }

  sendIpi(targetCpu: number, vector: number): boolean {
    if (!this.cpus[targetCpu] || !Number.isInteger(vector) || vector < FIRST_VALID_VECTOR || vector > 0xff) {
      return false;
    }
    this.ipis.push({ targetCpu, vector });
    this.inject(targetCpu, vector);
    return true;
  }

  private setLevel(irq: number, high: boolean): void {
    const line = this.lines[irq]!;
    const rising = high && !line.high;
    line.high = high;
    if (line.masked) return;
    if (rising || (high && line.trigger === "level")) this.inject(line.targetCpu, this.vectorOf(irq));
  }

  private redeliverLevel(vector: number): void {
    const irq = vector - this.vectorBase;
    const line = this.lines[irq];
    if (line && line.trigger === "level" && line.high && !line.masked)
      this.cpus[line.targetCpu]!.pending.add(vector);
  }

  /** Delivers, highest vector first, every pending vector whose class beats the in-service one. */
  private dispatch(cpu: number): void {
    const state = this.cpus[cpu]!;
    for (let delivered = 0; ; delivered++) {
      if (!state.interruptsEnabled || state.pending.size === 0) return;
      if (delivered === this.stormLimit) {
        throw new Error(
          `interrupt storm on cpu ${cpu}: ${delivered} deliveries in one dispatch (a level line never lowered?)`,
        );
      }
      const vector = Math.max(...state.pending);
      const current = state.inService[state.inService.length - 1];
      if (current !== undefined && vector >> PRIORITY_CLASS_SHIFT <= current >> PRIORITY_CLASS_SHIFT) return;
      state.pending.delete(vector);
      state.inService.push(vector);
      this.run({ cpu, vector, depth: state.inService.length, spurious: false });
    }
  }

  /** Runs a handler as through an interrupt gate: IF cleared for its duration, then restored. */
  private run(delivery: Delivery): void {
    this.deliveries.push(delivery);
    const handler = this.handlers.get(delivery.vector);
    if (!handler) {
      this.unhandled.push(delivery);
      return;
    }
    const state = this.cpus[delivery.cpu]!;
    const enabledBefore = state.interruptsEnabled;
    state.interruptsEnabled = false;
    try {
      handler(delivery.cpu, delivery.vector, delivery.depth);
    } finally {
      state.interruptsEnabled = enabledBefore;
    }
  }

  private cpuOrThrow(cpu: number): CpuState {
    const state = this.cpus[cpu];
    if (!state) throw new RangeError(`MockInterruptController: no cpu ${cpu}`);
    return state;
  }

  private lineOrThrow(irq: number): LineState {
    const line = this.lines[irq];
    if (!line) throw new RangeError(`MockInterruptController: no irq ${irq}`);
    return line;
  }
}

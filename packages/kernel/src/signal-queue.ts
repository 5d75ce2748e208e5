/**
 * Pending signals (signal(7)): a set per thread (tgkill, faults) and one per
 * process shared by its threads (kill), each a 64-bit mask in two halves plus,
 * per pending signal, the queued siginfo records.
 *
 * The siginfo records live in guest physical memory, in the kernel's
 * `sigqueue` slab cache (`@tsos/mm`), as Linux keeps its `struct sigqueue`s
 * in a slab: queued signals cost the machine memory, show in the slab
 * statistics, and a leak shows as objects still in use. A record's
 * address is its handle; 0 stands for a signal whose record could not be
 * allocated (it is still delivered, with a siginfo naming only the signal,
 * as Linux does when `__sigqueue_alloc` fails).
 *
 * Coalescing, as Linux's: a standard signal (1–31) already pending in a set
 * is not queued again; realtime signals (32–64) queue every instance, up to
 * RLIMIT_SIGPENDING records per process, beyond which they are dropped.
 */
import type { FrameAllocator, PhysicalMemory } from "@tsos/hw-x86";
import { type FrameOwnerTable, SlabCache } from "@tsos/mm";

/** Size of a siginfo record (`siginfo_t`). */
export const SIGINFO_SIZE = 128;
/** First realtime signal (SIGRTMIN as the kernel numbers it). */
export const SIGRTMIN = 32;

/** The bit of `signal` (1..64) in the low (1–32) or high (33–64) half of a mask. */
export function signalBit(signal: number): number {
  return (1 << ((signal - 1) & 31)) >>> 0;
}

/** True when `signal` is in the mask (low, high). */
export function inMask(low: number, high: number, signal: number): boolean {
  return ((signal <= 32 ? low : high) & signalBit(signal)) !== 0;
}

/** The siginfo records' slab cache over guest physical memory. */
export class SigInfoStore {
  readonly cache: SlabCache;

  constructor(
    private readonly memory: PhysicalMemory,
    frames: FrameAllocator,
    owners: FrameOwnerTable,
  ) {
    this.cache = new SlabCache({ name: "sigqueue", objectSize: SIGINFO_SIZE, frames, owners, align: 8 });
  }

  /** Stores a copy of `info` (128 bytes): its address, or 0 when no memory is left. */
  store(info: Uint8Array): number {
    const address = this.cache.allocate(0);
    if (address < 0) return 0;
    this.memory.bytes(address, SIGINFO_SIZE).set(info.subarray(0, SIGINFO_SIZE));
    return address;
  }

  /** Copies the record at `address` into `into` (a zeroed record naming `signal` for address 0). */
  load(address: number, signal: number, into: Uint8Array): void {
    if (address === 0) {
      into.fill(0, 0, SIGINFO_SIZE);
      new DataView(into.buffer, into.byteOffset).setInt32(0, signal, true);
      return;
    }
    into.set(this.memory.bytes(address, SIGINFO_SIZE));
  }

  /** Frees a record (address 0 is nothing). */
  free(address: number): void {
    if (address !== 0) this.cache.free(address, 0);
  }

  /** Records in use (queued signals). */
  get inUse(): number {
    return this.cache.objectsInUse;
  }
}

/** One set of pending signals with their queued siginfo records. */
export class PendingSignals {
  low = 0;
  high = 0;
  /** Queued record addresses per signal (index = signal); non-empty exactly when the signal's bit is set. */
  private readonly queues: number[][] = [];

  /** True when `signal` is pending here. */
  has(signal: number): boolean {
    return inMask(this.low, this.high, signal);
  }

  /** True when nothing is pending. */
  get empty(): boolean {
    return this.low === 0 && this.high === 0;
  }

  /** Queues a record for `signal` (the caller applied coalescing). */
  add(signal: number, record: number): void {
    let queue = this.queues[signal];
    if (queue === undefined) {
      queue = [];
      this.queues[signal] = queue;
    }
    queue.push(record);
    if (signal <= 32) this.low = (this.low | signalBit(signal)) >>> 0;
    else this.high = (this.high | signalBit(signal)) >>> 0;
  }

  /** Takes the oldest record of `signal` (which must be pending); the bit clears with the last one. */
  take(signal: number): number {
    const queue = this.queues[signal]!;
    const record = queue.shift()!;
    if (queue.length === 0) this.clearBit(signal);
    return record;
  }

  /** Drops every instance of `signal`, freeing its records into `store`; returns how many there were. */
  discard(signal: number, store: SigInfoStore): number {
    const queue = this.queues[signal];
    if (queue === undefined || queue.length === 0) return 0;
    const count = queue.length;
    for (const record of queue) store.free(record);
    queue.length = 0;
    this.clearBit(signal);
    return count;
  }

  /** Drops everything (exit, or a fork child's fresh set); returns the realtime instances dropped. */
  clear(store: SigInfoStore): number {
    let realtime = 0;
    for (let signal = 1; signal < this.queues.length; signal++) {
      const dropped = this.discard(signal, store);
      if (signal >= SIGRTMIN) realtime += dropped;
    }
    return realtime;
  }

  /** Records queued here. */
  get queued(): number {
    let count = 0;
    for (const queue of this.queues) count += queue?.length ?? 0;
    return count;
  }

  /**
   * The signal to deliver first among those pending and not in the mask
   * (low, high): a synchronous one (SIGSEGV, SIGBUS, SIGILL, SIGTRAP,
   * SIGFPE, SIGSYS) before the others, then the lowest number, as Linux's
   * next_signal. 0 when none.
   */
  next(maskLow: number, maskHigh: number): number {
    const low = (this.low & ~maskLow) >>> 0;
    if (low !== 0) {
      const synchronous = low & SYNCHRONOUS_MASK;
      const bits = synchronous !== 0 ? synchronous : low;
      return 32 - Math.clz32(bits & -bits);
    }
    const high = (this.high & ~maskHigh) >>> 0;
    if (high !== 0) return 64 - Math.clz32(high & -high);
    return 0;
  }

  private clearBit(signal: number): void {
    if (signal <= 32) this.low = (this.low & ~signalBit(signal)) >>> 0;
    else this.high = (this.high & ~signalBit(signal)) >>> 0;
  }
}

/** SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS. */
const SYNCHRONOUS_MASK =
  signalBit(4) | signalBit(5) | signalBit(7) | signalBit(8) | signalBit(11) | signalBit(31);

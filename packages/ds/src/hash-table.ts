/**
 * {@link HashTable}: an open-addressing hash table of Int32 keys and Int32
 * values in a SharedArrayBuffer, with linear probing, a power-of-two
 * capacity (index = hash & mask), lock-free reads and lock-free concurrent
 * inserts, updates and deletes.
 *
 * Layout (Int32 words): header line [capacity, maxUsed]; USED (own cache
 * line: slots whose key has been claimed); then `capacity` slots of two
 * words [key, value], key and value on the same cache line.
 *
 * Reserved values: {@link HASH_EMPTY_KEY} marks a never-used slot and cannot
 * be a key; {@link HASH_ABSENT} marks "no value" and cannot be a value.
 *
 * Memory-ordering argument (all slot accesses are SC `Atomics`):
 * 1. During concurrent use a key word only ever changes EMPTY -> k, by CAS.
 *    Keys are never removed or moved, so a slot a prober has seen holding
 *    another key holds it forever.
 * 2. Hence a key occupies at most one slot: two inserters of k follow the
 *    same probe sequence; whichever CAS wins claims slot s; the other cannot
 *    pass s (it would have to see s hold a key other than k, contradicting 1),
 *    so it reads k at s, or its CAS at s fails returning k, and it updates s.
 * 3. The value is written after the key is claimed, so a reader can see the
 *    key with value ABSENT: it reports a miss, which is correct, since the
 *    insert takes effect (linearises) at its value store. Updates and deletes
 *    are one `Atomics.exchange` on the value word, so operations on one key
 *    are totally ordered and a reader sees either the old or the new value.
 * 4. A probe ends at the key, at an EMPTY key word (the key cannot be further
 *    on: it would have been inserted into this empty slot or earlier), or after
 *    `capacity` slots.
 *
 * Tombstones: a delete stores HASH_ABSENT in the value and keeps the key, so
 * the slot still continues probe chains (a tombstone) and a re-insert of the
 * same key reuses it. Tombstones are not reused by OTHER keys while threads
 * may run concurrently: that would break point 1 and allow duplicate keys.
 * {@link HashTable.compact} drops them when the caller has exclusive access.
 *
 * Load limit: an insert reserves a slot in USED before claiming an EMPTY
 * slot; past `maxUsed` it returns {@link HASH_SET.FULL} instead of probing
 * further, so at least `capacity - maxUsed` slots stay EMPTY and every probe
 * terminates. (Under contention a reservation in flight can make another
 * insert report FULL a few slots early.)
 */
import { DsLayoutError } from "./errors";
import {
  CACHE_LINE_WORDS,
  createStructureBuffer,
  readStructureHeader,
  requireInteger,
  requirePowerOfTwo,
  STRUCTURE_KIND,
} from "./layout-header";

/** Key word of a never-used slot; not a valid key (the Int32 minimum). */
export const HASH_EMPTY_KEY = -(2 ** 31);

/** Value word meaning "no value"; `get` returns it on a miss, and it is not a valid value (the Int32 minimum). */
export const HASH_ABSENT = -(2 ** 31);

/** Outcomes of {@link HashTable.set}. */
export const HASH_SET = {
  /** The key was rejected ({@link HASH_EMPTY_KEY}) or the value was {@link HASH_ABSENT}. */
  INVALID: -1,
  /** No room: the load limit is reached. Nothing changed. */
  FULL: 0,
  /** The key had no value before. */
  INSERTED: 1,
  /** The key's value was replaced. */
  UPDATED: 2,
} as const;

/** One of the {@link HASH_SET} values. */
export type HashSetResult = (typeof HASH_SET)[keyof typeof HASH_SET];

/** Options of {@link HashTable.create}. */
export interface HashTableOptions {
  /** Slots, a power of two in [4, 2^26]. */
  readonly capacity: number;
  /** Fraction of slots that may hold keys (tombstones included) before `set` reports FULL; default 0.75, below 1. */
  readonly maxLoadFactor?: number;
}

const USED = CACHE_LINE_WORDS;
const FIRST_SLOT = 2 * CACHE_LINE_WORDS;
const MAX_SLOTS = 2 ** 26;
/** The two multipliers of MurmurHash3's 32-bit finaliser `fmix32`. */
const FMIX_MULTIPLIERS = [0x85ebca6b, 0xc2b2ae35] as const;

/** MurmurHash3 `fmix32`: spreads every key bit over the low bits the mask keeps. */
export function hashInt32(key: number): number {
  let hash = key ^ (key >>> 16);
  hash = Math.imul(hash, FMIX_MULTIPLIERS[0]);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, FMIX_MULTIPLIERS[1]);
  return hash ^ (hash >>> 16);
}

function byteLengthFor(capacity: number): number {
  return (FIRST_SLOT + 2 * capacity) * Int32Array.BYTES_PER_ELEMENT;
}

/** Concurrent Int32 -> Int32 hash table; see the file header for the protocol. */
export class HashTable {
  /** The buffer to hand to other threads. */
  readonly buffer: SharedArrayBuffer;
  /** Number of slots. */
  readonly capacity: number;
  /** Slots that may hold keys before `set` reports FULL. */
  readonly maxUsed: number;
  private readonly words: Int32Array;
  private readonly mask: number;

  private constructor(buffer: SharedArrayBuffer, capacity: number, maxUsed: number) {
    this.buffer = buffer;
    this.capacity = capacity;
    this.maxUsed = maxUsed;
    this.words = new Int32Array(buffer);
    this.mask = capacity - 1;
  }

  /** Allocates an empty table. Throws {@link DsLayoutError} on bad options. */
  static create(options: HashTableOptions): HashTable {
    requirePowerOfTwo("HashTable capacity", options.capacity, 4, MAX_SLOTS);
    const factor = options.maxLoadFactor ?? 0.75;
    const maxUsed = Math.floor(options.capacity * factor);
    requireInteger("HashTable maxLoadFactor × capacity", maxUsed, 1, options.capacity - 1);
    const buffer = createStructureBuffer(STRUCTURE_KIND.HASH_TABLE, byteLengthFor(options.capacity), [
      options.capacity,
      maxUsed,
    ]);
    const table = new HashTable(buffer, options.capacity, maxUsed);
    table.clearSlots();
    return table;
  }

  /** Attaches to a table created in another thread. Throws {@link DsLayoutError} if `buffer` holds none. */
  static attach(buffer: unknown): HashTable {
    const [capacity = 0, maxUsed = 0] = readStructureHeader(buffer, STRUCTURE_KIND.HASH_TABLE);
    requirePowerOfTwo("HashTable capacity", capacity, 4, MAX_SLOTS);
    requireInteger("HashTable maxUsed", maxUsed, 1, capacity - 1);
    const shared = buffer as SharedArrayBuffer;
    if (shared.byteLength !== byteLengthFor(capacity)) {
      throw new DsLayoutError("attach hash-table: byte length does not match its capacity");
    }
    return new HashTable(shared, capacity, maxUsed);
  }

  /** Key slots in use, tombstones included (a snapshot). */
  usedSlots(): number {
    return Atomics.load(this.words, USED);
  }

  /** The value of `key`, or {@link HASH_ABSENT} when it has none. Lock-free, never writes. */
  get(key: number): number {
    const slot = this.findSlot(key);
    return slot < 0 ? HASH_ABSENT : Atomics.load(this.words, slot + 1);
  }

  /** Whether `key` has a value. */
  has(key: number): boolean {
    return this.get(key) !== HASH_ABSENT;
  }

  /** Inserts or updates `key`; returns a {@link HASH_SET} outcome. */
  set(key: number, value: number): HashSetResult {
    if (key === HASH_EMPTY_KEY || value === HASH_ABSENT) return HASH_SET.INVALID;
    const words = this.words;
    let index = hashInt32(key) & this.mask;
    for (let probe = 0; probe < this.capacity; probe++) {
      const slot = FIRST_SLOT + 2 * index;
      let slotKey = Atomics.load(words, slot);
      if (slotKey === HASH_EMPTY_KEY) {
        if (Atomics.add(words, USED, 1) >= this.maxUsed) {
          Atomics.sub(words, USED, 1);
          return HASH_SET.FULL;
        }
        slotKey = Atomics.compareExchange(words, slot, HASH_EMPTY_KEY, key);
        if (slotKey === HASH_EMPTY_KEY) slotKey = key;
        else Atomics.sub(words, USED, 1);
      }
      if (slotKey === key) {
        return Atomics.exchange(words, slot + 1, value) === HASH_ABSENT
          ? HASH_SET.INSERTED
          : HASH_SET.UPDATED;
      }
      index = (index + 1) & this.mask;
    }
    return HASH_SET.FULL;
  }

  /** Removes `key`'s value (leaving a tombstone); true if it had one. */
  delete(key: number): boolean {
    const slot = this.findSlot(key);
    return slot >= 0 && Atomics.exchange(this.words, slot + 1, HASH_ABSENT) !== HASH_ABSENT;
  }

  /** Word index of `key`'s slot, or -1 if the key was never inserted. */
  private findSlot(key: number): number {
    if (key === HASH_EMPTY_KEY) return -1;
    const words = this.words;
    let index = hashInt32(key) & this.mask;
    for (let probe = 0; probe < this.capacity; probe++) {
      const slot = FIRST_SLOT + 2 * index;
      const slotKey = Atomics.load(words, slot);
      if (slotKey === key) return slot;
      if (slotKey === HASH_EMPTY_KEY) return -1;
      index = (index + 1) & this.mask;
    }
    return -1;
  }

  /** Calls `visit` for each key with a value (a weakly consistent scan; cold path). */
  forEach(visit: (key: number, value: number) => void): void {
    for (let index = 0; index < this.capacity; index++) {
      const slot = FIRST_SLOT + 2 * index;
      const key = Atomics.load(this.words, slot);
      const value = Atomics.load(this.words, slot + 1);
      if (key !== HASH_EMPTY_KEY && value !== HASH_ABSENT) visit(key, value);
    }
  }

  /** Keys with a value (a scan; cold path). */
  count(): number {
    let live = 0;
    this.forEach(() => {
      live++;
    });
    return live;
  }

  /**
   * Drops tombstones by rebuilding the table in place. EXCLUSIVE: the caller
   * must ensure no other thread uses the table meanwhile. Allocates a copy of
   * the live entries (cold path).
   */
  compact(): void {
    const live: number[] = [];
    this.forEach((key, value) => {
      live.push(key, value);
    });
    this.clearSlots();
    for (let index = 0; index < live.length; index += 2) this.set(live[index]!, live[index + 1]!);
  }

  private clearSlots(): void {
    for (let index = 0; index < this.capacity; index++) {
      this.words[FIRST_SLOT + 2 * index] = HASH_EMPTY_KEY;
      this.words[FIRST_SLOT + 2 * index + 1] = HASH_ABSENT;
    }
    Atomics.store(this.words, USED, 0);
  }
}

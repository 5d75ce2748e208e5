/**
 * A set of CPU ids (a task's affinity, sched_setaffinity(2)'s mask), as
 * 32-bit words so any CPU count works without `bigint`.
 *
 * Invariant: an "all CPUs" set answers true for every id; a built set
 * answers true exactly for the ids added.
 */
const WORD_BITS = 32;

/** An immutable set of CPU ids. */
export class CpuSet {
  private constructor(
    private readonly words: Uint32Array,
    private readonly everything: boolean,
  ) {}

  /** Every CPU. */
  static all(): CpuSet {
    return ALL;
  }

  /** Exactly `cpus` (throws RangeError for a negative or non-integer id, or an empty set). */
  static of(...cpus: number[]): CpuSet {
    if (cpus.length === 0) throw new RangeError("CpuSet.of: an affinity needs at least one CPU");
    let highest = 0;
    for (const cpu of cpus) {
      if (!Number.isInteger(cpu) || cpu < 0) throw new RangeError(`CpuSet: ${cpu} is not a CPU id`);
      highest = Math.max(highest, cpu);
    }
    const words = new Uint32Array(Math.floor(highest / WORD_BITS) + 1);
    for (const cpu of cpus) words[Math.floor(cpu / WORD_BITS)]! |= 1 << (cpu % WORD_BITS);
    return new CpuSet(words, false);
  }

  /** True when `cpu` is in the set. */
  has(cpu: number): boolean {
    if (this.everything) return true;
    const word = Math.floor(cpu / WORD_BITS);
    return word < this.words.length && (this.words[word]! & (1 << (cpu % WORD_BITS))) !== 0;
  }

  /** The members below `cpuCount`, ascending. */
  members(cpuCount: number): number[] {
    const out: number[] = [];
    for (let cpu = 0; cpu < cpuCount; cpu++) if (this.has(cpu)) out.push(cpu);
    return out;
  }

  /** "all" or the ids, for reports. */
  toString(): string {
    if (this.everything) return "all";
    return this.members(this.words.length * WORD_BITS).join(",");
  }
}

const ALL = new (CpuSet as unknown as new (words: Uint32Array, everything: boolean) => CpuSet)(
  new Uint32Array(0),
  true,
);

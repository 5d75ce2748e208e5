/**
 * {@link TreiberStack}: a lock-free LIFO stack of fixed-size nodes in a
 * SharedArrayBuffer, with its own lock-free free list of nodes.
 *
 * Layout (Int32 words): header line; TOP (own cache line); FREE_TOP (own
 * cache line); NEXT[capacity] (the link of each node); then the node data,
 * `nodeWords` words per node, from the next cache-line boundary.
 *
 * Tagged tops. TOP and FREE_TOP each hold one Int32: the low `indexBits` bits
 * are a node reference (node index + 1, 0 = empty list), the high
 * `32 - indexBits` bits a generation tag. Every successful pop increments the
 * tag; pushes keep it.
 *
 * ABA argument. A pop reads TOP = (tag t, node A), reads NEXT[A] = B, and
 * CASes TOP from (t, A) to (t + 1, B). The classic ABA failure is: meanwhile
 * A is popped, B is popped, A is pushed back, and the stale CAS succeeds,
 * installing B, which is no longer on the stack. In that scenario A left the
 * top by a pop, so the tag moved on to t + k (k >= 1 pops) and the stale CAS
 * fails, unless exactly a multiple of 2^(32 - indexBits) pops happened while
 * the thread was between its load and its CAS and A is on top again. With
 * capacity <= 65535 the tag has at least 16 bits, so that needs >= 65536 pops
 * during a window of a few instructions (a preempted thread could in
 * principle see it: the guarantee is probabilistic, as for every bounded tag).
 * Pushes need no tag: a push CAS (t, A) -> (t, N) with NEXT[N] = A is correct
 * whenever TOP still equals (t, A), and TOP cannot return to (t, A) without
 * a pop in between. A NEXT word read from a node that was concurrently
 * reused may be stale, but then TOP changed and the CAS fails; NEXT only
 * ever holds valid references, so the stale value is harmless.
 *
 * Memory ordering: node data is written with plain stores before the push
 * CAS, and read after the pop CAS (both SC atomics), so data written by the
 * pusher happens-before reads by the popper.
 *
 * Invariants (when no operation is in flight): every node is on exactly one
 * of the two lists or held by a caller between allocate/push or pop/release;
 * neither list has a cycle. {@link TreiberStack.inspect} checks them.
 */
import { DsLayoutError } from "./errors";
import {
  CACHE_LINE_WORDS,
  createStructureBuffer,
  readStructureHeader,
  requireInteger,
  STRUCTURE_KIND,
} from "./layout-header";

/** Options of {@link TreiberStack.create}. */
export interface TreiberStackOptions {
  /** Nodes, 1..65535 (keeps a tag of at least 16 bits). */
  readonly capacity: number;
  /** 32-bit words of payload per node, 1..1024 (default 1). */
  readonly nodeWords?: number;
}

/** What {@link TreiberStack.inspect} found. */
export interface TreiberStackReport {
  /** Nodes on the stack, top first. */
  readonly stack: number[];
  /** Nodes on the free list. */
  readonly free: number[];
  /** First broken invariant (a cycle, a node on both lists), or undefined. */
  readonly problem: string | undefined;
}

const TOP = CACHE_LINE_WORDS;
const FREE_TOP = 2 * CACHE_LINE_WORDS;
const NEXT = 3 * CACHE_LINE_WORDS;
const MAX_NODES = 2 ** 16 - 1;
const MAX_NODE_WORDS = 1024;

function dataStart(capacity: number): number {
  return Math.ceil((NEXT + capacity) / CACHE_LINE_WORDS) * CACHE_LINE_WORDS;
}

function byteLengthFor(capacity: number, nodeWords: number): number {
  return (dataStart(capacity) + capacity * nodeWords) * Int32Array.BYTES_PER_ELEMENT;
}

/** Lock-free stack of node indices with per-node payload; see the file header. */
export class TreiberStack {
  /** The buffer to hand to other threads. */
  readonly buffer: SharedArrayBuffer;
  /** Number of nodes. */
  readonly capacity: number;
  /** Payload words per node. */
  readonly nodeWords: number;
  /** Payload of all nodes: node `n` owns words `[n * nodeWords, (n + 1) * nodeWords)`. */
  readonly data: Int32Array;
  private readonly words: Int32Array;
  private readonly indexBits: number;
  private readonly referenceMask: number;

  private constructor(buffer: SharedArrayBuffer, capacity: number, nodeWords: number) {
    this.buffer = buffer;
    this.capacity = capacity;
    this.nodeWords = nodeWords;
    this.words = new Int32Array(buffer);
    this.data = new Int32Array(
      buffer,
      dataStart(capacity) * Int32Array.BYTES_PER_ELEMENT,
      capacity * nodeWords,
    );
    this.indexBits = 32 - Math.clz32(capacity);
    this.referenceMask = (1 << this.indexBits) - 1;
  }

  /** Allocates a stack with every node on the free list. Throws {@link DsLayoutError} on bad options. */
  static create(options: TreiberStackOptions): TreiberStack {
    const nodeWords = options.nodeWords ?? 1;
    requireInteger("TreiberStack capacity", options.capacity, 1, MAX_NODES);
    requireInteger("TreiberStack nodeWords", nodeWords, 1, MAX_NODE_WORDS);
    const buffer = createStructureBuffer(
      STRUCTURE_KIND.TREIBER_STACK,
      byteLengthFor(options.capacity, nodeWords),
      [options.capacity, nodeWords],
    );
    const stack = new TreiberStack(buffer, options.capacity, nodeWords);
    for (let node = options.capacity - 1; node >= 0; node--) stack.release(node);
    return stack;
  }

  /** Attaches to a stack created in another thread. Throws {@link DsLayoutError} if `buffer` holds none. */
  static attach(buffer: unknown): TreiberStack {
    const [capacity = 0, nodeWords = 0] = readStructureHeader(buffer, STRUCTURE_KIND.TREIBER_STACK);
    requireInteger("TreiberStack capacity", capacity, 1, MAX_NODES);
    requireInteger("TreiberStack nodeWords", nodeWords, 1, MAX_NODE_WORDS);
    const shared = buffer as SharedArrayBuffer;
    if (shared.byteLength !== byteLengthFor(capacity, nodeWords)) {
      throw new DsLayoutError("attach treiber-stack: byte length does not match its parameters");
    }
    return new TreiberStack(shared, capacity, nodeWords);
  }

  /** Takes a node from the free list; its index, or -1 when all nodes are in use. */
  allocate(): number {
    return this.popFrom(FREE_TOP);
  }

  /** Returns `node` to the free list; false (and no change) if the index is out of range. */
  release(node: number): boolean {
    return this.pushOnto(FREE_TOP, node);
  }

  /** Pushes an allocated `node` onto the stack; false (and no change) if the index is out of range. */
  push(node: number): boolean {
    return this.pushOnto(TOP, node);
  }

  /** Pops the top node; its index (now owned by the caller), or -1 when the stack is empty. */
  pop(): number {
    return this.popFrom(TOP);
  }

  /** Allocates a node, stores `value` in its first word and pushes it; false when no node is free. */
  pushValue(value: number): boolean {
    const node = this.popFrom(FREE_TOP);
    if (node < 0) return false;
    this.data[node * this.nodeWords] = value;
    return this.pushOnto(TOP, node);
  }

  /** Pops a node, returns its first word and frees it; -1 when empty (use non-negative values). */
  popValue(): number {
    const node = this.popFrom(TOP);
    if (node < 0) return -1;
    const value = this.data[node * this.nodeWords]!;
    this.pushOnto(FREE_TOP, node);
    return value;
  }

  private pushOnto(list: number, node: number): boolean {
    if (!(node >= 0 && node < this.capacity)) return false;
    const words = this.words;
    const reference = node + 1;
    for (;;) {
      const top = Atomics.load(words, list);
      Atomics.store(words, NEXT + node, top & this.referenceMask);
      const replacement = (top & ~this.referenceMask) | reference;
      if (Atomics.compareExchange(words, list, top, replacement) === top) return true;
    }
  }

  private popFrom(list: number): number {
    const words = this.words;
    for (;;) {
      const top = Atomics.load(words, list);
      const reference = top & this.referenceMask;
      if (reference === 0) return -1;
      const next = Atomics.load(words, NEXT + reference - 1);
      const replacement = (((top >>> this.indexBits) + 1) << this.indexBits) | next;
      if (Atomics.compareExchange(words, list, top, replacement) === top) return reference - 1;
    }
  }

  /**
   * Walks both lists (call only when no other thread is operating on the
   * stack) and reports their nodes and the first broken invariant.
   */
  inspect(): TreiberStackReport {
    const owner = new Int8Array(this.capacity);
    const walk = (list: number, mark: number): [number[], string | undefined] => {
      const nodes: number[] = [];
      let reference = Atomics.load(this.words, list) & this.referenceMask;
      while (reference !== 0) {
        const node = reference - 1;
        if (owner[node] !== 0) return [nodes, `node ${node} seen twice (cycle or on both lists)`];
        owner[node] = mark;
        nodes.push(node);
        reference = Atomics.load(this.words, NEXT + node);
      }
      return [nodes, undefined];
    };
    const [stack, stackProblem] = walk(TOP, 1);
    const [free, freeProblem] = walk(FREE_TOP, 2);
    return { stack, free, problem: stackProblem ?? freeProblem };
  }
}

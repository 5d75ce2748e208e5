/**
 * Where objects sit inside a slab: the stride between objects, the red zones
 * of debug mode and how many pages a slab spans.
 *
 * A slab is a naturally aligned block of 2^slabOrder frames. It holds
 * `objectsPerSlab` slots of `stride` bytes from its first byte; the object of
 * slot i starts at `slab + i * stride + objectOffset`. Without debugging,
 * `objectOffset` is 0 and `stride` is the object size rounded up to the
 * alignment. In debug mode each slot is
 * `[left red zone | object | right red zone]`, the left zone as wide as the
 * alignment (at least 8 bytes) so the object stays aligned, the right one at
 * least 8 bytes, padded to the alignment.
 *
 * The slab order is the smallest (up to {@link MAX_SLAB_ORDER}) at which the
 * slab wastes at most 1/8 of its bytes and holds at least
 * {@link MIN_OBJECTS_PER_SLAB} objects — the same trade Linux's
 * calculate_order() makes between waste and page order.
 */
import { FRAME_SIZE } from "./frame-constants";

/** Largest slab order chosen automatically (8 frames, 32 KiB). */
export const MAX_SLAB_ORDER = 3;
/** Objects a slab should hold before a larger order stops being tried. */
export const MIN_OBJECTS_PER_SLAB = 4;
/** Default object alignment in bytes (the natural alignment of a 64-bit word). */
export const DEFAULT_SLAB_ALIGN = 8;
/** Smallest red zone on each side of a debug-mode object. */
export const MIN_RED_ZONE = 8;

/** The computed geometry of a slab cache. */
export interface SlabLayout {
  /** Bytes the caller asked for. */
  readonly objectSize: number;
  /** Alignment of every object address (a power of two ≥ 8). */
  readonly align: number;
  /** Bytes from one slot to the next. */
  readonly stride: number;
  /** Offset of the object inside its slot (the left red zone in debug mode, else 0). */
  readonly objectOffset: number;
  /** Block order of one slab. */
  readonly slabOrder: number;
  /** Frames per slab (2^slabOrder). */
  readonly slabFrames: number;
  /** Objects per slab. */
  readonly objectsPerSlab: number;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

function chooseOrder(stride: number): number {
  for (let order = 0; order <= MAX_SLAB_ORDER; order++) {
    const bytes = FRAME_SIZE * 2 ** order;
    const objects = Math.floor(bytes / stride);
    const waste = bytes - objects * stride;
    if (objects >= MIN_OBJECTS_PER_SLAB && waste * 8 <= bytes) return order;
  }
  if (FRAME_SIZE * 2 ** MAX_SLAB_ORDER >= stride) return MAX_SLAB_ORDER;
  throw new RangeError(`slab object stride ${stride} exceeds the largest slab`);
}

/**
 * Computes the layout of a cache of `objectSize`-byte objects aligned to
 * `align`. Throws `RangeError` for sizes or alignments no slab can serve
 * (a construction-time bug).
 */
export function computeSlabLayout(
  objectSize: number,
  align = DEFAULT_SLAB_ALIGN,
  debug = false,
  slabOrder?: number,
): SlabLayout {
  if (!Number.isInteger(objectSize) || objectSize < 1) throw new RangeError(`bad object size ${objectSize}`);
  if (
    !Number.isInteger(align) ||
    align < DEFAULT_SLAB_ALIGN ||
    (align & (align - 1)) !== 0 ||
    align > FRAME_SIZE
  ) {
    throw new RangeError(`alignment ${align} must be a power of two between 8 and 4096`);
  }
  const objectOffset = debug ? Math.max(MIN_RED_ZONE, align) : 0;
  const stride = debug
    ? roundUp(objectOffset + objectSize + MIN_RED_ZONE, align)
    : roundUp(objectSize, align);
  const order = slabOrder ?? chooseOrder(stride);
  const objectsPerSlab = Math.floor((FRAME_SIZE * 2 ** order) / stride);
  if (objectsPerSlab < 1) throw new RangeError(`slab order ${order} cannot hold one ${stride}-byte slot`);
  return {
    objectSize,
    align,
    stride,
    objectOffset,
    slabOrder: order,
    slabFrames: 2 ** order,
    objectsPerSlab,
  };
}

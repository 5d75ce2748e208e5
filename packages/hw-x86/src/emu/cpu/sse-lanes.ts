/**
 * Lane arithmetic of the SSE2 integer instructions on 16-byte registers
 * (SDM vol 2, P* instructions): `applyBinary` combines the destination
 * register's lanes with a 16-byte source image, `shiftLanes` implements
 * the packed shifts. Views alias the CPU's XMM file; the source and
 * temporary images are module scratch buffers (no allocation per use).
 */
import { multiply64, product } from "./muldiv";
import { SSE } from "./sse-ops";

/** Typed views of one 16-byte (or larger) buffer. */
export class LaneViews {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  constructor(buffer: ArrayBufferLike, byteOffset: number, byteLength: number) {
    this.u8 = new Uint8Array(buffer, byteOffset, byteLength);
    this.i8 = new Int8Array(buffer, byteOffset, byteLength);
    this.u16 = new Uint16Array(buffer, byteOffset, byteLength / 2);
    this.i16 = new Int16Array(buffer, byteOffset, byteLength / 2);
    this.u32 = new Uint32Array(buffer, byteOffset, byteLength / 4);
    this.i32 = new Int32Array(buffer, byteOffset, byteLength / 4);
  }
}

/** The source operand image (filled by the executor before `applyBinary`). */
export const source = new LaneViews(new ArrayBuffer(16), 0, 16);
const temp = new LaneViews(new ArrayBuffer(16), 0, 16);

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

function unpack(x: LaneViews, base: number, width: number, high: boolean): void {
  const lanes = 16 / width;
  const half = lanes / 2;
  const from = high ? half : 0;
  for (let i = 0; i < half; i++) {
    for (let b = 0; b < width; b++) {
      temp.u8[2 * i * width + b] = x.u8[base * 16 + (from + i) * width + b]!;
      temp.u8[(2 * i + 1) * width + b] = source.u8[(from + i) * width + b]!;
    }
  }
  x.u8.set(temp.u8, base * 16);
}

function add64(x: LaneViews, d: number, subtract: boolean): void {
  for (let q = 0; q < 2; q++) {
    const low = d + q * 2;
    const a = x.u32[low]!;
    const b = source.u32[q * 2]!;
    const sum = subtract ? a - b : a + b;
    x.u32[low] = sum;
    const carry = subtract ? (sum < 0 ? -1 : 0) : sum > 0xffffffff ? 1 : 0;
    x.u32[low + 1] = subtract
      ? x.u32[low + 1]! - source.u32[q * 2 + 1]! + carry
      : x.u32[low + 1]! + source.u32[q * 2 + 1]! + carry;
  }
}

/** dst(register `reg` of `x`) ← dst op source, for SSE binary operation `op`. */
export function applyBinary(x: LaneViews, reg: number, op: number): void {
  const b8 = reg * 16;
  const b16 = reg * 8;
  const b32 = reg * 4;
  switch (op) {
    case SSE.AND:
    case SSE.ANDN:
    case SSE.OR:
    case SSE.XOR:
      for (let i = 0; i < 4; i++) {
        const a = x.u32[b32 + i]!;
        const b = source.u32[i]!;
        x.u32[b32 + i] = op === SSE.AND ? a & b : op === SSE.ANDN ? ~a & b : op === SSE.OR ? a | b : a ^ b;
      }
      return;
    case SSE.ADD8:
    case SSE.SUB8:
      for (let i = 0; i < 16; i++)
        x.u8[b8 + i] = op === SSE.ADD8 ? x.u8[b8 + i]! + source.u8[i]! : x.u8[b8 + i]! - source.u8[i]!;
      return;
    case SSE.ADD16:
    case SSE.SUB16:
      for (let i = 0; i < 8; i++)
        x.u16[b16 + i] =
          op === SSE.ADD16 ? x.u16[b16 + i]! + source.u16[i]! : x.u16[b16 + i]! - source.u16[i]!;
      return;
    case SSE.ADD32:
    case SSE.SUB32:
      for (let i = 0; i < 4; i++)
        x.u32[b32 + i] =
          op === SSE.ADD32 ? x.u32[b32 + i]! + source.u32[i]! : x.u32[b32 + i]! - source.u32[i]!;
      return;
    case SSE.ADD64:
    case SSE.SUB64:
      add64(x, b32, op === SSE.SUB64);
      return;
    case SSE.CMPEQ8:
      for (let i = 0; i < 16; i++) x.u8[b8 + i] = x.u8[b8 + i] === source.u8[i] ? 0xff : 0;
      return;
    case SSE.CMPEQ16:
      for (let i = 0; i < 8; i++) x.u16[b16 + i] = x.u16[b16 + i] === source.u16[i] ? 0xffff : 0;
      return;
    case SSE.CMPEQ32:
      for (let i = 0; i < 4; i++) x.u32[b32 + i] = x.u32[b32 + i] === source.u32[i] ? 0xffffffff : 0;
      return;
    case SSE.CMPGT8:
      for (let i = 0; i < 16; i++) x.u8[b8 + i] = x.i8[b8 + i]! > source.i8[i]! ? 0xff : 0;
      return;
    case SSE.CMPGT16:
      for (let i = 0; i < 8; i++) x.u16[b16 + i] = x.i16[b16 + i]! > source.i16[i]! ? 0xffff : 0;
      return;
    case SSE.CMPGT32:
      for (let i = 0; i < 4; i++) x.u32[b32 + i] = x.i32[b32 + i]! > source.i32[i]! ? 0xffffffff : 0;
      return;
    default:
      applyBinaryRest(x, reg, op);
  }
}

function applyBinaryRest(x: LaneViews, reg: number, op: number): void {
  const b8 = reg * 16;
  const b16 = reg * 8;
  const b32 = reg * 4;
  switch (op) {
    case SSE.MULLO16:
      for (let i = 0; i < 8; i++) x.u16[b16 + i] = Math.imul(x.i16[b16 + i]!, source.i16[i]!);
      return;
    case SSE.MULHI16:
      for (let i = 0; i < 8; i++) x.u16[b16 + i] = (x.i16[b16 + i]! * source.i16[i]!) >> 16;
      return;
    case SSE.MULHIU16:
      for (let i = 0; i < 8; i++) x.u16[b16 + i] = (x.u16[b16 + i]! * source.u16[i]!) >>> 16;
      return;
    case SSE.MULUDQ:
      for (let q = 0; q < 2; q++) {
        multiply64(x.u32[b32 + q * 2]!, 0, source.u32[q * 2]!, 0, false);
        x.u32[b32 + q * 2] = product[0]!;
        x.u32[b32 + q * 2 + 1] = product[1]!;
      }
      return;
    case SSE.MADDWD:
      for (let j = 0; j < 4; j++) {
        const sum =
          x.i16[b16 + 2 * j]! * source.i16[2 * j]! + x.i16[b16 + 2 * j + 1]! * source.i16[2 * j + 1]!;
        x.i32[b32 + j] = sum | 0;
      }
      return;
    case SSE.SADBW:
      for (let q = 0; q < 2; q++) {
        let sum = 0;
        for (let i = 0; i < 8; i++) sum += Math.abs(x.u8[b8 + q * 8 + i]! - source.u8[q * 8 + i]!);
        x.u32[b32 + q * 2] = sum;
        x.u32[b32 + q * 2 + 1] = 0;
      }
      return;
    case SSE.UNPCKL8:
    case SSE.UNPCKL16:
    case SSE.UNPCKL32:
    case SSE.UNPCKL64:
      unpack(x, reg, 1 << (op - SSE.UNPCKL8), false);
      return;
    case SSE.UNPCKH8:
    case SSE.UNPCKH16:
    case SSE.UNPCKH32:
    case SSE.UNPCKH64:
      unpack(x, reg, 1 << (op - SSE.UNPCKH8), true);
      return;
    case SSE.PACKSSWB:
    case SSE.PACKUSWB:
      for (let i = 0; i < 8; i++) {
        const low = op === SSE.PACKSSWB ? -128 : 0;
        const high = op === SSE.PACKSSWB ? 127 : 255;
        temp.u8[i] = clamp(x.i16[b16 + i]!, low, high);
        temp.u8[8 + i] = clamp(source.i16[i]!, low, high);
      }
      x.u8.set(temp.u8, b8);
      return;
    case SSE.PACKSSDW:
      for (let i = 0; i < 4; i++) {
        temp.i16[i] = clamp(x.i32[b32 + i]!, -32768, 32767);
        temp.i16[4 + i] = clamp(source.i32[i]!, -32768, 32767);
      }
      x.u8.set(temp.u8, b8);
      return;
    default:
      applySaturating(x, reg, op);
  }
}

function applySaturating(x: LaneViews, reg: number, op: number): void {
  const b8 = reg * 16;
  const b16 = reg * 8;
  for (let i = 0; i < 16; i++) {
    const a = x.u8[b8 + i]!;
    const b = source.u8[i]!;
    const sa = x.i8[b8 + i]!;
    const sb = source.i8[i]!;
    switch (op) {
      case SSE.MINUB:
        x.u8[b8 + i] = Math.min(a, b);
        break;
      case SSE.MAXUB:
        x.u8[b8 + i] = Math.max(a, b);
        break;
      case SSE.ADDUS8:
        x.u8[b8 + i] = Math.min(255, a + b);
        break;
      case SSE.SUBUS8:
        x.u8[b8 + i] = Math.max(0, a - b);
        break;
      case SSE.ADDS8:
        x.i8[b8 + i] = clamp(sa + sb, -128, 127);
        break;
      case SSE.SUBS8:
        x.i8[b8 + i] = clamp(sa - sb, -128, 127);
        break;
      case SSE.AVG8:
        x.u8[b8 + i] = (a + b + 1) >>> 1;
        break;
    }
  }
  for (let i = 0; i < 8; i++) {
    const a = x.u16[b16 + i]!;
    const b = source.u16[i]!;
    const sa = x.i16[b16 + i]!;
    const sb = source.i16[i]!;
    switch (op) {
      case SSE.MINSW:
        x.i16[b16 + i] = Math.min(sa, sb);
        break;
      case SSE.MAXSW:
        x.i16[b16 + i] = Math.max(sa, sb);
        break;
      case SSE.ADDUS16:
        x.u16[b16 + i] = Math.min(0xffff, a + b);
        break;
      case SSE.SUBUS16:
        x.u16[b16 + i] = Math.max(0, a - b);
        break;
      case SSE.ADDS16:
        x.i16[b16 + i] = clamp(sa + sb, -32768, 32767);
        break;
      case SSE.SUBS16:
        x.i16[b16 + i] = clamp(sa - sb, -32768, 32767);
        break;
      case SSE.AVG16:
        x.u16[b16 + i] = (a + b + 1) >>> 1;
        break;
    }
  }
}

/** Packed shift `op` of register `reg` by `count` (already the full 64-bit count clamped to ≤ 255). */
export function shiftLanes(x: LaneViews, reg: number, op: number, count: number): void {
  const b8 = reg * 16;
  const b16 = reg * 8;
  const b32 = reg * 4;
  switch (op) {
    case SSE.SRL16:
      for (let i = 0; i < 8; i++) x.u16[b16 + i] = count > 15 ? 0 : x.u16[b16 + i]! >>> count;
      return;
    case SSE.SLL16:
      for (let i = 0; i < 8; i++) x.u16[b16 + i] = count > 15 ? 0 : x.u16[b16 + i]! << count;
      return;
    case SSE.SRA16:
      for (let i = 0; i < 8; i++) x.i16[b16 + i] = x.i16[b16 + i]! >> Math.min(count, 15);
      return;
    case SSE.SRL32:
      for (let i = 0; i < 4; i++) x.u32[b32 + i] = count > 31 ? 0 : x.u32[b32 + i]! >>> count;
      return;
    case SSE.SLL32:
      for (let i = 0; i < 4; i++) x.u32[b32 + i] = count > 31 ? 0 : x.u32[b32 + i]! << count;
      return;
    case SSE.SRA32:
      for (let i = 0; i < 4; i++) x.i32[b32 + i] = x.i32[b32 + i]! >> Math.min(count, 31);
      return;
    case SSE.SRL64:
    case SSE.SLL64:
      for (let q = 0; q < 2; q++) shiftQuad(x, b32 + q * 2, op === SSE.SLL64, count);
      return;
    case SSE.SRLDQ:
    case SSE.SLLDQ: {
      const bytes = Math.min(count, 16);
      for (let i = 0; i < 16; i++) {
        const from = op === SSE.SRLDQ ? i + bytes : i - bytes;
        temp.u8[i] = from >= 0 && from < 16 ? x.u8[b8 + from]! : 0;
      }
      x.u8.set(temp.u8, b8);
      return;
    }
  }
}

function shiftQuad(x: LaneViews, at: number, left: boolean, count: number): void {
  const low = x.u32[at]!;
  const high = x.u32[at + 1]!;
  if (count > 63) {
    x.u32[at] = 0;
    x.u32[at + 1] = 0;
  } else if (count === 0) {
    return;
  } else if (count < 32) {
    x.u32[at] = left ? low << count : (low >>> count) | (high << (32 - count));
    x.u32[at + 1] = left ? (high << count) | (low >>> (32 - count)) : high >>> count;
  } else {
    x.u32[at] = left ? 0 : high >>> (count - 32);
    x.u32[at + 1] = left ? low << (count - 32) : 0;
  }
}

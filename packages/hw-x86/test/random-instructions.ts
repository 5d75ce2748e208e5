/**
 * A seeded generator of random but well-formed x86-64 instruction sequences,
 * weighted towards what gcc emits (the group-1 ALU, MOV family, LEA, shifts,
 * IMUL, SETcc/CMOVcc, PUSH/POP, forward Jcc) with every operand size and
 * register and [RBX + disp8] memory operands, plus instructions that compiled
 * blocks leave to the interpreter (ADC/SBB, rotates through carry, BT,
 * BSWAP, XCHG, flag instructions, DIV) so the hand-over between the two is
 * exercised.
 *
 * Register conventions of the generated code: RBX holds the data pointer
 * (never written), RSP only moves through PUSH/POP/CALL, R15 is the loop
 * counter of `loopProgram`. Writes to the code page (self-modifying code)
 * come from `MOV [RIP + disp32], r` into a scratch area after the code.
 */

/** Registers generated instructions may write (not RBX, RSP, R15). */
const DESTINATIONS = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
/** Registers they may read. */
const SOURCES = [...DESTINATIONS, 3];

/** A xorshift32 stream. */
export function makeRandom(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[random() % items.length]!;
}

/** One generated instruction; `branchTo` asks for a forward rel8 to instruction index `branchTo`. */
interface Item {
  bytes: number[];
  branchTo?: number;
  /** RIP-relative store whose disp32 (the last 4 bytes before `tail` bytes) must reach the scratch area. */
  ripStore?: boolean;
}

/** Prefixes and REX for operand `size` with ModRM reg `reg` and rm `rm` (register numbers or -1). */
function prefixes(size: number, reg: number, rm: number, random: Random): number[] {
  const out: number[] = [];
  if (size === 2) out.push(0x66);
  let rex = 0;
  if (size === 8) rex |= 8;
  if (reg >= 8) rex |= 4;
  if (rm >= 8) rex |= 1;
  const byteNeedsRex = size === 1 && ((reg >= 4 && reg < 8) || (rm >= 4 && rm < 8));
  if (rex !== 0 || byteNeedsRex || (size === 1 && random() % 2 === 0)) out.push(0x40 | rex);
  return out;
}

function byteRegister(random: Random): number {
  return pick(
    random,
    DESTINATIONS.filter((reg) => reg < 4 || reg >= 8 || random() % 2 === 0),
  );
}

/** SIB byte: scale 1, no index (100b), base RBX (011b). */
const SIB_RBX_NO_INDEX = 0x23;

/** A register-or-memory operand: ModRM tail bytes (mod/rm + disp) and its rm number for REX.B. */
function rmOperand(
  random: Random,
  size: number,
  write: boolean,
): { mod: number; rm: number; tail: number[] } {
  if (random() % 3 === 0) {
    const disp = (random() % 256) - 128;
    if (random() % 4 === 0) return { mod: 1, rm: 4, tail: [SIB_RBX_NO_INDEX, disp & 0xff] };
    return { mod: 1, rm: 3, tail: [disp & 0xff] };
  }
  const reg = size === 1 ? byteRegister(random) : pick(random, write ? DESTINATIONS : SOURCES);
  return { mod: 3, rm: reg, tail: [] };
}

function modrm(mod: number, reg: number, rm: number): number {
  return (mod << 6) | ((reg & 7) << 3) | (rm & 7);
}

function sizeOf(random: Random): number {
  return pick(random, [1, 2, 4, 4, 8, 8]);
}

function immediate(random: Random, bytes: number): number[] {
  const value = random();
  return Array.from({ length: bytes }, (_, i) => (value >>> (8 * i)) & 0xff);
}

/** A group-1 or unary or shift instruction on r/m (with /digit `digit`). */
function groupInstruction(
  random: Random,
  opcodes: readonly [number, number],
  digit: number,
  size: number,
  imm: number,
): number[] {
  const operand = rmOperand(random, size, true);
  const rmReg = operand.mod === 3 ? operand.rm : -1;
  return [
    ...prefixes(size, -1, rmReg, random),
    size === 1 ? opcodes[0] : opcodes[1],
    modrm(operand.mod, digit, operand.rm),
    ...operand.tail,
    ...immediate(random, imm),
  ];
}

/** An instruction with ModRM reg and r/m operands: `opcode` bytes, reg written when `regWritten`. */
function regRm(
  random: Random,
  opcode: number[],
  size: number,
  regSize: number,
  regWritten: boolean,
  rmWritten: boolean,
): number[] {
  const reg = regSize === 1 ? byteRegister(random) : pick(random, regWritten ? DESTINATIONS : SOURCES);
  const operand = rmOperand(random, size, rmWritten);
  const rmReg = operand.mod === 3 ? operand.rm : -1;
  return [
    ...prefixes(regSize, reg, rmReg, random),
    ...opcode,
    modrm(operand.mod, reg, operand.rm),
    ...operand.tail,
  ];
}

/** An SSE2 instruction: `prefix` (66/F3/none), then REX if needed, 0F, `opcode`, ModRM with an XMM reg. */
function sseInstruction(
  random: Random,
  prefix: number[],
  opcode: number,
  memory: boolean,
  gprRm = false,
  wide = false,
  gprReg = false,
): number[] {
  const reg = gprReg ? pick(random, DESTINATIONS) : random() % 16;
  let mod = 3;
  let rm = gprRm ? pick(random, DESTINATIONS) : random() % 16;
  let tail: number[] = [];
  if (memory) {
    mod = 1;
    rm = 3;
    tail = [((random() % 16) * 8 - 64) & 0xff];
  }
  const rex = (wide ? 8 : 0) | (reg >= 8 ? 4 : 0) | (mod === 3 && rm >= 8 ? 1 : 0);
  return [...prefix, ...(rex !== 0 ? [0x40 | rex] : []), 0x0f, opcode, modrm(mod, reg, rm), ...tail];
}

/** SSE2 integer instructions: the inline forms of compiled blocks and a few that stay with the handler. */
function sseItem(random: Random): Item {
  const memory = random() % 4 === 0;
  const choice = random() % 10;
  if (choice < 2) {
    const [prefix, opcode] = pick(random, [
      [[0x66], 0x6f],
      [[0xf3], 0x6f],
      [[0x66], 0x7f],
      [[0xf3], 0x7f],
      [[], 0x28],
      [[], 0x10],
    ] as const);
    return { bytes: sseInstruction(random, [...prefix], opcode, memory) };
  }
  if (choice < 6) {
    const opcode = pick(
      random,
      [
        0xdb, 0xdf, 0xeb, 0xef, 0xfe, 0xfa, 0xd4, 0xfb, 0x76, 0x62, 0x6a, 0x6c, 0x6d, 0xfc, 0xfd, 0xf8, 0xf9,
        0x60, 0x61, 0x68, 0x69, 0x67, 0x63, 0x74,
      ],
    );
    return { bytes: sseInstruction(random, [0x66], opcode, memory) };
  }
  if (choice < 7) {
    const shufps = random() % 2 === 0;
    const bytes = sseInstruction(random, shufps ? [] : [0x66], shufps ? 0xc6 : 0x70, memory);
    return { bytes: [...bytes, random() & 0xff] };
  }
  if (choice < 8) {
    const [opcode, digit] = pick(random, [
      [0x71, 2],
      [0x71, 6],
      [0x72, 2],
      [0x72, 4],
      [0x72, 6],
      [0x73, 2],
      [0x73, 6],
      [0x73, 3],
      [0x73, 7],
    ] as const);
    const xmm = random() % 16;
    const count = random() % 3 === 0 ? random() & 0xff : random() % 40;
    return { bytes: [0x66, ...(xmm >= 8 ? [0x41] : []), 0x0f, opcode, modrm(3, digit, xmm), count] };
  }
  if (choice < 9) {
    const wide = random() % 2 === 0;
    return { bytes: sseInstruction(random, [0x66], random() % 2 === 0 ? 0x6e : 0x7e, false, true, wide) };
  }
  return {
    bytes:
      random() % 2 === 0
        ? sseInstruction(random, [0xf3], 0x7e, memory)
        : sseInstruction(random, [0x66], 0xd6, memory),
  };
}

/**
 * SSE floating-point instructions with inline forms in compiled blocks:
 * ADD/SUB/MUL/DIV/SQRT/MIN/MAX in PS/PD/SS/SD, MOVSS/MOVSD, (U)COMISS/SD,
 * CVTSI2SS/SD, CVTTSS2SI/CVTTSD2SI (and the rounding CVTSS2SI/CVTSD2SI),
 * CVTSS2SD/CVTSD2SS. Memory operands are 16-aligned only sometimes (#GP).
 */
function sseFloatItem(random: Random): Item {
  const memory = random() % 4 === 0;
  const prefix = pick(random, [[], [0x66], [0xf3], [0xf2]] as const);
  const choice = random() % 10;
  if (choice < 5) {
    const opcode = pick(random, [0x58, 0x59, 0x5c, 0x5e, 0x51, 0x5d, 0x5f]);
    return { bytes: sseInstruction(random, [...prefix], opcode, memory) };
  }
  if (choice < 6) {
    const scalar = pick(random, [[0xf3], [0xf2]] as const);
    return { bytes: sseInstruction(random, [...scalar], random() % 2 === 0 ? 0x10 : 0x11, memory) };
  }
  if (choice < 7) {
    const double = pick(random, [[], [0x66]] as const);
    return { bytes: sseInstruction(random, [...double], random() % 2 === 0 ? 0x2e : 0x2f, memory) };
  }
  const scalar = pick(random, [[0xf3], [0xf2]] as const);
  const wide = random() % 2 === 0;
  if (choice < 8) return { bytes: sseInstruction(random, [...scalar], 0x2a, memory, true, wide) };
  if (choice < 9) {
    // CVT(T)SS2SI / CVT(T)SD2SI: the GPR is ModRM.reg.
    return {
      bytes: sseInstruction(random, [...scalar], random() % 4 === 0 ? 0x2d : 0x2c, memory, false, wide, true),
    };
  }
  return { bytes: sseInstruction(random, [...scalar], 0x5a, memory) };
}

function randomItem(random: Random, index: number, count: number): Item {
  const size = sizeOf(random);
  if (random() % 100 < 8) return sseItem(random);
  if (random() % 100 < 6) return sseFloatItem(random);
  const choice = random() % 100;
  if (choice < 14) {
    const kind = random() % 8;
    const direction = random() % 2;
    const opcode = kind * 8 + direction * 2 + (size === 1 ? 0 : 1);
    return { bytes: regRm(random, [opcode], size, size, direction === 1, direction === 0) };
  }
  if (choice < 24) {
    const kind = random() % 8;
    if (size === 1) return { bytes: groupInstruction(random, [0x80, 0x80], kind, 1, 1) };
    const short = random() % 2 === 0;
    return {
      bytes: groupInstruction(
        random,
        [0x83, short ? 0x83 : 0x81],
        kind,
        size,
        short ? 1 : size === 2 ? 2 : 4,
      ),
    };
  }
  if (choice < 30) return { bytes: regRm(random, [size === 1 ? 0x84 : 0x85], size, size, false, false) };
  if (choice < 32)
    return { bytes: groupInstruction(random, [0xf6, 0xf7], 0, size, size === 1 ? 1 : size === 2 ? 2 : 4) };
  if (choice < 42) {
    const store = random() % 2 === 0;
    const opcode = (store ? 0x88 : 0x8a) + (size === 1 ? 0 : 1);
    return { bytes: regRm(random, [opcode], size, size, !store, store) };
  }
  if (choice < 45)
    return { bytes: groupInstruction(random, [0xc6, 0xc7], 0, size, size === 1 ? 1 : size === 2 ? 2 : 4) };
  if (choice < 47) {
    const reg = pick(random, DESTINATIONS);
    const wide = random() % 2 === 0;
    return {
      bytes: [
        0x40 | (wide ? 8 : 0) | (reg >= 8 ? 1 : 0),
        0xb8 + (reg & 7),
        ...immediate(random, 4),
        ...(wide ? immediate(random, 4) : []),
      ],
    };
  }
  if (choice < 52) {
    const from = random() % 2 === 0 ? 1 : 2;
    const signed = random() % 2 === 0;
    const target = pick(
      random,
      [2, 4, 8].filter((s) => s > from),
    );
    return {
      bytes: regRm(random, [0x0f, (signed ? 0xbe : 0xb6) + (from === 2 ? 1 : 0)], from, target, true, false),
    };
  }
  if (choice < 53) return { bytes: regRm(random, [0x63], 4, 8, true, false) };
  if (choice < 57) {
    const reg = pick(random, DESTINATIONS);
    const base = pick(random, SOURCES);
    const index = pick(
      random,
      SOURCES.filter((r) => r !== 4),
    );
    const wide = random() % 3 !== 0;
    const rex = 0x40 | (wide ? 8 : 0) | (reg >= 8 ? 4 : 0) | (index >= 8 ? 2 : 0) | (base >= 8 ? 1 : 0);
    const sib = ((random() % 4) << 6) | ((index & 7) << 3) | (base & 7);
    const mod = (base & 7) === 5 ? 1 : random() % 3;
    const disp = mod === 1 ? immediate(random, 1) : mod === 2 ? immediate(random, 4) : [];
    return { bytes: [rex, 0x8d, modrm(mod, reg, 4), sib, ...disp] };
  }
  if (choice < 62) return { bytes: groupInstruction(random, [0xfe, 0xff], random() % 2, size, 0) };
  if (choice < 65) return { bytes: groupInstruction(random, [0xf6, 0xf7], 2 + (random() % 2), size, 0) };
  if (choice < 72) {
    const digit = random() % 8;
    const form = random() % 3;
    if (form === 0) return { bytes: groupInstruction(random, [0xc0, 0xc1], digit, size, 1) };
    if (form === 1) return { bytes: groupInstruction(random, [0xd0, 0xd1], digit, size, 0) };
    return { bytes: groupInstruction(random, [0xd2, 0xd3], digit, size, 0) };
  }
  if (choice < 76) {
    const wide = pick(random, [2, 4, 4, 8]);
    const form = random() % 3;
    if (form === 0) return { bytes: regRm(random, [0x0f, 0xaf], wide, wide, true, false) };
    return {
      bytes: [
        ...regRm(random, [form === 1 ? 0x6b : 0x69], wide, wide, true, false),
        ...immediate(random, form === 1 ? 1 : wide === 2 ? 2 : 4),
      ],
    };
  }
  if (choice < 79) return { bytes: regRm(random, [0x0f, 0x90 + (random() % 16)], 1, 1, false, true) };
  if (choice < 83) {
    const wide = pick(random, [2, 4, 8]);
    return { bytes: regRm(random, [0x0f, 0x40 + (random() % 16)], wide, wide, true, false) };
  }
  if (choice < 85)
    return { bytes: [...(random() % 2 === 0 ? [0x48] : []), random() % 2 === 0 ? 0x98 : 0x99] };
  if (choice < 88) {
    const reg = pick(random, DESTINATIONS);
    const rex = reg >= 8 ? [0x41] : [];
    return { bytes: random() % 2 === 0 ? [...rex, 0x50 + (reg & 7)] : [...rex, 0x58 + (reg & 7)] };
  }
  if (choice < 93 && index + 1 < count) {
    return {
      bytes: [0x70 + (random() % 16), 0],
      branchTo: index + 1 + (random() % Math.min(count - index, 6)),
    };
  }
  if (choice < 95) {
    const reg = pick(random, DESTINATIONS);
    return { bytes: [0x48 | (reg >= 8 ? 4 : 0), 0x89, modrm(0, reg, 5), 0, 0, 0, 0], ripStore: true };
  }
  if (choice < 96)
    return { bytes: [0xe8, 0, 0, 0, 0, 0x40 | 0, 0x58 + (pick(random, [0, 1, 2, 5, 6, 7]) & 7)] };
  if (choice < 97) return { bytes: groupInstruction(random, [0xf6, 0xf7], 6 + (random() % 2), size, 0) };
  const fallbacks: number[][] = [[0xf5], [0xf8], [0xf9], [0x9e], [0x9f], [0x0f, 0xc8 + (random() % 3)]];
  if (random() % 2 === 0) return { bytes: pick(random, fallbacks) };
  return {
    bytes: regRm(random, pick(random, [[0x0f, 0xa3], [0x87], [0x0f, 0xbc], [0x0f, 0xbd]]), 4, 4, true, false),
  };
}

/** Offset of the self-modifying-code scratch area inside the code page. */
export const SCRATCH_OFFSET = 0xc00;

/**
 * `count` random instructions run `iterations` times in a loop (R15 counts
 * down), then UD2. Returns the bytes, to be placed at the start of a page.
 * With `syscalls`, about one instruction in eight is a SYSCALL.
 */
export function loopProgram(random: Random, count: number, options: { syscalls?: boolean } = {}): number[] {
  const items = Array.from({ length: count }, (_, index) =>
    // SYSCALL only when asked, so the other families' programs stay the same for their seeds.
    options.syscalls === true && random() % 100 < 12
      ? { bytes: [0x0f, 0x05] }
      : randomItem(random, index, count),
  );
  const starts: number[] = [];
  let offset = 0;
  for (const item of items) {
    starts.push(offset);
    offset += item.bytes.length;
  }
  const loopAt = offset;
  const bytes: number[] = [];
  items.forEach((item, index) => {
    const encoded = [...item.bytes];
    const end = starts[index]! + encoded.length;
    if (item.branchTo !== undefined) {
      const target = item.branchTo < count ? starts[item.branchTo]! : loopAt;
      const distance = target - end;
      encoded[encoded.length - 1] = distance <= 127 ? distance : 0;
    }
    if (item.ripStore) {
      const disp = SCRATCH_OFFSET + (random() % 256) - end;
      for (let i = 0; i < 4; i++) encoded[3 + i] = (disp >>> (8 * i)) & 0xff;
    }
    bytes.push(...encoded);
  });
  // dec r15d; jnz start (rel32); ud2
  bytes.push(0x41, 0xff, 0xcf);
  const back = -(bytes.length + 6);
  bytes.push(0x0f, 0x85, back & 0xff, (back >>> 8) & 0xff, (back >>> 16) & 0xff, (back >>> 24) & 0xff);
  bytes.push(0x0f, 0x0b);
  return bytes;
}

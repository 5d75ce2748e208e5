/**
 * Decoder cross-check against iced-x86 (64-bit, Intel decoder): for seeded
 * random byte sequences and for every one- and two-byte opcode with a spread
 * of ModRM bytes, whenever our decoder accepts an instruction, iced must
 * decode it as valid with the same length; whenever iced rejects it, so must
 * we. (Instructions iced accepts but we have not implemented are #UD here.)
 */
import { Decoder, DecoderOptions } from "iced-x86";
import { describe, expect, it } from "vitest";
import { DecodedCache } from "../src/emu/cpu/decoded-cache";
import { decodeInstruction } from "../src/emu/cpu/decoder";
import { PhysicalRam } from "../src/emu/physical-ram";
import { makeRandom } from "./random-instructions";

const RANDOM_COUNT = process.env.TSOS_TIER === "stress" ? 1_000_000 : 100_000;

/** xorshift32: deterministic test data. */

const PREFIX_POOL = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x64, 0x65, 0x2e, 0x48, 0x40, 0x41, 0x4c, 0x0f];

function fillRandom(bytes: Uint8Array, next: () => number): void {
  for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
  // Bias towards realistic prefixes and the 0F map.
  const prefixCount = next() % 4;
  for (let i = 0; i < prefixCount; i++) bytes[i] = PREFIX_POOL[next() % PREFIX_POOL.length]!;
}

interface Mismatch {
  bytes: string;
  ours: number;
  iced: number;
}

function compare(bytes: Uint8Array, cache: DecodedCache, mismatches: Mismatch[]): boolean {
  const ours = decodeInstruction(bytes, 0, bytes.length, cache, 0);
  const decoder = new Decoder(64, bytes, DecoderOptions.None);
  const instruction = decoder.decode();
  const icedLength = instruction.isInvalid ? -1 : instruction.length;
  instruction.free();
  decoder.free();
  const agree = ours > 0 ? icedLength === ours : true;
  if (!agree && mismatches.length < 20) {
    mismatches.push({ bytes: Buffer.from(bytes.subarray(0, 15)).toString("hex"), ours, iced: icedLength });
  }
  return agree;
}

describe("decoder agrees with iced-x86", () => {
  const ram = new PhysicalRam(4096 * 4);
  const cache = new DecodedCache(ram, 1);

  it("on every one- and two-byte opcode with varied ModRM/SIB bytes", () => {
    const mismatches: Mismatch[] = [];
    const next = makeRandom(7);
    const bytes = new Uint8Array(16);
    let accepted = 0;
    for (const prefix of [-1, 0x66, 0x48, 0xf3, 0xf2, 0xf0, 0x41, 0x67]) {
      for (const twoByte of [false, true]) {
        for (let opcode = 0; opcode < 256; opcode++) {
          for (let trial = 0; trial < 12; trial++) {
            let at = 0;
            if (prefix >= 0) bytes[at++] = prefix;
            if (twoByte) bytes[at++] = 0x0f;
            bytes[at++] = opcode;
            for (let i = at; i < 16; i++) bytes[i] = next() & 0xff;
            if (compare(bytes.subarray(0, 15), cache, mismatches)) {
              if (decodeInstruction(bytes, 0, 15, cache, 0) > 0) accepted++;
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(accepted).toBeGreaterThan(10_000);
  });

  it(`on ${RANDOM_COUNT} seeded random byte sequences`, () => {
    const mismatches: Mismatch[] = [];
    const next = makeRandom(12345);
    const bytes = new Uint8Array(15);
    let accepted = 0;
    for (let i = 0; i < RANDOM_COUNT; i++) {
      fillRandom(bytes, next);
      compare(bytes, cache, mismatches);
      if (decodeInstruction(bytes, 0, 15, cache, 0) > 0) accepted++;
    }
    expect(mismatches).toEqual([]);
    expect(accepted).toBeGreaterThan(RANDOM_COUNT / 4);
  });

  it("reports running out of bytes and the 15-byte limit", () => {
    // 48 b8 + 8-byte immediate (movabs rax, imm64) cut after 5 bytes: need more.
    const movabs = Uint8Array.of(0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8);
    expect(decodeInstruction(movabs, 0, 5, cache, 0)).toBe(-1);
    expect(decodeInstruction(movabs, 0, 10, cache, 0)).toBe(10);
    // 14 x 66 prefixes + 05 imm16: 17 bytes > 15.
    const long = new Uint8Array(20).fill(0x66);
    long[14] = 0x05;
    expect(decodeInstruction(long, 0, 20, cache, 0)).toBe(-3);
  });
});

import { USER_END } from "@tsos/mm";
import { MockMemoryController, stressSize } from "@tsos/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ELF, SEGMENT_FLAG } from "../elf";
import { E2BIG, EINVAL, ENOEXEC, ENOMEM } from "./errors";
import { loadExecutable } from "./loader";
import { buildElf, freshSpace, guestBinary, readUserWord } from "./test-helpers";

const RANDOM = new Uint8Array(16).fill(7);
/** Every value a load may end with besides an image (EEXIST/EPERM: mmap's refusals of odd addresses). */
const EXPECTED_ERRORS = [ENOEXEC, ENOMEM, E2BIG, EINVAL, -17, -1];

const originals = [
  guestBinary("hw-x86/guest/bin/syscalls-O2-gpr"),
  guestBinary("hw-x86/guest/bin/sieve-O0-sse"),
  guestBinary("syscall/guest/bin/strace-sample"),
  buildElf({
    type: ELF.TYPE_SHARED,
    entry: 0x1000,
    segments: [
      { flags: SEGMENT_FLAG.READ, vaddr: 0, memsz: 0x200, offset: 0, filesz: 0x200 },
      {
        flags: SEGMENT_FLAG.READ | SEGMENT_FLAG.EXECUTE,
        vaddr: 0x1000,
        memsz: 0x10,
        data: new Uint8Array(16),
      },
      {
        flags: SEGMENT_FLAG.READ | SEGMENT_FLAG.WRITE,
        vaddr: 0x2010,
        memsz: 0x3000,
        data: new Uint8Array(32),
      },
    ],
  }),
];

/** 64-bit values that sit on the loader's boundaries. */
const edgeValue = fc.constantFrom(
  0n,
  1n,
  0xfffn,
  0x1000n,
  0x400000n,
  2n ** 32n,
  BigInt(USER_END - 4096),
  BigInt(USER_END),
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
);

/** A corruption: a byte anywhere, a byte in the headers, or a 64-bit header field set to an edge value. */
const corruption = fc.oneof(
  fc.record({ kind: fc.constant("byte" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant("header" as const),
    at: fc.nat(400),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("word" as const), at: fc.nat(50), value: edgeValue }),
);

/** How often each outcome (0 = loaded, else the errno) was seen, so a test can show it reached both. */
const outcomes = new Map<number, number>();

type Corruption =
  | { kind: "byte" | "header"; at: number; value: number }
  | { kind: "word"; at: number; value: bigint };

function corrupt(original: Uint8Array, changes: readonly Corruption[]): Uint8Array {
  const file = original.slice();
  const view = new DataView(file.buffer);
  for (const change of changes) {
    if (change.kind === "word") {
      const at = 24 + change.at * 8; // e_entry, e_phoff, … and the program headers' 64-bit fields
      if (at + 8 <= file.length) view.setBigUint64(at, change.value, true);
    } else {
      file[change.at % file.length] = change.value;
    }
  }
  return file;
}

/**
 * Loads `file` into a fresh space over `memory` (with only `allowedFrames`
 * frame allocations succeeding, when given), checks the outcome, destroys
 * the space and checks that every frame came back.
 */
function loadAndDestroy(memory: MockMemoryController, file: Uint8Array, allowedFrames = Infinity): void {
  const { space } = freshSpace(memory);
  let calls = 0;
  memory.failWhen(() => ++calls > allowedFrames);
  const image = loadExecutable(space, memory, file, { path: "p", argv: ["p"], envp: [], random: RANDOM });
  memory.failWhen(undefined);
  const outcome = typeof image === "number" ? image : 0;
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  if (typeof image === "number") {
    expect(EXPECTED_ERRORS).toContain(image);
    expect(space.vmas.count).toBe(0);
  } else {
    expect(image.stackPointer % 16).toBe(0);
    expect(image.entry).toBeLessThan(USER_END);
    expect(readUserWord(space, memory, image.stackPointer)).toBe(1);
    for (let index = 0; index < space.vmas.count; index++) {
      expect(space.vmas.startAt(index)).toBeGreaterThanOrEqual(0);
      expect(space.vmas.endAt(index)).toBeLessThanOrEqual(USER_END);
    }
  }
  space.destroy();
  memory.assertNoLeaks();
}

describe("loadExecutable on hostile input", () => {
  const memory = new MockMemoryController({ size: 8 * 2 ** 20, reservedFrames: 1 });

  it("never throws or leaks a frame on random bytes (with and without an ELF header in front)", () => {
    const header = originals[0]!.subarray(0, 64);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, withHeader) => {
        const file = withHeader ? Uint8Array.from([...header, ...bytes]) : bytes;
        loadAndDestroy(memory, file);
      }),
      { numRuns: stressSize({ short: 300, long: 20_000 }), seed: 0x5eed },
    );
  });

  it("never throws or leaks a frame on randomly corrupted real binaries", () => {
    outcomes.clear();
    fc.assert(
      fc.property(
        fc.nat(originals.length - 1),
        fc.array(corruption, { minLength: 1, maxLength: 6 }),
        (which, changes) => loadAndDestroy(memory, corrupt(originals[which]!, changes)),
      ),
      { numRuns: stressSize({ short: 400, long: 20_000 }), seed: 0xe1f },
    );
    expect(outcomes.get(0)).toBeGreaterThan(0);
    expect(outcomes.get(ENOEXEC)).toBeGreaterThan(0);
  });

  it("never throws or leaks when frames run out at a random point of a valid load", () => {
    outcomes.clear();
    fc.assert(
      fc.property(fc.nat(originals.length - 1), fc.nat(40), (which, allowed) =>
        loadAndDestroy(memory, originals[which]!, allowed),
      ),
      { numRuns: stressSize({ short: 100, long: 2_000 }), seed: 0x0face },
    );
    expect(outcomes.get(ENOMEM)).toBeGreaterThan(0);
  });
});

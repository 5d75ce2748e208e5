/**
 * The guest catalog against the committed files: every binary exists and is
 * a static ELF64 x86-64 executable, every variant of a program has the same
 * recorded output, and, on an x86-64 Linux host, running each binary natively
 * still gives the recorded stdout and exit status (the native side of the
 * differential oracle). Default-sized runs of every variant only in the
 * stress tier; the normal tier runs every quick run and the -O2-gpr defaults.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  GUEST_PROGRAMS,
  type GuestRun,
  guestBinaries,
  guestRun,
  guestRuns,
  readGuestBinary,
  readGuestExpected,
} from "../guest/catalog";

/** ELF header fields and values (System V gABI, "ELF Header"; x86-64 psABI for EM_X86_64). */
const ELF = {
  MAGIC: [0x7f, 0x45, 0x4c, 0x46],
  CLASS_OFFSET: 4,
  CLASS_64: 2,
  DATA_OFFSET: 5,
  DATA_LITTLE_ENDIAN: 1,
  VERSION_OFFSET: 6,
  VERSION_CURRENT: 1,
  TYPE_OFFSET: 16,
  TYPE_EXEC: 2,
  MACHINE_OFFSET: 18,
  MACHINE_X86_64: 62,
  PHOFF_OFFSET: 32,
  PHENTSIZE_OFFSET: 54,
  PHNUM_OFFSET: 56,
  PHDR_SIZE: 56,
} as const;

/** Program header types a static executable must not carry (gABI "Program Header"). */
const PT = { LOAD: 1, DYNAMIC: 2, INTERP: 3 } as const;

const MAX_BINARY_BYTES = 32 * 1024;
const onX86Linux = process.platform === "linux" && process.arch === "x64";
const stressTier = process.env.TSOS_TIER === "stress";

function programHeaderTypes(file: Buffer): number[] {
  const offset = Number(file.readBigUInt64LE(ELF.PHOFF_OFFSET));
  const count = file.readUInt16LE(ELF.PHNUM_OFFSET);
  const types: number[] = [];
  for (let index = 0; index < count; index++) types.push(file.readUInt32LE(offset + index * ELF.PHDR_SIZE));
  return types;
}

describe("guest binaries", () => {
  it("catalog lists every program in every variant", () => {
    const variants = GUEST_PROGRAMS.reduce((sum, program) => sum + 3 * (program.isas?.length ?? 2), 0);
    expect(guestBinaries()).toHaveLength(variants);
    expect(variants).toBe(8 * 6 + 2 * 3);
  });

  it.each(guestBinaries().map((binary) => [binary.name, binary] as const))(
    "%s is a small static ELF64 x86-64 executable",
    (_name, binary) => {
      expect(existsSync(binary.path)).toBe(true);
      expect(statSync(binary.path).size).toBeLessThanOrEqual(MAX_BINARY_BYTES);
      const file = Buffer.from(readGuestBinary(binary));
      expect([...file.subarray(0, 4)]).toEqual(ELF.MAGIC);
      expect(file[ELF.CLASS_OFFSET]).toBe(ELF.CLASS_64);
      expect(file[ELF.DATA_OFFSET]).toBe(ELF.DATA_LITTLE_ENDIAN);
      expect(file[ELF.VERSION_OFFSET]).toBe(ELF.VERSION_CURRENT);
      expect(file.readUInt16LE(ELF.TYPE_OFFSET)).toBe(ELF.TYPE_EXEC);
      expect(file.readUInt16LE(ELF.MACHINE_OFFSET)).toBe(ELF.MACHINE_X86_64);
      expect(file.readUInt16LE(ELF.PHENTSIZE_OFFSET)).toBe(ELF.PHDR_SIZE);
      const types = programHeaderTypes(file);
      expect(types).toContain(PT.LOAD);
      expect(types).not.toContain(PT.INTERP);
      expect(types).not.toContain(PT.DYNAMIC);
    },
  );

  it.each(GUEST_PROGRAMS.map((program) => [program.name] as const))(
    "every variant of %s has the same recorded output",
    (name) => {
      for (const size of ["quick", "default"] as const) {
        const runs = guestBinaries()
          .filter((binary) => binary.program.name === name)
          .map((binary) => readGuestExpected(guestRun(binary, size)));
        expect(runs[0]!.stdout.length).toBeGreaterThan(0);
        for (const run of runs) {
          expect(Buffer.from(run.stdout).equals(Buffer.from(runs[0]!.stdout))).toBe(true);
          expect(run.status).toBe(runs[0]!.status);
        }
      }
    },
  );
});

function nativeRuns(): GuestRun[] {
  return guestRuns().filter(
    (run) =>
      stressTier || run.size === "quick" || (run.binary.optimization === "O2" && run.binary.isa === "gpr"),
  );
}

describe("native oracle", () => {
  const cases = nativeRuns().map((run) => [`${run.binary.name} ${run.size}`, run] as const);
  if (!onX86Linux) {
    it.skip(`needs an x86-64 Linux host to run guest binaries natively (this is ${process.platform}/${process.arch})`, () => {});
    return;
  }
  it.each(cases)("%s prints the recorded output and status", (_label, run) => {
    const expected = readGuestExpected(run);
    const result = spawnSync(run.binary.path, [...run.args], { timeout: 30_000 });
    expect(result.error).toBeUndefined();
    expect(result.signal).toBeNull();
    expect(result.stdout.toString("latin1")).toBe(Buffer.from(expected.stdout).toString("latin1"));
    expect(result.status).toBe(expected.status);
  });
});

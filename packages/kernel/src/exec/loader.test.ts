import { PTE, PTE_HIGH } from "@tsos/hw-x86";
import { MAP, NOT_MAPPED, PROT } from "@tsos/mm";
import { describe, expect, it } from "vitest";
import { ELF, PROGRAM_TYPE, SEGMENT_FLAG } from "../elf";
import { AT } from "./auxv";
import { E2BIG, EINVAL, ENOEXEC, ENOMEM } from "./errors";
import { STACK_TOP } from "./initial-stack";
import { ELF_ET_DYN_BASE } from "./load-plan";
import { type ExecImage, type ExecOptions, loadExecutable, STACK_EXPAND } from "./loader";
import {
  buildElf,
  freshSpace,
  guestBinary,
  readPte,
  readUser,
  readUserString,
  readUserWord,
} from "./test-helpers";

const PAGE = 4096;
const R = SEGMENT_FLAG.READ;
const RW = SEGMENT_FLAG.READ | SEGMENT_FLAG.WRITE;
const RX = SEGMENT_FLAG.READ | SEGMENT_FLAG.EXECUTE;
const RANDOM = Uint8Array.from({ length: 16 }, (_, index) => 0xf0 - index);
const SYSCALLS = "hw-x86/guest/bin/syscalls-O2-gpr";

function options(overrides: Partial<ExecOptions> = {}): ExecOptions {
  return { path: "/bin/prog", argv: ["prog"], envp: [], random: RANDOM, ...overrides };
}

function load(file: Uint8Array, overrides: Partial<ExecOptions> = {}) {
  const { memory, space } = freshSpace();
  const image = loadExecutable(space, memory, file, options(overrides));
  return { memory, space, image };
}

function loaded(file: Uint8Array, overrides: Partial<ExecOptions> = {}) {
  const result = load(file, overrides);
  if (typeof result.image === "number") throw new Error(`load failed: ${result.image}`);
  return { ...result, image: result.image as ExecImage };
}

/** The space's VMAs as [start, end, prot, flags] rows. */
function vmaRows(space: ReturnType<typeof freshSpace>["space"]) {
  const rows: number[][] = [];
  for (let index = 0; index < space.vmas.count; index++) {
    rows.push([
      space.vmas.startAt(index),
      space.vmas.endAt(index),
      space.vmas.protAt(index),
      space.vmas.flagsAt(index),
    ]);
  }
  return rows;
}

/** Reads argc, argv, envp and auxv back from the initial stack, as a C runtime would. */
function readInitialStack(
  space: ReturnType<typeof freshSpace>["space"],
  memory: ReturnType<typeof freshSpace>["memory"],
  pointer: number,
) {
  const word = (address: number) => readUserWord(space, memory, address);
  const argc = word(pointer);
  let at = pointer + 8;
  const argv: string[] = [];
  for (let index = 0; index < argc; index++, at += 8) argv.push(readUserString(space, memory, word(at)));
  const argvEnd = word(at);
  at += 8;
  const envp: string[] = [];
  for (; word(at) !== 0; at += 8) envp.push(readUserString(space, memory, word(at)));
  at += 8;
  const auxv: [number, number][] = [];
  for (; ; at += 16) {
    auxv.push([word(at), word(at + 8)]);
    if (word(at) === AT.NULL) break;
  }
  return { argc, argv, argvEnd, envp, auxv, auxvEnd: at + 16 };
}

describe("loadExecutable on a committed static binary (syscalls-O2-gpr)", () => {
  const file = guestBinary(SYSCALLS);
  const execOptions = options({
    path: "/bin/syscalls",
    argv: ["syscalls", "1"],
    envp: ["HOME=/", "TERM=vt100"],
    hwcap: 0x178bfbff,
    uid: 1000,
    euid: 1001,
    gid: 100,
    egid: 101,
  });

  it("starts at e_entry with RSP 16-byte aligned at argc, the break after the data page", () => {
    const { space, image } = loaded(file, execOptions);
    expect(image.entry).toBe(0x40064e);
    expect(image.stackPointer % 16).toBe(0);
    expect(image.loadBias).toBe(0);
    // Second PT_LOAD: p_vaddr 0x402220, p_memsz 0x1020 → ends at 0x403240.
    expect(image.brkStart).toBe(0x404000);
    expect(space.brkStart).toBe(0x404000);
    expect(image.phdr).toBe(0x400040);
  });

  it("writes argc, argv, envp and the auxiliary vector exactly, in Linux's order", () => {
    const { memory, space, image } = loaded(file, execOptions);
    const stack = readInitialStack(space, memory, image.stackPointer);
    expect(stack.argc).toBe(2);
    expect(stack.argv).toEqual(["syscalls", "1"]);
    expect(stack.argvEnd).toBe(0);
    expect(stack.envp).toEqual(["HOME=/", "TERM=vt100"]);
    const random = image.stack.random;
    const execfn = image.stack.execfn;
    const platform = image.stack.platform;
    expect(stack.auxv).toEqual([
      [AT.HWCAP, 0x178bfbff],
      [AT.PAGESZ, 4096],
      [AT.CLKTCK, 100],
      [AT.PHDR, 0x400040],
      [AT.PHENT, 56],
      [AT.PHNUM, 3],
      [AT.BASE, 0],
      [AT.FLAGS, 0],
      [AT.ENTRY, 0x40064e],
      [AT.UID, 1000],
      [AT.EUID, 1001],
      [AT.GID, 100],
      [AT.EGID, 101],
      [AT.SECURE, 0],
      [AT.RANDOM, random],
      [AT.HWCAP2, 0],
      [AT.EXECFN, execfn],
      [AT.PLATFORM, platform],
      [AT.NULL, 0],
    ]);
    expect(stack.auxv.map(([type]) => type)).not.toContain(AT.SYSINFO_EHDR);
    expect(image.stack.auxvWords).toEqual(stack.auxv.flat());
    expect(image.stack.argc).toBe(2);
    expect(image.stack.auxv).toBe(stack.auxvEnd - 19 * 16);
  });

  it("points AT_PHDR at the file's program headers, AT_RANDOM at the caller's bytes", () => {
    const { memory, space, image } = loaded(file, execOptions);
    const headers = file.subarray(64, 64 + 3 * ELF.PROGRAM_HEADER_SIZE);
    expect(readUser(space, memory, image.phdr, headers.length)).toEqual(headers);
    expect(readUser(space, memory, image.stack.random, 16)).toEqual(RANDOM);
    expect(readUserString(space, memory, image.stack.platform)).toBe("x86_64");
    expect(readUserString(space, memory, image.stack.execfn)).toBe("/bin/syscalls");
  });

  it("places strings as Linux does: argv then envp upwards, the path last, 8 zero bytes at the top", () => {
    const { memory, space, image } = loaded(file, execOptions);
    const { argStart, argEnd, envEnd, execfn, platform, random } = image.stack;
    const strings = "syscalls\u00001\u0000HOME=/\u0000TERM=vt100\u0000/bin/syscalls\u0000";
    expect(argEnd - argStart).toBe("syscalls\u00001\u0000".length);
    expect(envEnd).toBe(execfn);
    expect(execfn + "/bin/syscalls\u0000".length).toBe(STACK_TOP - 8);
    const top = readUser(space, memory, argStart, STACK_TOP - argStart);
    expect(Buffer.from(top).toString("latin1")).toBe(`${strings}\u0000`.padEnd(top.length, "\u0000"));
    expect(platform).toBe(Math.floor(argStart / 16) * 16 - 7);
    expect(random).toBe(platform - 16);
    expect(image.stackPointer).toBeLessThan(random);
  });

  it("maps text R+X and data RW+NX, a RW stack VMA below STACK_TOP that grows down", () => {
    const { memory, space, image } = loaded(file, execOptions);
    const stackUsed = STACK_TOP - Math.floor(image.stackPointer / PAGE) * PAGE;
    expect(image.stackStart).toBe(STACK_TOP - stackUsed - STACK_EXPAND);
    expect(image.stackEnd).toBe(STACK_TOP);
    expect(vmaRows(space)).toEqual([
      [0x400000, 0x402000, PROT.READ | PROT.EXEC, MAP.PRIVATE],
      [0x402000, 0x404000, PROT.READ | PROT.WRITE, MAP.PRIVATE],
      [image.stackStart, STACK_TOP, PROT.READ | PROT.WRITE, MAP.PRIVATE | MAP.GROWSDOWN],
    ]);
    const text = readPte(memory, space.pageTable.root, 0x400000)!;
    expect(text.low & (PTE.P | PTE.US | PTE.RW)).toBe(PTE.P | PTE.US);
    expect(text.high & PTE_HIGH.NX).toBe(0);
    const stack = readPte(memory, space.pageTable.root, image.stackPointer)!;
    expect(stack.low & (PTE.P | PTE.US | PTE.RW)).toBe(PTE.P | PTE.US | PTE.RW);
    expect((stack.high & PTE_HIGH.NX) !== 0).toBe(true);
    // The data segment has no file bytes: nothing is mapped until first touch.
    expect(space.pageTable.translate(0x402000)).toBe(NOT_MAPPED);
  });

  it("copies the text bytes and zeroes the rest of the last text page", () => {
    const { memory, space } = loaded(file, execOptions);
    expect(readUser(space, memory, 0x400000, 0x1201)).toEqual(file.subarray(0, 0x1201));
    expect(readUser(space, memory, 0x401201, 0x2000 - 0x1201).every((byte) => byte === 0)).toBe(true);
    expect(readUser(space, memory, 0x402220, 0x1020).every((byte) => byte === 0)).toBe(true);
  });
});

describe("loadExecutable on other committed binaries", () => {
  it("loads a single-segment binary (getpid-loop) with the break right after it", () => {
    const { space, image } = loaded(guestBinary("syscall/guest/bin/getpid-loop"));
    expect(image.entry).toBe(0x4000b0);
    expect(image.brkStart).toBe(0x401000);
    expect(vmaRows(space)[0]).toEqual([0x400000, 0x401000, PROT.READ | PROT.EXEC, MAP.PRIVATE]);
  });

  it("leaves a megabyte of bss (sieve) unbacked: no frame before first touch", () => {
    const { memory, space, image } = loaded(guestBinary("hw-x86/guest/bin/sieve-O2-gpr"));
    expect(image.brkStart).toBe(Math.ceil((0x401d60 + 0xf5260) / PAGE) * PAGE);
    const before = memory.freeFrames;
    expect(space.pageTable.translate(0x480000)).toBe(NOT_MAPPED);
    expect(readUser(space, memory, 0x480000, 16).every((byte) => byte === 0)).toBe(true);
    expect(memory.freeFrames).toBeLessThan(before);
  });
});

describe("loadExecutable on a musl binary (packages/kernel/guest/bin/musl-hello)", () => {
  const file = guestBinary("kernel/guest/bin/musl-hello");

  it("copies .data into the partial first page of its RW segment and zeroes the .bss after it", () => {
    // PT_LOAD RW: p_offset 0x5fc0, p_vaddr 0x406fc0, p_filesz 0x150, p_memsz 0x7f8.
    const { memory, space, image } = loaded(file);
    expect(readUser(space, memory, 0x406fc0, 0x150)).toEqual(file.subarray(0x5fc0, 0x5fc0 + 0x150));
    expect(readUser(space, memory, 0x407110, 0x7f8 - 0x150).every((byte) => byte === 0)).toBe(true);
    expect(image.phdr).toBe(0x400040);
    expect(image.brkStart).toBe(0x408000);
    expect(vmaRows(space).slice(0, 4)).toEqual([
      [0x400000, 0x401000, PROT.READ, MAP.PRIVATE],
      [0x401000, 0x405000, PROT.READ | PROT.EXEC, MAP.PRIVATE],
      [0x405000, 0x406000, PROT.READ, MAP.PRIVATE],
      [0x406000, 0x408000, PROT.READ | PROT.WRITE, MAP.PRIVATE],
    ]);
  });
});

describe("loadExecutable on synthetic files", () => {
  it("zeroes bss in the partial page after p_filesz and beyond, over poisoned frames", () => {
    const data = new Uint8Array(0x100).fill(0xee);
    const file = buildElf({
      entry: 0x400000,
      segments: [
        { flags: RX, vaddr: 0x400000, memsz: 0x10, data: new Uint8Array(0x10).fill(0x90) },
        { flags: RW, vaddr: 0x600100, memsz: 0x2000, data },
      ],
    });
    const { memory, space, image } = loaded(file);
    expect(readUser(space, memory, 0x600100, 0x100)).toEqual(data);
    expect(readUser(space, memory, 0x600000, 0x100).every((byte) => byte === 0)).toBe(true);
    expect(readUser(space, memory, 0x600200, 0x2000 - 0x100).every((byte) => byte === 0)).toBe(true);
    expect(image.brkStart).toBe(0x603000);
    expect(vmaRows(space)[1]).toEqual([0x600000, 0x603000, PROT.READ | PROT.WRITE, MAP.PRIVATE]);
  });

  it("gives a page shared by two segments the union of their protections", () => {
    const file = buildElf({
      entry: 0x400000,
      segments: [
        { flags: RX, vaddr: 0x400000, memsz: 0x1800, offset: 0, filesz: 0x1800 },
        { flags: RW, vaddr: 0x401800, memsz: 0x1000, offset: 0x1800, filesz: 0 },
      ],
    });
    const padded = new Uint8Array(0x1800);
    padded.set(file);
    const { space } = loaded(padded);
    expect(vmaRows(space).slice(0, 3)).toEqual([
      [0x400000, 0x401000, PROT.READ | PROT.EXEC, MAP.PRIVATE],
      [0x401000, 0x402000, PROT.READ | PROT.WRITE | PROT.EXEC, MAP.PRIVATE],
      [0x402000, 0x403000, PROT.READ | PROT.WRITE, MAP.PRIVATE],
    ]);
  });

  it("makes the stack executable only when PT_GNU_STACK has PF_X", () => {
    const segments = [{ flags: RX, vaddr: 0x400000, memsz: 0x10, data: new Uint8Array(0x10) }];
    const withX = loaded(
      buildElf({
        entry: 0x400000,
        segments: [
          ...segments,
          { type: PROGRAM_TYPE.GNU_STACK, flags: RW | SEGMENT_FLAG.EXECUTE, vaddr: 0, memsz: 0 },
        ],
      }),
    );
    expect(withX.image.executableStack).toBe(true);
    expect(withX.space.vmas.protAt(withX.space.vmas.count - 1)).toBe(PROT.READ | PROT.WRITE | PROT.EXEC);
    const pte = readPte(withX.memory, withX.space.pageTable.root, withX.image.stackPointer)!;
    expect(pte.high & PTE_HIGH.NX).toBe(0);
    const without = loaded(buildElf({ entry: 0x400000, segments }));
    expect(without.image.executableStack).toBe(false);
    expect(without.space.vmas.protAt(without.space.vmas.count - 1)).toBe(PROT.READ | PROT.WRITE);
  });

  it("loads a static PIE (ET_DYN) at ELF_ET_DYN_BASE, aligned down to a larger p_align", () => {
    const segments = [
      { flags: R, vaddr: 0, memsz: 0x200, offset: 0, filesz: 0x200 },
      { flags: RX, vaddr: 0x1000, memsz: 0x10, data: new Uint8Array(0x10).fill(0xc3) },
    ];
    const small = loaded(buildElf({ type: ELF.TYPE_SHARED, entry: 0x1000, segments }));
    expect(ELF_ET_DYN_BASE).toBe(0x555555554000);
    expect(small.image.loadBias).toBe(ELF_ET_DYN_BASE);
    expect(small.image.entry).toBe(ELF_ET_DYN_BASE + 0x1000);
    expect(small.image.phdr).toBe(ELF_ET_DYN_BASE + 64);
    expect(small.image.brkStart).toBe(ELF_ET_DYN_BASE + 0x2000);
    const auxv = small.image.stack.auxvWords;
    expect(auxv[auxv.indexOf(AT.ENTRY) + 1]).toBe(ELF_ET_DYN_BASE + 0x1000);
    const aligned = segments.map((segment) => ({ ...segment, align: 0x200000 }));
    const big = loaded(buildElf({ type: ELF.TYPE_SHARED, entry: 0x1000, segments: aligned }));
    expect(big.image.loadBias).toBe(0x555555400000);
  });

  it("takes AT_PHDR from PT_PHDR when no PT_LOAD holds the table, else 0", () => {
    const text = { flags: RX, vaddr: 0x401000, memsz: 0x100, data: new Uint8Array(0x100) };
    const phdr = { type: 6, flags: R, vaddr: 0x401040, memsz: 0, filesz: 0, offset: 64 };
    expect(loaded(buildElf({ entry: 0x401000, segments: [phdr, text] })).image.phdr).toBe(0x401040);
    expect(loaded(buildElf({ entry: 0x401000, segments: [text] })).image.phdr).toBe(0);
  });
});

describe("loadExecutable refusals leave the space untouched", () => {
  const text = { flags: RX, vaddr: 0x400000, memsz: 0x100, data: new Uint8Array(0x100) };
  const good = buildElf({ entry: 0x400000, segments: [text] });
  const patched = (at: number, bytes: number[]) => {
    const copy = good.slice();
    copy.set(bytes, at);
    return copy;
  };
  const cases: [string, Uint8Array][] = [
    ["empty file", new Uint8Array(0)],
    ["truncated header", good.subarray(0, 40)],
    ["truncated program headers", good.subarray(0, 100)],
    ["wrong machine (EM_386)", patched(18, [3, 0])],
    ["ELF32", patched(4, [1])],
    ["ET_REL", patched(16, [1, 0])],
    [
      "overlapping PT_LOADs",
      buildElf({ entry: 0x400000, segments: [text, { ...text, vaddr: 0x4000f0, data: new Uint8Array(8) }] }),
    ],
    ["unordered PT_LOADs", buildElf({ entry: 0x400000, segments: [{ ...text, vaddr: 0x500000 }, text] })],
    ["memsz beyond user space", buildElf({ entry: 0x400000, segments: [{ ...text, memsz: 2 ** 47 }] })],
    ["memsz of 2^60", buildElf({ entry: 0x400000, segments: [{ ...text, memsz: 2 ** 60 }] })],
    ["filesz > memsz", buildElf({ entry: 0x400000, segments: [{ ...text, memsz: 0x10 }] })],
    [
      "offset past the end",
      buildElf({ entry: 0x400000, segments: [{ ...text, offset: 0x10000, data: undefined, filesz: 0x10 }] }),
    ],
    [
      "a segment in the stack",
      buildElf({ entry: 0x400000, segments: [{ ...text, vaddr: STACK_TOP - 0x1000 }] }),
    ],
    ["entry beyond user space", buildElf({ entry: 2 ** 48, segments: [text] })],
    [
      "PT_INTERP",
      buildElf({
        entry: 0x400000,
        segments: [{ type: PROGRAM_TYPE.INTERP, flags: R, vaddr: 0, memsz: 0 }, text],
      }),
    ],
    [
      "only empty PT_LOADs",
      buildElf({ entry: 0x400000, segments: [{ ...text, memsz: 0, data: undefined }] }),
    ],
  ];

  it.each(cases)("%s → ENOEXEC", (_name, file) => {
    const { memory, space } = freshSpace();
    const free = memory.freeFrames;
    expect(loadExecutable(space, memory, file, options())).toBe(ENOEXEC);
    expect(space.vmas.count).toBe(0);
    expect(memory.freeFrames).toBe(free);
    space.destroy();
    memory.assertNoLeaks();
  });

  it("runs out of frames midway → ENOMEM, with every mapping undone, until enough frames exist", () => {
    const file = guestBinary(SYSCALLS);
    let allowed = 0;
    for (; ; allowed++) {
      const { memory, space } = freshSpace();
      let calls = 0;
      memory.failWhen(() => ++calls > allowed);
      const result = loadExecutable(space, memory, file, options());
      memory.failWhen(undefined);
      if (typeof result !== "number") break;
      expect(result).toBe(ENOMEM);
      expect(space.vmas.count).toBe(0);
      expect(space.pageTable.tableFrameCount).toBe(1);
      space.destroy();
      memory.assertNoLeaks();
    }
    // Text: 2 pages + PDPT, PD, PT; stack: 1 page + PDPT, PD, PT.
    expect(allowed).toBe(9);
  });

  it("refuses to replace what is already mapped (MAP_FIXED_NOREPLACE → EEXIST), keeping it", () => {
    const { memory, space } = freshSpace();
    expect(space.mmap(0x403000, PAGE, PROT.READ, MAP.PRIVATE | MAP.ANONYMOUS | MAP.FIXED)).toBe(0x403000);
    expect(loadExecutable(space, memory, guestBinary(SYSCALLS), options())).toBe(-17);
    expect(vmaRows(space)).toEqual([[0x403000, 0x404000, PROT.READ, MAP.PRIVATE]]);
  });
});

describe("argument strings", () => {
  const file = buildElf({
    entry: 0x400000,
    segments: [{ flags: RX, vaddr: 0x400000, memsz: 1, data: new Uint8Array(1) }],
  });

  it("takes Uint8Array strings up to their first NUL and Latin-1 JS strings byte for byte", () => {
    const { memory, space, image } = loaded(file, {
      argv: [Uint8Array.of(0x61, 0x62, 0, 0x63), "caf\u00e9"],
      envp: [Uint8Array.of(0xff, 0x3d, 0x31)],
    });
    const stack = readInitialStack(space, memory, image.stackPointer);
    expect(stack.argv).toEqual(["ab", "caf\u00e9"]);
    expect(stack.envp).toEqual(["\u00ff=1"]);
  });

  it('turns an empty argv into [""] and refuses characters above U+00FF with EINVAL', () => {
    const { memory, space, image } = loaded(file, { argv: [] });
    expect(readInitialStack(space, memory, image.stackPointer).argv).toEqual([""]);
    expect(load(file, { argv: ["\u0100"] }).image).toBe(EINVAL);
    expect(load(file, { path: "\u{1f600}" }).image).toBe(EINVAL);
  });

  it("allows each string 32 pages with its NUL (MAX_ARG_STRLEN), no more", () => {
    expect(typeof load(file, { argv: ["x".repeat(32 * PAGE - 1)] }).image).toBe("object");
    expect(load(file, { argv: ["x".repeat(32 * PAGE)] }).image).toBe(E2BIG);
    expect(load(file, { envp: ["x".repeat(32 * PAGE)] }).image).toBe(E2BIG);
    expect(load(file, { path: "x".repeat(32 * PAGE) }).image).toBe(E2BIG);
  });

  it("limits strings + pointers to max(RLIMIT_STACK / 4, 32 pages), capped at 6 MiB", () => {
    // Path "/bin/prog\0" (10) + argv "prog\0" (5) + one 8-byte pointer for argv[0] + one per env string.
    const fill = (limit: number, envc: number) => limit - 10 - 5 - 8 * (1 + envc);
    const envFor = (bytes: number, envc: number) => {
      const each = Math.floor(bytes / envc);
      return Array.from({ length: envc }, (_, index) =>
        "e".repeat((index === envc - 1 ? bytes - each * (envc - 1) : each) - 1),
      );
    };
    const small = 32 * PAGE; // RLIMIT_STACK 64 KiB: the 32-page floor applies.
    expect(typeof load(file, { stackLimit: 65536, envp: envFor(fill(small, 2), 2) }).image).toBe("object");
    expect(load(file, { stackLimit: 65536, envp: envFor(fill(small, 2) + 1, 2) }).image).toBe(E2BIG);
    const quarter = 2 * 2 ** 20; // RLIMIT_STACK 8 MiB → 2 MiB.
    expect(typeof load(file, { envp: envFor(fill(quarter, 20), 20) }).image).toBe("object");
    expect(load(file, { envp: envFor(fill(quarter, 20) + 1, 20) }).image).toBe(E2BIG);
    const capped = 6 * 2 ** 20; // unlimited stack → 3/4 of 8 MiB.
    expect(load(file, { stackLimit: Infinity, envp: envFor(fill(capped, 60) + 1, 60) }).image).toBe(E2BIG);
  });

  it("sizes the stack VMA as used + 128 KiB, capped at RLIMIT_STACK but never below what is used", () => {
    const big = { envp: Array.from({ length: 10 }, () => "v".repeat(10_000)) };
    const free = loaded(file, big).image;
    const used = STACK_TOP - Math.floor(free.stackPointer / PAGE) * PAGE;
    expect(free.stackEnd - free.stackStart).toBe(used + STACK_EXPAND);
    const capped = loaded(file, { ...big, stackLimit: 128 * 1024 }).image;
    expect(capped.stackEnd - capped.stackStart).toBe(128 * 1024);
    const tight = loaded(file, { ...big, stackLimit: 4096 }).image;
    expect(tight.stackEnd - tight.stackStart).toBe(used);
  });

  it("throws for kernel bugs in the options, not for file contents", () => {
    const { memory, space } = freshSpace();
    expect(() => loadExecutable(space, memory, file, options({ random: new Uint8Array(8) }))).toThrow(
      RangeError,
    );
    expect(() => loadExecutable(space, memory, file, options({ uid: -1 }))).toThrow(RangeError);
  });
});

/**
 * End to end: the loader puts a real binary into an mm AddressSpace built
 * in the emulated machine's RAM, the emulated CPU runs it through that
 * space's page tables (CR3 = its PML4), page faults go to the space's fault
 * handler, and a handful of system calls are served by a test stub over the
 * same space. The guest's own checks of its initial stack, brk and mmap
 * then decide its output and exit status, compared with native Linux's.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GPR, MSR, type PhysicalMemory, SLOT, type TrapFrame } from "@tsos/hw-x86";
import { STOP_REASON } from "@tsos/hw-x86/emu";
import {
  AddressSpace,
  BuddyAllocator,
  copyFromUser,
  copyToUser,
  EFAULT,
  EINVAL,
  FAULT,
  FrameRefCounts,
} from "@tsos/mm";
import { EmulatedCpu, IDT_ADDRESS } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { ELF, SEGMENT_FLAG } from "../elf";
import { type ExecOptions, loadExecutable } from "./loader";
import { buildElf, guestBinary } from "./test-helpers";

const LSTAR = 0xffffffff81000000n;
const MEBIBYTE = 2 ** 20;
const RAM = 64 * MEBIBYTE;
/** User frames come from here up; below it EmulatedCpu keeps its own tables and the IDT. */
const USER_FRAMES = 16 * MEBIBYTE;
const TWO_POW_32 = 2 ** 32;
const EBADF = -9;
const ENOTTY = -25;
/** arch_prctl(2) code that sets the FS base (the TLS pointer). */
const ARCH_SET_FS = 0x1002;

/** A machine whose CR3 is a fresh AddressSpace, with faults and a few system calls served over it. */
function machine() {
  const emulated = new EmulatedCpu({ memoryBytes: RAM });
  // Frames are handed out dirty; the loader and mm must zero what they expose.
  emulated.ram.bytes(USER_FRAMES, RAM - USER_FRAMES).fill(0xa5);
  const frames = new BuddyAllocator([
    { base: 0, length: RAM, kind: "usable" },
    { base: 0, length: USER_FRAMES, kind: "reserved" },
  ]);
  const space = AddressSpace.create({
    memory: emulated.ram,
    frames,
    refCounts: new FrameRefCounts(RAM / 4096),
    shootdown: {
      flushPages: (pages, count) => {
        for (let index = 0; index < count; index++) emulated.cpu.invlpg(BigInt(pages[index]!));
      },
      flushAll: () => {
        const cr4 = emulated.cpu.cr4;
        emulated.cpu.cr4 = cr4; // any CR4 write flushes the whole TLB
      },
    },
  });
  if (typeof space === "number") throw new Error("no PML4");
  // The IDT page, supervisor-only, as every kernel address space maps it.
  const idtPhysical = emulated.translate(Number(IDT_ADDRESS - 2n ** 64n));
  space.pageTable.map(Number(IDT_ADDRESS - 2n ** 64n), idtPhysical, 4096, 0);
  const run = { output: [] as number[], status: -1, traps: [] as number[], unknown: [] as number[] };
  emulated.onException = (frame, cpu) => {
    const address = (frame.faultAddressHigh & 0xffff) * TWO_POW_32 + frame.faultAddressLow;
    if (frame.vector === 14 && space.handlePageFault(address, frame.errorCode) === FAULT.RESOLVED) return;
    run.traps.push(frame.vector);
    cpu.requestStop();
  };
  const clock = { nanoseconds: 1_000_000 * 1e9 }; // below 2^53 ns, so exact
  emulated.entries.bind(LSTAR, (frame) => serveSyscall(frame, space, emulated, run, clock));
  emulated.cpu.msrs.write(MSR.LSTAR, LSTAR);
  return { emulated, space, run };
}

/** Loads `file`, points CR3 at the space and RIP/RSP at the image, runs to exit_group. */
function execute(file: Uint8Array, options: Omit<ExecOptions, "random">) {
  const { emulated, space, run } = machine();
  const image = loadExecutable(space, emulated.ram, file, { ...options, random: new Uint8Array(16).fill(3) });
  if (typeof image === "number") throw new Error(`load failed: ${image}`);
  emulated.cpu.cr3 = BigInt(space.pageTable.root);
  const regs = emulated.cpu.context.regs;
  setRegister(regs, SLOT.RIP, image.entry);
  setRegister(regs, SLOT.RFLAGS, 0x202);
  setRegister(regs, GPR.RSP, image.stackPointer);
  expect(emulated.cpu.loadContext()).toBe(true);
  const stop = emulated.run(200_000_000);
  return { stop, ...run, text: Buffer.from(run.output).toString("latin1") };
}

describe("a loaded image runs on the emulated CPU", () => {
  it("syscalls-O2-gpr passes its own initial-stack, brk and mmap checks, printing what native Linux prints", () => {
    const expected = (suffix: string) =>
      readFileSync(
        fileURLToPath(
          new URL(`../../../hw-x86/guest/expected/syscalls-O2-gpr.quick.${suffix}`, import.meta.url),
        ),
        "latin1",
      );
    const result = execute(guestBinary("hw-x86/guest/bin/syscalls-O2-gpr"), {
      path: "/bin/syscalls",
      argv: ["syscalls", "1"],
      envp: ["HOME=/"],
    });
    expect(result.traps).toEqual([]);
    expect(result.stop).toBe(STOP_REASON.STOPPED);
    expect(result.text).toBe(expected("out"));
    expect(result.status).toBe(Number(expected("status").trim()));
  });

  it("musl-hello: musl's static start-up (auxv walk, TLS through arch_prctl, stdio) prints and exits 0", () => {
    const file = new Uint8Array(
      readFileSync(fileURLToPath(new URL("../../guest/bin/musl-hello", import.meta.url))),
    );
    const result = execute(file, { path: "/bin/musl-hello", argv: ["musl-hello"], envp: ["HOME=/"] });
    expect(result.traps).toEqual([]);
    expect(result.unknown).toEqual([]);
    expect(result.text).toBe("hello, musl 42\nputs adds a newline\n");
    expect(result.status).toBe(0);
  });

  it("a static PIE runs at ELF_ET_DYN_BASE: RIP-relative data, zeroed bss in the data page, argc from RSP", () => {
    // mov rbx,[rsp]; write(1, msg, 3); mov edi,[rip+bss]; add edi,ebx; exit_group(edi)
    const code = Uint8Array.from([
      ...[0x48, 0x8b, 0x1c, 0x24],
      ...[0xb8, 1, 0, 0, 0],
      ...[0xbf, 1, 0, 0, 0],
      ...[0x48, 0x8d, 0x35, ...le32(0x2000 - (0x1000 + 21))],
      ...[0xba, 3, 0, 0, 0],
      ...[0x0f, 0x05],
      ...[0x8b, 0x3d, ...le32(0x2010 - (0x1000 + 34))],
      ...[0x01, 0xdf],
      ...[0xb8, 231, 0, 0, 0],
      ...[0x0f, 0x05],
    ]);
    const file = buildElf({
      type: ELF.TYPE_SHARED,
      entry: 0x1000,
      segments: [
        { flags: SEGMENT_FLAG.READ | SEGMENT_FLAG.EXECUTE, vaddr: 0x1000, memsz: code.length, data: code },
        {
          flags: SEGMENT_FLAG.READ | SEGMENT_FLAG.WRITE,
          vaddr: 0x2000,
          memsz: 0x100,
          data: Uint8Array.from([0x68, 0x69, 0x0a]),
        },
      ],
    });
    const result = execute(file, { path: "/pie", argv: ["pie", "a", "b"], envp: [] });
    expect(result.traps).toEqual([]);
    expect(result.text).toBe("hi\n");
    expect(result.status).toBe(3);
  });
});

function le32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function setRegister(regs: Uint32Array, slot: number, value: number): void {
  regs[slot * 2] = (value % TWO_POW_32) >>> 0;
  regs[slot * 2 + 1] = Math.floor(value / TWO_POW_32) >>> 0;
}

/** A 64-bit register as a signed number (exact for |value| < 2^53, which is all this stub needs). */
function argument(regs: Uint32Array, slot: number): number {
  return (regs[slot * 2 + 1]! | 0) * TWO_POW_32 + regs[slot * 2]!;
}

/** The system calls syscalls.c makes, served over `space` (Linux x86-64 numbers). */
function serveSyscall(
  frame: TrapFrame,
  space: AddressSpace,
  emulated: EmulatedCpu,
  run: { output: number[]; status: number; unknown: number[] },
  clock: { nanoseconds: number },
): void {
  const regs = frame.context.regs;
  const [a, b, c, d, e, f] = [GPR.RDI, GPR.RSI, GPR.RDX, GPR.R10, GPR.R8, GPR.R9].map((slot) =>
    argument(regs, slot),
  ) as [number, number, number, number, number, number];
  const memory: PhysicalMemory = emulated.ram;
  const number = regs[GPR.RAX * 2]!;
  let result = -38;
  if (number === 1) result = a !== 1 ? EBADF : write(space, memory, b, c, run.output);
  else if (number === 231) {
    run.status = a;
    result = 0;
    emulated.cpu.requestStop();
  } else if (number === 39) result = 1;
  else if (number === 12) result = space.brk(a);
  else if (number === 9) result = space.mmap(a, b, c, d, e, f);
  else if (number === 11) result = space.munmap(a, b);
  else if (number === 228) result = writeTime(space, memory, b, clock.nanoseconds);
  else if (number === 35) result = sleep(space, memory, a, clock);
  else if (number === 20) result = a !== 1 ? EBADF : writev(space, memory, b, c, run.output);
  else if (number === 16) result = ENOTTY;
  else if (number === 218) result = 1;
  else if (number === 158 && a === ARCH_SET_FS) {
    setRegister(regs, SLOT.FS_BASE, b);
    result = 0;
  }
  if (result === -38) run.unknown.push(number);
  if (result >= 0) setRegister(regs, GPR.RAX, result);
  else [regs[GPR.RAX * 2], regs[GPR.RAX * 2 + 1]] = [result >>> 0, 0xffffffff];
}

function write(space: AddressSpace, memory: PhysicalMemory, address: number, length: number, out: number[]) {
  const bytes = new Uint8Array(length);
  if (copyFromUser(space, memory, address, bytes) < 0) return EFAULT;
  out.push(...bytes);
  return length;
}

function writev(space: AddressSpace, memory: PhysicalMemory, vector: number, count: number, out: number[]) {
  const iovecs = new Uint8Array(16 * count);
  if (copyFromUser(space, memory, vector, iovecs) < 0) return EFAULT;
  const view = new DataView(iovecs.buffer);
  let total = 0;
  for (let index = 0; index < count; index++) {
    const written = write(
      space,
      memory,
      Number(view.getBigUint64(index * 16, true)),
      Number(view.getBigUint64(index * 16 + 8, true)),
      out,
    );
    if (written < 0) return written;
    total += written;
  }
  return total;
}

function writeTime(space: AddressSpace, memory: PhysicalMemory, address: number, nanoseconds: number) {
  const timespec = new DataView(new ArrayBuffer(16));
  timespec.setBigInt64(0, BigInt(Math.floor(nanoseconds / 1e9)), true);
  timespec.setBigInt64(8, BigInt(nanoseconds % 1e9), true);
  return copyToUser(space, memory, address, new Uint8Array(timespec.buffer)) < 0 ? EFAULT : 0;
}

function sleep(space: AddressSpace, memory: PhysicalMemory, address: number, clock: { nanoseconds: number }) {
  const request = new Uint8Array(16);
  if (copyFromUser(space, memory, address, request) < 0) return EFAULT;
  const view = new DataView(request.buffer);
  const seconds = Number(view.getBigInt64(0, true));
  const nanoseconds = Number(view.getBigInt64(8, true));
  if (seconds < 0 || nanoseconds < 0 || nanoseconds >= 1e9) return EINVAL;
  clock.nanoseconds += seconds * 1e9 + nanoseconds;
  return 0;
}

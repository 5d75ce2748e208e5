/**
 * Property test: random mmap / munmap / mprotect / fork / switch sequences
 * on AddressSpaces, with guest loads and stores through the emulated CPU
 * whose #PF goes to `handlePageFault` (resolved faults are retried by the
 * CPU). Every access must agree with a page-level model of the VMAs and of
 * each space's bytes (demand-zero, copy-on-write isolation after fork), and
 * destroying every space must give back every frame.
 */
import { PF_ERROR } from "@tsos/hw-x86";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  buddyStatistics,
  ENOMEM,
  FAULT,
  type FaultResult,
  FrameRefCounts,
  MAP,
  PROT,
} from "../src/index";
import { MmuRig, SYSCALL_VECTOR, VECTOR_PF } from "./emulated-mmu";

const PAGE = 4096;
const WINDOW = 0x1000_0000;
const WINDOW_PAGES = 12;
const OFFSETS = [0, 0x7ff, 0xfff] as const;
const MAX_SPACES = 3;

/** One space in the model: page → prot (absent = no VMA), address → byte (absent = zero). */
interface ModelSpace {
  prot: Map<number, number>;
  bytes: Map<number, number>;
}

type Op =
  | { kind: "mmap"; page: number; count: number; prot: number }
  | { kind: "mprotect"; page: number; count: number; prot: number }
  | { kind: "munmap"; page: number; count: number }
  | { kind: "fork" }
  | { kind: "switch"; to: number }
  | { kind: "load"; page: number; offset: number }
  | { kind: "store"; page: number; offset: number; value: number };

const page = fc.integer({ min: 0, max: WINDOW_PAGES - 1 });
const count = fc.integer({ min: 1, max: 4 });
const prot = fc.constantFrom(
  PROT.NONE,
  PROT.READ,
  PROT.READ | PROT.WRITE,
  PROT.READ | PROT.WRITE,
  PROT.WRITE,
  PROT.EXEC,
);
const offset = fc.constantFrom(...OFFSETS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("mmap" as const), page, count, prot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("mprotect" as const), page, count, prot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("munmap" as const), page, count }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fork" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("switch" as const), to: fc.nat({ max: MAX_SPACES - 1 }) }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("load" as const), page, offset }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("store" as const),
      page,
      offset,
      value: fc.integer({ min: 1, max: 255 }),
    }),
  },
);

function pagesOf(first: number, pages: number): number[] {
  const result: number[] = [];
  for (let index = first; index < Math.min(first + pages, WINDOW_PAGES); index++) result.push(index);
  return result;
}

describe("AddressSpace against the emulated MMU (model-based)", () => {
  it("guest accesses, fault results and frame accounting agree with the model", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 50 }), (ops) => {
        const rig = new MmuRig();
        const freeBefore = buddyStatistics(rig.buddy).freeFrames;
        const refCounts = new FrameRefCounts(rig.buddy.frameCount);
        const options = { memory: rig.ram, frames: rig.buddy, refCounts, shootdown: rig.shootdown };
        const first = AddressSpace.create(options);
        if (first === ENOMEM) throw new Error("no memory");
        const spaces: AddressSpace[] = [first];
        const models: ModelSpace[] = [{ prot: new Map(), bytes: new Map() }];
        let current = 0;
        const results: FaultResult[] = [];
        rig.onTrap = (frame, r) => {
          if (frame.vector !== VECTOR_PF) return r.cpu.requestStop();
          const address = frame.faultAddressHigh * 2 ** 32 + frame.faultAddressLow;
          const result = spaces[current]!.handlePageFault(address, frame.errorCode);
          results.push(result);
          if (result !== FAULT.RESOLVED) r.cpu.requestStop();
        };
        const activate = (index: number): void => {
          current = index;
          rig.switchTo(spaces[index]!.pageTable);
        };
        rig.addKernelPages(first.pageTable);
        activate(0);

        for (const step of ops) {
          const space = spaces[current]!;
          const model = models[current]!;
          if (step.kind === "fork") {
            if (spaces.length === MAX_SPACES) continue;
            const child = space.fork();
            if (child === ENOMEM) throw new Error("no memory");
            rig.addKernelPages(child.pageTable);
            spaces.push(child);
            models.push({ prot: new Map(model.prot), bytes: new Map(model.bytes) });
          } else if (step.kind === "switch") {
            if (step.to < spaces.length) activate(step.to);
          } else if (step.kind === "mmap") {
            const address = WINDOW + step.page * PAGE;
            const length = Math.min(step.count, WINDOW_PAGES - step.page) * PAGE;
            expect(space.mmap(address, length, step.prot, MAP.PRIVATE | MAP.ANONYMOUS | MAP.FIXED)).toBe(
              address,
            );
            for (const index of pagesOf(step.page, step.count)) {
              model.prot.set(index, step.prot);
              for (const at of OFFSETS) model.bytes.delete(index * PAGE + at);
            }
          } else if (step.kind === "munmap") {
            expect(space.munmap(WINDOW + step.page * PAGE, step.count * PAGE)).toBe(0);
            for (const index of pagesOf(step.page, step.count)) {
              model.prot.delete(index);
              for (const at of OFFSETS) model.bytes.delete(index * PAGE + at);
            }
          } else if (step.kind === "mprotect") {
            const indices = pagesOf(step.page, step.count);
            const covered = indices.every((index) => model.prot.has(index));
            const length = indices.length * PAGE;
            expect(space.mprotect(WINDOW + step.page * PAGE, length, step.prot)).toBe(covered ? 0 : ENOMEM);
            if (covered) for (const index of indices) model.prot.set(index, step.prot);
          } else {
            const address = WINDOW + step.page * PAGE + step.offset;
            const key = step.page * PAGE + step.offset;
            const pageProt = model.prot.get(step.page);
            const write = step.kind === "store";
            results.length = 0;
            rig.traps.length = 0;
            const outcome = write ? rig.store(address, step.value) : rig.load(address);
            const allowed =
              pageProt !== undefined && (write ? (pageProt & PROT.WRITE) !== 0 : pageProt !== PROT.NONE);
            if (!allowed) {
              expect(outcome).toHaveProperty("fault");
              expect(results.at(-1)).toBe(pageProt === undefined ? FAULT.SEGV_MAPERR : FAULT.SEGV_ACCERR);
              expect(rig.lastTrap.cr2).toBe(BigInt(address));
              expect(rig.lastTrap.errorCode & (PF_ERROR.W | PF_ERROR.U)).toBe(
                PF_ERROR.U | (write ? PF_ERROR.W : 0),
              );
              continue;
            }
            // Resolved faults are retried; the access ends at the SYSCALL after it.
            expect(results.every((result) => result === FAULT.RESOLVED)).toBe(true);
            expect(results.length).toBeLessThanOrEqual(1);
            expect(rig.lastTrap.vector).toBe(SYSCALL_VECTOR);
            if (write) {
              expect(outcome).toBe(true);
              model.bytes.set(key, step.value);
            } else {
              expect(outcome).toEqual({ byte: model.bytes.get(key) ?? 0 });
            }
          }
        }
        // Every space sees its own bytes, whatever the others wrote.
        for (let index = 0; index < spaces.length; index++) {
          for (const [key, value] of models[index]!.bytes) {
            const physical = spaces[index]!.pageTable.translate(WINDOW + key);
            expect(rig.ram.read8(physical)).toBe(value);
          }
        }
        for (const space of spaces) space.destroy();
        expect(buddyStatistics(rig.buddy).freeFrames).toBe(freeBefore);
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * Property test: random map / unmap / protect sequences through mm's
 * PageTable (4 KiB and 2 MiB pages, in several PML4 slots, and 4 KiB and
 * 2 MiB slots over the same 2 MiB regions: a 2 MiB map there succeeds once
 * the 4 KiB pages are gone, because unmap frees the emptied PT), with TLB
 * obligations discharged through INVLPG (or a CR3 reload past the batch
 * ceiling) before every guest access; then guest loads and stores through
 * the emulated CPU must agree with a plain model of what was mapped:
 * the byte at the mapped frame (or, for a jump, the code there runs), or #PF exactly when the model says the page
 * is absent or the access not permitted, with the SDM error code and CR2.
 * Freed table frames are reused for later pages (filled with test bytes), so
 * a table left linked after being freed would send the CPU's walk astray.
 * At the end everything is unmapped and every table frame but the initial
 * ones must be back in the buddy allocator after the flush.
 */
import { PAGE_SIZE, PF_ERROR, PTE, PTE_HIGH } from "@tsos/hw-x86";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EEXIST, EINVAL, ENOENT, TLB_FLUSH, TlbFlushBatch } from "../src/index";
import { CODE, MmuRig, VECTOR_PF } from "./emulated-mmu";

const K4 = PAGE_SIZE.SIZE_4K;
const M2 = PAGE_SIZE.SIZE_2M;
const { P, W, U, I } = PF_ERROR;
/** `syscall` (0F 05) as a little-endian 16-bit value. */
const SYSCALL_WORD = 0x050f;

/**
 * Virtual slots: 4 KiB pages sharing a table, 4 KiB pages in another PML4
 * slot, 2 MiB pages, and 2 MiB slots over the regions of 4 KiB slots (0x1000_0000
 * holds slots 0–2, 0x1020_0000 slot 3, 0x4020_0000 slot 9).
 */
const SLOTS = [
  { base: 0x1000_0000, size: K4 },
  { base: 0x1000_1000, size: K4 },
  { base: 0x1000_3000, size: K4 },
  { base: 0x1020_0000, size: K4 },
  { base: 0x7f12_3456_7000, size: K4 },
  { base: 0x4000_0000, size: M2 },
  { base: 0x4020_0000, size: M2 },
  { base: 0x1000_0000, size: M2 },
  { base: 0x1020_0000, size: M2 },
  { base: 0x4020_5000, size: K4 },
] as const;

/** Whether slots `a` and `b` overlap in virtual memory. */
function overlaps(a: number, b: number): boolean {
  const left = SLOTS[a]!;
  const right = SLOTS[b]!;
  return left.base < right.base + right.size && right.base < left.base + left.size;
}

interface Rights {
  rw: boolean;
  us: boolean;
  nx: boolean;
}
interface Mapped extends Rights {
  frame: number;
}

type Op =
  | ({ kind: "map"; slot: number; fill: number } & Rights)
  | { kind: "unmap"; slot: number }
  | ({ kind: "protect"; slot: number } & Rights)
  | { kind: "load"; slot: number; offset: number }
  | { kind: "store"; slot: number; offset: number; value: number }
  | { kind: "exec"; slot: number; offset: number };

const slot = fc.integer({ min: 0, max: SLOTS.length - 1 });
const offset = fc.nat({ max: M2 - 1 });
/** Mostly true, so that most probes reach a mapped, permitted page. */
const likely = fc.integer({ min: 0, max: 3 }).map((n) => n > 0);
const rights = { rw: likely, us: likely, nx: fc.boolean() };
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("map" as const),
      slot,
      fill: fc.integer({ min: 0, max: 255 }),
      ...rights,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("unmap" as const), slot }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("protect" as const), slot, ...rights }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("load" as const), slot, offset }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("store" as const),
      slot,
      offset,
      value: fc.integer({ min: 0, max: 255 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("exec" as const), slot, offset }) },
);

function flagsOf(r: Rights): number {
  return (r.rw ? PTE.RW : 0) | (r.us ? PTE.US : 0);
}

describe("PageTable against the emulated MMU (model-based)", () => {
  it("every guest access agrees with the model of mm's mappings", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 60 }), (ops) => {
        const rig = new MmuRig();
        const model = new Map<number, Mapped>();
        const batch = new TlbFlushBatch();
        const initialFree = rig.buddy.freeFrames;
        const initialTables = rig.table.tableFrameCount;
        /** The mapped slot (if any) that overlaps `slot` (itself included). */
        const overlapping = (slot: number): number | undefined => {
          for (const other of model.keys()) if (overlaps(slot, other)) return other;
          return undefined;
        };
        /** The mapping covering `address` and the offset into its frame. */
        const covering = (address: number): { mapped: Mapped; within: number } | undefined => {
          for (const [index, mapped] of model) {
            const { base, size } = SLOTS[index]!;
            if (address >= base && address < base + size) return { mapped, within: address - base };
          }
          return undefined;
        };
        for (const step of ops) {
          const { base, size } = SLOTS[step.slot]!;
          const order = size === M2 ? 9 : 0;
          const current = model.get(step.slot);
          const other = overlapping(step.slot);
          if (step.kind === "map") {
            const frame = rig.frame(order);
            rig.ram.bytes(frame, size).fill(step.fill);
            const result = rig.table.map(base, frame, size, flagsOf(step), step.nx ? PTE_HIGH.NX : 0);
            if (other !== undefined) {
              expect(result).toBe(EEXIST);
              rig.buddy.free(frame, order);
            } else {
              expect(result).toBe(TLB_FLUSH.NONE);
              model.set(step.slot, { frame, rw: step.rw, us: step.us, nx: step.nx });
            }
          } else if (step.kind === "unmap") {
            const result = rig.table.unmap(base, size, batch);
            if (current === undefined) expect(result).toBe(other === undefined ? ENOENT : EINVAL);
            else {
              expect(result).toBe(TLB_FLUSH.PAGE);
              // The frame may be reused at once: mm's caller must flush before the next access.
              rig.buddy.free(current.frame, order);
              model.delete(step.slot);
            }
          } else if (step.kind === "protect") {
            const result = rig.table.protect(base, size, flagsOf(step), step.nx ? PTE_HIGH.NX : 0, batch);
            if (current === undefined) expect(result).toBe(other === undefined ? ENOENT : EINVAL);
            else {
              expect(result).toBe(TLB_FLUSH.PAGE);
              model.set(step.slot, { frame: current.frame, rw: step.rw, us: step.us, nx: step.nx });
            }
          } else if (step.kind === "exec") {
            batch.flush(rig.shootdown);
            // Even, so the two bytes never straddle two 4 KiB pages.
            const address = base + (Math.min(step.offset % size, size - 2) & ~1);
            const hit = covering(address);
            const current = hit?.mapped;
            if (hit !== undefined) rig.ram.write16(hit.mapped.frame + hit.within, SYSCALL_WORD);
            const outcome = rig.execute(address);
            const trap = rig.lastTrap;
            if (current?.us === true && !current.nx) {
              expect(outcome).toBe(true);
              expect(trap.rip).toBe(address + 2);
            } else {
              expect(trap.vector).toBe(VECTOR_PF);
              expect(trap.errorCode).toBe((current === undefined ? 0 : P) | U | I);
              expect(trap.cr2).toBe(BigInt(address));
              expect(trap.rip).toBe(address);
            }
          } else {
            batch.flush(rig.shootdown);
            const address = base + (step.offset % size);
            const hit = covering(address);
            const current = hit?.mapped;
            const within = hit?.within ?? 0;
            const write = step.kind === "store";
            const outcome = write ? rig.store(address, step.value) : rig.load(address);
            const allowed = current?.us === true && (!write || current.rw);
            if (!allowed || current === undefined) {
              expect(outcome).toHaveProperty("fault");
              const trap = rig.lastTrap;
              expect(trap.vector).toBe(VECTOR_PF);
              expect(trap.errorCode).toBe((current === undefined ? 0 : P) | (write ? W : 0) | U);
              expect(trap.cr2).toBe(BigInt(address));
              expect(trap.rip).toBe(CODE);
              continue;
            }
            expect(rig.table.translate(address)).toBe(current.frame + within);
            if (write) {
              expect(outcome).toBe(true);
              expect(rig.ram.read8(current.frame + within)).toBe(step.value);
            } else {
              expect(outcome).toEqual({ byte: rig.ram.read8(current.frame + within) });
            }
          }
        }
        // Whatever is still mapped translates in mm as in the model.
        for (let index = 0; index < SLOTS.length; index++) {
          const hit = covering(SLOTS[index]!.base + 1);
          const expected = hit === undefined ? -1 : hit.mapped.frame + hit.within;
          expect(rig.table.translate(SLOTS[index]!.base + 1)).toBe(expected);
        }
        // Unmap everything: after the flush every table frame taken since the start is free again.
        for (const [index, mapped] of model) {
          const { base, size } = SLOTS[index]!;
          expect(rig.table.unmap(base, size, batch)).toBe(TLB_FLUSH.PAGE);
          rig.buddy.free(mapped.frame, size === M2 ? 9 : 0);
        }
        batch.flush(rig.shootdown);
        expect(rig.table.tableFrameCount).toBe(initialTables);
        expect(rig.buddy.freeFrames).toBe(initialFree);
      }),
      { numRuns: 60 },
    );
  });
});

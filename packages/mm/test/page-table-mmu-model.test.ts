/**
 * Property test: random map / unmap / protect sequences through mm's
 * PageTable (4 KiB and 2 MiB pages, in several PML4 slots), with TLB
 * obligations discharged through INVLPG (or a CR3 reload past the batch
 * ceiling) before every guest access; then guest loads and stores through
 * the emulated CPU must agree with a plain model of what was mapped:
 * the byte at the mapped frame (or, for a jump, the code there runs), or #PF exactly when the model says the page
 * is absent or the access not permitted, with the SDM error code and CR2.
 */
import { PAGE_SIZE, PF_ERROR, PTE, PTE_HIGH } from "@tsos/hw-x86";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EEXIST, ENOENT, TLB_FLUSH, TlbFlushBatch } from "../src/index";
import { CODE, MmuRig, VECTOR_PF } from "./emulated-mmu";

const K4 = PAGE_SIZE.SIZE_4K;
const M2 = PAGE_SIZE.SIZE_2M;
const { P, W, U, I } = PF_ERROR;
/** `syscall` (0F 05) as a little-endian 16-bit value. */
const SYSCALL_WORD = 0x050f;

/** Virtual slots: 4 KiB pages sharing a table, 4 KiB pages in another PML4 slot, and 2 MiB pages. */
const SLOTS = [
  { base: 0x1000_0000, size: K4 },
  { base: 0x1000_1000, size: K4 },
  { base: 0x1000_3000, size: K4 },
  { base: 0x1020_0000, size: K4 },
  { base: 0x7f12_3456_7000, size: K4 },
  { base: 0x4000_0000, size: M2 },
  { base: 0x4020_0000, size: M2 },
] as const;

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
        for (const step of ops) {
          const { base, size } = SLOTS[step.slot]!;
          const order = size === M2 ? 9 : 0;
          const current = model.get(step.slot);
          if (step.kind === "map") {
            const frame = rig.frame(order);
            rig.ram.bytes(frame, size).fill(step.fill);
            const result = rig.table.map(base, frame, size, flagsOf(step), step.nx ? PTE_HIGH.NX : 0);
            if (current !== undefined) {
              expect(result).toBe(EEXIST);
              rig.buddy.free(frame, order);
            } else {
              expect(result).toBe(TLB_FLUSH.NONE);
              model.set(step.slot, { frame, rw: step.rw, us: step.us, nx: step.nx });
            }
          } else if (step.kind === "unmap") {
            const result = rig.table.unmap(base, size, batch);
            if (current === undefined) expect(result).toBe(ENOENT);
            else {
              expect(result).toBe(TLB_FLUSH.PAGE);
              // The frame may be reused at once: mm's caller must flush before the next access.
              rig.buddy.free(current.frame, order);
              model.delete(step.slot);
            }
          } else if (step.kind === "protect") {
            const result = rig.table.protect(base, size, flagsOf(step), step.nx ? PTE_HIGH.NX : 0, batch);
            if (current === undefined) expect(result).toBe(ENOENT);
            else {
              expect(result).toBe(TLB_FLUSH.PAGE);
              model.set(step.slot, { frame: current.frame, rw: step.rw, us: step.us, nx: step.nx });
            }
          } else if (step.kind === "exec") {
            batch.flush(rig.shootdown);
            const within = Math.min(step.offset % size, size - 2);
            const address = base + within;
            if (current !== undefined) rig.ram.write16(current.frame + within, SYSCALL_WORD);
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
            const within = step.offset % size;
            const address = base + within;
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
          const mapped = model.get(index);
          const expected = mapped === undefined ? -1 : mapped.frame + 1;
          expect(rig.table.translate(SLOTS[index]!.base + 1)).toBe(expected);
        }
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * Process-context identifiers (SDM vol 3A §4.10.1, §4.10.4.1; vol 2
 * INVPCID): with CR4.PCIDE, a CR3 load with bit 63 keeps the target PCID's
 * translations and one without drops them; other PCIDs' translations
 * survive the switch; INVLPG acts on the current PCID (and global pages);
 * INVPCID reaches a PCID that is not current; CR4 writes drop everything.
 * A kept translation is observed as a stale read after the page is
 * remapped without invalidation — which is exactly what a kernel must
 * avoid, and what these tests rely on.
 */
import { describe, expect, it } from "vitest";
import { CR4 } from "../src/emu/cpu/arch-bits";
import { INVPCID_TYPE, TLB_CONTEXTS } from "../src/emu/cpu/tlb-contexts";
import { GPR } from "../src/interfaces/cpu-context";
import { Harness, USER_RW } from "./cpu-harness";

const SPARE = 0x800000;
const NO_FLUSH = 1n << 63n;

/**
 * Reads SPARE under PCID 1, remaps it (no invalidation), runs `between`,
 * switches back to PCID 1 with `cr3Back`, reads again: [first, second].
 */
function scenario(between: (h: Harness, root: bigint) => void, keepOnReturn = true): [number, number] {
  const h = new Harness();
  // mov eax, [0x800000] ; syscall ; mov eax, [0x800000] ; syscall
  h.load("8b042500008000 0f05 8b042500008000 0f05");
  const root = h.cpu.cr3;
  h.cpu.cr4 = h.cpu.cr4 | CR4.PCIDE;
  h.cpu.cr3 = root | 1n;
  const first = h.allocateFrame();
  const second = h.allocateFrame();
  h.ram.write32(first, 1);
  h.ram.write32(second, 2);
  h.map(SPARE, first, USER_RW);
  h.run();
  const before = Number(h.get(GPR.RAX));
  h.map(SPARE, second, USER_RW);
  between(h, root);
  h.cpu.cr3 = root | 1n | (keepOnReturn ? NO_FLUSH : 0n);
  h.run();
  return [before, Number(h.get(GPR.RAX))];
}

describe("PCIDs", () => {
  it("CPUID reports PCID (1:ECX[17]) and INVPCID (7:EBX[10])", () => {
    const h = new Harness();
    const out = new Uint32Array(4);
    h.cpu.cpuid.query(1, 0, out);
    expect((out[2]! >>> 17) & 1).toBe(1);
    h.cpu.cpuid.query(7, 0, out);
    expect((out[1]! >>> 10) & 1).toBe(1);
  });

  it("a switch to another PCID and back with bit 63 keeps the first PCID's translation", () => {
    expect(scenario((h, root) => (h.cpu.cr3 = root | 2n | NO_FLUSH))).toEqual([1, 1]);
  });

  it("a return without bit 63 drops that PCID's translations", () => {
    expect(scenario((h, root) => (h.cpu.cr3 = root | 2n | NO_FLUSH), false)).toEqual([1, 2]);
  });

  it("bit 63 is not stored in CR3", () => {
    const h = new Harness();
    const root = h.cpu.cr3;
    h.cpu.cr4 = h.cpu.cr4 | CR4.PCIDE;
    h.cpu.cr3 = root | 5n | NO_FLUSH;
    expect(h.cpu.cr3).toBe(root | 5n);
  });

  it("INVLPG under PCID 2 leaves PCID 1's translation of the page (architecturally)", () => {
    expect(
      scenario((h, root) => {
        h.cpu.cr3 = root | 2n | NO_FLUSH;
        h.cpu.invlpg(BigInt(SPARE));
      }),
    ).toEqual([1, 1]);
  });

  it("INVPCID reaches PCID 1 from PCID 2: one address, or the whole context", () => {
    for (const type of [
      INVPCID_TYPE.ADDRESS,
      INVPCID_TYPE.SINGLE,
      INVPCID_TYPE.ALL,
      INVPCID_TYPE.ALL_WITH_GLOBAL,
    ]) {
      expect(
        scenario((h, root) => {
          h.cpu.cr3 = root | 2n | NO_FLUSH;
          h.cpu.invpcid(type, 1, BigInt(SPARE));
        }),
      ).toEqual([1, 2]);
    }
    // INVPCID of another PCID or another address leaves it.
    expect(
      scenario((h, root) => {
        h.cpu.cr3 = root | 2n | NO_FLUSH;
        h.cpu.invpcid(INVPCID_TYPE.ADDRESS, 3, BigInt(SPARE));
        h.cpu.invpcid(INVPCID_TYPE.ADDRESS, 1, BigInt(SPARE + 0x1000));
      }),
    ).toEqual([1, 1]);
  });

  it("a CR4 write drops every context", () => {
    expect(
      scenario((h, root) => {
        h.cpu.cr3 = root | 2n | NO_FLUSH;
        const cr4 = h.cpu.cr4;
        h.cpu.cr4 = cr4;
      }),
    ).toEqual([1, 2]);
  });

  it(`more than ${TLB_CONTEXTS} PCIDs evict the least recently used context (its translations are walked again)`, () => {
    expect(
      scenario((h, root) => {
        for (let pcid = 2; pcid < 2 + TLB_CONTEXTS; pcid++) h.cpu.cr3 = root | BigInt(pcid) | NO_FLUSH;
      }),
    ).toEqual([1, 2]);
    // Fewer than that: it is still there.
    expect(
      scenario((h, root) => {
        for (let pcid = 2; pcid < TLB_CONTEXTS; pcid++) h.cpu.cr3 = root | BigInt(pcid) | NO_FLUSH;
      }),
    ).toEqual([1, 1]);
  });

  it("without CR4.PCIDE every CR3 load flushes, whatever bits 11:0 and 63 say", () => {
    const h = new Harness();
    h.load("8b042500008000 0f05 8b042500008000 0f05");
    const root = h.cpu.cr3;
    const [first, second] = [h.allocateFrame(), h.allocateFrame()];
    h.ram.write32(first, 1);
    h.ram.write32(second, 2);
    h.map(SPARE, first, USER_RW);
    h.run();
    h.map(SPARE, second, USER_RW);
    h.cpu.cr3 = root;
    h.run();
    expect(Number(h.get(GPR.RAX))).toBe(2);
  });
});

/**
 * AddressSpace page faults driven by the emulated CPU: the CPU's #PF goes to
 * `AddressSpace.handlePageFault`, the handler returns, the CPU retries the
 * faulting instruction and it completes (demand-zero, copy-on-write after
 * fork, stack growth). Protection changes reach the CPU through the
 * address space's TlbShootdown (INVLPG on the rig's CPU), so a stale
 * writable TLB entry would show up as a lost copy-on-write break.
 */
import { PF_ERROR } from "@tsos/hw-x86";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  copyFromUser,
  copyToUser,
  EFAULT,
  ENOMEM,
  FAULT,
  type FaultResult,
  FrameRefCounts,
  MAP,
  PROT,
  type TlbShootdown,
} from "../src/index";
import { MmuRig, SYSCALL_VECTOR, shootdownOn, VECTOR_PF } from "./emulated-mmu";

const { P, W, U } = PF_ERROR;
const HEAP = 0x1000_0000;
const ANON = MAP.PRIVATE | MAP.ANONYMOUS | MAP.FIXED;

/** A rig whose CPU runs `space`, handing every #PF to the current space's fault handler. */
function setup(cpuCount = 1, shootdown = (rig: MmuRig): TlbShootdown => rig.shootdown) {
  const rig = new MmuRig();
  for (let index = 1; index < cpuCount; index++) rig.addCpu();
  const refCounts = new FrameRefCounts(rig.buddy.frameCount);
  const created = AddressSpace.create({
    memory: rig.ram,
    frames: rig.buddy,
    refCounts,
    shootdown: shootdown(rig),
  });
  if (created === ENOMEM) throw new Error("no memory");
  const results: FaultResult[] = [];
  const state = { space: created };
  rig.onTrap = (frame, r) => {
    if (frame.vector !== VECTOR_PF) {
      r.cpu.requestStop();
      return;
    }
    const address = frame.faultAddressHigh * 2 ** 32 + frame.faultAddressLow;
    const result = state.space.handlePageFault(address, frame.errorCode);
    results.push(result);
    if (result !== FAULT.RESOLVED) r.cpu.requestStop(); // a signal, in the kernel
  };
  rig.addKernelPages(created.pageTable);
  for (let index = 0; index < cpuCount; index++) {
    rig.select(index);
    rig.switchTo(created.pageTable);
  }
  rig.select(0);
  const use = (space: AddressSpace): void => {
    state.space = space;
    rig.switchTo(space.pageTable);
  };
  return { rig, space: created, refCounts, results, use };
}

/** Vectors and error codes of the traps recorded so far, then clears them. */
function drain(rig: MmuRig): Array<[number, number]> {
  const seen = rig.traps.map((trap): [number, number] => [trap.vector, trap.errorCode]);
  rig.traps.length = 0;
  return seen;
}

describe("AddressSpace faults through the emulated CPU", () => {
  it("demand-zero: a store faults, is resolved, retried and lands in a zeroed frame", () => {
    const { rig, space, results } = setup();
    expect(space.mmap(HEAP, 2 * 4096, PROT.READ | PROT.WRITE, ANON)).toBe(HEAP);
    expect(rig.store(HEAP + 0x10, 0x42)).toBe(true);
    expect(drain(rig)).toEqual([
      [VECTOR_PF, W | U],
      [SYSCALL_VECTOR, -1],
    ]);
    expect(results).toEqual([FAULT.RESOLVED]);
    const frame = space.pageTable.translate(HEAP);
    expect(rig.ram.read8(frame + 0x10)).toBe(0x42);
    expect(rig.ram.bytes(frame, 4096).reduce((sum, byte) => sum + byte, 0)).toBe(0x42);
    // A load from the second page: read fault, a fresh zero page.
    expect(rig.load(HEAP + 4096 + 5)).toEqual({ byte: 0 });
    expect(drain(rig)).toEqual([
      [VECTOR_PF, U],
      [SYSCALL_VECTOR, -1],
    ]);
    // Now mapped: no fault at all.
    expect(rig.load(HEAP + 0x10)).toEqual({ byte: 0x42 });
    expect(drain(rig)).toEqual([[SYSCALL_VECTOR, -1]]);
  });

  it("no VMA → SEGV_MAPERR; mprotect read-only reaches the CPU's TLB → SEGV_ACCERR", () => {
    const { rig, space, results } = setup();
    expect(rig.load(HEAP)).toHaveProperty("fault");
    expect(results).toEqual([FAULT.SEGV_MAPERR]);
    space.mmap(HEAP, 4096, PROT.READ | PROT.WRITE, ANON);
    expect(rig.store(HEAP, 7)).toBe(true); // the CPU now caches a writable translation
    expect(space.mprotect(HEAP, 4096, PROT.READ)).toBe(0);
    drain(rig);
    expect(rig.store(HEAP, 8)).toHaveProperty("fault");
    expect(rig.lastTrap.errorCode).toBe(P | W | U);
    expect(results.at(-1)).toBe(FAULT.SEGV_ACCERR);
    expect(rig.load(HEAP)).toEqual({ byte: 7 });
  });

  it("fork + copy-on-write: each space's writes stay its own", () => {
    const { rig, space: parent, refCounts, results, use } = setup();
    parent.mmap(HEAP, 4096, PROT.READ | PROT.WRITE, ANON);
    expect(rig.store(HEAP + 1, 0x42)).toBe(true); // writable and dirty in the TLB
    const shared = parent.pageTable.translate(HEAP);
    const child = parent.fork();
    if (child === ENOMEM) throw new Error("no memory");
    rig.addKernelPages(child.pageTable);
    expect(refCounts.get(shared)).toBe(2);
    drain(rig);
    results.length = 0;

    // The parent writes: fork's write-protect was flushed from the TLB, so this faults and copies.
    expect(rig.store(HEAP + 1, 0x99)).toBe(true);
    expect(drain(rig)).toEqual([
      [VECTOR_PF, P | W | U],
      [SYSCALL_VECTOR, -1],
    ]);
    expect(results).toEqual([FAULT.RESOLVED]);
    const parentCopy = parent.pageTable.translate(HEAP);
    expect(parentCopy).not.toBe(shared);
    expect(rig.ram.read8(parentCopy + 1)).toBe(0x99);
    expect(rig.ram.read8(shared + 1)).toBe(0x42);
    expect(refCounts.get(shared)).toBe(1);

    // The child still sees the old byte; its write reuses the now unshared frame without a copy.
    use(child);
    expect(rig.load(HEAP + 1)).toEqual({ byte: 0x42 });
    expect(rig.store(HEAP + 1, 0x17)).toBe(true);
    expect(drain(rig)).toEqual([
      [SYSCALL_VECTOR, -1],
      [VECTOR_PF, P | W | U],
      [SYSCALL_VECTOR, -1],
    ]);
    expect(child.pageTable.translate(HEAP)).toBe(shared);
    expect(rig.ram.read8(shared + 1)).toBe(0x17);

    use(parent);
    expect(rig.load(HEAP + 1)).toEqual({ byte: 0x99 });
  });

  it("a child write first: the child copies, the parent keeps the original frame", () => {
    const { rig, space: parent, use } = setup();
    parent.mmap(HEAP, 4096, PROT.READ | PROT.WRITE, ANON);
    expect(rig.store(HEAP, 0x11)).toBe(true);
    const child = parent.fork();
    if (child === ENOMEM) throw new Error("no memory");
    rig.addKernelPages(child.pageTable);
    use(child);
    expect(rig.store(HEAP, 0x22)).toBe(true);
    use(parent);
    expect(rig.load(HEAP)).toEqual({ byte: 0x11 });
    expect(rig.store(HEAP, 0x33)).toBe(true);
    use(child);
    expect(rig.load(HEAP)).toEqual({ byte: 0x22 });
  });

  it("copyToUser into a shared copy-on-write page breaks sharing as a guest write would", () => {
    const { rig, space: parent, use } = setup();
    parent.mmap(HEAP, 2 * 4096, PROT.READ | PROT.WRITE, ANON);
    expect(rig.store(HEAP + 4094, 0x41)).toBe(true);
    expect(rig.load(HEAP + 4094)).toEqual({ byte: 0x41 }); // cached in the TLB
    const child = parent.fork();
    if (child === ENOMEM) throw new Error("no memory");
    rig.addKernelPages(child.pageTable);
    // The kernel writes 4 bytes for the parent, across the page boundary (the second page is demand-zero).
    expect(copyToUser(parent, rig.ram, HEAP + 4094, Uint8Array.of(1, 2, 3, 4))).toBe(0);
    expect(rig.load(HEAP + 4094)).toEqual({ byte: 1 });
    expect(rig.load(HEAP + 4096 + 1)).toEqual({ byte: 4 });
    const back = new Uint8Array(4);
    expect(copyFromUser(parent, rig.ram, HEAP + 4094, back)).toBe(0);
    expect(Array.from(back)).toEqual([1, 2, 3, 4]);
    use(child);
    expect(rig.load(HEAP + 4094)).toEqual({ byte: 0x41 });
    expect(rig.load(HEAP + 4096 + 1)).toEqual({ byte: 0 });
    expect(copyFromUser(child, rig.ram, -4096, back)).toBe(EFAULT);
  });

  it("two CPUs in one space: fork's write-protect reaches the other CPU's TLB", () => {
    const { rig, space: parent, use } = setup(2);
    parent.mmap(HEAP, 4096, PROT.READ | PROT.WRITE, ANON);
    rig.select(1);
    expect(rig.store(HEAP, 0x42)).toBe(true); // CPU 1 caches a writable translation
    rig.select(0);
    const child = parent.fork();
    if (child === ENOMEM) throw new Error("no memory");
    rig.addKernelPages(child.pageTable);
    rig.traps.length = 0;
    rig.select(1);
    expect(rig.store(HEAP, 0x99)).toBe(true);
    expect(rig.traps[0]?.errorCode).toBe(P | W | U); // the copy-on-write fault happened
    rig.select(0);
    use(child);
    expect(rig.load(HEAP)).toEqual({ byte: 0x42 });
  });

  it("a shootdown that only flushes the local CPU lets another CPU write into the child's page", () => {
    // The obligation covers every CPU running the space; INVLPG alone is not enough.
    const { rig, space: parent, use } = setup(2, (r) => shootdownOn([r.cpus[0]!]));
    parent.mmap(HEAP, 4096, PROT.READ | PROT.WRITE, ANON);
    rig.select(1);
    expect(rig.store(HEAP, 0x42)).toBe(true);
    rig.select(0);
    const child = parent.fork();
    if (child === ENOMEM) throw new Error("no memory");
    rig.addKernelPages(child.pageTable);
    rig.traps.length = 0;
    rig.select(1);
    expect(rig.store(HEAP, 0x99)).toBe(true);
    expect(rig.traps.map((trap) => trap.vector)).toEqual([SYSCALL_VECTOR]); // no fault: a stale entry
    rig.select(0);
    use(child);
    expect(rig.load(HEAP)).toEqual({ byte: 0x99 }); // the child's copy was changed by the parent
  });

  it("stack growth: a store below a MAP_GROWSDOWN area grows it and the store completes", () => {
    const { rig, space, results } = setup();
    const top = 0x7000_0000;
    expect(space.mmap(top - 4096, 4096, PROT.READ | PROT.WRITE, ANON | MAP.GROWSDOWN)).toBe(top - 4096);
    // A store one page below the area: grows the stack, then demand-zero.
    expect(rig.store(top - 4096 - 8, 0x5e)).toBe(true);
    expect(results).toEqual([FAULT.RESOLVED]);
    expect(space.vmas.startAt(space.vmas.find(top - 4096 - 8))).toBe(top - 2 * 4096);
    expect(rig.load(top - 4096 - 8)).toEqual({ byte: 0x5e });
  });
});

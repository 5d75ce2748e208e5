/**
 * Memory system calls over the process's `@tsos/mm` AddressSpace: brk,
 * mmap (anonymous; private file mappings are copied in from the file),
 * munmap, mprotect, madvise(MADV_DONTNEED). mm answers as Linux does
 * (EINVAL for bad alignment or lengths, ENOMEM when no room, EPERM below
 * mmap_min_addr); this layer adds RLIMIT_AS (ENOMEM for mmap, an unmoved
 * break for brk) and MAP_FIXED_NOREPLACE / MAP_GROWSDOWN pass-through.
 */
import { MAP, PROT } from "@tsos/mm";
import {
  arg,
  defineSyscall,
  ERRNO,
  RETURN_KIND,
  SYS,
  type SyscallDefinition,
  type SyscallTable,
} from "@tsos/syscall";
import type { Kernel } from "../kernel";
import { type Process, RLIMIT } from "../process";

const PROT_NAMES = { bits: { PROT_READ: 1, PROT_WRITE: 2, PROT_EXEC: 4 } } as const;
const MAP_NAMES = {
  field: { mask: 3, values: { 1: "MAP_SHARED", 2: "MAP_PRIVATE", 3: "MAP_SHARED_VALIDATE" } },
  bits: {
    MAP_FIXED: 0x10,
    MAP_ANONYMOUS: 0x20,
    MAP_GROWSDOWN: 0x100,
    MAP_DENYWRITE: 0x800,
    MAP_EXECUTABLE: 0x1000,
    MAP_NORESERVE: 0x4000,
    MAP_POPULATE: 0x8000,
    MAP_STACK: 0x20000,
    MAP_FIXED_NOREPLACE: 0x100000,
  },
} as const;
const PAGE = 4096;
const MADV_DONTNEED = 4;
/** madvise advice that only hints (accepted, nothing to do here). */
const HINTS = new Set([0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);

/** Bytes mapped in the process's address space (VMAs, the heap included). */
export function mappedBytes(process: Process): number {
  const vmas = process.memory!.space.vmas;
  let total = 0;
  for (let index = 0; index < vmas.count; index++) total += vmas.endAt(index) - vmas.startAt(index);
  return total;
}

/** Registers the memory calls on `table`. */
export function registerMemoryCalls(kernel: Kernel, table: SyscallTable): void {
  const definitions: SyscallDefinition[] = [
    defineSyscall({
      number: SYS.brk,
      name: "brk",
      args: [arg.pointer("addr", "in")],
      returns: RETURN_KIND.POINTER,
      handler: (call, address) => {
        const process = kernel.threadOf(call).process;
        const space = process.memory!.space;
        const limit = process.limits[RLIMIT.AS]!.soft;
        if (address > space.brkEnd && limit !== Number.POSITIVE_INFINITY) {
          const growth = Math.ceil(address / PAGE) * PAGE - Math.ceil(space.brkEnd / PAGE) * PAGE;
          if (mappedBytes(process) + growth > limit) return space.brkEnd;
        }
        return space.brk(address);
      },
    }),
    defineSyscall({
      number: SYS.mmap,
      name: "mmap",
      args: [
        arg.pointer("addr", "in"),
        arg.size("length"),
        arg.flags("prot", 0xffffffff, PROT_NAMES),
        arg.flags("flags", 0xffffffff, MAP_NAMES),
        arg.int("fd"),
        arg.uint("offset", 64),
      ],
      returns: RETURN_KIND.POINTER,
      handler: (call, address, length, prot, flags, fd, offset) => {
        const process = kernel.threadOf(call).process;
        const space = process.memory!.space;
        const limit = process.limits[RLIMIT.AS]!.soft;
        if (
          length > 0 &&
          limit !== Number.POSITIVE_INFINITY &&
          mappedBytes(process) + Math.ceil(length / PAGE) * PAGE > limit
        )
          return -ERRNO.ENOMEM;
        if ((flags & MAP.ANONYMOUS) !== 0) return space.mmap(address, length, prot, flags, -1, 0);
        return kernel.mapFile(process, call.memory!, address, length, prot, flags, fd, offset);
      },
    }),
    defineSyscall({
      number: SYS.munmap,
      name: "munmap",
      args: [arg.pointer("addr", "in"), arg.size("length")],
      handler: (call, address, length) => kernel.threadOf(call).process.memory!.space.munmap(address, length),
    }),
    defineSyscall({
      number: SYS.mprotect,
      name: "mprotect",
      args: [arg.pointer("addr", "in"), arg.size("length"), arg.flags("prot", 0xffffffff, PROT_NAMES)],
      handler: (call, address, length, prot) => {
        // PROT_GROWSDOWN / PROT_GROWSUP (0x01000000 / 0x02000000) are accepted and ignored.
        const plain = prot & ~0x03000000;
        if ((plain & ~(PROT.READ | PROT.WRITE | PROT.EXEC)) !== 0) return -ERRNO.EINVAL;
        return kernel.threadOf(call).process.memory!.space.mprotect(address, length, plain);
      },
    }),
    defineSyscall({
      number: SYS.madvise,
      name: "madvise",
      args: [arg.pointer("addr", "in"), arg.size("length"), arg.int("advice")],
      handler: (call, address, length, advice) => {
        if (address % PAGE !== 0) return -ERRNO.EINVAL;
        if (advice !== MADV_DONTNEED) return HINTS.has(advice) ? 0 : -ERRNO.EINVAL;
        if (length === 0) return 0;
        const space = kernel.threadOf(call).process.memory!.space;
        const end = address + Math.ceil(length / PAGE) * PAGE;
        // Private anonymous memory reads back as zeros: drop the pages, keep the areas.
        const vmas = space.vmas;
        const pieces: [number, number, number, number][] = [];
        for (let index = 0; index < vmas.count; index++) {
          const start = Math.max(vmas.startAt(index), address);
          const stop = Math.min(vmas.endAt(index), end);
          if (start < stop) pieces.push([start, stop, vmas.protAt(index), vmas.flagsAt(index)]);
        }
        let covered = 0;
        for (const [start, stop] of pieces) covered += stop - start;
        if (covered !== end - address) return -ERRNO.ENOMEM;
        for (const [start, stop, prot, flags] of pieces) {
          space.munmap(start, stop - start);
          const result = space.mmap(
            start,
            stop - start,
            prot,
            (flags & ~MAP.SHARED) | MAP.PRIVATE | MAP.ANONYMOUS | MAP.FIXED,
          );
          if (result < 0) return result;
        }
        return 0;
      },
    }),
  ];
  for (const definition of definitions) table.register(definition);
}

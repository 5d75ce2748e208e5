/**
 * The ELF64 program loader of execve: puts a static x86-64 executable and
 * its initial stack into an address space and says where to start it.
 *
 * Order, so that a bad file or argument list changes nothing:
 * 1. plan the segments from the file (load-plan.ts) and check the strings
 *    (arg-strings.ts), lay out the initial stack (initial-stack.ts) and
 *    check that the segments end below it — all without touching `space`;
 * 2. map every segment region read-write (anonymous, MAP_FIXED_NOREPLACE)
 *    and the stack (MAP_GROWSDOWN, +PROT_EXEC when PT_GNU_STACK asks);
 * 3. copy the file bytes and the stack bytes in with copyToUser, which
 *    faults pages in zero-filled (mm's demand-zero path zeroes each new
 *    frame; the frame allocator does not), so bss — the tail of the last file
 *    page as much as the pages after it — reads as zero; pages never written
 *    stay unmapped until first touch;
 * 4. mprotect each region to its final protection; set the break.
 * If step 2–4 fails (no frame, or `space` was not empty), everything mapped
 * so far is unmapped again before the errno is returned, so `space` is back
 * to its state before the call. The kernel loads into a fresh space and
 * swaps it in only on success; on failure it destroys the fresh space.
 *
 * Stack VMA: [STACK_TOP - size, STACK_TOP) with size = the pages the
 * initial stack uses plus 128 KiB, capped at RLIMIT_STACK (never below what
 * is used), as Linux's setup_arg_pages; it grows on faults below it.
 *
 * Errors: ENOEXEC (the file; see load-plan.ts), E2BIG / EINVAL (the
 * strings; see arg-strings.ts), ENOMEM (no frame while copying), and mmap's
 * EEXIST (space not empty) or EPERM (a segment below mmap_min_addr, as Linux)
 * passed through. Never throws for any file or string content; throws
 * RangeError for a kernel bug in the options (AT_RANDOM not 16 bytes, a
 * negative id or limit).
 */
import type { PhysicalMemory } from "@tsos/hw-x86";
import { type AddressSpace, copyToUser, MAP, PROT } from "@tsos/mm";
import { ELF } from "../elf";
import { DEFAULT_STACK_LIMIT, type ExecString, prepareArgumentStrings } from "./arg-strings";
import { ENOEXEC, ENOMEM } from "./errors";
import { type InitialStack, layoutInitialStack, RANDOM_BYTES, STACK_TOP } from "./initial-stack";
import { isRefusal, type LoadPlan, PAGE_SIZE, pageDown, planExecutable } from "./load-plan";

/** Room Linux adds below the used part of a new stack (setup_arg_pages' stack_expand). */
export const STACK_EXPAND = 128 * 1024;

const READ_WRITE = PROT.READ | PROT.WRITE;
const FIXED_ANONYMOUS = MAP.PRIVATE | MAP.ANONYMOUS | MAP.FIXED_NOREPLACE;

/** What execve was asked to run with. */
export interface ExecOptions {
  /** The path given to execve: the AT_EXECFN string. */
  readonly path: ExecString;
  /** Arguments; an empty list becomes [""]. */
  readonly argv: readonly ExecString[];
  /** Environment strings ("NAME=value"). */
  readonly envp: readonly ExecString[];
  /** The 16 bytes AT_RANDOM points at (from the kernel's seeded generator). */
  readonly random: Uint8Array;
  /** AT_HWCAP (x86-64: CPUID.01H:EDX); default 0. */
  readonly hwcap?: number;
  /** AT_HWCAP2; default 0. */
  readonly hwcap2?: number;
  /** AT_UID, AT_EUID, AT_GID, AT_EGID; default 0. */
  readonly uid?: number;
  readonly euid?: number;
  readonly gid?: number;
  readonly egid?: number;
  /** RLIMIT_STACK soft limit in bytes (Infinity = unlimited); default 8 MiB. */
  readonly stackLimit?: number;
}

/** Where the new program starts and what the kernel keeps about its image. */
export interface ExecImage {
  /** Initial RIP: e_entry + loadBias. */
  readonly entry: number;
  /** Initial RSP: the address of argc, a multiple of 16. */
  readonly stackPointer: number;
  /** Start of the heap (page aligned; already given to space.setBrkStart). */
  readonly brkStart: number;
  /** AT_PHDR. */
  readonly phdr: number;
  /** Added to the file's addresses (0 for ET_EXEC, ELF_ET_DYN_BASE-based for ET_DYN). */
  readonly loadBias: number;
  /** The stack VMA as mapped: [stackStart, stackEnd). */
  readonly stackStart: number;
  readonly stackEnd: number;
  /** PT_GNU_STACK asked for PROT_EXEC. */
  readonly executableStack: boolean;
  /** The initial stack's addresses (argc, argv, envp, auxv, strings) and auxv words. */
  readonly stack: Omit<InitialStack, "bytes">;
}

/** Loads `file` into `space` (see the file header). Returns the image or a negative errno. */
export function loadExecutable(
  space: AddressSpace,
  memory: PhysicalMemory,
  file: Uint8Array,
  options: ExecOptions,
): ExecImage | number {
  checkOptions(options);
  const plan = planExecutable(file);
  if (isRefusal(plan)) return plan.errno;
  const stackLimit = options.stackLimit ?? DEFAULT_STACK_LIMIT;
  const strings = prepareArgumentStrings(options.path, options.argv, options.envp, stackLimit);
  if (typeof strings === "number") return strings;
  const stack = layoutInitialStack(STACK_TOP, strings, options.random, {
    hwcap: options.hwcap ?? 0,
    hwcap2: options.hwcap2 ?? 0,
    phdr: plan.phdr,
    phent: ELF.PROGRAM_HEADER_SIZE,
    phnum: plan.executable.programHeaders.length,
    pageSize: PAGE_SIZE,
    entry: plan.entry,
    uid: options.uid ?? 0,
    euid: options.euid ?? 0,
    gid: options.gid ?? 0,
    egid: options.egid ?? 0,
  });
  const stackStart = STACK_TOP - stackSize(STACK_TOP - pageDown(stack.pointer), stackLimit);
  const lastRegion = plan.regions[plan.regions.length - 1];
  if (lastRegion !== undefined && lastRegion.end > stackStart) return ENOEXEC;
  const stackProt = READ_WRITE | (plan.executableStack ? PROT.EXEC : 0);
  const result = populate(space, memory, file, plan, stack, stackStart, stackProt);
  if (result < 0) return result;
  space.setBrkStart(plan.brkStart);
  const { bytes: _bytes, ...stackInfo } = stack;
  return {
    entry: plan.entry,
    stackPointer: stack.pointer,
    brkStart: plan.brkStart,
    phdr: plan.phdr,
    loadBias: plan.bias,
    stackStart,
    stackEnd: STACK_TOP,
    executableStack: plan.executableStack,
    stack: stackInfo,
  };
}

/** Size of the initial stack VMA for `used` bytes under `stackLimit` (Linux setup_arg_pages). */
export function stackSize(used: number, stackLimit: number): number {
  return Math.max(used, Math.min(used + STACK_EXPAND, pageDown(stackLimit)));
}

/** Steps 2–4 of the file header; undoes its mappings on failure. Returns 0 or a negative errno. */
function populate(
  space: AddressSpace,
  memory: PhysicalMemory,
  file: Uint8Array,
  plan: LoadPlan,
  stack: InitialStack,
  stackStart: number,
  stackProt: number,
): number {
  const mapped: [start: number, length: number][] = [];
  const undo = (errno: number): number => {
    for (const [start, length] of mapped) space.munmap(start, length);
    return errno;
  };
  for (const region of plan.regions) {
    const length = region.end - region.start;
    const result = space.mmap(region.start, length, READ_WRITE, FIXED_ANONYMOUS);
    if (result < 0) return undo(result);
    mapped.push([region.start, length]);
  }
  const stackLength = STACK_TOP - stackStart;
  const stackResult = space.mmap(stackStart, stackLength, stackProt, FIXED_ANONYMOUS | MAP.GROWSDOWN);
  if (stackResult < 0) return undo(stackResult);
  mapped.push([stackStart, stackLength]);
  for (const segment of plan.segments) {
    if (segment.fileSize === 0) continue;
    const bytes = file.subarray(segment.fileOffset, segment.fileOffset + segment.fileSize);
    // The areas exist and are writable, so the only way a copy fails is a missing frame.
    if (copyToUser(space, memory, segment.start, bytes) < 0) return undo(ENOMEM);
  }
  if (copyToUser(space, memory, stack.pointer, stack.bytes) < 0) return undo(ENOMEM);
  for (const region of plan.regions) {
    if (region.prot === READ_WRITE) continue;
    const result = space.mprotect(region.start, region.end - region.start, region.prot);
    if (result < 0) return undo(result);
  }
  return 0;
}

/** Kernel-side invariants of the options; a violation is a bug in the caller, not an exec failure. */
function checkOptions(options: ExecOptions): void {
  if (options.random.length !== RANDOM_BYTES) {
    throw new RangeError(
      `loadExecutable: AT_RANDOM needs ${RANDOM_BYTES} bytes, got ${options.random.length}`,
    );
  }
  for (const name of ["hwcap", "hwcap2", "uid", "euid", "gid", "egid"] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`loadExecutable: ${name} ${value} is not a non-negative integer`);
    }
  }
  const limit = options.stackLimit;
  if (limit !== undefined && !(limit >= 0)) throw new RangeError(`loadExecutable: stack limit ${limit}`);
}

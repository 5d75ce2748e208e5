/**
 * The auxiliary vector: (type, value) pairs the kernel leaves above envp on
 * the initial stack for the C library (System V x86-64 psABI §3.4.3;
 * Linux include/uapi/linux/auxvec.h, fs/binfmt_elf.c create_elf_tables).
 *
 * We emit Linux x86-64's entries in Linux's order, except:
 * - AT_SYSINFO_EHDR: there is no vDSO, so it is omitted (libc then makes
 *   real system calls for clock_gettime and friends);
 * - AT_MINSIGSTKSZ and AT_RSEQ_*: omitted (no signal-frame size or rseq to
 *   announce yet; libc falls back to its defaults);
 * - AT_BASE is 0 (no interpreter), AT_FLAGS 0, AT_SECURE 0 (no set-id exec),
 *   AT_BASE_PLATFORM and AT_EXECFD are never present (as on x86-64 Linux).
 */

/** Auxiliary vector entry types (Linux auxvec.h values). */
export const AT = {
  /** End of the vector. */
  NULL: 0,
  /** Address of the program headers in memory. */
  PHDR: 3,
  /** Size of one program header (56). */
  PHENT: 4,
  /** Number of program headers. */
  PHNUM: 5,
  /** Page size (4096). */
  PAGESZ: 6,
  /** Interpreter's load address (0: none). */
  BASE: 7,
  /** Flags (0). */
  FLAGS: 8,
  /** The program's entry point. */
  ENTRY: 9,
  /** Real user id. */
  UID: 11,
  /** Effective user id. */
  EUID: 12,
  /** Real group id. */
  GID: 13,
  /** Effective group id. */
  EGID: 14,
  /** Address of the platform string ("x86_64"). */
  PLATFORM: 15,
  /** CPU capabilities (x86-64: CPUID.01H:EDX). */
  HWCAP: 16,
  /** Frequency of times(2) (USER_HZ, 100). */
  CLKTCK: 17,
  /** Secure mode (1 after a set-id exec). */
  SECURE: 23,
  /** Address of 16 random bytes. */
  RANDOM: 25,
  /** More CPU capabilities (x86-64: ring-3 MONITOR/MWAIT, FSGSBASE). */
  HWCAP2: 26,
  /** Address of the path given to execve. */
  EXECFN: 31,
  /** Address of the vDSO's ELF header (never emitted: no vDSO). */
  SYSINFO_EHDR: 33,
} as const;

/** AT_CLKTCK: Linux's USER_HZ. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** The values of the auxiliary vector that do not depend on where the stack strings land. */
export interface AuxvValues {
  readonly hwcap: number;
  readonly hwcap2: number;
  readonly phdr: number;
  readonly phent: number;
  readonly phnum: number;
  readonly pageSize: number;
  readonly entry: number;
  readonly uid: number;
  readonly euid: number;
  readonly gid: number;
  readonly egid: number;
}

/** Addresses on the new stack the vector points at. */
export interface AuxvAddresses {
  readonly random: number;
  readonly execfn: number;
  readonly platform: number;
}

/** Number of 8-byte words {@link auxiliaryVector} returns (pairs, AT_NULL included). */
export const AUXV_WORDS = 2 * 19;

/** The vector as a flat list of words: type, value, type, value, …, AT_NULL, 0. */
export function auxiliaryVector(values: AuxvValues, addresses: AuxvAddresses): number[] {
  const pairs: [number, number][] = [
    [AT.HWCAP, values.hwcap],
    [AT.PAGESZ, values.pageSize],
    [AT.CLKTCK, CLOCK_TICKS_PER_SECOND],
    [AT.PHDR, values.phdr],
    [AT.PHENT, values.phent],
    [AT.PHNUM, values.phnum],
    [AT.BASE, 0],
    [AT.FLAGS, 0],
    [AT.ENTRY, values.entry],
    [AT.UID, values.uid],
    [AT.EUID, values.euid],
    [AT.GID, values.gid],
    [AT.EGID, values.egid],
    [AT.SECURE, 0],
    [AT.RANDOM, addresses.random],
    [AT.HWCAP2, values.hwcap2],
    [AT.EXECFN, addresses.execfn],
    [AT.PLATFORM, addresses.platform],
    [AT.NULL, 0],
  ];
  return pairs.flat();
}

/**
 * The initial process stack (System V x86-64 psABI §3.4.1, figure "Initial
 * Process Stack"; laid out in Linux's order, fs/exec.c + create_elf_tables
 * in fs/binfmt_elf.c, without randomisation). From the top down:
 *
 *   top            STACK_TOP = 0x7ffffffff000 (Linux's, less no random offset)
 *   top - 8        8 zero bytes (Linux keeps a NULL word at the very top)
 *                  the exec path string (AT_EXECFN)
 *                  envp strings, envp[envc - 1] highest
 *                  argv strings, argv[0] lowest        ← arg_start
 *                  (down to a multiple of 16)
 *                  "x86_64\0"                            ← AT_PLATFORM
 *                  16 random bytes                       ← AT_RANDOM
 *                  zero padding, so that RSP % 16 == 0
 *                  auxv pairs … AT_NULL, 0
 *                  0                                     (end of envp)
 *                  envp[0 … envc - 1] pointers
 *                  0                                     (end of argv)
 *                  argv[0 … argc - 1] pointers
 *   RSP →          argc
 *
 * This file only computes the bytes and addresses; loader.ts writes them.
 */
import type { ArgumentStrings } from "./arg-strings";
import { AUXV_WORDS, type AuxvValues, auxiliaryVector } from "./auxv";

/** Top of the initial stack (exclusive): 2^47 minus one page, as Linux's STACK_TOP on x86-64. */
export const STACK_TOP = 0x7fff_ffff_f000;
/** AT_PLATFORM's string on x86-64 (ELF_PLATFORM, the machine name). */
export const PLATFORM = "x86_64";
/** Bytes AT_RANDOM points at. */
export const RANDOM_BYTES = 16;

const PLATFORM_BYTES = Uint8Array.from(`${PLATFORM}\0`, (character) => character.charCodeAt(0));
const WORD = 8;
const STACK_ALIGN = 16;
const TWO_POW_32 = 2 ** 32;

/** The initial stack's contents and what the kernel remembers of them. */
export interface InitialStack {
  /** RSP at entry: the address of argc, a multiple of 16. */
  readonly pointer: number;
  /** The bytes of [pointer, top). */
  readonly bytes: Uint8Array;
  /** argc (at least 1: an empty argv becomes [""]). */
  readonly argc: number;
  /** Address of argv[0]'s pointer (pointer + 8). */
  readonly argv: number;
  /** Address of envp[0]'s pointer. */
  readonly envp: number;
  /** Address of the first auxv pair. */
  readonly auxv: number;
  /** The auxiliary vector as written: type, value, …, AT_NULL, 0. */
  readonly auxvWords: readonly number[];
  /** First byte of the argv strings (Linux mm->arg_start). */
  readonly argStart: number;
  /** End of the argv strings = start of the envp strings (mm->arg_end, env_start). */
  readonly argEnd: number;
  /** End of the envp strings (mm->env_end). */
  readonly envEnd: number;
  /** Address of the exec path string (AT_EXECFN). */
  readonly execfn: number;
  /** Address of the 16 random bytes (AT_RANDOM). */
  readonly random: number;
  /** Address of "x86_64" (AT_PLATFORM). */
  readonly platform: number;
}

/** Lays out the stack below `top` (see the file header). `random` must hold 16 bytes. */
export function layoutInitialStack(
  top: number,
  strings: ArgumentStrings,
  random: Uint8Array,
  values: AuxvValues,
): InitialStack {
  const places = placeStrings(top, strings);
  const auxvWords = auxiliaryVector(values, places);
  const argc = strings.argv.length;
  const envc = strings.envp.length;
  const tableWords = 1 + (argc + 1) + (envc + 1) + AUXV_WORDS;
  const pointer = alignDown(places.random - tableWords * WORD);
  const bytes = new Uint8Array(top - pointer);
  const put = (data: Uint8Array, address: number) => bytes.set(data, address - pointer);
  put(strings.path, places.execfn);
  for (let index = 0; index < envc; index++) put(strings.envp[index]!, places.envAddresses[index]!);
  for (let index = 0; index < argc; index++) put(strings.argv[index]!, places.argAddresses[index]!);
  put(PLATFORM_BYTES, places.platform);
  put(random.subarray(0, RANDOM_BYTES), places.random);
  const table = [argc, ...places.argAddresses, 0, ...places.envAddresses, 0, ...auxvWords];
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < table.length; index++) writeWord(view, index * WORD, table[index]!);
  return {
    pointer,
    bytes,
    argc,
    argv: pointer + WORD,
    envp: pointer + WORD * (argc + 2),
    auxv: pointer + WORD * (argc + envc + 3),
    auxvWords,
    argStart: places.argStart,
    argEnd: places.argEnd,
    envEnd: places.envEnd,
    execfn: places.execfn,
    random: places.random,
    platform: places.platform,
  };
}

/** Where each string and the random bytes go, from `top` down (the header's order). */
function placeStrings(top: number, strings: ArgumentStrings) {
  const execfn = top - WORD - strings.path.length;
  const envEnd = execfn;
  const argEnd = envEnd - byteLength(strings.envp);
  const argStart = argEnd - byteLength(strings.argv);
  const platform = alignDown(argStart) - PLATFORM_BYTES.length;
  return {
    execfn,
    envEnd,
    argEnd,
    argStart,
    envAddresses: placeFrom(strings.envp, argEnd),
    argAddresses: placeFrom(strings.argv, argStart),
    platform,
    random: platform - RANDOM_BYTES,
  };
}

/** Addresses of `strings` placed contiguously, in order, from `start` up. */
function placeFrom(strings: readonly Uint8Array[], start: number): number[] {
  let address = start;
  return strings.map((text) => {
    const start = address;
    address += text.length;
    return start;
  });
}

function byteLength(strings: readonly Uint8Array[]): number {
  return strings.reduce((sum, text) => sum + text.length, 0);
}

function alignDown(address: number): number {
  return Math.floor(address / STACK_ALIGN) * STACK_ALIGN;
}

/** Stores a non-negative integer below 2^53 as a little-endian 64-bit word. */
function writeWord(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % TWO_POW_32, true);
  view.setUint32(offset + 4, Math.floor(value / TWO_POW_32), true);
}

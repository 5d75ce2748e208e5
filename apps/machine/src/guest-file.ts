/**
 * Host-side checks of a guest executable before anything boots: the file must
 * exist, be a regular readable file, and parse as a static x86-64 ELF
 * executable (@tsos/kernel's parser decides). Each failure is one sentence a
 * user can act on, prefixed with the path.
 */
import { readFileSync, statSync } from "node:fs";
import { type ElfExecutable, PROGRAM_TYPE, parseElfExecutable } from "@tsos/kernel";

/** What {@link checkGuestExecutable} learned about a valid file. */
export interface GuestFileInfo {
  /** The parsed executable. */
  executable: ElfExecutable;
  /** Number of PT_LOAD program headers. */
  loadSegments: number;
  /** File size in bytes. */
  size: number;
}

/** The outcome of {@link checkGuestExecutable}: the file's bytes, or why not (`missing`: it does not exist). */
export type GuestFileCheck =
  | { ok: true; info: GuestFileInfo; bytes: Uint8Array }
  | { ok: false; error: string; missing: boolean };

/** Reads and checks `path`. Never throws. */
export function checkGuestExecutable(path: string): GuestFileCheck {
  let bytes: Buffer;
  try {
    if (!statSync(path).isFile()) return { ok: false, error: `${path}: not a regular file`, missing: false };
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a component of the path is a file, so this file cannot exist.
    if (code === "ENOENT" || code === "ENOTDIR")
      return { ok: false, error: `${path}: no such file`, missing: true };
    if (code === "EACCES") return { ok: false, error: `${path}: permission denied`, missing: false };
    return { ok: false, error: `${path}: cannot read (${code ?? (error as Error).message})`, missing: false };
  }
  const parsed = parseElfExecutable(bytes);
  if (!parsed.ok) return { ok: false, error: `${path}: ${parsed.error}`, missing: false };
  const loadSegments = parsed.executable.programHeaders.filter((h) => h.type === PROGRAM_TYPE.LOAD).length;
  return {
    ok: true,
    info: { executable: parsed.executable, loadSegments, size: bytes.length },
    bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
  };
}

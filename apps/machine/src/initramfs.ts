/**
 * Initramfs images for the machine: a host directory packed as `cpio
 * newc` (with @tsos/kernel's writer), a cpio file read as is, and the
 * default image `pnpm start` boots — /init (apps/machine/guest) and every
 * committed kernel guest program under /bin.
 *
 * Host errors (missing path, unreadable file, not a cpio archive) come back
 * as one sentence, never as an exception.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CpioEntry, isCpioError, readCpioNewc, writeCpioNewc } from "@tsos/kernel";

/** Where the default image's programs come from. */
export const DEFAULT_INIT = fileURLToPath(new URL("../guest/bin/init", import.meta.url));
export const DEFAULT_BIN = fileURLToPath(new URL("../../../packages/kernel/guest/bin", import.meta.url));

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** An initramfs: the archive bytes, or an error sentence. */
export type InitramfsResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/** The default image: /init plus /bin/<every kernel guest>. */
export function defaultInitramfs(): InitramfsResult {
  try {
    const entries: CpioEntry[] = [directory("bin", 1)];
    let ino = 2;
    entries.push(file("init", readFileSync(DEFAULT_INIT), 0o755, ino++));
    for (const name of readdirSync(DEFAULT_BIN).sort())
      entries.push(file(`bin/${name}`, readFileSync(join(DEFAULT_BIN, name)), 0o755, ino++));
    return { ok: true, bytes: writeCpioNewc(entries) };
  } catch (error) {
    return { ok: false, error: `default initramfs: ${(error as Error).message}` };
  }
}

/** `--initramfs PATH`: a directory is packed, a file must be a cpio newc archive. */
export function loadInitramfs(path: string): InitramfsResult {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return { ok: false, error: `${path}: no such file or directory` };
  }
  try {
    if (stat.isDirectory()) return { ok: true, bytes: writeCpioNewc(packDirectory(path)) };
    const bytes = new Uint8Array(readFileSync(path));
    const entries = readCpioNewc(bytes);
    if (isCpioError(entries))
      return { ok: false, error: `${path}: not a cpio newc archive: ${entries.message}` };
    return { ok: true, bytes };
  } catch (error) {
    return {
      ok: false,
      error: `${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
}

/** Every file, directory and symlink under `root`, as cpio entries (paths relative, sorted). */
export function packDirectory(root: string): CpioEntry[] {
  const entries: CpioEntry[] = [];
  let ino = 1;
  const walk = (relative: string) => {
    const names = readdirSync(join(root, relative)).sort();
    for (const name of names) {
      const path = relative === "" ? name : `${relative}/${name}`;
      const full = join(root, path);
      const stat = lstatSync(full);
      if (stat.isDirectory()) {
        entries.push(directory(path, ino++, stat.mode & 0o7777));
        walk(path);
      } else if (stat.isSymbolicLink()) {
        entries.push({
          ...base(path, ino++),
          mode: S_IFLNK | 0o777,
          data: Buffer.from(readlinkSync(full), "latin1"),
        });
      } else if (stat.isFile()) entries.push(file(path, readFileSync(full), stat.mode & 0o7777, ino++));
    }
  };
  walk("");
  return entries;
}

function base(name: string, ino: number): CpioEntry {
  return {
    name,
    ino,
    mode: 0,
    uid: 0,
    gid: 0,
    nlink: 1,
    mtime: 0,
    devmajor: 0,
    devminor: 0,
    rdevmajor: 0,
    rdevminor: 0,
    data: new Uint8Array(0),
  };
}

function directory(name: string, ino: number, permissions = 0o755): CpioEntry {
  return { ...base(name, ino), mode: S_IFDIR | permissions, nlink: 2 };
}

function file(name: string, bytes: Uint8Array, permissions: number, ino: number): CpioEntry {
  return { ...base(name, ino), mode: S_IFREG | permissions, data: new Uint8Array(bytes) };
}

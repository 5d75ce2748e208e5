/**
 * Initramfs images for the machine: a host directory packed as `cpio
 * newc` (with @tsos/kernel's writer), a cpio file read as is, and the
 * default image `pnpm start` boots — /init and /bin/tsh (apps/machine/guest)
 * and every committed kernel guest program under /bin (optionally BusyBox
 * with its applet links, for `--shell=busybox`).
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
export const DEFAULT_SHELL = fileURLToPath(new URL("../guest/bin/tsh", import.meta.url));
export const DEFAULT_BIN = fileURLToPath(new URL("../../../packages/kernel/guest/bin", import.meta.url));

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** An initramfs: the archive bytes, or an error sentence. */
export type InitramfsResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/** BusyBox for the default image: the binary, and the applet names to link to it in /bin. */
export interface BusyboxImage {
  readonly bytes: Uint8Array;
  readonly applets: readonly string[];
}

/**
 * The default image: /init, /bin/tsh (the shell of `--shell`) and
 * /bin/<every kernel guest>; with `busybox`, also /bin/busybox and a
 * symlink to it for each applet whose name no other /bin file has.
 */
export function defaultInitramfs(busybox?: BusyboxImage): InitramfsResult {
  try {
    const entries: CpioEntry[] = [directory("bin", 1)];
    let ino = 2;
    entries.push(file("init", readFileSync(DEFAULT_INIT), 0o755, ino++));
    const names = new Set<string>(["tsh"]);
    entries.push(file("bin/tsh", readFileSync(DEFAULT_SHELL), 0o755, ino++));
    for (const name of readdirSync(DEFAULT_BIN).sort()) {
      entries.push(file(`bin/${name}`, readFileSync(join(DEFAULT_BIN, name)), 0o755, ino++));
      names.add(name);
    }
    if (busybox !== undefined) {
      entries.push(file("bin/busybox", busybox.bytes, 0o755, ino++));
      names.add("busybox");
      for (const applet of [...busybox.applets].sort()) {
        if (names.has(applet) || !/^[\w.[-]+$/.test(applet)) continue;
        names.add(applet);
        entries.push({
          ...base(`bin/${applet}`, ino++),
          mode: S_IFLNK | 0o777,
          data: Buffer.from("busybox"),
        });
      }
    }
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

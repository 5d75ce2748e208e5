/**
 * Differential tests of Ramfs against the host's Linux kernel (node:fs in a
 * scratch directory): random sequences of mkdir / open O_CREAT[|O_EXCL] /
 * unlink / rmdir / symlink / rename / link / stat / lstat over a small set of
 * names with ".", "..", repeated and trailing slashes and symlinks, compared
 * errno for errno, then the two trees compared entry for entry (fast-check,
 * fixed seed). Plus the limits: 40 symlinks, NAME_MAX, PATH_MAX.
 * Skipped off Linux.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Inode } from "./inode";
import { FILE_TYPE } from "./mode";
import { Ramfs } from "./ramfs";

const isLinux = process.platform === "linux";
const SKIP_REASON = isLinux ? "" : " (skipped: needs a Linux host to compare with)";

/** One operation, spelled for both file systems. */
type Operation =
  | { op: "mkdir" | "unlink" | "rmdir" | "stat" | "lstat" | "create" | "createExclusive"; path: string }
  | { op: "symlink"; target: string; path: string }
  | { op: "rename" | "link"; path: string; to: string };

/** Outcome: 0 or -errno, plus the file type a stat found. */
interface Outcome {
  result: number;
  type?: number;
}

const NAMES = ["a", "b", "c", "la", "lb"];
const component = fc.constantFrom(...NAMES, ".", "..");
const separator = fc.constantFrom("/", "//");
/** Relative paths with at most 3 ".." so that, from a working directory 3 levels down, nothing escapes. */
const dottedPath = fc
  .tuple(fc.array(fc.tuple(component, separator), { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([parts, trailing]) => {
    const joined = parts.map(([name, slash], index) => (index === 0 ? name : slash + name)).join("");
    return trailing ? `${joined}/` : joined;
  })
  .filter((candidate) => candidate.split("/").filter((part) => part === "..").length <= 3);
const trailingSlash = fc.constantFrom("", "", "/");
/** Mostly short paths, so that names exist often enough for removals and renames to succeed. */
const relativePath = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.tuple(fc.constantFrom(...NAMES), trailingSlash).map(([name, slash]) => name + slash),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES), trailingSlash)
      .map(([first, second, slash]) => `${first}/${second}${slash}`),
  },
  { weight: 2, arbitrary: dottedPath },
);
/** Symlink targets never contain "..", so following one never climbs. */
const linkTarget = fc
  .tuple(fc.array(fc.constantFrom(...NAMES, "."), { minLength: 1, maxLength: 2 }), fc.boolean())
  .map(([parts, trailing]) => parts.join("/") + (trailing ? "/" : ""));
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constantFrom("mkdir", "createExclusive" as const), path: relativePath }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom("unlink", "rmdir", "stat", "lstat", "create" as const),
      path: relativePath,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("symlink" as const), target: linkTarget, path: relativePath }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom("rename", "link" as const),
      path: relativePath,
      to: relativePath,
    }),
  },
);

function nativeErrno(error: unknown): number {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const value = (os.constants.errno as Record<string, number>)[code];
  if (value === undefined) throw error;
  return -value;
}

function runNative(cwd: string, operation: Operation): Outcome {
  const at = (relative: string) => `${cwd}/${relative}`;
  const { O_CREAT, O_EXCL, O_RDONLY } = fs.constants;
  try {
    switch (operation.op) {
      case "mkdir":
        fs.mkdirSync(at(operation.path), 0o755);
        return { result: 0 };
      case "unlink":
        fs.unlinkSync(at(operation.path));
        return { result: 0 };
      case "rmdir":
        fs.rmdirSync(at(operation.path));
        return { result: 0 };
      case "stat":
        return { result: 0, type: fs.statSync(at(operation.path)).mode & FILE_TYPE.MASK };
      case "lstat":
        return { result: 0, type: fs.lstatSync(at(operation.path)).mode & FILE_TYPE.MASK };
      case "create":
        fs.closeSync(fs.openSync(at(operation.path), O_CREAT | O_RDONLY, 0o644));
        return { result: 0 };
      case "createExclusive":
        fs.closeSync(fs.openSync(at(operation.path), O_CREAT | O_EXCL | O_RDONLY, 0o644));
        return { result: 0 };
      case "symlink":
        fs.symlinkSync(operation.target, at(operation.path));
        return { result: 0 };
      case "rename":
        fs.renameSync(at(operation.path), at(operation.to));
        return { result: 0 };
      case "link":
        fs.linkSync(at(operation.path), at(operation.to));
        return { result: 0 };
    }
  } catch (error) {
    return { result: nativeErrno(error) };
  }
}

function runRamfs(ramfs: Ramfs, cwd: Inode, operation: Operation): Outcome {
  const status = (result: Inode | number): number => (typeof result === "number" ? result : 0);
  switch (operation.op) {
    case "mkdir":
      return { result: status(ramfs.mkdir(cwd, operation.path, 0o755)) };
    case "unlink":
      return { result: ramfs.unlink(cwd, operation.path) };
    case "rmdir":
      return { result: ramfs.rmdir(cwd, operation.path) };
    case "stat":
    case "lstat": {
      const found = ramfs.lookup(cwd, operation.path, operation.op === "stat");
      return typeof found === "number" ? { result: found } : { result: 0, type: found.mode & FILE_TYPE.MASK };
    }
    case "create":
    case "createExclusive":
      return {
        result: status(ramfs.createFile(cwd, operation.path, 0o644, operation.op === "createExclusive")),
      };
    case "symlink":
      return { result: status(ramfs.symlink(cwd, operation.target, operation.path)) };
    case "rename":
      return { result: ramfs.rename(cwd, operation.path, cwd, operation.to) };
    case "link":
      return { result: ramfs.link(cwd, operation.path, cwd, operation.to) };
  }
}

/** path → "type target nlink" for every name under a directory (directories' nlink left out: it varies by host fs). */
function describeNative(
  directory: string,
  prefix = "",
  into = new Map<string, string>(),
): Map<string, string> {
  for (const name of fs.readdirSync(directory).sort()) {
    const full = `${directory}/${name}`;
    const status = fs.lstatSync(full);
    const type = status.mode & FILE_TYPE.MASK;
    const target = status.isSymbolicLink() ? fs.readlinkSync(full) : "";
    into.set(`${prefix}${name}`, `${type} ${target} ${status.isDirectory() ? "" : status.nlink}`);
    if (status.isDirectory()) describeNative(full, `${prefix}${name}/`, into);
  }
  return into;
}

function describeRamfs(
  ramfs: Ramfs,
  directory: Inode,
  prefix = "",
  into = new Map<string, string>(),
): Map<string, string> {
  const names = [...directory.entries!.keys()].sort();
  for (const name of names) {
    const inode = directory.entries!.get(name)!.inode;
    const type = inode.mode & FILE_TYPE.MASK;
    into.set(`${prefix}${name}`, `${type} ${inode.target} ${inode.isDirectory ? "" : inode.nlink}`);
    if (inode.isDirectory) describeRamfs(ramfs, inode, `${prefix}${name}/`, into);
  }
  return into;
}

describe(`Ramfs against Linux${SKIP_REASON}`, () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "tsos-ramfs-")));
  });
  afterEach(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** A fresh pair of trees with the working directory 3 levels down; answers both working directories. */
  function freshPair(run: number): { native: string; ramfs: Ramfs; cwd: Inode } {
    const native = `${scratch}/run${run}/w1/w2/w3`;
    fs.mkdirSync(native, { recursive: true });
    const ramfs = new Ramfs(() => 0);
    ramfs.mkdir(ramfs.root, "/w1", 0o755);
    ramfs.mkdir(ramfs.root, "/w1/w2", 0o755);
    const cwd = ramfs.mkdir(ramfs.root, "/w1/w2/w3", 0o755);
    if (typeof cwd === "number") throw new Error("setup failed");
    return { native, ramfs, cwd };
  }

  it.skipIf(!isLinux)("agrees errno for errno, and tree for tree, over random operations", () => {
    let run = 0;
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 60, size: "max" }), (operations) => {
        const pair = freshPair(run++);
        for (const step of operations) {
          const expected = runNative(pair.native, step);
          expect(runRamfs(pair.ramfs, pair.cwd, step), JSON.stringify(step)).toEqual(expected);
        }
        const top = `${pair.native}/../../..`;
        expect(describeRamfs(pair.ramfs, pair.ramfs.root)).toEqual(describeNative(top));
      }),
      { seed: 0x11_4e_c5, numRuns: 300 },
    );
  });

  it.skipIf(!isLinux)("agrees on the symlink limit, NAME_MAX and PATH_MAX", () => {
    const pair = freshPair(0);
    const cases: Operation[] = [{ op: "createExclusive", path: "f" }];
    let previous = "f";
    for (let index = 1; index <= 41; index++) {
      cases.push({ op: "symlink", target: previous, path: `l${index}` });
      previous = `l${index}`;
    }
    cases.push({ op: "stat", path: "l40" }, { op: "stat", path: "l41" }, { op: "lstat", path: "l41/" });
    cases.push({ op: "mkdir", path: "d" }, { op: "symlink", target: "d", path: "d1" });
    cases.push({ op: "stat", path: "a".repeat(255) }, { op: "stat", path: "a".repeat(256) });
    cases.push({ op: "mkdir", path: "a".repeat(256) });
    for (const step of cases) {
      expect(runRamfs(pair.ramfs, pair.cwd, step), JSON.stringify(step)).toEqual(
        runNative(pair.native, step),
      );
    }
    // PATH_MAX bounds the whole string, so compare absolute paths of equal length on both sides.
    for (const total of [4095, 4096]) {
      const native = lengthened(`${pair.native}/`, "f", total);
      const ours = lengthened("/w1/w2/w3/", "f", total);
      expect([native.length, ours.length]).toEqual([total, total]);
      const nativeResult = runNative("", { op: "stat", path: native.slice(1) }).result;
      const found = pair.ramfs.lookup(pair.ramfs.root, ours);
      expect(typeof found === "number" ? found : 0, `length ${total}`).toBe(nativeResult);
    }
  });
});

/** `prefix` + "./" fillers (and one extra "/" for parity) + `tail`, exactly `total` characters long. */
function lengthened(prefix: string, tail: string, total: number): string {
  const room = total - prefix.length - tail.length;
  return prefix + "./".repeat(Math.floor(room / 2)) + (room % 2 === 1 ? "/" : "") + tail;
}

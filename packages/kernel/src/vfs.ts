/**
 * The kernel's view of files: the root file system is a {@link Ramfs}
 * holding the unpacked initramfs (read-only once booted) with a writable
 * tmpfs-like mount on /tmp, device nodes in /dev, and /proc/self/exe. This
 * module turns inodes into open file descriptions (`FileOperations` for
 * regular files, directories and the character devices) and answers the
 * path-level questions of the system calls (open, stat, access, getcwd).
 *
 * Devices by number, as Linux's: 1,3 /dev/null (reads end of file, writes
 * vanish), 1,5 /dev/zero (zeros), 1,8 /dev/random and 1,9 /dev/urandom
 * (the kernel's seeded generator), 5,0 /dev/tty and 5,1 /dev/console (the
 * serial console). Other device numbers open as -ENXIO.
 *
 * Permissions: the guest runs as root, so only the execute bits matter
 * (execve and access(X_OK) need one); read-only mounts answer -EROFS.
 */
import { ERRNO } from "@tsos/syscall";
import type { SerialConsole } from "./console";
import { type FileOperations, type FileStatus, O, OpenFile, S_IF } from "./files";
import { isCpioError, readCpioNewc } from "./fs/cpio";
import { type Inode, type Mount, Ramfs } from "./fs/index";
import type { KernelRandom } from "./random";

/** The path that names the calling process's executable. */
export const PROC_SELF_EXE = "/proc/self/exe";

const DEVICES: readonly { path: string; major: number; minor: number; mode: number }[] = [
  { path: "/dev/null", major: 1, minor: 3, mode: 0o666 },
  { path: "/dev/zero", major: 1, minor: 5, mode: 0o666 },
  { path: "/dev/random", major: 1, minor: 8, mode: 0o666 },
  { path: "/dev/urandom", major: 1, minor: 9, mode: 0o666 },
  { path: "/dev/tty", major: 5, minor: 0, mode: 0o666 },
  { path: "/dev/console", major: 5, minor: 1, mode: 0o600 },
];

/** Bytes /tmp may hold (a tmpfs's default would be half of RAM; this is a fixed, documented budget). */
export const TMP_CAPACITY = 64 * 1024 * 1024;

/** The root file system and the file operations over it. */
export class KernelFileSystem {
  readonly ramfs: Ramfs;
  /** The /proc mount (after {@link seal}); `ProcFs` fills it. */
  procMount: Mount | null = null;
  private readonly regular: FileOperations;
  private readonly directory: FileOperations;
  private readonly nullDevice: FileOperations;
  private readonly zeroDevice: FileOperations;
  private readonly randomDevice: FileOperations;

  constructor(
    clock: () => number,
    private readonly console: SerialConsole,
    random: KernelRandom,
  ) {
    this.ramfs = new Ramfs(clock);
    const ramfs = this.ramfs;
    const status = (file: OpenFile) => statusOf(file.node as Inode);
    this.regular = {
      seekable: true,
      read: (file, into, position) => ramfs.read(file.node as Inode, position, into),
      write: (file, bytes, position) => ramfs.write(file.node as Inode, position, bytes),
      size: (file) => (file.node as Inode).size,
      status,
    };
    this.directory = {
      seekable: true,
      read: () => -ERRNO.EISDIR,
      write: () => -ERRNO.EISDIR,
      size: () => 0,
      status,
    };
    this.nullDevice = { seekable: false, read: () => 0, write: (_file, bytes) => bytes.length, status };
    this.zeroDevice = {
      seekable: false,
      read: (_file, into) => {
        into.fill(0);
        return into.length;
      },
      write: (_file, bytes) => bytes.length,
      status,
    };
    this.randomDevice = {
      seekable: false,
      read: (_file, into) => {
        random.fill(into);
        return into.length;
      },
      write: (_file, bytes) => bytes.length,
      status,
    };
  }

  /** Unpacks a `cpio newc` initramfs into the root; a problem description, or null. */
  unpack(archive: Uint8Array): string | null {
    const entries = readCpioNewc(archive);
    if (isCpioError(entries)) return entries.message;
    const failures = this.ramfs.populateFromCpio(entries);
    if (failures.length > 0)
      return `initramfs: ${failures.length} entries failed, first ${failures[0]!.name} (errno ${-failures[0]!.errno})`;
    return null;
  }

  /** Adds (or replaces) a regular file, creating parent directories (before the root is sealed). */
  addFile(path: string, bytes: Uint8Array, mode = 0o755): number {
    const ramfs = this.ramfs;
    const parts = path.split("/").filter((part) => part.length > 0);
    let directory = ramfs.root;
    for (const part of parts.slice(0, -1)) {
      const existing = ramfs.lookup(directory, part);
      const next = typeof existing === "number" ? ramfs.mkdir(directory, part, 0o755) : existing;
      if (typeof next === "number") return next;
      directory = next;
    }
    const inode = ramfs.createFile(directory, parts[parts.length - 1] ?? "", 0o100000 | mode, false);
    if (typeof inode === "number") return inode;
    const truncated = ramfs.truncate(inode, 0);
    if (truncated < 0) return truncated;
    const written = ramfs.write(inode, 0, bytes);
    if (written < 0) return written;
    return ramfs.changeMode(inode, mode);
  }

  /** After the initramfs is in: device nodes, /proc and /tmp exist; the root becomes read-only; /tmp is writable; /proc is mounted. */
  seal(): string | null {
    const ramfs = this.ramfs;
    for (const directory of ["/dev", "/proc", "/tmp"]) {
      const found = ramfs.lookup(ramfs.root, directory);
      if (typeof found === "number") {
        const made = ramfs.mkdir(ramfs.root, directory, directory === "/tmp" ? 0o1777 : 0o755);
        if (typeof made === "number") return `cannot create ${directory} (errno ${-made})`;
      }
    }
    for (const device of DEVICES) {
      if (typeof ramfs.lookup(ramfs.root, device.path) !== "number") continue;
      const made = ramfs.mknod(ramfs.root, device.path, S_IF.CHR | device.mode, device.major, device.minor);
      if (typeof made === "number") return `cannot create ${device.path} (errno ${-made})`;
    }
    ramfs.rootMount.readOnly = true;
    const tmp = ramfs.mount(ramfs.root, "/tmp", { rootMode: 0o1777, capacityBytes: TMP_CAPACITY });
    if (typeof tmp === "number") return `cannot mount /tmp (errno ${-tmp})`;
    const proc = ramfs.mount(ramfs.root, "/proc", { rootMode: 0o555, readOnly: true });
    if (typeof proc === "number") return `cannot mount /proc (errno ${-proc})`;
    this.procMount = proc;
    return null;
  }

  /** The operations of an inode opened as a file, or -errno. */
  operationsOf(inode: Inode): FileOperations | number {
    const type = inode.mode & S_IF.MT;
    if (type === S_IF.REG) return this.regular;
    if (type === S_IF.DIR) return this.directory;
    if (type === S_IF.CHR) {
      const device = inode.rdevMajor * 256 + inode.rdevMinor;
      switch (device) {
        case 1 * 256 + 3:
          return this.nullDevice;
        case 1 * 256 + 5:
          return this.zeroDevice;
        case 1 * 256 + 8:
        case 1 * 256 + 9:
          return this.randomDevice;
        case 5 * 256 + 0:
        case 5 * 256 + 1:
          return this.console;
        default:
          return -ERRNO.ENXIO;
      }
    }
    return -ERRNO.ENXIO;
  }

  /**
   * open(2) of `path` relative to `cwd`: the new description, or -errno.
   * `executable` is the caller's /proc/self/exe.
   */
  open(
    cwd: Inode,
    path: string,
    flags: number,
    mode: number,
    umask: number,
    executable: string,
  ): OpenFile | number {
    const ramfs = this.ramfs;
    if (path.length === 0) return -ERRNO.ENOENT;
    const target = path === PROC_SELF_EXE ? executable : path;
    const accessMode = flags & O.ACCMODE;
    if (accessMode === 3) return -ERRNO.EINVAL;
    let inode: Inode | number;
    if ((flags & O.CREAT) !== 0) {
      if ((flags & O.DIRECTORY) !== 0) return -ERRNO.EINVAL;
      inode = ramfs.createFile(cwd, target, S_IF.REG | (mode & ~umask & 0o7777), (flags & O.EXCL) !== 0);
    } else inode = ramfs.lookup(cwd, target, (flags & O.NOFOLLOW) === 0);
    if (typeof inode === "number") return inode;
    if ((flags & O.NOFOLLOW) !== 0 && inode.isSymlink) return -ERRNO.ELOOP;
    if ((flags & O.DIRECTORY) !== 0 && !inode.isDirectory) return -ERRNO.ENOTDIR;
    if (inode.isDirectory && accessMode !== O.RDONLY) return -ERRNO.EISDIR;
    const writing = accessMode !== O.RDONLY;
    if (writing && inode.isRegular && inode.mount.readOnly) return -ERRNO.EROFS;
    const operations = this.operationsOf(inode);
    if (typeof operations === "number") return operations;
    if ((flags & O.TRUNC) !== 0 && writing && inode.isRegular) {
      const truncated = ramfs.truncate(inode, 0);
      if (truncated < 0) return truncated;
    }
    const keep = O.ACCMODE | O.APPEND | O.NONBLOCK | O.DIRECTORY | O.NOFOLLOW;
    return new OpenFile(operations, flags & keep, target, inode);
  }

  /** The directory `inode` reached from the root: its absolute path (getcwd). */
  pathOf(inode: Inode): string {
    const parts: string[] = [];
    let current = inode;
    for (let depth = 0; depth < 4096; depth++) {
      // A mount's root stands for its mountpoint in the parent tree.
      while (current.mount.mountpoint !== null && current === current.mount.root)
        current = current.mount.mountpoint;
      const parent = current.parent;
      if (parent === current) break;
      let name = "?";
      for (const [entryName, entry] of parent.entries ?? []) {
        if (entry.inode === current) {
          name = entryName;
          break;
        }
      }
      parts.push(name);
      current = parent;
    }
    return `/${parts.reverse().join("/")}`;
  }
}

/** fstat's view of an inode. */
export function statusOf(inode: Inode): FileStatus {
  const type = inode.mode & S_IF.MT;
  const size = type === S_IF.REG || type === S_IF.LNK ? inode.size : type === S_IF.DIR ? 4096 : 0;
  return {
    dev: inode.mount.device,
    ino: inode.ino,
    mode: inode.mode,
    nlink: inode.nlink,
    uid: inode.uid,
    gid: inode.gid,
    rdev: type === S_IF.CHR || type === S_IF.BLK ? (inode.rdevMajor << 8) | inode.rdevMinor : 0,
    size,
    blksize: 4096,
    blocks: Math.ceil(size / 512),
    atimeNs: inode.atime,
    mtimeNs: inode.mtime,
    ctimeNs: inode.ctime,
  };
}

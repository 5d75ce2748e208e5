/**
 * Path system calls over the kernel's file system (vfs.ts): open, openat,
 * creat, stat, lstat, newfstatat, statx, access, faccessat, faccessat2,
 * getdents64, readlink, readlinkat, getcwd, chdir, fchdir, mkdir, mkdirat,
 * unlink, unlinkat, rmdir, rename, renameat, renameat2 (no flags),
 * symlink, symlinkat, truncate, ftruncate, chmod, fchmod, fchmodat, and
 * execve (ELF, or a "#!" script run by its interpreter, four levels deep at
 * most: ELOOP beyond).
 *
 * Errors are Linux's: ENOENT, ENOTDIR, EISDIR, ELOOP, ENAMETOOLONG from
 * path resolution; EROFS outside /tmp; EBADF / ENOTDIR for a bad dirfd;
 * EACCES to execute a file without an execute bit or a non-regular file;
 * ENOEXEC for a file that is neither ELF nor script; EFAULT for bad
 * pointers; EINVAL for unknown flag bits.
 */
import { RETURN_PATH } from "@tsos/hw-x86";
import {
  AT_FDCWD,
  arg,
  defineSyscall,
  ERRNO,
  SYS,
  type SyscallCall,
  type SyscallDefinition,
  type SyscallTable,
} from "@tsos/syscall";
import { baseName, execProgram } from "../exec";
import { O, S_IF } from "../files";
import type { Inode } from "../fs/index";
import type { Kernel } from "../kernel";
import type { Process } from "../process";
import { PROC_SELF_EXE, statusOf } from "../vfs";
import { writeStat } from "./io";
import { putTimespec, readString, readStringArray, Struct } from "./user";

const AT = {
  SYMLINK_NOFOLLOW: 0x100,
  REMOVEDIR: 0x200,
  SYMLINK_FOLLOW: 0x400,
  NO_AUTOMOUNT: 0x800,
  EMPTY_PATH: 0x1000,
  EACCESS: 0x200,
} as const;
const OPEN_MASK = 0o37777777;
/** utimensat's special tv_nsec values. */
const UTIME = { NOW: 0x3fffffff, OMIT: 0x3ffffffe } as const;
const ACCESS = { F_OK: 0, X_OK: 1, W_OK: 2, R_OK: 4 } as const;
/** Script interpreters followed before ELOOP (Linux allows 4 levels of binfmt recursion). */
const INTERPRETER_DEPTH = 4;
/** BINPRM_BUF_SIZE: the bytes of a script's first line Linux reads. */
const SHEBANG_LENGTH = 256;
/** Ceiling on argv + envp bytes read before the loader's exact check (its limit is at most 6 MiB). */
const ARGUMENT_READ_LIMIT = 6 * 1024 * 1024 + 64 * 1024;

/** Registers the path calls on `table`. */
export function registerFsCalls(kernel: Kernel, table: SyscallTable): void {
  const stat = new Struct(144);
  const statx = new Struct(256);
  const fs = () => kernel.fileSystem;
  const processOf = (call: SyscallCall) => kernel.threadOf(call).process;

  /** The directory a *at() call starts from, or -errno; a walk into /proc regenerates it first. */
  const base = (process: Process, dirfd: number, path: string): Inode | number => {
    let start: Inode;
    if (path.startsWith("/") || dirfd === AT_FDCWD) start = process.cwd as Inode;
    else {
      const file = process.files!.get(dirfd);
      if (file === null) return -ERRNO.EBADF;
      const inode = file.node as Inode | null;
      if (inode === null || typeof inode !== "object" || !("isDirectory" in inode) || !inode.isDirectory)
        return -ERRNO.ENOTDIR;
      start = inode;
    }
    const procfs = kernel.procfs;
    if (procfs?.concerns(start, path)) procfs.refresh(process);
    return start;
  };

  const lookup = (call: SyscallCall, dirfd: number, path: string, follow: boolean): Inode | number => {
    const process = processOf(call);
    if (path === PROC_SELF_EXE) path = process.executable;
    const start = base(process, dirfd, path);
    if (typeof start === "number") return start;
    if (path.length === 0) return -ERRNO.ENOENT;
    return fs().ramfs.lookup(start, path, follow);
  };

  const open = (call: SyscallCall, dirfd: number, path: string, flags: number, mode: number): number => {
    const process = processOf(call);
    if ((flags & ~OPEN_MASK) !== 0) return -ERRNO.EINVAL;
    const start = base(process, dirfd, path);
    if (typeof start === "number") return start;
    const file = fs().open(start, path, flags, mode, process.umask, process.executable);
    if (typeof file === "number") return file;
    return process.files!.install(file, (flags & O.CLOEXEC) !== 0);
  };

  /** stat-family answer for an inode, or -errno. */
  const putStat = (call: SyscallCall, inode: Inode | number, address: number): number => {
    if (typeof inode === "number") return inode;
    writeStat(stat, statusOf(inode));
    return stat.copyOut(call.memory!, address, 144);
  };

  const fstatat = (
    call: SyscallCall,
    dirfd: number,
    path: string,
    address: number,
    flags: number,
  ): number => {
    if ((flags & ~(AT.SYMLINK_NOFOLLOW | AT.EMPTY_PATH | AT.NO_AUTOMOUNT)) !== 0) return -ERRNO.EINVAL;
    if (path.length === 0 && (flags & AT.EMPTY_PATH) !== 0) {
      if (dirfd === AT_FDCWD) return putStat(call, processOf(call).cwd as Inode, address);
      const file = processOf(call).files!.get(dirfd);
      if (file === null) return -ERRNO.EBADF;
      writeStat(stat, file.operations.status(file));
      return stat.copyOut(call.memory!, address, 144);
    }
    return putStat(call, lookup(call, dirfd, path, (flags & AT.SYMLINK_NOFOLLOW) === 0), address);
  };

  const access = (call: SyscallCall, dirfd: number, path: string, mode: number, flags: number): number => {
    if ((mode & ~7) !== 0) return -ERRNO.EINVAL;
    if ((flags & ~(AT.SYMLINK_NOFOLLOW | AT.EACCESS | AT.EMPTY_PATH)) !== 0) return -ERRNO.EINVAL;
    const inode = lookup(call, dirfd, path, (flags & AT.SYMLINK_NOFOLLOW) === 0);
    if (typeof inode === "number") return inode;
    // Root: read and write always pass (a read-only mount still refuses writes); execute needs an x bit.
    if ((mode & ACCESS.W_OK) !== 0 && inode.mount.readOnly) return -ERRNO.EROFS;
    if ((mode & ACCESS.X_OK) !== 0 && !inode.isDirectory && (inode.mode & 0o111) === 0) return -ERRNO.EACCES;
    return 0;
  };

  const readlink = (
    call: SyscallCall,
    dirfd: number,
    path: string,
    address: number,
    size: number,
  ): number => {
    if (size <= 0) return -ERRNO.EINVAL;
    const process = processOf(call);
    let text: string;
    if (path === PROC_SELF_EXE) text = process.executable;
    else {
      const inode = lookup(call, dirfd, path, false);
      if (typeof inode === "number") return inode;
      const target = fs().ramfs.readlink(inode);
      if (typeof target === "number") return target;
      text = target;
    }
    const bytes = latin1(text).subarray(0, size);
    return call.memory!.write(address, bytes) ? bytes.length : -ERRNO.EFAULT;
  };

  const mkdir = (call: SyscallCall, dirfd: number, path: string, mode: number): number => {
    const process = processOf(call);
    const start = base(process, dirfd, path);
    if (typeof start === "number") return start;
    const made = fs().ramfs.mkdir(start, path, mode & ~process.umask & 0o7777);
    return typeof made === "number" ? made : 0;
  };

  const unlink = (call: SyscallCall, dirfd: number, path: string, flags: number): number => {
    if ((flags & ~AT.REMOVEDIR) !== 0) return -ERRNO.EINVAL;
    const process = processOf(call);
    const start = base(process, dirfd, path);
    if (typeof start === "number") return start;
    return (flags & AT.REMOVEDIR) !== 0 ? fs().ramfs.rmdir(start, path) : fs().ramfs.unlink(start, path);
  };

  const rename = (
    call: SyscallCall,
    oldDirfd: number,
    oldPath: string,
    newDirfd: number,
    newPath: string,
  ): number => {
    const process = processOf(call);
    const from = base(process, oldDirfd, oldPath);
    if (typeof from === "number") return from;
    const to = base(process, newDirfd, newPath);
    if (typeof to === "number") return to;
    return fs().ramfs.rename(from, oldPath, to, newPath);
  };

  const symlink = (call: SyscallCall, target: string, dirfd: number, path: string): number => {
    const start = base(processOf(call), dirfd, path);
    if (typeof start === "number") return start;
    const made = fs().ramfs.symlink(start, target, path);
    return typeof made === "number" ? made : 0;
  };

  const chmod = (inode: Inode | number, mode: number): number => {
    if (typeof inode === "number") return inode;
    return fs().ramfs.changeMode(inode, mode & 0o7777);
  };

  const truncate = (inode: Inode | number, length: number): number => {
    if (typeof inode === "number") return inode;
    if (length < 0) return -ERRNO.EINVAL;
    if (inode.isDirectory) return -ERRNO.EISDIR;
    if (!inode.isRegular) return -ERRNO.EINVAL;
    return fs().ramfs.truncate(inode, length);
  };

  const times = new Struct(32);

  /** utimensat(2): `path` (0: the descriptor itself, futimens) gets `timesAddress`'s times (0: now). */
  const utimensat = (
    call: SyscallCall,
    dirfd: number,
    pathAddress: number,
    timesAddress: number,
    flags: number,
  ): number => {
    if ((flags & ~(AT.SYMLINK_NOFOLLOW | AT.EMPTY_PATH)) !== 0) return -ERRNO.EINVAL;
    const target = resolveTimesTarget(call, dirfd, pathAddress, flags);
    if (typeof target === "number") return target;
    const now = kernel.realtimeNs();
    if (timesAddress === 0) return fs().ramfs.setTimes(target, now, now);
    if (times.copyIn(call.memory!, timesAddress, 32) < 0) return -ERRNO.EFAULT;
    /** One timespec of the pair: UTIME_NOW, UTIME_OMIT (`current`), or its value; NaN when malformed. */
    const pick = (offset: number, current: number): number => {
      const nanoseconds = times.readI64(offset + 8);
      if (nanoseconds === UTIME.NOW) return now;
      if (nanoseconds === UTIME.OMIT) return current;
      const seconds = times.readI64(offset);
      if (!(nanoseconds >= 0 && nanoseconds < 1e9) || Number.isNaN(seconds)) return Number.NaN;
      return seconds * 1e9 + nanoseconds;
    };
    const atime = pick(0, target.atime);
    const mtime = pick(16, target.mtime);
    if (Number.isNaN(atime) || Number.isNaN(mtime)) return -ERRNO.EINVAL;
    return fs().ramfs.setTimes(target, atime, mtime);
  };

  /** The inode utimensat changes: `path`'s, or the descriptor's when the path pointer is NULL. */
  const resolveTimesTarget = (
    call: SyscallCall,
    dirfd: number,
    pathAddress: number,
    flags: number,
  ): Inode | number => {
    if (pathAddress === 0) {
      if (dirfd === AT_FDCWD) return -ERRNO.EFAULT;
      const file = processOf(call).files!.get(dirfd);
      if (file === null) return -ERRNO.EBADF;
      const inode = file.node as Inode | null;
      if (inode === null || typeof inode !== "object" || !("mount" in inode)) return -ERRNO.EPERM;
      return inode;
    }
    const path = readString(call.memory!, pathAddress, 4095);
    if (typeof path === "number") return path === -ERRNO.E2BIG ? -ERRNO.ENAMETOOLONG : path;
    return lookup(call, dirfd, path, (flags & AT.SYMLINK_NOFOLLOW) === 0);
  };

  const definitions: SyscallDefinition[] = [
    defineSyscall({
      number: SYS.open,
      name: "open",
      args: [arg.string("pathname"), arg.flags("flags", 0xffffffff), arg.mode()],
      handler: (call, path, flags, mode) => open(call, AT_FDCWD, path, flags, mode),
    }),
    defineSyscall({
      number: SYS.openat,
      name: "openat",
      args: [arg.dirfd(), arg.string("pathname"), arg.flags("flags", 0xffffffff), arg.mode()],
      handler: (call, dirfd, path, flags, mode) => open(call, dirfd, path, flags, mode),
    }),
    defineSyscall({
      number: SYS.creat,
      name: "creat",
      args: [arg.string("pathname"), arg.mode()],
      handler: (call, path, mode) => open(call, AT_FDCWD, path, O.CREAT | O.WRONLY | O.TRUNC, mode),
    }),
    defineSyscall({
      number: SYS.stat,
      name: "stat",
      args: [arg.string("pathname"), arg.pointer("statbuf", "out", { size: 144 })],
      handler: (call, path, address) => putStat(call, lookup(call, AT_FDCWD, path, true), address),
    }),
    defineSyscall({
      number: SYS.lstat,
      name: "lstat",
      args: [arg.string("pathname"), arg.pointer("statbuf", "out", { size: 144 })],
      handler: (call, path, address) => putStat(call, lookup(call, AT_FDCWD, path, false), address),
    }),
    defineSyscall({
      number: SYS.newfstatat,
      name: "newfstatat",
      args: [
        arg.dirfd(),
        arg.string("pathname"),
        arg.pointer("statbuf", "out", { size: 144 }),
        arg.int("flags"),
      ],
      handler: (call, dirfd, path, address, flags) => fstatat(call, dirfd, path, address, flags),
    }),
    defineSyscall({
      number: SYS.statx,
      name: "statx",
      args: [
        arg.dirfd(),
        arg.string("pathname"),
        arg.int("flags"),
        arg.uint("mask"),
        arg.pointer("statxbuf", "out", { size: 256 }),
      ],
      handler: (call, dirfd, path, flags, _mask, address) => {
        // AT_STATX_SYNC_TYPE bits (0x6000) are accepted: everything here is in sync.
        let inodeStatus: ReturnType<typeof statusOf>;
        if (path.length === 0 && (flags & AT.EMPTY_PATH) !== 0) {
          const process = processOf(call);
          if (dirfd === AT_FDCWD) inodeStatus = statusOf(process.cwd as Inode);
          else {
            const file = process.files!.get(dirfd);
            if (file === null) return -ERRNO.EBADF;
            inodeStatus = file.operations.status(file);
          }
        } else {
          if ((flags & ~(AT.SYMLINK_NOFOLLOW | AT.EMPTY_PATH | AT.NO_AUTOMOUNT | 0x6000)) !== 0)
            return -ERRNO.EINVAL;
          const inode = lookup(call, dirfd, path, (flags & AT.SYMLINK_NOFOLLOW) === 0);
          if (typeof inode === "number") return inode;
          inodeStatus = statusOf(inode);
        }
        writeStatx(statx, inodeStatus);
        return statx.copyOut(call.memory!, address, 256);
      },
    }),
    defineSyscall({
      number: SYS.access,
      name: "access",
      args: [arg.string("pathname"), arg.int("mode")],
      handler: (call, path, mode) => access(call, AT_FDCWD, path, mode, 0),
    }),
    defineSyscall({
      number: SYS.faccessat,
      name: "faccessat",
      args: [arg.dirfd(), arg.string("pathname"), arg.int("mode")],
      handler: (call, dirfd, path, mode) => access(call, dirfd, path, mode, 0),
    }),
    defineSyscall({
      number: SYS.faccessat2,
      name: "faccessat2",
      args: [arg.dirfd(), arg.string("pathname"), arg.int("mode"), arg.int("flags")],
      handler: (call, dirfd, path, mode, flags) => access(call, dirfd, path, mode, flags),
    }),
    defineSyscall({
      number: SYS.getdents64,
      name: "getdents64",
      args: [arg.fd(), arg.pointer("dirp", "out", { length: 2 }), arg.size("count")],
      handler: (call, fd, address, count) => {
        const file = processOf(call).files!.get(fd);
        if (file === null) return -ERRNO.EBADF;
        const inode = file.node as Inode | null;
        if (inode === null || typeof inode !== "object" || !("isDirectory" in inode) || !inode.isDirectory)
          return -ERRNO.ENOTDIR;
        const buffer = new Uint8Array(Math.min(count, 65536));
        const view = new DataView(buffer.buffer);
        let used = 0;
        let tooSmall = false;
        const position = fs().ramfs.readdir(inode, file.position, (name, ino, type, next) => {
          const length = (19 + name.length + 1 + 7) & ~7;
          if (used + length > buffer.length) {
            tooSmall = used === 0;
            return false;
          }
          view.setUint32(used, ino >>> 0, true);
          view.setUint32(used + 4, Math.floor(ino / 4294967296), true);
          view.setUint32(used + 8, next >>> 0, true);
          view.setUint32(used + 12, Math.floor(next / 4294967296), true);
          view.setUint16(used + 16, length, true);
          buffer[used + 18] = type;
          for (let index = 0; index < name.length; index++)
            buffer[used + 19 + index] = name.charCodeAt(index);
          buffer.fill(0, used + 19 + name.length, used + length);
          used += length;
          return true;
        });
        if (position < 0) return position;
        if (tooSmall) return -ERRNO.EINVAL;
        file.position = position;
        return call.memory!.write(address, buffer.subarray(0, used)) ? used : -ERRNO.EFAULT;
      },
    }),
    defineSyscall({
      number: SYS.utimensat,
      name: "utimensat",
      args: [
        arg.dirfd(),
        arg.pointer("pathname", "in"),
        arg.pointer("times", "in", { size: 32 }),
        arg.int("flags"),
      ],
      handler: (call, dirfd, pathAddress, timesAddress, flags) =>
        utimensat(call, dirfd, pathAddress, timesAddress, flags),
    }),
    defineSyscall({
      number: SYS.readlink,
      name: "readlink",
      args: [arg.string("pathname"), arg.pointer("buf", "out", { length: 2 }), arg.int("bufsiz")],
      handler: (call, path, address, size) => readlink(call, AT_FDCWD, path, address, size),
    }),
    defineSyscall({
      number: SYS.readlinkat,
      name: "readlinkat",
      args: [
        arg.dirfd(),
        arg.string("pathname"),
        arg.pointer("buf", "out", { length: 3 }),
        arg.int("bufsiz"),
      ],
      handler: (call, dirfd, path, address, size) => readlink(call, dirfd, path, address, size),
    }),
    defineSyscall({
      number: SYS.getcwd,
      name: "getcwd",
      args: [arg.pointer("buf", "out", { length: 1 }), arg.size("size")],
      handler: (call, address, size) => {
        const text = fs().pathOf(processOf(call).cwd as Inode);
        const bytes = latin1(`${text}\0`);
        if (size < bytes.length) return -ERRNO.ERANGE;
        return call.memory!.write(address, bytes) ? bytes.length : -ERRNO.EFAULT;
      },
    }),
    defineSyscall({
      number: SYS.chdir,
      name: "chdir",
      args: [arg.string("path")],
      handler: (call, path) => {
        const inode = lookup(call, AT_FDCWD, path, true);
        if (typeof inode === "number") return inode;
        if (!inode.isDirectory) return -ERRNO.ENOTDIR;
        processOf(call).cwd = inode;
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.fchdir,
      name: "fchdir",
      args: [arg.fd()],
      handler: (call, fd) => {
        const process = processOf(call);
        const file = process.files!.get(fd);
        if (file === null) return -ERRNO.EBADF;
        const inode = file.node as Inode | null;
        if (inode === null || typeof inode !== "object" || !("isDirectory" in inode) || !inode.isDirectory)
          return -ERRNO.ENOTDIR;
        process.cwd = inode;
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.mkdir,
      name: "mkdir",
      args: [arg.string("pathname"), arg.mode()],
      handler: (call, path, mode) => mkdir(call, AT_FDCWD, path, mode),
    }),
    defineSyscall({
      number: SYS.mkdirat,
      name: "mkdirat",
      args: [arg.dirfd(), arg.string("pathname"), arg.mode()],
      handler: (call, dirfd, path, mode) => mkdir(call, dirfd, path, mode),
    }),
    defineSyscall({
      number: SYS.unlink,
      name: "unlink",
      args: [arg.string("pathname")],
      handler: (call, path) => unlink(call, AT_FDCWD, path, 0),
    }),
    defineSyscall({
      number: SYS.unlinkat,
      name: "unlinkat",
      args: [arg.dirfd(), arg.string("pathname"), arg.int("flags")],
      handler: (call, dirfd, path, flags) => unlink(call, dirfd, path, flags),
    }),
    defineSyscall({
      number: SYS.rmdir,
      name: "rmdir",
      args: [arg.string("pathname")],
      handler: (call, path) => unlink(call, AT_FDCWD, path, AT.REMOVEDIR),
    }),
    defineSyscall({
      number: SYS.rename,
      name: "rename",
      args: [arg.string("oldpath"), arg.string("newpath")],
      handler: (call, oldPath, newPath) => rename(call, AT_FDCWD, oldPath, AT_FDCWD, newPath),
    }),
    defineSyscall({
      number: SYS.renameat,
      name: "renameat",
      args: [arg.dirfd("olddirfd"), arg.string("oldpath"), arg.dirfd("newdirfd"), arg.string("newpath")],
      handler: (call, oldDirfd, oldPath, newDirfd, newPath) =>
        rename(call, oldDirfd, oldPath, newDirfd, newPath),
    }),
    defineSyscall({
      number: SYS.renameat2,
      name: "renameat2",
      args: [
        arg.dirfd("olddirfd"),
        arg.string("oldpath"),
        arg.dirfd("newdirfd"),
        arg.string("newpath"),
        arg.uint("flags"),
      ],
      handler: (call, oldDirfd, oldPath, newDirfd, newPath, flags) =>
        flags !== 0 ? -ERRNO.EINVAL : rename(call, oldDirfd, oldPath, newDirfd, newPath),
    }),
    defineSyscall({
      number: SYS.symlink,
      name: "symlink",
      args: [arg.string("target"), arg.string("linkpath")],
      handler: (call, target, path) => symlink(call, target, AT_FDCWD, path),
    }),
    defineSyscall({
      number: SYS.symlinkat,
      name: "symlinkat",
      args: [arg.string("target"), arg.dirfd("newdirfd"), arg.string("linkpath")],
      handler: (call, target, dirfd, path) => symlink(call, target, dirfd, path),
    }),
    defineSyscall({
      number: SYS.truncate,
      name: "truncate",
      args: [arg.string("path"), arg.int("length", 64)],
      handler: (call, path, length) => truncate(lookup(call, AT_FDCWD, path, true), length),
    }),
    defineSyscall({
      number: SYS.ftruncate,
      name: "ftruncate",
      args: [arg.fd(), arg.int("length", 64)],
      handler: (call, fd, length) => {
        const file = processOf(call).files!.get(fd);
        if (file === null) return -ERRNO.EBADF;
        if (!file.writable) return -ERRNO.EINVAL;
        const inode = file.node as Inode | null;
        if (inode === null || typeof inode !== "object" || !("isRegular" in inode)) return -ERRNO.EINVAL;
        return truncate(inode, length);
      },
    }),
    defineSyscall({
      number: SYS.chmod,
      name: "chmod",
      args: [arg.string("pathname"), arg.mode()],
      handler: (call, path, mode) => chmod(lookup(call, AT_FDCWD, path, true), mode),
    }),
    defineSyscall({
      number: SYS.fchmodat,
      name: "fchmodat",
      args: [arg.dirfd(), arg.string("pathname"), arg.mode()],
      handler: (call, dirfd, path, mode) => chmod(lookup(call, dirfd, path, true), mode),
    }),
    defineSyscall({
      number: SYS.fchmod,
      name: "fchmod",
      args: [arg.fd(), arg.mode()],
      handler: (call, fd, mode) => {
        const file = processOf(call).files!.get(fd);
        if (file === null) return -ERRNO.EBADF;
        const inode = file.node as Inode | null;
        if (inode === null || typeof inode !== "object" || !("isRegular" in inode)) return 0;
        return chmod(inode, mode);
      },
    }),
    defineSyscall({
      number: SYS.execve,
      name: "execve",
      args: [arg.string("pathname"), arg.pointer("argv", "in"), arg.pointer("envp", "in")],
      handler: (call, path, argvAddress, envpAddress) => {
        const memory = call.memory!;
        const argv = readStringArray(memory, argvAddress, ARGUMENT_READ_LIMIT);
        if (typeof argv === "number") return argv;
        const envp = readStringArray(memory, envpAddress, ARGUMENT_READ_LIMIT);
        if (typeof envp === "number") return envp;
        const result = execute(kernel, call, path, argv, envp, 0, baseName(path));
        if (result === 0) call.frame.returnPath = RETURN_PATH.IRET;
        return result;
      },
    }),
  ];
  for (const definition of definitions) table.register(definition);
}

/** execve of `path` (or its script interpreter) for the caller: 0 or -errno. */
function execute(
  kernel: Kernel,
  call: SyscallCall,
  path: string,
  argv: string[],
  envp: string[],
  depth: number,
  /** The new command name: the basename of the path execve was given (Linux's bprm->filename), scripts included. */
  command: string,
): number {
  const thread = kernel.threadOf(call);
  const process = thread.process;
  const resolved = path === PROC_SELF_EXE ? process.executable : path;
  if (resolved.length === 0) return -ERRNO.ENOENT;
  const inode = kernel.fileSystem.ramfs.lookup(process.cwd as Inode, resolved, true);
  if (typeof inode === "number") return inode;
  if ((inode.mode & S_IF.MT) !== S_IF.REG || (inode.mode & 0o111) === 0) return -ERRNO.EACCES;
  const bytes = inode.data.subarray(0, inode.size);
  if (bytes[0] === 0x23 && bytes[1] === 0x21) {
    if (depth >= INTERPRETER_DEPTH) return -ERRNO.ELOOP;
    const line = parseShebang(bytes);
    if (line === null) return -ERRNO.ENOEXEC;
    const scriptArgv = [
      line.interpreter,
      ...(line.argument === null ? [] : [line.argument]),
      resolved,
      ...argv.slice(1),
    ];
    return execute(kernel, call, line.interpreter, scriptArgv, envp, depth + 1, command);
  }
  const absolute = resolved.startsWith("/")
    ? resolved
    : `${kernel.fileSystem.pathOf(process.cwd as Inode).replace(/\/$/, "")}/${resolved}`;
  // de_thread: the other threads leave first (a file that is not even an ELF image fails without that).
  if (!isElf(bytes)) return -ERRNO.ENOEXEC;
  if (!kernel.removeOtherThreads(thread))
    return kernel.sleep(call, process.threadExitWaiters, { restart: true, interruptible: false });
  kernel.becomeLeader(thread);
  return execProgram(kernel, thread, call.frame.context, { path: absolute, bytes }, argv, envp, command);
}

function isElf(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** "#!interpreter [one argument]" from a script's first 256 bytes; null when there is no interpreter. */
function parseShebang(bytes: Uint8Array): { interpreter: string; argument: string | null } | null {
  let end = 2;
  while (end < bytes.length && end < SHEBANG_LENGTH && bytes[end] !== 0x0a) end++;
  let text = "";
  for (let index = 2; index < end; index++) text += String.fromCharCode(bytes[index]!);
  text = text.replace(/^[ \t]+/, "").replace(/[ \t\r]+$/, "");
  if (text.length === 0) return null;
  const split = text.search(/[ \t]/);
  if (split < 0) return { interpreter: text, argument: null };
  const argument = text.slice(split).replace(/^[ \t]+/, "");
  return { interpreter: text.slice(0, split), argument: argument.length === 0 ? null : argument };
}

/** A Latin-1 string's bytes. */
function latin1(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index) & 0xff;
  return bytes;
}

/** struct statx (256 bytes) with the basic fields. */
function writeStatx(struct: Struct, status: ReturnType<typeof statusOf>): void {
  struct.clear();
  struct.u32(0, 0x7ff); // stx_mask: STATX_BASIC_STATS
  struct.u32(4, status.blksize);
  struct.u32(16, status.nlink);
  struct.u32(20, status.uid);
  struct.u32(24, status.gid);
  struct.view.setUint16(28, status.mode, true);
  struct.u64(32, status.ino);
  struct.u64(40, status.size);
  struct.u64(48, status.blocks);
  // statx_timestamp {s64 tv_sec; u32 tv_nsec; s32 reserved}: a timespec's bytes with the reserved word 0.
  putTimespec(struct, 64, status.atimeNs);
  putTimespec(struct, 80, status.ctimeNs); // stx_btime: creation, as the change time here
  putTimespec(struct, 96, status.ctimeNs);
  putTimespec(struct, 112, status.mtimeNs);
  struct.u32(128, status.rdev >> 8);
  struct.u32(132, status.rdev & 0xff);
  struct.u32(136, status.dev >> 8);
  struct.u32(140, status.dev & 0xff);
}

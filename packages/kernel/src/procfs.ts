/**
 * /proc: a mount of the root Ramfs whose tree is regenerated from the
 * kernel's state whenever a system call names a path under /proc (the
 * path-level calls ask {@link ProcFs.refresh} first). What it holds:
 *
 * - `/proc/self` → the caller's pid directory (a symlink, as Linux's);
 * - `/proc/<pid>/` for every process not yet reaped: `exe` and `cwd`
 *   (symlinks), `fd/<n>` (a symlink per descriptor to the file's path, or
 *   `pipe:[ino]`), `comm`, `cmdline`, `status` (Name, Umask, State, Tgid,
 *   Pid, PPid, Uid, Gid, FDSize, Threads, the signal masks) and `stat`
 *   (Linux's 52 fields; the ones this kernel does not track are 0);
 * - `/proc/meminfo` (MemTotal, MemFree, MemAvailable from the frame
 *   allocator), `/proc/uptime`, `/proc/mounts`, `/proc/cpuinfo` (one
 *   "processor" stanza per online CPU).
 *
 * The mount is read-only to the guest (EROFS). A refresh changes only what
 * changed: names that stay keep their inodes (and so their directory
 * positions: `ls /proc` stats each entry while it reads the directory),
 * contents are rewritten in place, vanished processes and descriptors are
 * removed. Limits: the fd links are plain
 * symlinks to path names, not Linux's magic links (a deleted file's link
 * dangles); a walk that reaches /proc through a relative path from a cwd
 * outside it does not refresh (the tree is as of the last refresh).
 */
import type { Inode, Mount, Ramfs } from "./fs/index";
import type { Kernel } from "./kernel";
import { PROCESS_STATE, type Process } from "./process";

const PAGE_KIB = 4;

/** The /proc mount and its regeneration. */
export class ProcFs {
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly kernel: Kernel,
    private readonly ramfs: Ramfs,
    private readonly mount: Mount,
  ) {}

  /** The mount's root (/proc). */
  get root(): Inode {
    return this.mount.root;
  }

  /** Does a walk of `path` from `cwd` enter /proc? */
  concerns(cwd: Inode, path: string): boolean {
    if (path.startsWith("/")) return path === "/proc" || path.startsWith("/proc/");
    return cwd.mount === this.mount;
  }

  /** Rebuilds the tree for a call by `caller`. */
  refresh(caller: Process): void {
    const root = this.mount.root;
    this.mount.readOnly = false;
    try {
      const names = new Set<string>(["self", "meminfo", "uptime", "mounts", "cpuinfo"]);
      this.link(root, "self", String(caller.pid));
      for (const process of this.kernel.processes.values()) {
        if (process.state === PROCESS_STATE.REAPED) continue;
        names.add(String(process.pid));
        this.syncProcess(process);
      }
      this.prune(root, names);
      const kernel = this.kernel;
      const totalKib = kernel.frames.frameCount * PAGE_KIB;
      const freeKib = kernel.frames.freeFrames * PAGE_KIB;
      this.file(
        root,
        "meminfo",
        `MemTotal:       ${pad(totalKib)} kB\nMemFree:        ${pad(freeKib)} kB\nMemAvailable:   ${pad(freeKib)} kB\n`,
      );
      const uptime = (kernel.monotonicNs() / 1e9).toFixed(2);
      this.file(root, "uptime", `${uptime} 0.00\n`);
      this.file(root, "mounts", "rootfs / rootfs ro 0 0\nproc /proc proc ro 0 0\ntmpfs /tmp tmpfs rw 0 0\n");
      let cpuinfo = "";
      for (let cpu = 0; cpu < kernel.onlineCpus; cpu++)
        cpuinfo += `processor\t: ${cpu}\nvendor_id\t: tsos\nmodel name\t: tsos emulated x86-64\n\n`;
      this.file(root, "cpuinfo", cpuinfo);
    } finally {
      this.mount.readOnly = true;
    }
  }

  private syncProcess(process: Process): void {
    const directory = this.directory(this.mount.root, String(process.pid), 0o555);
    if (directory === null) return;
    const kernel = this.kernel;
    const alive = process.state === PROCESS_STATE.ALIVE;
    const names = new Set<string>(["fd", "comm", "cmdline", "status", "stat"]);
    if (alive) {
      names.add("exe").add("cwd");
      this.link(directory, "exe", process.executable);
      this.link(directory, "cwd", kernel.fileSystem.pathOf(process.cwd as Inode));
    }
    this.prune(directory, names);
    const fds = this.directory(directory, "fd", 0o500);
    if (fds !== null) {
      const open = new Set<string>();
      for (const fd of process.files?.descriptors() ?? []) {
        const file = process.files!.get(fd)!;
        const node = file.node as Inode | null;
        const target =
          file.path.startsWith("/") || node === null || typeof node !== "object" || !("mount" in node)
            ? file.path
            : kernel.fileSystem.pathOf(node);
        open.add(String(fd));
        this.link(fds, String(fd), target.length === 0 ? "anon_inode:[unknown]" : target);
      }
      this.prune(fds, open);
    }
    this.file(directory, "comm", `${process.name}\n`);
    this.file(directory, "cmdline", process.commandLine);
    const state = alive ? (process.stopped ? "T (stopped)" : "S (sleeping)") : "Z (zombie)";
    const ppid = process.parent?.pid ?? 0;
    let blocked = 0n;
    let pending = 0n;
    for (const thread of process.threads) {
      blocked |= (BigInt(thread.signalMaskHigh) << 32n) | BigInt(thread.signalMaskLow);
      pending |= (BigInt(thread.pending.high) << 32n) | BigInt(thread.pending.low);
    }
    let ignored = 0n;
    let caught = 0n;
    for (let signal = 1; signal < process.actions.length; signal++) {
      const handler = process.actions[signal]?.handler ?? 0;
      if (handler === 1) ignored |= 1n << BigInt(signal - 1);
      else if (handler !== 0) caught |= 1n << BigInt(signal - 1);
    }
    const hex = (value: bigint) => value.toString(16).padStart(16, "0");
    this.file(
      directory,
      "status",
      [
        `Name:\t${process.name}`,
        `Umask:\t${process.umask.toString(8).padStart(4, "0")}`,
        `State:\t${state}`,
        `Tgid:\t${process.pid}`,
        "Ngid:\t0",
        `Pid:\t${process.pid}`,
        `PPid:\t${ppid}`,
        "TracerPid:\t0",
        `Uid:\t${process.uid}\t${process.uid}\t${process.uid}\t${process.uid}`,
        `Gid:\t${process.gid}\t${process.gid}\t${process.gid}\t${process.gid}`,
        `FDSize:\t${process.files?.limit ?? 0}`,
        "Groups:\t",
        `Threads:\t${process.threads.size}`,
        `SigPnd:\t${hex(pending)}`,
        `ShdPnd:\t${hex((BigInt(process.sharedPending.high) << 32n) | BigInt(process.sharedPending.low))}`,
        `SigBlk:\t${hex(blocked)}`,
        `SigIgn:\t${hex(ignored)}`,
        `SigCgt:\t${hex(caught)}`,
        "",
      ].join("\n"),
    );
    // /proc/<pid>/stat: pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
    // cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss …
    const ticks = (ns: number) => Math.floor(ns / 10_000_000);
    let userNs = process.exitedUserNs;
    let systemNs = process.exitedSystemNs;
    for (const thread of process.threads) {
      userNs += thread.task.accounting.userTime;
      systemNs += thread.task.accounting.kernelTime;
    }
    const fields = [
      process.pid,
      `(${process.name})`,
      state[0],
      ppid,
      process.pgid,
      process.sid,
      0,
      -1,
      0x400000,
      0,
      0,
      0,
      0,
      ticks(userNs),
      ticks(systemNs),
      ticks(process.childrenUserNs),
      ticks(process.childrenSystemNs),
      20,
      0,
      Math.max(process.threads.size, 1),
      0,
      ticks(process.startNs),
    ];
    while (fields.length < 52) fields.push(0);
    this.file(directory, "stat", `${fields.join(" ")}\n`);
  }

  /** The read-only regular file `name` in `directory` now holds `contents` (rewritten in place). */
  private file(directory: Inode, name: string, contents: string | Uint8Array): void {
    const ramfs = this.ramfs;
    let inode = directory.entries?.get(name)?.inode ?? null;
    if (inode !== null && !inode.isRegular) {
      this.remove(directory, name);
      inode = null;
    }
    if (inode === null) {
      const made = ramfs.createFile(directory, name, 0o100444, true);
      if (typeof made === "number") return;
      inode = made;
    }
    const bytes = typeof contents === "string" ? this.encoder.encode(contents) : contents;
    ramfs.truncate(inode, 0);
    if (bytes.length > 0) ramfs.write(inode, 0, bytes);
  }

  /** The symlink `name` in `directory` now points at `target`. */
  private link(directory: Inode, name: string, target: string): void {
    const existing = directory.entries?.get(name)?.inode ?? null;
    if (existing?.isSymlink) {
      existing.target = target;
      existing.size = target.length;
      return;
    }
    if (existing !== null) this.remove(directory, name);
    this.ramfs.symlink(directory, target, name);
  }

  /** The subdirectory `name` of `directory` (made if missing); null if it cannot be. */
  private directory(parent: Inode, name: string, mode: number): Inode | null {
    const existing = parent.entries?.get(name)?.inode ?? null;
    if (existing?.isDirectory) return existing;
    if (existing !== null) this.remove(parent, name);
    const made = this.ramfs.mkdir(parent, name, mode);
    return typeof made === "number" ? null : made;
  }

  /** Removes the names of `directory` not in `keep`. */
  private prune(directory: Inode, keep: Set<string>): void {
    for (const name of [...(directory.entries?.keys() ?? [])])
      if (!keep.has(name)) this.remove(directory, name);
  }

  /** Removes `name` from `directory`, emptying a directory first. */
  private remove(directory: Inode, name: string): void {
    const inode = directory.entries?.get(name)?.inode;
    if (inode === undefined) return;
    if (inode.isDirectory) {
      for (const child of [...(inode.entries?.keys() ?? [])]) this.remove(inode, child);
      this.ramfs.rmdir(directory, name);
    } else this.ramfs.unlink(directory, name);
  }
}

function pad(value: number): string {
  return String(value).padStart(8, " ");
}

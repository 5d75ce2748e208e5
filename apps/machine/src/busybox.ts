/**
 * Where Debian's static BusyBox is on this host (it is never committed:
 * scripts/fetch-busybox.sh fetches it into .cache/), and the applets it
 * has — asked of the binary itself, run on the emulated machine, so no
 * native run is needed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runProgram } from "./run";

const REPOSITORY_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** Where scripts/fetch-busybox.sh unpacks the binary. */
export const FETCHED_BUSYBOX = `${REPOSITORY_ROOT}.cache/busybox-static/root/bin/busybox`;

/** A BusyBox binary found, or why none was. */
export type BusyboxLocation = { path: string; reason: "" } | { path: null; reason: string };

/**
 * $TSOS_BUSYBOX, else the one scripts/fetch-busybox.sh unpacked (fetched
 * now when `fetch` and it is not there yet), else /bin/busybox.
 */
export function locateBusybox(fetch = false): BusyboxLocation {
  const chosen = process.env.TSOS_BUSYBOX;
  if (chosen !== undefined && chosen.length > 0)
    return existsSync(chosen)
      ? { path: chosen, reason: "" }
      : { path: null, reason: `TSOS_BUSYBOX=${chosen} is missing` };
  if (!existsSync(FETCHED_BUSYBOX) && fetch)
    spawnSync("sh", [`${REPOSITORY_ROOT}scripts/fetch-busybox.sh`], { stdio: "ignore", timeout: 120_000 });
  if (existsSync(FETCHED_BUSYBOX)) return { path: FETCHED_BUSYBOX, reason: "" };
  if (existsSync("/bin/busybox")) return { path: "/bin/busybox", reason: "" };
  return { path: null, reason: "missing: scripts/fetch-busybox.sh could not fetch busybox-static" };
}

/** The binary's path and bytes, or null when there is none. */
export function findBusybox(): { path: string; bytes: Uint8Array } | null {
  const found = locateBusybox();
  if (found.path === null) return null;
  try {
    return { path: found.path, bytes: new Uint8Array(readFileSync(found.path)) };
  } catch {
    return null;
  }
}

/** `busybox --list` run on the machine: the applet names, or null if it failed. */
export function listApplets(busybox: { bytes: Uint8Array }): string[] | null {
  let out = "";
  const result = runProgram(
    {
      program: { path: "/bin/busybox", bytes: busybox.bytes },
      argv: ["busybox", "--list"],
      envp: [],
      quiet: true,
      cpus: 1,
      memoryBytes: 64 * 1024 * 1024,
    },
    { stdout: (bytes) => (out += Buffer.from(bytes).toString("latin1")), stderr: () => {} },
  );
  if (result.exitCode !== 0) return null;
  return out.split("\n").filter((name) => name.length > 0);
}

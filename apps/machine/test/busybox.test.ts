/**
 * The yardstick nobody here wrote: Debian's static BusyBox (package
 * busybox-static), run unchanged as init, against the same commands run
 * natively. The binary is not committed: scripts/fetch-busybox.sh fetches
 * it (`apt-get download`, `dpkg -x`). Only commands whose output does not
 * depend on the host (its files, its name, its time, whether stdout is a
 * terminal) are compared, floating point included (`seq` and `printf %f`
 * on glibc's long double, `sort -n`, `sleep` with a fraction, `awk`
 * arithmetic on the x87 and SSE). Skipped, with the reason, where no
 * BusyBox can be fetched or the host is not x86-64 Linux.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { locateBusybox } from "../src/busybox";
import { runProgram } from "../src/run";

/** The BusyBox binary (fetched now if need be), with the reason when there is none. */
function findBusybox() {
  if (process.platform !== "linux" || process.arch !== "x64")
    return { path: null, reason: "not an x86-64 Linux host (no native oracle)" };
  return locateBusybox(true);
}

const found = findBusybox();
const BUSYBOX = found.path ?? "";
const available = found.path !== null;

const COMMANDS: readonly (readonly string[])[] = [
  ["echo", "hello, busybox"],
  ["uname", "-s", "-m"],
  ["basename", "/a/b/c.txt", ".txt"],
  ["expr", "6", "*", "7"],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template.
  ["sh", "-c", "x=$((6*7)); echo $x; echo ${#x}"],
  ["sh", "-c", "echo hi | cat"],
  ["sh", "-c", "for i in a b c; do echo $i; done | wc -l"],
  ["sh", "-c", "echo abcabc | tr a-c x-z | rev"],
  ["sh", "-c", "false; echo $?; true; echo $?"],
  ["sh", "-c", "exit 3"],
  ["sh", "-c", "kill -9 $$"],
  [
    "sh",
    "-c",
    "cd /tmp && mkdir -p bb-test && echo data > bb-test/f && cat bb-test/f && wc -c < bb-test/f && rm -r bb-test && echo gone",
  ],
  ["sh", "-c", "echo one two three | (read a b c; echo $c $b $a)"],
  ["sh", "-c", "printf '%s-%d\\n' x 42; echo $(echo nested)"],
  ["sh", "-c", "i=0; while [ $i -lt 5 ]; do i=$((i+1)); done; echo $i"],
  ["sh", "-c", "echo zebra apple mango | tr ' ' '\\n' | sort | head -n 2"],
  // read polls the pipe: here it waits for a writer that is still counting, then for end of file.
  ["sh", "-c", "(i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; echo late) | (read z; echo got $z)"],
  ["sh", "-c", 'echo a | { cat; read y; echo "[$y] $?"; }'],
  [
    "sh",
    "-c",
    "echo a b c | cut -d' ' -f2; printf 'b\\na\\nb\\n' | sort | uniq -c; printf '1\\n2\\n3\\n' | tail -n 2",
  ],
  ["sh", "-c", "echo hello | grep -c ll; echo hello world | sed s/world/there/; test 3 -gt 2 && echo yes"],
  ["sh", "-c", "echo abc | sha256sum; echo abc | md5sum; echo abc | od -An -tx1; echo abc | xxd"],
  [
    "sh",
    "-c",
    "mkdir -p /tmp/q/r && ls /tmp/q && rm -r /tmp/q && echo ok; echo x > /tmp/t1; cat /tmp/t1 /tmp/t1 | wc -l; rm /tmp/t1",
  ],
  ["sh", "-c", "trap 'echo trapped' EXIT; yes | head -n 2"],
  [
    "sh",
    "-c",
    "date -u -d @0 +%Y; echo abc | rev | tac; basename /x/y; dirname /x/y; echo $(( 7 / 2 )) $(( 7 % 2 ))",
  ],
  // Signals: the shell's SIGCHLD handler and sigsuspend for `wait`, trap handlers, a child killed by SIGTERM.
  ["sh", "-c", "true & wait; echo waited $?; (exit 7) & wait $!; echo status $?"],
  [
    "sh",
    "-c",
    "trap 'echo got USR1' USR1; kill -USR1 $$; echo after; trap 'echo INT caught' INT; kill -INT $$; echo still",
  ],
  ["sh", "-c", "f() { echo in f; return 3; }; f; echo $?; sh -c 'kill -TERM $$'; echo $?"],
  // utimensat (touch), rename (mv), sendfile (cat of a file), umask, and /proc: status, fd links, stat.
  [
    "sh",
    "-c",
    "cd /tmp && touch a1 && touch -d @86400 a1 && stat -c '%Y %s' a1 && mv a1 b1 && ls /tmp | grep -c b1 && echo data > b1 && cat b1 && rm b1",
  ],
  ["sh", "-c", "umask 077; umask; umask 022; umask; echo x > /tmp/u1; stat -c %a /tmp/u1; rm /tmp/u1"],
  [
    "sh",
    "-c",
    "cat /proc/self/status | head -n 1; readlink /proc/self/fd/0 > /dev/null && echo fd-link; cut -d' ' -f2 /proc/self/stat; test -d /proc/self/fd && echo fd-dir",
  ],
  [
    "sh",
    "-c",
    "echo abc > /tmp/s1 && cat /tmp/s1 /tmp/s1 | wc -c && head -c 2 /tmp/s1 && echo && rm /tmp/s1",
  ],
  // Floating point: glibc's strtold/printf on the x87, SSE2 double arithmetic in awk and sort -n.
  ["seq", "0.5", "0.25", "2"],
  ["seq", "-w", "-1", "1e0", "3"],
  [
    "sh",
    "-c",
    "printf '%f %e %g %.3f\\n' 3.25 1e-300 0.1 2.0005; printf '%.20f\\n' 0.1; printf '%g\\n' 1e400 -inf nan",
  ],
  [
    "sh",
    "-c",
    "printf '10\\n-2.5\\n3e2\\n0.001\\n1e-3\\n' | sort -n; printf 'b 2.5\\na 10\\n' | sort -k2 -n",
  ],
  [
    "sh",
    "-c",
    "awk 'BEGIN { x = 1/3; printf \"%.17g %d %s %.6e\\n\", x, 7/2, 0.1 + 0.2, 1e35 * 1e35; print 1e308 * 10, -1e308 * 10, 10 % 3.5, int(-7.9), 2147483648 * 4 }'",
  ],
  ["sh", "-c", "sleep 0.05; echo slept; usleep 1000; echo usleep"],
];

describe.skipIf(!available)(`Debian's busybox-static (${available ? BUSYBOX : found.reason})`, () => {
  const image = available ? new Uint8Array(readFileSync(BUSYBOX)) : new Uint8Array(0);
  for (const command of COMMANDS) {
    it(`busybox ${command.join(" ")}: same output and status as natively`, () => {
      const native = spawnSync(BUSYBOX, command, { env: {}, encoding: "latin1", timeout: 30_000 });
      const nativeStatus = native.status ?? 128 + (native.signal === "SIGKILL" ? 9 : 0);
      let out = "";
      let err = "";
      const result = runProgram(
        {
          program: { path: "/bin/busybox", bytes: image },
          argv: ["busybox", ...command],
          envp: [],
          quiet: true,
        },
        {
          stdout: (bytes) => (out += Buffer.from(bytes).toString("latin1")),
          stderr: (bytes) => (err += Buffer.from(bytes).toString("latin1")),
        },
      );
      expect([out, err, result.exitCode]).toEqual([native.stdout, native.stderr, nativeStatus]);
      expect(result.stats.frameDelta).toBe(0);
      expect(result.stats.slabObjects).toBe(0);
    });
  }
});

/**
 * The main job's outputs on the default system: the report (its content
 * against what the workload did, and the `virtual` section byte-identical
 * for the same seed with 1 and 2 CPUs), the Perfetto trace (valid JSON
 * with the fields the trace-event format requires, balanced slices,
 * monotonic tracks, the same bytes for the same seed), and --strace
 * (compared line by line with the real strace on the same binary).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KERNEL_VECTOR } from "@tsos/kernel";
import { beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/cli-main";
import { defaultInitramfs } from "../src/initramfs";
import type { MachineReport } from "../src/report";
import { type RunOptions, type RunResult, runProgram } from "../src/run";
import { runCli } from "./cli-run";

const image = defaultInitramfs();
if (!image.ok) throw new Error(image.error);
const initramfs = image.bytes;
const GUEST_BIN = new URL("../../../packages/kernel/guest/bin/", import.meta.url).pathname;

function boot(options: Partial<RunOptions> = {}): { result: RunResult; out: string } {
  let out = "";
  const result = runProgram(
    { program: "/init", argv: ["/init"], envp: [], initramfs, quiet: true, ...options },
    {
      stdout: (bytes) => (out += Buffer.from(bytes).toString("latin1")),
      stderr: (bytes) => (out += Buffer.from(bytes).toString("latin1")),
    },
  );
  return { result, out };
}

const cli = runCli;

describe("the report of the default system", () => {
  let report: MachineReport;
  beforeAll(() => {
    report = boot().result.report;
  });

  it("lists every process with how it ended, and nothing is left alive", () => {
    const { processes } = report.virtual;
    expect(processes.ended).toHaveLength(processes.created);
    expect(processes.alive).toEqual([]);
    expect(processes.dropped).toBe(0);
    const byCommand = (command: string) => processes.ended.filter((row) => row.command === command);
    expect(byCommand("/bin/hello")[0]).toMatchObject({ status: "exited 0", exitCode: 0, ppid: 1 });
    expect(byCommand("/bin/parallel 2 2000000")[0]).toMatchObject({ status: "exited 0" });
    expect(byCommand("/bin/wc")[0]).toMatchObject({ status: "exited 0" });
    // The fork tree's 14 children report their own exit codes; the crash dies of SIGSEGV.
    expect(byCommand("/bin/fork-tree").length).toBeGreaterThanOrEqual(15);
    const init = processes.ended.find((row) => row.pid === 1)!;
    expect(init).toMatchObject({ ppid: 0, status: "exited 0" });
    expect(processes.ended.at(-1)).toBe(init);
    const crash = processes.ended.filter((row) => row.command === "/init" && row.pid !== 1);
    expect(crash.map((row) => row.status)).toContain("killed by SIGSEGV");
    // Kernel time never goes backwards, even for a process that moved between CPUs.
    for (const row of processes.ended) expect(row.endNs).toBeGreaterThanOrEqual(row.startNs);
  });

  it("counts what the workload did: instructions per CPU, syscalls, faults, interrupts, switches", () => {
    const { virtual, host } = report;
    expect(virtual.cpus).toHaveLength(2);
    expect(virtual.cpus.reduce((sum, cpu) => sum + cpu.instructions, 0)).toBe(virtual.instructions);
    // The two threads of /bin/parallel and the pipeline keep both CPUs busy for a while.
    for (const cpu of virtual.cpus) {
      expect(cpu.instructions).toBeGreaterThan(10_000_000);
      expect(cpu.contextSwitches).toBeGreaterThan(0);
    }
    const calls = new Map(virtual.syscalls.calls.map((row) => [row.name, row]));
    // Every process but init came from fork, except fork-tree's one clone(SIGCHLD) child;
    // parallel's two threads are clone(CLONE_THREAD) calls, not processes.
    expect(calls.get("fork")!.calls).toBe(virtual.processes.created - 2);
    expect(calls.get("clone")!.calls).toBeGreaterThanOrEqual(2);
    expect(calls.get("wait4")!.errnos).toHaveProperty("ECHILD");
    expect(virtual.syscalls.total).toBe(virtual.syscalls.calls.reduce((sum, row) => sum + row.calls, 0));
    // The nanosleep of 250 ms waited that long on the virtual clock.
    expect(calls.get("nanosleep")!.p99Cycles).toBeGreaterThanOrEqual(250_000_000);
    const faults = virtual.pageFaults;
    expect(faults.demandZero).toBeGreaterThan(100);
    expect(faults.copyOnWrite).toBeGreaterThan(0);
    expect(faults.protection).toBeGreaterThan(0); // the memory exerciser's deliberate faults
    expect(faults.unmapped).toBeGreaterThan(0); // the NULL write
    const timer = virtual.interrupts.vectors.find((row) => row.vector === KERNEL_VECTOR.TIMER)!;
    expect(timer.name).toBe("LAPIC timer");
    expect(timer.perCpu.reduce((sum, count) => sum + count, 0)).toBe(timer.total);
    expect(host.mipsPerCpu).toHaveLength(2);
    expect(host.timeMs).toBeGreaterThan(0);
  });

  it("reports the allocator as it is: per-order free blocks add up to the free frames, nothing leaked", () => {
    const { memory } = report.virtual;
    const fromOrders = memory.freeBlocksPerOrder!.reduce(
      (sum, blocks, order) => sum + blocks * 2 ** order,
      0,
    );
    expect(fromOrders).toBe(memory.freeFrames);
    expect(memory.freeFrames).toBe(memory.freeFramesAfterBoot);
    expect(memory.slabCaches.map((cache) => cache.name)).toContain("sigqueue");
    for (const cache of memory.slabCaches) expect(cache.objectsInUse).toBe(0);
  });

  it("gives a byte-identical virtual section for the same seed, with 2 CPUs and with 1", () => {
    for (const cpus of [2, 1]) {
      const first = boot({ cpus, seed: 7 }).result.report;
      const second = boot({ cpus, seed: 7 }).result.report;
      expect(JSON.stringify(second.virtual)).toBe(JSON.stringify(first.virtual));
      expect(first.virtual.machine).toEqual({ cpus, memoryBytes: 256 * 2 ** 20, seed: 7 });
    }
  });

  it("--report-json writes both sections; an unwritable path is one line and exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsos-report-"));
    const path = join(dir, "report.json");
    const { code, out } = cli("boot", "--quiet", "--no-report", "--report-json", path);
    expect(code).toBe(EXIT.OK);
    expect(out).not.toContain("== tsos report");
    const written = JSON.parse(readFileSync(path, "utf8")) as MachineReport;
    expect(Object.keys(written)).toEqual(["virtual", "host"]);
    expect(written.virtual.outcome).toBe("exited");
    const bad = cli("boot", "--quiet", "--report-json", join(dir, "missing", "report.json"));
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.err).toMatch(/^tsos-machine: --report-json .*: no such file or directory\n$/);
  });
});

interface TraceEvent {
  name?: string;
  ph: string;
  ts?: number;
  dur?: number;
  pid: number;
  tid?: number;
  s?: string;
  cat?: string;
  args?: Record<string, unknown>;
}

describe("the Perfetto trace", () => {
  let text: string;
  let events: TraceEvent[];
  beforeAll(() => {
    text = "";
    boot({ trace: { write: (chunk) => (text += chunk) } });
    const parsed = JSON.parse(text) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
    expect(parsed.displayTimeUnit).toBe("ns");
    events = parsed.traceEvents;
  });

  it("has the fields the trace-event format requires for each phase", () => {
    expect(events.length).toBeGreaterThan(1000);
    for (const event of events) {
      expect(typeof event.ph).toBe("string");
      expect(Number.isInteger(event.pid)).toBe(true);
      if (event.ph !== "M" && event.ph !== "C") expect(Number.isInteger(event.tid)).toBe(true);
      if (event.ph !== "M") expect(event.ts).toBeGreaterThanOrEqual(0);
      if (event.ph === "X") expect(event.dur).toBeGreaterThanOrEqual(0);
      if (event.ph === "i") expect(event.s).toBe("t");
      if (event.ph === "C")
        expect(Object.values(event.args ?? {}).every((v) => typeof v === "number")).toBe(true);
      if (event.ph === "M")
        expect(typeof (event.args as { name?: unknown; sort_index?: unknown })).toBe("object");
      expect(["M", "X", "B", "E", "i", "C"]).toContain(event.ph);
    }
  });

  it("names the CPU tracks and every process, and has slices, syscalls, interrupts, switches and counters", () => {
    const names = events.filter((event) => event.name === "thread_name" && event.pid === 0);
    expect(names.map((event) => event.args!.name)).toEqual(["CPU 0", "CPU 1"]);
    const processNames = new Set(
      events.filter((event) => event.name === "process_name").map((event) => event.args!.name),
    );
    for (const name of ["init", "hello", "spin", "fork-tree", "memory", "wc", "parallel"])
      expect(processNames).toContain(name);
    const user = events.filter((event) => event.ph === "X" && event.cat === "user");
    expect(new Set(user.map((event) => event.tid))).toEqual(new Set([0, 1]));
    const syscalls = new Set(events.filter((event) => event.cat === "syscall").map((event) => event.name));
    for (const name of ["fork", "execve", "wait4", "read", "write", "clone", "futex", "exit_group"])
      expect(syscalls).toContain(name);
    expect(events.some((event) => event.cat === "interrupt" && event.name === "LAPIC timer")).toBe(true);
    expect(events.some((event) => event.cat === "exception" && event.name === "#PF page fault")).toBe(true);
    expect(events.some((event) => event.cat === "sched" && /^switch /.test(event.name!))).toBe(true);
    const counters = new Set(events.filter((event) => event.ph === "C").map((event) => event.name));
    expect(counters).toEqual(new Set(["free memory (KiB)", "runnable tasks"]));
  });

  it("balances B/E on every thread track and keeps each track's time monotonic", () => {
    const open = new Map<string, number>();
    const last = new Map<string, number>();
    for (const event of events) {
      if (event.ph !== "B" && event.ph !== "E") continue;
      const key = `${event.pid}:${event.tid}`;
      expect(event.ts!).toBeGreaterThanOrEqual(last.get(key) ?? 0);
      last.set(key, event.ts!);
      const depth = (open.get(key) ?? 0) + (event.ph === "B" ? 1 : -1);
      expect(depth === 0 || depth === 1).toBe(true);
      open.set(key, depth);
    }
    // A wait that slept 250 ms shows as a slice of at least that length.
    const waits: number[] = [];
    const begun = new Map<string, number>();
    for (const event of events) {
      const key = `${event.pid}:${event.tid}`;
      if (event.ph === "B" && event.name === "nanosleep") begun.set(key, event.ts!);
      if (event.ph === "E" && begun.has(key)) {
        waits.push(event.ts! - begun.get(key)!);
        begun.delete(key);
      }
    }
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(250_000);
  });

  it("is the same file for the same seed", () => {
    let again = "";
    boot({ trace: { write: (chunk) => (again += chunk) } });
    expect(again).toBe(text);
  });
});

const nativeStrace =
  process.platform === "linux" &&
  process.arch === "x64" &&
  spawnSync("strace", ["-V"], { stdio: "ignore" }).status === 0;

describe("--strace", () => {
  it("prints every call with the pid, and filters by name", () => {
    const { code, out, err } = cli("run", "--quiet", "--strace", `${GUEST_BIN}hello`);
    expect(code).toBe(0);
    expect(out).toBe("hello, world\n");
    const lines = err.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("[pid 1] exit_group(0)                           = ?");
    expect(lines).toContain(`[pid 1] write(1, "hello, world\\n", 13)${" ".repeat(10)}= 13`);
    const filtered = cli("run", "--quiet", "--strace=exit_group", `${GUEST_BIN}hello`).err;
    expect(filtered).toBe("[pid 1] exit_group(0)                           = ?\n");
    expect(cli("run", "--strace=frobnicate", `${GUEST_BIN}hello`)).toMatchObject({
      code: EXIT.USAGE,
      err: "tsos-machine: --strace: unknown system call 'frobnicate'\n",
    });
  });

  it.skipIf(!nativeStrace)("matches the real strace line for line on a musl program", () => {
    // Natively on a pseudo-terminal (script(1)), as the guest's stdout is the console, a tty:
    // musl buffers stdio by line there, so both runs make the same writev calls.
    const dir = mkdtempSync(join(tmpdir(), "tsos-strace-"));
    const trace = join(dir, "native");
    const names = "write,writev,exit_group,ioctl,getpid";
    const native = spawnSync(
      "script",
      ["-qec", `strace -qq -e trace=${names} -o ${trace} ${GUEST_BIN}musl-stdio`, "/dev/null"],
      { stdio: ["ignore", "ignore", "ignore"] },
    );
    expect(native.status).toBe(0);
    const expected = readFileSync(trace, "utf8").trimEnd().split("\n");
    const ours = cli("run", "--quiet", `--strace=${names}`, `${GUEST_BIN}musl-stdio`)
      .err.trimEnd()
      .split("\n")
      .filter((line) => line.startsWith("[pid 1] "))
      .map((line) => line.slice("[pid 1] ".length));
    // The terminal sizes differ (script's pty has none; the console reports 80x24).
    const masked = (lines: string[]) => lines.map((line) => line.replace(/(ws_\w+)=\d+/g, "$1=N"));
    expect(masked(ours)).toEqual(masked(expected));
    expect(expected.length).toBeGreaterThan(20);
  });
});

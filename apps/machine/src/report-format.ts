/**
 * The report (report.ts) as aligned tables for a terminal, one section per
 * part of the report, made with cli-table3. Numbers right-aligned; no
 * colours (the text is the same on a terminal and in a file).
 */
import Table from "cli-table3";
import type { MachineReport } from "./report";

type Cell = string | number;

/** How many system calls the table lists (the JSON has them all). */
const SYSCALL_ROWS = 25;
/** How many ended processes the table lists before summarising the rest. */
const PROCESS_ROWS = 60;

/** A table; `align` has one letter per column, "l" for left (default: "r", right, past its end). */
function table(head: readonly string[], rows: readonly (readonly Cell[])[], align = "l"): string {
  const created = new Table({
    head: [...head],
    colAligns: head.map((_, index) => (align[index] === "l" ? "left" : "right")),
    style: { head: [], border: [], compact: true, "padding-left": 1, "padding-right": 1 },
  });
  for (const row of rows)
    created.push(row.map((cell) => (typeof cell === "number" ? formatNumber(cell) : cell)));
  return created.toString();
}

function formatNumber(value: number): string {
  return value.toLocaleString("en-US", {
    maximumFractionDigits: 1,
    minimumFractionDigits: Number.isInteger(value) ? 0 : 1,
  });
}

function optional(value: number | null): Cell {
  return value === null ? "–" : value;
}

function milliseconds(ns: number): string {
  return `${(ns / 1e6).toFixed(3)} ms`;
}

/** The whole report as text (sections separated by blank lines, ending with a newline). */
export function formatReport(report: MachineReport): string {
  const { virtual, host } = report;
  const sections: string[] = [];
  const { machine } = virtual;
  sections.push(
    [
      `== tsos report: ${machine.cpus} CPU(s), ${machine.memoryBytes / 2 ** 20} MiB, seed ${machine.seed} ==`,
      `outcome: ${virtual.outcome}, status ${virtual.exitCode}`,
      `virtual time: ${milliseconds(virtual.timeNs)} (init started at ${milliseconds(virtual.bootNs)}); ` +
        `host time: ${host.timeMs.toFixed(1)} ms (boot ${host.bootMs.toFixed(1)} ms)`,
      `guest instructions: ${formatNumber(virtual.instructions)}, ${host.mips.toFixed(1)} MIPS on the host`,
    ].join("\n"),
  );
  sections.push(
    `CPUs\n${table(
      [
        "cpu",
        "instructions",
        "host MIPS",
        "busy %",
        "switches",
        "ticks",
        "wakeups",
        "preempt",
        "pulled",
        "IPIs in",
        "syscalls",
        "exceptions",
        "interrupts",
      ],
      virtual.cpus.map((cpu) => [
        String(cpu.cpu),
        cpu.instructions,
        host.mipsPerCpu[cpu.cpu] ?? 0,
        cpu.busyPercent,
        cpu.contextSwitches,
        cpu.ticks,
        cpu.wakeups,
        cpu.wakeupPreemptions,
        cpu.pulled,
        cpu.reschedulingIpis,
        cpu.syscalls,
        cpu.exceptions,
        cpu.interrupts,
      ]),
    )}`,
  );
  const hostLatency = new Map(host.syscalls.map((row) => [row.name, row]));
  const calls = virtual.syscalls.calls;
  const shown = calls.slice(0, SYSCALL_ROWS);
  sections.push(
    `System calls: ${formatNumber(virtual.syscalls.total)} (${calls.length} kinds` +
      `${calls.length > shown.length ? `, the ${shown.length} most called here` : ""}` +
      `${virtual.syscalls.outOfRange > 0 ? `, ${virtual.syscalls.outOfRange} outside the table` : ""}); ` +
      `latency in virtual cycles from entry to completion (p50/p99: below that power of two), host ns sampled\n${table(
        [
          "syscall",
          "calls",
          "errors",
          "top errno",
          "virt mean",
          "virt p50 <",
          "virt p99 <",
          "host mean ns",
          "host p99 <",
        ],
        shown.map((row) => {
          const errno = Object.entries(row.errnos)[0];
          const hostRow = hostLatency.get(row.name);
          return [
            row.name,
            row.calls,
            row.errors,
            errno === undefined ? "–" : `${errno[0]} ×${errno[1]}`,
            optional(row.meanCycles),
            optional(row.p50Cycles),
            optional(row.p99Cycles),
            optional(hostRow?.meanNs ?? null),
            optional(hostRow?.p99Ns ?? null),
          ];
        }),
      )}`,
  );
  const cpuHeads = virtual.cpus.map((cpu) => `CPU ${cpu.cpu}`);
  sections.push(
    `Interrupts per vector per CPU\n${table(
      ["vector", "source", ...cpuHeads, "total"],
      virtual.interrupts.vectors.map((row) => [
        `0x${row.vector.toString(16)}`,
        row.name,
        ...row.perCpu,
        row.total,
      ]),
      "ll",
    )}\n${table(
      ["delivery latency (cycles)", ...cpuHeads],
      [
        ["samples", ...virtual.interrupts.latency.map((row) => row.samples)],
        ["p50 ≤", ...virtual.interrupts.latency.map((row) => optional(row.p50Cycles))],
        ["p99 ≤", ...virtual.interrupts.latency.map((row) => optional(row.p99Cycles))],
        ["max", ...virtual.interrupts.latency.map((row) => row.maxCycles)],
      ],
    )}`,
  );
  const faults = virtual.pageFaults;
  sections.push(
    `Page faults: ${formatNumber(faults.total)}\n${table(
      ["demand-zero", "COW copy", "COW reuse", "spurious", "stack growth", "protection", "unmapped", "OOM"],
      [
        [
          faults.demandZero,
          faults.copyOnWrite,
          faults.copyOnWriteReused,
          faults.spurious,
          faults.stackGrowth,
          faults.protection,
          faults.unmapped,
          faults.outOfMemory,
        ],
      ],
      "",
    )}`,
  );
  const memory = virtual.memory;
  const memoryLines = [
    `Memory: ${formatNumber(memory.freeFrames)} of ${formatNumber(memory.managedFrames)} frames free; ` +
      `frames not returned since boot: ${formatNumber(memory.freeFramesAfterBoot - memory.freeFrames)}`,
  ];
  if (memory.freeBlocksPerOrder !== null) {
    memoryLines.push(
      table(
        ["buddy order", ...memory.freeBlocksPerOrder.map((_, order) => String(order))],
        [["free blocks", ...memory.freeBlocksPerOrder]],
      ),
    );
  }
  memoryLines.push(
    table(
      ["slab cache", "object bytes", "in use", "cached", "slabs"],
      memory.slabCaches.map((cache) => [
        cache.name,
        cache.objectSize,
        cache.objectsInUse,
        cache.objectsCached,
        cache.slabs,
      ]),
    ),
  );
  sections.push(memoryLines.join("\n"));
  const processes = virtual.processes;
  const listed = processes.ended.slice(0, PROCESS_ROWS);
  const processLines = [
    `Processes: ${formatNumber(processes.created)} created, ${formatNumber(processes.ended.length + processes.dropped)} ended` +
      `${processes.alive.length > 0 ? `, ${processes.alive.length} alive at the end` : ""}`,
    table(
      ["pid", "ppid", "command", "status", "start", "end", "user ms", "sys ms"],
      listed.map((row) => [
        row.pid,
        row.ppid,
        row.command || row.name,
        row.status,
        milliseconds(row.startNs),
        milliseconds(row.endNs),
        (row.userNs / 1e6).toFixed(3),
        (row.systemNs / 1e6).toFixed(3),
      ]),
      "rrll",
    ),
  ];
  const unlisted = processes.ended.length - listed.length + processes.dropped;
  if (unlisted > 0) processLines.push(`… and ${formatNumber(unlisted)} more (all of them in --report-json)`);
  for (const alive of processes.alive)
    processLines.push(`alive: pid ${alive.pid} ${alive.command || alive.name}`);
  sections.push(processLines.join("\n"));
  return `${sections.join("\n\n")}\n`;
}

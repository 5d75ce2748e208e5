/**
 * A readable text report of {@link InterruptStatistics}: one table of
 * deliveries per vector (vectors that never fired are left out) with a
 * column per CPU, then one summary line per CPU with spurious and unhandled
 * counts and latency (mean, max, approximate p50 / p99 from the log2
 * histogram), and how many deliveries had no known assertion time.
 *
 * Cold path: allocates freely. Latencies are virtual cycles (DESIGN §5).
 */
import { VECTOR_COUNT } from "@tsos/hw-x86";
import { type InterruptStatistics, STAT } from "./interrupt-statistics";

/** Options of {@link formatInterruptReport}. */
export interface InterruptReportOptions {
  /** Names for vectors (e.g. `{ 0x20: "timer", 0x21: "keyboard" }`). */
  readonly vectorNames?: Readonly<Record<number, string>>;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : " ".repeat(width - text.length) + text;
}

function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function cycles(value: number): string {
  return Number.isNaN(value) ? "-" : `${Math.round(value)}`;
}

/** Formats `statistics` as a text table; see the file header. */
export function formatInterruptReport(
  statistics: InterruptStatistics,
  options: InterruptReportOptions = {},
): string {
  const cpuCount = statistics.cpuCount;
  const names = options.vectorNames ?? {};
  const header = [
    padRight("vector", 20),
    ...range(cpuCount).map((cpu) => pad(`cpu${cpu}`, 12)),
    pad("total", 12),
  ];
  const lines = [header.join(" ")];
  for (let vector = 0; vector < VECTOR_COUNT; vector++) {
    const total = statistics.vectorTotal(vector);
    if (total === 0) continue;
    const label = `0x${vector.toString(16).padStart(2, "0")}${names[vector] ? ` ${names[vector]}` : ""}`;
    const cells = range(cpuCount).map((cpu) => pad(`${statistics.count(cpu, vector)}`, 12));
    lines.push([padRight(label, 20), ...cells, pad(`${total}`, 12)].join(" "));
  }
  lines.push("");
  lines.push(
    [
      padRight("cpu", 5),
      pad("total", 10),
      pad("spurious", 9),
      pad("unhandled", 10),
      pad("lat.mean", 10),
      pad("lat.p50<=", 10),
      pad("lat.p99<=", 10),
      pad("lat.max", 10),
      pad("lat.unknown", 12),
    ].join(" "),
  );
  for (let cpu = 0; cpu < cpuCount; cpu++) lines.push(summaryLine(statistics, cpu));
  lines.push(
    "(latency: virtual cycles from assertion to dispatch, where the source announced the assertion)",
  );
  return lines.join("\n");
}

function summaryLine(statistics: InterruptStatistics, cpu: number): string {
  const samples = statistics.summary(cpu, STAT.LATENCY_SAMPLES);
  const mean = samples === 0 ? Number.NaN : statistics.summary(cpu, STAT.LATENCY_SUM) / samples;
  const max = samples === 0 ? Number.NaN : statistics.summary(cpu, STAT.LATENCY_MAX);
  return [
    padRight(`${cpu}`, 5),
    pad(`${statistics.summary(cpu, STAT.TOTAL)}`, 10),
    pad(`${statistics.summary(cpu, STAT.SPURIOUS)}`, 9),
    pad(`${statistics.summary(cpu, STAT.UNHANDLED)}`, 10),
    pad(cycles(mean), 10),
    pad(cycles(statistics.latencyQuantileBound(cpu, 0.5)), 10),
    pad(cycles(statistics.latencyQuantileBound(cpu, 0.99)), 10),
    pad(cycles(max), 10),
    pad(`${statistics.summary(cpu, STAT.LATENCY_UNKNOWN)}`, 12),
  ].join(" ");
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

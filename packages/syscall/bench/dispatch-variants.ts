/**
 * The seed's two claims as same-run comparisons (host clock, interleaved
 * rounds through @tsos/testing's `compare`):
 *
 * - dispatch: the jump table (array indexed by number) against a `switch`
 *   over the registered numbers (generated, so it has exactly the table's
 *   cases) and a `Map` from number to entry. All three call the same
 *   compiled entries; the numbers cycle through a fixed mix of 16 common
 *   calls plus an unregistered one. Results `dispatch/jump-table`,
 *   `dispatch/switch`, `dispatch/map` (ns/op) and the ratios
 *   `dispatch/switch-vs-jump-table`, `dispatch/map-vs-jump-table` (x).
 * - validation: `write(fd, buf, count)`'s compiled validator against the
 *   generic schema walker (generic-validator.ts) feeding the same handler.
 *   Results `validate/compiled`, `validate/generic` (ns/op) and
 *   `validate/generic-vs-compiled` (x).
 */
import { createCpuContext, writeBig } from "@tsos/hw-x86";
import { type BenchResult, compare, ratioResult } from "@tsos/testing";
import { ARGUMENT_REGISTERS } from "../src/abi/registers";
import { SYS } from "../src/abi/syscall-numbers";
import { defineSyscall } from "../src/definition";
import { type ArgSpec, arg, USER_SPACE_END } from "../src/signature";
import { SyscallCall } from "../src/syscall-call";
import { SyscallTable } from "../src/syscall-table";
import type { CompiledEntry } from "../src/validator-compiler";
import { genericValidate } from "./generic-validator";

const OPTIONS = {
  batch: 1000,
  iterations: 200,
  minTime: 1500,
  warmupIterations: 50,
  maxRounds: 2000,
} as const;

const FD_BUFFER_COUNT = [
  arg.fd(),
  arg.pointer("buf", "in", { length: 2, buffer: true }),
  arg.size(),
] as const;
const SIGNATURES: [number, readonly ArgSpec[]][] = [
  [SYS.read, FD_BUFFER_COUNT],
  [SYS.write, FD_BUFFER_COUNT],
  [SYS.close, [arg.fd()]],
  [SYS.fstat, [arg.fd(), arg.pointer("statbuf", "out", { size: 144 })]],
  [SYS.lseek, [arg.fd(), arg.int("offset", 64), arg.uint("whence")]],
  [
    SYS.mmap,
    [
      arg.raw("addr"),
      arg.size("length"),
      arg.uint("prot"),
      arg.uint("flags"),
      arg.fd(),
      arg.int("offset", 64),
    ],
  ],
  [SYS.brk, [arg.raw("brk")]],
  [SYS.getpid, []],
  [SYS.gettid, []],
  [SYS.clock_gettime, [arg.clockId(), arg.pointer("tp", "out", { size: 16 })]],
  [
    SYS.futex,
    [
      arg.pointer("uaddr", "inout", { size: 4 }),
      arg.int("op"),
      arg.uint("val"),
      arg.raw("timeout"),
      arg.raw("uaddr2"),
      arg.uint("val3"),
    ],
  ],
  [SYS.getuid, []],
  [SYS.sched_yield, []],
  [SYS.madvise, [arg.raw("addr"), arg.size("length"), arg.int("advice")]],
  [SYS.rt_sigprocmask, [arg.int("how"), arg.raw("set"), arg.raw("oldset"), arg.size("sigsetsize")]],
  [SYS.exit_group, [arg.int("status")]],
];
/** The mix of numbers dispatched: weighted toward the calls programs make most, plus one unregistered. */
const MIX = [
  SYS.read,
  SYS.write,
  SYS.getpid,
  SYS.clock_gettime,
  SYS.futex,
  SYS.read,
  SYS.write,
  SYS.close,
  SYS.fstat,
  SYS.lseek,
  SYS.mmap,
  SYS.brk,
  SYS.gettid,
  SYS.getuid,
  SYS.sched_yield,
  SYS.madvise,
  SYS.rt_sigprocmask,
  SYS.futex,
  SYS.clock_gettime,
  SYS.write,
  400,
  SYS.read,
  SYS.getpid,
  SYS.write,
];

function setup() {
  const table = new SyscallTable();
  let sink = 0;
  const handler = (_call: SyscallCall, a = 0, b = 0, c = 0) => {
    sink = (sink + a + b + c) | 0;
    return 3;
  };
  for (const [number, args] of SIGNATURES) {
    table.register(defineSyscall({ number, name: `s${number}`, args, handler: handler as never }));
  }
  const context = createCpuContext();
  const regs = context.regs;
  writeBig(regs, ARGUMENT_REGISTERS[0]!, 3n);
  writeBig(regs, ARGUMENT_REGISTERS[1]!, 0x10000n);
  writeBig(regs, ARGUMENT_REGISTERS[2]!, 64n);
  writeBig(regs, ARGUMENT_REGISTERS[3]!, 0n);
  const frame = {
    cpuId: 0,
    kind: 0,
    vector: -1,
    errorCode: -1,
    faultAddressLow: 0,
    faultAddressHigh: 0,
    context,
    returnPath: 0,
  } as const;
  const call = new SyscallCall(
    0,
    {
      park: () => {
        throw new Error("no");
      },
    },
    { ...frame },
  );
  return { table, regs, call, handler, sink: () => sink };
}

function switchDispatcher(
  table: SyscallTable,
): (number: number, call: SyscallCall, regs: Uint32Array) => number {
  const numbers = table.numbers();
  const cases = numbers.map((number) => `case ${number}: return e${number}(call, regs);`).join("\n");
  const names = numbers.map((number) => `e${number}`);
  const factory = new Function(
    ...names,
    `"use strict"; return function dispatchSwitch(number, call, regs) { switch (number) {\n${cases}\ndefault: return -38; } };`,
  );
  return factory(...numbers.map((number) => table.functions[number])) as never;
}

/** The dispatch and validation comparisons. */
export function dispatchVariants(): BenchResult[] {
  const { table, regs, call, handler, sink } = setup();
  const functions = table.functions;
  const size = table.size;
  const map = new Map<number, CompiledEntry>(table.numbers().map((number) => [number, functions[number]!]));
  const viaSwitch = switchDispatcher(table);
  const mix = Int32Array.from(MIX);
  const mask = mix.length;
  let total = 0;
  const dispatch = compare(
    "dispatch",
    [
      {
        name: "jump-table",
        operation: (index) => {
          const number = mix[index % mask]!;
          const invoke = number < size ? functions[number] : undefined;
          total += invoke === undefined ? -38 : invoke(call, regs);
        },
      },
      { name: "switch", operation: (index) => (total += viaSwitch(mix[index % mask]!, call, regs)) },
      {
        name: "map",
        operation: (index) => {
          const invoke = map.get(mix[index % mask]!);
          total += invoke === undefined ? -38 : invoke(call, regs);
        },
      },
    ],
    OPTIONS,
  );
  const write = functions[SYS.write]!;
  const values = new Float64Array(6);
  const validate = compare(
    "validate",
    [
      { name: "compiled", operation: () => (total += write(call, regs)) },
      {
        name: "generic",
        operation: () => {
          const failure = genericValidate(FD_BUFFER_COUNT, regs, values, USER_SPACE_END);
          total += failure !== 0 ? failure : handler(call, values[0]!, values[1]!, values[2]!);
        },
      },
    ],
    OPTIONS,
  );
  if (total === 0.5 || sink() === 0.5) console.log("unreachable: keeps the results observable");
  const [jumpTable, viaSwitchResult, viaMap] = dispatch as [BenchResult, BenchResult, BenchResult];
  const [compiled, generic] = validate as [BenchResult, BenchResult];
  const plain = (result: BenchResult, name: string): BenchResult => {
    const { vs: _vs, ...rest } = result;
    return { ...rest, name };
  };
  return [
    plain(jumpTable, "dispatch/jump-table"),
    plain(viaSwitchResult, "dispatch/switch"),
    plain(viaMap, "dispatch/map"),
    ratioResult("dispatch/switch-vs-jump-table", viaSwitchResult, jumpTable),
    ratioResult("dispatch/map-vs-jump-table", viaMap, jumpTable),
    plain(compiled, "validate/compiled"),
    plain(generic, "validate/generic"),
    ratioResult("validate/generic-vs-compiled", generic, compiled),
  ];
}

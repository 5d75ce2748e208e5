/**
 * The jump table: a dense array indexed by syscall number, each slot holding
 * the entry's compiled validate-and-call function (validator-compiler.ts)
 * or nothing. Dispatch is one bounds test and one array load; an empty slot
 * or a number past the end answers -ENOSYS.
 *
 * Invariants: a number is registered at most once (a second registration
 * throws); `entries` and `functions` always agree; nothing is compiled per
 * call.
 */
import { SYSCALL_TABLE_SIZE, syscallName } from "./abi/syscall-numbers";
import type { SyscallDefinition } from "./definition";
import { SyscallRegistrationError } from "./errors";
import { type ArgSpec, type ReturnKind, signatureProblem, USER_SPACE_END } from "./signature";
import { type CompiledEntry, compileEntry, type LooseHandler } from "./validator-compiler";

/** Largest table the registration accepts (Linux's numbers are below 512; x32's start there). */
export const MAX_TABLE_SIZE = 1024;

/** A registered entry, as the table shows it. */
export interface TableEntry {
  /** Syscall number. */
  readonly number: number;
  /** Name (tracing, reports). */
  readonly name: string;
  /** Argument declarations. */
  readonly args: readonly ArgSpec[];
  /** How the result prints. */
  readonly returns: ReturnKind;
  /** The handler as registered. */
  readonly handler: LooseHandler;
  /** The compiled validate-and-call function. */
  readonly invoke: CompiledEntry;
}

/** Options of {@link SyscallTable}. */
export interface SyscallTableOptions {
  /** Number of slots (default: the whole Linux x86-64 table). */
  readonly size?: number;
  /** End of the user half for pointer checks (default `USER_SPACE_END`, Linux's TASK_SIZE_MAX). */
  readonly userEnd?: number;
}

/** Jump table of system calls. */
export class SyscallTable {
  /** Slot count: numbers `0..size-1` can be registered. */
  readonly size: number;
  /** End of the user half the validators check against. */
  readonly userEnd: number;
  /** Compiled entry per number (undefined = -ENOSYS). Read by the dispatcher. */
  readonly functions: (CompiledEntry | undefined)[];
  private readonly entries: (TableEntry | undefined)[];

  constructor(options: SyscallTableOptions = {}) {
    const size = options.size ?? SYSCALL_TABLE_SIZE;
    if (!(Number.isInteger(size) && size > 0 && size <= MAX_TABLE_SIZE)) {
      throw new RangeError(`SyscallTable: size ${size} outside 1..${MAX_TABLE_SIZE}`);
    }
    this.size = size;
    this.userEnd = options.userEnd ?? USER_SPACE_END;
    // Filled with undefined (not holes) so the array stays one packed elements kind.
    this.functions = new Array<CompiledEntry | undefined>(size).fill(undefined);
    this.entries = new Array<TableEntry | undefined>(size).fill(undefined);
  }

  /** Registers `definition`; throws {@link SyscallRegistrationError} for a duplicate, out-of-range number or bad signature. */
  register<Args extends readonly ArgSpec[]>(definition: SyscallDefinition<Args>): TableEntry {
    const { number } = definition;
    if (!(Number.isInteger(number) && number >= 0 && number < this.size)) {
      throw new SyscallRegistrationError(number, `outside the table (0..${this.size - 1})`);
    }
    const existing = this.entries[number];
    if (existing !== undefined) {
      throw new SyscallRegistrationError(number, `already registered as ${existing.name}`);
    }
    const problem = signatureProblem(definition.args);
    if (problem !== undefined) throw new SyscallRegistrationError(number, problem);
    const handler = definition.handler as unknown as LooseHandler;
    const entry: TableEntry = Object.freeze({
      number,
      name: definition.name,
      args: definition.args,
      returns: definition.returns,
      handler,
      invoke: compileEntry(definition.name, definition.args, handler, this.userEnd),
    });
    this.entries[number] = entry;
    this.functions[number] = entry.invoke;
    return entry;
  }

  /** Removes the entry at `number`; returns whether there was one. */
  unregister(number: number): boolean {
    if (this.entries[number] === undefined) return false;
    this.entries[number] = undefined;
    this.functions[number] = undefined;
    return true;
  }

  /** The entry at `number`, or undefined. */
  entry(number: number): TableEntry | undefined {
    return Number.isInteger(number) && number >= 0 && number < this.size ? this.entries[number] : undefined;
  }

  /** Registered numbers, ascending. */
  numbers(): number[] {
    const out: number[] = [];
    for (let number = 0; number < this.size; number++)
      if (this.entries[number] !== undefined) out.push(number);
    return out;
  }

  /** Registered entries as `{ number, name }`, ascending. */
  list(): { number: number; name: string }[] {
    return this.numbers().map((number) => ({ number, name: this.entries[number]!.name }));
  }

  /** The Linux name of every number in the table's range that has no entry (what will answer -ENOSYS). */
  missing(): { number: number; name: string }[] {
    const out: { number: number; name: string }[] = [];
    for (let number = 0; number < this.size; number++) {
      const name = syscallName(number);
      if (name !== undefined && this.entries[number] === undefined) out.push({ number, name });
    }
    return out;
  }
}

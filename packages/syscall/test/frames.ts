/**
 * Test helpers: a hand-made SYSCALL trap frame over a fresh register file,
 * register setters by ABI argument index, and a UserMemory over a sparse
 * set of 4 KiB pages.
 */
import {
  createCpuContext,
  GPR,
  NO_ERROR_CODE,
  NO_VECTOR,
  RETURN_PATH,
  type ReturnPath,
  SLOT,
  TRAP_KIND,
  type TrapFrame,
  type TrapKind,
  writeBig,
} from "@tsos/hw-x86";
import { ARGUMENT_REGISTERS } from "../src/abi/registers";
import { defineSyscall, SYSCALL_BLOCKED, type SyscallDefinition } from "../src/definition";
import { arg } from "../src/signature";
import type { UserMemory } from "../src/user-memory";

/** A mutable SYSCALL frame (as the CPU would hand it: RCX = RIP slot, R11 = RFLAGS slot). */
export function syscallFrame(cpuId = 0): TrapFrame & { kind: TrapKind; returnPath: ReturnPath } {
  const context = createCpuContext();
  const frame = {
    cpuId,
    kind: TRAP_KIND.SYSCALL as TrapKind,
    vector: NO_VECTOR,
    errorCode: NO_ERROR_CODE,
    faultAddressLow: 0,
    faultAddressHigh: 0,
    context,
    returnPath: RETURN_PATH.SYSRET as ReturnPath,
  };
  setReturnPoint(frame, 0x401002n, 0x202);
  return frame;
}

/** Sets the return RIP and RFLAGS the way SYSCALL leaves them (RIP/RCX and RFLAGS/R11 equal). */
export function setReturnPoint(frame: TrapFrame, rip: bigint, flags: number): void {
  const regs = frame.context.regs;
  writeBig(regs, SLOT.RIP, rip);
  writeBig(regs, GPR.RCX, rip);
  writeBig(regs, SLOT.RFLAGS, BigInt(flags));
  writeBig(regs, GPR.R11, BigInt(flags));
}

/** Loads RAX = `number` and the arguments (bigints, modulo 2^64) in ABI order. */
export function loadCall(frame: TrapFrame, number: number, args: readonly bigint[] = []): void {
  const regs = frame.context.regs;
  writeBig(regs, GPR.RAX, BigInt(number));
  for (const [index, value] of args.entries()) writeBig(regs, ARGUMENT_REGISTERS[index]!, value);
}

/** User memory made of explicitly mapped pages; anything else is unmapped. */
export class PageMemory implements UserMemory {
  private readonly pages = new Map<number, Uint8Array>();

  /** Maps the pages covering [address, address + length), zero-filled. */
  map(address: number, length: number): this {
    for (let page = Math.floor(address / 4096); page * 4096 < address + length; page++) {
      if (!this.pages.has(page)) this.pages.set(page, new Uint8Array(4096));
    }
    return this;
  }

  /** Writes bytes (the pages must be mapped). */
  poke(address: number, bytes: Uint8Array | string): this {
    const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    if (!this.write(address, data)) throw new Error(`poke at 0x${address.toString(16)}: unmapped`);
    return this;
  }

  read(address: number, into: Uint8Array): boolean {
    for (let i = 0; i < into.length; i++) {
      const page = this.pages.get(Math.floor((address + i) / 4096));
      if (page === undefined) return false;
      into[i] = page[(address + i) % 4096]!;
    }
    return true;
  }

  write(address: number, bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length; i++)
      if (!this.pages.has(Math.floor((address + i) / 4096))) return false;
    for (let i = 0; i < bytes.length; i++)
      this.pages.get(Math.floor((address + i) / 4096))![(address + i) % 4096] = bytes[i]!;
    return true;
  }
}

/** `read(fd, buf, count)` whose handler always parks the call: the blocking case of the tests. */
export function parkingRead(): SyscallDefinition {
  return defineSyscall({
    number: 0,
    name: "read",
    args: [arg.fd(), arg.pointer("buf", "out", { length: 2, buffer: true }), arg.size()],
    handler: (call) => {
      call.park();
      return SYSCALL_BLOCKED;
    },
  });
}

/**
 * A two-CPU emulated machine for the apic driver's integration tests and
 * benchmark: `@tsos/hw-x86`'s `Machine` (LAPICs, IOAPIC, PIT, PS/2 keyboard
 * and UART wired as a PC), with this package's drivers on top.
 *
 * The emulated CPU interpreter is not used: "the CPU accepts an interrupt"
 * is modelled as the INTA cycle on the LAPIC's CpuInterruptSource
 * (`hasPending()` then `acknowledge()`) followed by the dispatcher's trap
 * entry with a per-CPU TrapFrame built from `createCpuContext()`.
 */
import {
  type CpuContext,
  createCpuContext,
  NO_ERROR_CODE,
  TRAP_KIND,
  type TrapFrame,
  type TrapKind,
} from "@tsos/hw-x86";
import { Machine as EmulatedMachine } from "@tsos/hw-x86/emu";
import {
  ApicInterruptController,
  InterruptDispatcher,
  InterruptStatistics,
  IoapicDriver,
  IrqRouter,
  LapicDriver,
  LapicTimerDriver,
  PC_TIMER_OVERRIDE,
} from "../src/index";

/** TSC / virtual clock frequency of the test machine. */
export const MACHINE_HZ = 1_000_000_000;
/** Spurious vector used by every LAPIC. */
export const SPURIOUS_VECTOR = 0xff;

/** A TrapFrame whose vector the "CPU" fills in per delivery. */
export interface MutableTrapFrame {
  cpuId: number;
  kind: TrapKind;
  vector: number;
  errorCode: number;
  faultAddressLow: number;
  faultAddressHigh: number;
  context: CpuContext;
}

/** Builds the machine and brings the drivers up (LAPICs enabled, IOAPIC initialised, nothing routed). */
export function createMachine(cpuCount = 2) {
  const startups: { apicId: number; vector: number; at: number }[] = [];
  const uartOutput: number[] = [];
  const emulated: EmulatedMachine = new EmulatedMachine({
    cpuCount,
    memoryBytes: 64 * 1024,
    frequencyHz: MACHINE_HZ,
    onSerialOutput: (byte) => uartOutput.push(byte),
    onStartup: (id, vector) => startups.push({ apicId: id, vector, at: emulated.timeline.now() }),
  });
  const { timeline, apicBus, lapics, ioapic, pit, keyboard, i8042, uart } = emulated;

  const lapicDrivers = lapics.map((lapic) => new LapicDriver(lapic));
  for (const driver of lapicDrivers) {
    const up = driver.bringUp({ spuriousVector: SPURIOUS_VECTOR });
    if (!up.ok) throw new Error(up.error.message);
  }
  const ioapicDriver = new IoapicDriver(ioapic, 0);
  const ioapicUp = ioapicDriver.init();
  if (!ioapicUp.ok) throw new Error(ioapicUp.error.message);
  const router = new IrqRouter([ioapicDriver], [PC_TIMER_OVERRIDE]);
  const statistics = new InterruptStatistics(cpuCount);
  const dispatcher = new InterruptDispatcher({
    lapics: lapicDrivers,
    statistics,
    spuriousVector: SPURIOUS_VECTOR,
    clock: timeline,
  });
  const msrs = lapics.map((_, cpu) => emulated.msrs(cpu));
  const timers = lapics.map(
    (lapic, cpu) =>
      new LapicTimerDriver(lapic, { msrs: msrs[cpu]!, cpu, recorder: statistics, clock: timeline }),
  );
  let currentCpu = 0;
  const controller = new ApicInterruptController({
    lapics: lapicDrivers,
    router,
    currentCpu: () => currentCpu,
  });
  const frames: MutableTrapFrame[] = lapics.map((_, cpuId) => ({
    cpuId,
    kind: TRAP_KIND.INTERRUPT,
    vector: 0,
    errorCode: NO_ERROR_CODE,
    faultAddressLow: 0,
    faultAddressHigh: 0,
    context: createCpuContext(),
  }));

  /** The CPU accepts one interrupt if one is deliverable: INTA, then the trap entry. Returns the vector or -1. */
  function acceptOne(cpu: number): number {
    const lapic = lapics[cpu]!;
    if (!lapic.hasPending()) return -1;
    const frame = frames[cpu]!;
    frame.vector = lapic.acknowledge();
    const previous = currentCpu;
    currentCpu = cpu;
    dispatcher.dispatch(frame as TrapFrame);
    currentCpu = previous;
    return frame.vector;
  }

  /** The CPU accepts interrupts until none is deliverable; returns how many. */
  function drain(cpu: number): number {
    let delivered = 0;
    while (acceptOne(cpu) >= 0) delivered++;
    return delivered;
  }

  return {
    emulated,
    msrs,
    timeline,
    apicBus,
    lapics,
    ioapic,
    pit,
    keyboard,
    i8042,
    uart,
    uartOutput,
    startups,
    lapicDrivers,
    ioapicDriver,
    router,
    statistics,
    dispatcher,
    timers,
    controller,
    frames,
    acceptOne,
    drain,
    setCurrentCpu: (cpu: number) => {
      currentCpu = cpu;
    },
  };
}

/** The machine type {@link createMachine} returns. */
export type Machine = ReturnType<typeof createMachine>;

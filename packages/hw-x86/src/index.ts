/**
 * `@tsos/hw-x86`: the hardware contract of tsos.
 *
 * - Hardware interfaces that drivers program against and that the emulated
 *   machine (`@tsos/hw-x86/emu`) and `@tsos/testing`'s mocks implement.
 * - x86-64 architecture definitions: registers and their bits, page-table
 *   entries, exception vectors, MSRs, CPUID, LAPIC and IOAPIC registers, with
 *   encode/decode helpers.
 *
 * @packageDocumentation
 */

export {
  FXSAVE_LAYOUT,
  fxsaveImageValid,
  MXCSR_MASK,
  readFxsaveImage,
  writeFxsaveImage,
} from "./emu/fpu/fpu-image";
// Hardware interfaces
export type { Clock, ClockCallback } from "./interfaces/clock";
export {
  CONTEXT_SLOTS,
  CONTEXT_WORDS,
  type CpuContext,
  copyCpuContext,
  createCpuContext,
  FCW_DEFAULT,
  FPU,
  FPU_WORDS,
  FTW_EMPTY,
  GPR,
  MXCSR_DEFAULT,
  readBig,
  readHigh,
  readLow,
  readNumber,
  readSignedNumber,
  resetFpu,
  SLOT,
  writeBig,
  writeHalves,
  writeNumber,
  writeZeroExtended32,
  XMM_WORDS,
} from "./interfaces/cpu-context";
export { CPUID_OUT, type Cpuid } from "./interfaces/cpuid";
export {
  FRAME_FREE,
  type FrameAllocator,
  type FrameFreeResult,
  NO_FRAME,
} from "./interfaces/frame-allocator";
export type { InterruptController } from "./interfaces/interrupt-controller";
export type { IrqLine } from "./interfaces/irq-line";
export type { KernelEntryTable } from "./interfaces/kernel-entry-table";
export type { MmioRegion } from "./interfaces/mmio-region";
export type { MsrAccess } from "./interfaces/msr-access";
export type { PhysicalMemory } from "./interfaces/physical-memory";
export type { PortIo } from "./interfaces/port-io";
export type { Processor } from "./interfaces/processor";
export {
  NO_ERROR_CODE,
  NO_VECTOR,
  RETURN_PATH,
  type ReturnPath,
  TRAP_KIND,
  type TrapFrame,
  type TrapHandler,
  type TrapKind,
} from "./interfaces/trap-frame";

// Architecture definitions

export {
  APIC_FIELD,
  DELIVERY_MODE,
  type DeliveryMode,
  fieldDeliveryMode,
  fieldVector,
  isFieldLevelTriggered,
  isFieldMasked,
  priorityClass,
} from "./arch/apic-fields";
export {
  CANONICAL_BIG,
  canonicalToBig,
  isCanonicalBig,
  isCanonicalHalves,
  isCanonicalNumber,
  isUserHalfHigh,
  isUserRange,
  KERNEL_HALF_START,
  signExtend48,
  signExtendHigh,
  truncate48,
  USER_ADDRESS_END,
  USER_ADDRESS_MAX,
  VIRTUAL_ADDRESS_BITS,
} from "./arch/canonical-address";
export {
  CR0,
  CR0_RESERVED_MASK,
  CR3,
  CR4,
  CR4_RESERVED_MASK,
  cr3Address,
  cr3Pcid,
  cr3ReservedHighMask,
  EFER,
  EFER_RESERVED_MASK,
  hasCr0ReservedBits,
  hasCr4ReservedBits,
  hasEferReservedBits,
} from "./arch/control-registers";
export {
  CPUID_FEATURE,
  type CpuidFeature,
  type CpuidFeatureName,
  featureMask,
  hasFeature,
  listFeatures,
  setFeature,
} from "./arch/cpuid-features";
export {
  CPUID_ADDRESS_SIZES,
  CPUID_LEAF,
  CPUID_LEAF1_EBX,
  CPUID_TOPOLOGY,
  CPUID_VERSION,
  cpuidFamily,
  cpuidInitialApicId,
  cpuidLinearAddressBits,
  cpuidModel,
  cpuidPhysicalAddressBits,
  cpuidStepping,
  cpuidTopologyLevelType,
  cpuidVendor,
  encodeCpuidAddressSizes,
  encodeCpuidVersion,
  VENDOR_INTEL,
  writeCpuidVendor,
} from "./arch/cpuid-leaves";
export {
  ERROR_CODE_VECTOR_MASK,
  EXCEPTION,
  EXCEPTION_CLASS,
  EXCEPTION_TABLE,
  type ExceptionClass,
  type ExceptionInfo,
  FIRST_INTERRUPT_VECTOR,
  isReservedException,
  pushesErrorCode,
  VECTOR_COUNT,
  vectorName,
} from "./arch/exception-vectors";
export {
  applyRedirectionLowWrite,
  decodeRedirection,
  encodeIoapicVersion,
  encodeRedirectionHigh,
  encodeRedirectionLow,
  encodeRedirectionLowFast,
  IOAPIC_DEFAULT_BASE,
  IOAPIC_ID,
  IOAPIC_MMIO,
  IOAPIC_MMIO_SIZE,
  IOAPIC_REGISTER,
  IOAPIC_VERSION,
  ioapicEntryCount,
  REDIRECTION,
  REDIRECTION_LOW_READ_ONLY,
  REDIRECTION_LOW_WRITABLE,
  REDIRECTION_RESET_LOW,
  type RedirectionEntry,
  redirectionDestination,
  redirectionRegisterIndex,
} from "./arch/ioapic-registers";
export {
  decodeIcr,
  encodeIcrHigh,
  encodeIcrLow,
  encodeIcrLowFast,
  fixedIpiLow,
  ICR,
  ICR_HIGH_WRITABLE,
  ICR_LOW_WRITABLE,
  ICR_SHORTHAND,
  type IcrFields,
  icrDestination,
  icrShorthand,
} from "./arch/lapic-icr";
export {
  applyLvtWrite,
  decodeLvt,
  encodeLvt,
  encodeLvtTimer,
  LVT,
  LVT_READ_ONLY,
  LVT_RESET_VALUE,
  LVT_TIMER_MODE,
  LVT_WRITABLE,
  type LvtEntry,
  type LvtTimerMode,
  lvtTimerMode,
} from "./arch/lapic-lvt";
export {
  ESR,
  encodeLapicVersion,
  encodeTimerDivide,
  LAPIC,
  LAPIC_DEFAULT_BASE,
  LAPIC_ID_MASK,
  LAPIC_ID_SHIFT,
  LAPIC_MMIO_SIZE,
  LAPIC_VECTOR_REGISTER_STRIDE,
  LAPIC_VECTOR_REGISTER_WORDS,
  LAPIC_VERSION,
  LOGICAL_DESTINATION,
  lapicIdFromRegister,
  lapicIdRegister,
  lapicMaxLvtEntry,
  lapicVersion,
  SVR,
  TIMER_DIVIDE,
  TPR,
  timerDivisor,
  vectorRegisterBit,
  vectorRegisterOffset,
} from "./arch/lapic-registers";
export {
  APIC_BASE,
  apicBaseAddress,
  isPatMemoryType,
  isValidPat,
  MISC_ENABLE,
  MSR,
  PAT_MEMORY_TYPE,
  PAT_RESET_VALUE,
  patEntry,
  patIndex,
} from "./arch/msr";
export {
  decodePageFaultError,
  encodePageFaultError,
  formatPageFaultError,
  type PageFaultError,
  PF_ERROR,
  PF_ERROR_DEFINED_MASK,
  pageFaultErrorCode,
} from "./arch/page-fault-error";
export {
  encodePte,
  encodePteHalves,
  encodePteHigh,
  encodePteLow,
  entryAddress,
  hasFlags,
  isAccessed,
  isDirty,
  isGlobal,
  isLargePage,
  isNoExecute,
  isPresent,
  isUser,
  isWritable,
  mappedSize,
  PAGE_LEVEL,
  PAGE_SIZE,
  PAGE_TABLE_ENTRIES,
  PAGE_TABLE_ENTRY_BYTES,
  type PageLevel,
  PTE,
  PTE_ADDRESS_MASK_LOW,
  PTE_AVAILABLE_MASK,
  PTE_FLAGS_MASK_LOW,
  PTE_HIGH,
  protectionKey,
  pteAddress,
  pteToBigint,
} from "./arch/page-table-entry";
export {
  type DecodedPageTableEntry,
  decodePageTableEntry,
  formatPageTableEntry,
  PAGE_LEVEL_ENTRY_NAME,
} from "./arch/page-table-format";
export {
  hasReservedBits,
  isValidMaxPhysAddr,
  MAX_PHYS_ADDR_LIMIT,
  MAX_PHYS_ADDR_MIN,
  PTE_RESERVED_LOW,
  reservedBitsHigh,
  reservedBitsLow,
} from "./arch/page-table-reserved-bits";
export {
  applyPopf,
  formatRflags,
  popfWritableMask,
  RFLAGS,
  RFLAGS_IOPL_SHIFT,
  RFLAGS_POPF_USER_MASK,
  RFLAGS_RESERVED_MASK,
  RFLAGS_RESET_VALUE,
  RFLAGS_STATUS_MASK,
  rflagsIopl,
  withRflagsIopl,
} from "./arch/rflags";
export {
  decodeStar,
  encodeSelector,
  encodeStarHigh,
  GDT_SELECTOR,
  LINUX_STAR_HIGH,
  SELECTOR,
  STAR,
  type StarSelectors,
  selectorIndex,
  selectorIsLdt,
  selectorRpl,
  syscallCs,
  syscallSs,
  sysretBase,
  sysretCs32,
  sysretCs64,
  sysretSs,
} from "./arch/segment-selector";
export {
  joinVirtualAddress,
  PAGE_OFFSET_MASK,
  PAGE_OFFSET_MASK_1G,
  PAGE_OFFSET_MASK_2M,
  pageOffset,
  pageOffset1G,
  pageOffset2M,
  pdIndex,
  pdptIndex,
  pdptIndexHalves,
  pml4Index,
  pml4IndexHalves,
  ptIndex,
  TABLE_INDEX_MASK,
  tableIndexHalves,
  VIRTUAL_ADDRESS_SHIFT,
} from "./arch/virtual-address";
export {
  isX2apicMsrRange,
  NO_COUNTERPART,
  X2APIC_MSR,
  x2apicMsrForOffset,
  xapicOffsetForMsr,
} from "./arch/x2apic-msr";

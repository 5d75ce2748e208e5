/**
 * `@tsos/testing`: mocks of every `@tsos/hw-x86` hardware interface, and the
 * benchmark, stress and security harnesses used across tsos.
 *
 * Vitest matchers live in `./matchers` and are installed with
 * {@link installTsosMatchers} (vitest stays an optional peer: only that
 * module imports it, and only when you call it).
 *
 * @packageDocumentation
 */

// Benchmark harness
export { type BenchOperation, type BenchOptions, bench } from "./bench/bench";
export {
  appendBenchHistory,
  BENCH_RESULTS_FILE,
  type BenchBaselineFile,
  type BenchHost,
  type BenchResultsFile,
  benchResultsFile,
  hostInfo,
  type LoadedBaseline,
  loadBaseline,
  readBenchHistory,
  saveBaseline,
  writeBenchResults,
} from "./bench/bench-files";
export {
  type BenchReport,
  formatBenchTable,
  formatRegressionTable,
  formatValue,
  type ReportOptions,
  reportBenchResults,
} from "./bench/bench-report";
export {
  type BenchClockKind,
  type BenchDirection,
  type BenchRecord,
  type BenchResult,
  type BenchVs,
  type CounterClock,
  type HostUnit,
  toBenchRecord,
} from "./bench/bench-result";
export { type BenchVariant, type CompareOptions, compare } from "./bench/compare";
export { ratioResult } from "./bench/ratio-result";
export {
  detectRegressions,
  judgeComparison,
  judgeSlowdown,
  type RegressionFinding,
  type RegressionOptions,
  type RegressionVerdict,
} from "./bench/regression";
export {
  type BootstrapOptions,
  createRandom,
  median,
  pairedRatioOfMedians,
  quantile,
  type RandomSource,
  type RatioEstimate,
  ratioOfMedians,
  type SampleSummary,
  summarize,
} from "./bench/statistics";
// Vitest matchers (vitest is an optional peer; see ./matchers)
export {
  EmulatedCpu,
  type EmulatedCpuOptions,
  type EmulatedUserMemory,
  GATE_BASE,
  IDT_ADDRESS,
  type PagePermissions,
  type RecordedTrap,
  STACK_TOP,
} from "./emulated/emulated-cpu";
export {
  buildInitialStack,
  type LoadSegment,
  parseStaticElf,
  type StaticElfImage,
} from "./emulated/static-elf";
export { installTsosMatchers, type MatcherResult, type TsosMatchers, tsosMatchers } from "./matchers";
export { MockClock, MockTimer } from "./mocks/mock-clock";
export {
  MockCpu,
  type MockCpuOptions,
  type MockEntryLookup,
  type MockSyscallOutcome,
  REGISTER_SLOT,
  type RegisterName,
} from "./mocks/mock-cpu";
export {
  BASELINE_FEATURES,
  CPUID_FEATURE,
  type CpuidFeature,
  MockCpuid,
  type MockCpuidOptions,
} from "./mocks/mock-cpuid";
export {
  type Delivery,
  MockInterruptController,
  type MockInterruptControllerOptions,
  type TriggerMode,
  type VectorHandler,
} from "./mocks/mock-interrupt-controller";
export { type KernelEntryCall, MockKernelEntries } from "./mocks/mock-kernel-entries";
export {
  type BadFree,
  type FailurePredicate,
  FRAME_POISON,
  FRAME_SIZE,
  type LiveBlock,
  MockMemoryController,
  type MockMemoryControllerOptions,
} from "./mocks/mock-memory-controller";
export { MockMmio, type MockMmioOptions } from "./mocks/mock-mmio";
export { defaultMsrTable, isCanonical, MOCK_MSR, MockMsrs, type MsrDefinition } from "./mocks/mock-msr";
export { MockPhysicalMemory } from "./mocks/mock-physical-memory";
export { MockPortIo, type MockPortIoOptions, PORT_COUNT } from "./mocks/mock-port-io";
// Hardware mocks
export {
  type AccessWidth,
  type ExpectedWrite,
  type FallbackBehaviour,
  formatAccess,
  MockRegisterSpace,
  type ReadHandler,
  type RegisterAccess,
  type WriteHandler,
} from "./mocks/mock-register-space";
// Hot-path metrics
export { type Histogram, type RecorderSnapshot, SampleRecorder, summarizeHistogram } from "./sample-recorder";
// Security harness
export {
  type AttackCase,
  CATEGORY_RECOMMENDATION,
  defineAttack,
  SECURITY_CATEGORIES,
  SEVERITY_WEIGHT,
  type SecurityCategory,
  type Severity,
} from "./security/attack-case";
export { formatSecurityReport, securityReportJson } from "./security/security-report";
export {
  type FindingStatus,
  runAttack,
  runSecurityCases,
  type SecurityFinding,
  type SecurityRecommendation,
  type SecurityReport,
  type SecurityRunOptions,
  securityScore,
} from "./security/security-runner";
// Stress harness
export { hostNanoseconds, runStress, type StressOperation, type StressOptions } from "./stress/run-stress";
export { runStressWorkers, type WorkerStressOptions } from "./stress/run-stress-workers";
export {
  formatStressReport,
  type Gauge,
  type GaugeSummary,
  type LatencySummary,
  type StressResult,
  stressResultJson,
} from "./stress/stress-result";
export {
  createTestHelpers,
  type Prerequisite,
  type SuiteFunctions,
  type TestBody,
  type TestHelpers,
  type TestRegistrar,
  unmetPrerequisite,
} from "./test-helpers";
// Test tiers and dependencies
export {
  isLongForm,
  securitySize,
  stressSize,
  type TestTier,
  type TierMode,
  tierMode,
  tierRuns,
  tierSize,
  tierTitle,
} from "./tiers";

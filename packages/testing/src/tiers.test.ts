import { describe, expect, it, test } from "vitest";
import { createTestHelpers, unmetPrerequisite } from "./test-helpers";
import { isLongForm, tierMode, tierRuns, tierSize, tierTitle } from "./tiers";

describe("tiers", () => {
  it("reads TSOS_TIER", () => {
    expect(tierMode({})).toBe("default");
    expect(tierMode({ TSOS_TIER: "Stress" })).toBe("stress");
    expect(tierMode({ TSOS_TIER: "nonsense" })).toBe("default");
  });

  it("runs unit + integration + short stress/security by default, only the tier in its long mode", () => {
    expect(
      ["unit", "integration", "stress", "security", "perf"].map((tier) => tierRuns(tier as never, "default")),
    ).toEqual([true, true, true, true, false]);
    expect(tierRuns("unit", "stress")).toBe(false);
    expect(tierRuns("stress", "stress")).toBe(true);
    expect(tierRuns("perf", "all")).toBe(true);
    expect(isLongForm("stress", "default")).toBe(false);
    expect(tierSize("stress", { short: 1e4, long: 1e6 }, "default")).toBe(1e4);
    expect(tierSize("stress", { short: 1e4, long: 1e6 }, "stress")).toBe(1e6);
    expect(tierSize("security", { short: 1, long: 2 }, "stress")).toBe(1);
    expect(tierTitle("stress", "buddy")).toBe("[stress] buddy");
  });
});

describe("prerequisites", () => {
  it("reports why a dependent must be skipped", () => {
    const make = (registered: number, passed: number, failed: number) => ({
      name: "boots",
      state: { registered, passed, failed },
      test: () => {},
    });
    expect(unmetPrerequisite([make(1, 1, 0)])).toBeUndefined();
    expect(unmetPrerequisite([make(2, 1, 1)])).toBe('prerequisite "boots" failed');
    expect(unmetPrerequisite([make(0, 0, 0)])).toBe('prerequisite "boots" has not run');
  });

  it("records a failed prerequisite and skips dependents with the reason (fake framework)", async () => {
    const bodies = new Map<string, (context: never) => Promise<void>>();
    const fakeTest = ((title: string, body: (context: never) => Promise<void>) =>
      bodies.set(title, body)) as never;
    const helpers = createTestHelpers({ describe, test: fakeTest });
    const boot = helpers.prerequisite("boots");
    boot.test("boot", () => {
      throw new Error("no boot");
    });
    helpers.dependsOn(boot).test("after boot", () => {});
    let finished: ((context: unknown) => void) | undefined;
    const context = {
      onTestFinished: (callback: (context: unknown) => void) => {
        finished = callback;
      },
      skip: (note: string) => {
        throw new Error(`skipped: ${note}`);
      },
    } as never;
    await expect(bodies.get("after boot")!(context)).rejects.toThrow(
      'skipped: prerequisite "boots" has not run',
    );
    await expect(bodies.get("boot")!(context)).rejects.toThrow("no boot");
    finished!({ task: { result: { state: "fail" } } });
    expect(boot.state).toEqual({ registered: 1, passed: 0, failed: 1 });
    await expect(bodies.get("after boot")!(context)).rejects.toThrow('skipped: prerequisite "boots" failed');
  });

  const { prerequisite, dependsOn, describeTier } = createTestHelpers({ describe, test });
  const passing = prerequisite("passing");
  const failing = prerequisite("failing");
  passing.test("prerequisite that passes", () => expect(1).toBe(1));
  // A prerequisite that fails, marked `fails` so the suite stays green while its state records the failure.
  test.fails("prerequisite that fails (expected to fail)", async (context) => {
    failing.state.registered++;
    context.onTestFinished(() => {
      failing.state.failed++;
    });
    expect(1).toBe(2);
  });

  let ranAfterPassing = false;
  dependsOn(passing).test("runs after a passing prerequisite", () => {
    ranAfterPassing = true;
  });
  dependsOn(failing).test("is skipped after a failing prerequisite", () => {
    throw new Error("must not run");
  });
  test("the dependency outcomes are as declared", () => {
    expect(ranAfterPassing).toBe(true);
    expect(passing.state).toEqual({ registered: 1, passed: 1, failed: 0 });
    expect(failing.state.failed).toBe(1);
  });

  describeTier("perf", "a perf suite that is skipped by default", () => {
    test("never runs in the default mode", () => {
      if (tierMode() === "default") throw new Error("perf tier ran by default");
    });
  });
});

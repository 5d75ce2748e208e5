import { expect } from "vitest";
import { MockMmio } from "./mocks/mock-mmio";
import { dependsOn, describeTier, prerequisite } from "./vitest";

// Importing ./vitest installed the matchers and bound the helpers to vitest.
const mapped = prerequisite("region mapped");
let region: MockMmio | undefined;
mapped.test("maps a region", () => {
  region = new MockMmio(0x100);
});

describeTier("unit", "vitest entry", () => {
  dependsOn(mapped).test("matchers work without an explicit install", () => {
    region!.write32(0x10, 7);
    expect(region).toHaveWritten32(0x10, 7);
    expect(region).toHaveNoAccessOutside(0, 0x100);
  });
});

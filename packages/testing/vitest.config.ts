import { tsosProject } from "../../vitest.shared.ts";

export default tsosProject("testing");

import { tsosProject } from "../../vitest.shared.ts";

export default tsosProject("hw-x86");

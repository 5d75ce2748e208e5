import { tsosProject } from "../../vitest.shared";

export default tsosProject("hw-x86");

import { tsosProject } from "../../vitest.shared";

export default tsosProject("mm");

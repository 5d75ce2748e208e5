/**
 * `@tsos/machine`: the tsos-machine CLI as a library, for tests and scripts.
 *
 * @packageDocumentation
 */
export { type CliOutput, EXIT, main, USAGE } from "./cli-main";
export { checkGuestExecutable, type GuestFileCheck, type GuestFileInfo } from "./guest-file";

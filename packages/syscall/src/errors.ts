/**
 * Errors of the syscall layer. Guest-caused failures are never exceptions:
 * they are -errno values returned to the guest. What is thrown here is a
 * kernel-assembly mistake, reported at registration or installation time.
 */

/** A table registration the table refuses (duplicate number, bad signature, number out of range). */
export class SyscallRegistrationError extends Error {
  constructor(
    /** The syscall number being registered. */
    readonly number: number,
    message: string,
  ) {
    super(`syscall ${number}: ${message}`);
    this.name = "SyscallRegistrationError";
  }
}

/** The entry could not be installed (the MSR writes were refused, or the address is not a kernel address). */
export class SyscallInstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyscallInstallError";
  }
}

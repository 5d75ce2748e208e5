/**
 * Error values of the fs modules. File-system operations fail with a negative
 * Linux errno (a plain number, `-ERRNO.X` from `@tsos/syscall`); the cpio
 * reader fails with a {@link CpioError}; populating a tree from an archive
 * reports each entry it could not create as a {@link PopulateFailure}.
 * None of these are thrown.
 */

/** A malformed cpio archive: one sentence a user can act on and where reading stopped. */
export interface CpioError {
  readonly kind: "cpio-error";
  /** One sentence naming the problem; it repeats the offset for logs. */
  readonly message: string;
  /** Byte offset in the archive buffer where the problem was found. */
  readonly offset: number;
}

/** Builds a {@link CpioError}; the message gets " (at byte N)." appended. */
export function cpioError(problem: string, offset: number): CpioError {
  return { kind: "cpio-error", message: `${problem} (at byte ${offset}).`, offset };
}

/** Whether a reader result is an error rather than a list of entries. */
export function isCpioError<T>(result: T[] | CpioError): result is CpioError {
  return !Array.isArray(result);
}

/** One archive entry that populating a tree could not apply. */
export interface PopulateFailure {
  /** The entry's name as stored in the archive. */
  readonly name: string;
  /** The negative errno the operation returned. */
  readonly errno: number;
}

/**
 * The Linux initramfs archive format, cpio "newc" (and "crc" on read):
 * {@link readCpioNewc} unpacks an initramfs buffer into entries and
 * {@link writeCpioNewc} builds one. The format and its invariants are in
 * `cpio-format.ts`, each direction's outcomes in `cpio-reader.ts` and
 * `cpio-writer.ts`; this module is the list of names the rest of the kernel uses.
 */
export { CPIO, CPIO_FIELD, type CpioEntry } from "./cpio-format";
export { readCpioNewc } from "./cpio-reader";
export { type CpioWriteOptions, writeCpioNewc } from "./cpio-writer";
export { type CpioError, isCpioError } from "./errors";

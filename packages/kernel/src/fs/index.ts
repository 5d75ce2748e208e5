/**
 * The kernel's file-system layer: the initramfs archive codec and the
 * in-memory tree it unpacks into. A list of names for `src/index.ts` to
 * re-export; the modules document their invariants and outcomes.
 */
export { CPIO, CPIO_FIELD, type CpioEntry, type CpioWriteOptions, readCpioNewc, writeCpioNewc } from "./cpio";
export type { DirectoryListing, DirentVisitor } from "./directory";
export { type CpioError, isCpioError, type PopulateFailure } from "./errors";
export { DIRECTORY_POSITION, DirectoryEntry, FS_LIMIT, Inode, Mount, type MountOptions } from "./inode";
export { DIRENT_TYPE, direntType, FILE_TYPE, fileType, MODE_PERMISSION_MASK } from "./mode";
export {
  type NanosecondClock,
  type Owner,
  Ramfs,
  type RamfsOptions,
  ROOT_OWNER,
} from "./ramfs";

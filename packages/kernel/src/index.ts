/**
 * `@tsos/kernel`: composes the tsos subsystems into a kernel — boot,
 * processes, ELF loading, initramfs and Linux syscall handlers.
 *
 * So far: the ELF64 executable parser the loader will stand on.
 *
 * @packageDocumentation
 */
export {
  ELF,
  type ElfExecutable,
  type ElfParseResult,
  PROGRAM_TYPE,
  type ProgramHeader,
  parseElfExecutable,
  SEGMENT_FLAG,
} from "./elf";

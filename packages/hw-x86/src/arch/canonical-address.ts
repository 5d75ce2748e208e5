/**
 * Canonical 48-bit virtual addresses (4-level paging): bits 63:47 must all
 * equal bit 47. A non-canonical memory access raises #GP (or #SS for stack
 * accesses), and SYSRET / IRET to a non-canonical RIP must be refused.
 *
 * Three representations:
 * - halves (low, high) of the 64-bit value: exact for every address; use on
 *   hot paths;
 * - a signed number in [-2^47, 2^47): the sign-extended value, as
 *   `readSignedNumber` returns it (user addresses are non-negative, kernel
 *   addresses negative);
 * - a `bigint` (cold paths), taken modulo 2^64.
 *
 * Invariants: pure, allocation-free except the bigint variants.
 *
 * Source: Intel SDM vol 1 §3.3.7.1 (canonical addressing); vol 3A §4.5
 * (4-level paging translates bits 47:0).
 */

/** Number of implemented linear-address bits with 4-level paging (SDM vol 3A §4.5). */
export const VIRTUAL_ADDRESS_BITS = 48;

/** Lowest non-canonical address, 2^47: user space is [0, 2^47) (SDM vol 1 §3.3.7.1). */
export const USER_ADDRESS_END = 0x800000000000;

/** Largest canonical lower-half address as a number, 2^47 - 1 (the top byte of user space). */
export const USER_ADDRESS_MAX = 0x7fffffffffff;

/** First canonical upper-half (kernel) address 0xFFFF800000000000, as halves (SDM vol 1 §3.3.7.1). */
export const KERNEL_HALF_START = {
  /** Low half: 0. */
  LOW: 0,
  /** High half: bits 63:47 set. */
  HIGH: 0xffff8000,
} as const;

/** Same boundaries as bigints, for cold-path checks and messages. */
export const CANONICAL_BIG = {
  /** 2^47: first non-canonical address above user space. */
  USER_END: 0x0000_8000_0000_0000n,
  /** 0xFFFF800000000000: first upper-half canonical address. */
  KERNEL_START: 0xffff_8000_0000_0000n,
} as const;

/** Bits 63:47 of an address sit in bits 31:15 of the high half. */
const SIGN_BITS_SHIFT_IN_HIGH = 15;
/** Value of high-half bits 31:15 when all are set (17 ones). */
const ALL_SIGN_BITS = 0x1ffff;
/** Moves bit 47 (bit 15 of the high half) to bit 31 and back, to sign-extend. */
const HIGH_SIGN_EXTEND_SHIFT = 16;
const TWO_POW_47 = 140737488355328;
const TWO_POW_48 = 281474976710656;

/** True if the 64-bit address (low, high) is canonical: high-half bits 31:15 all 0 or all 1. Only `high` matters. */
export function isCanonicalHalves(_low: number, high: number): boolean {
  const signBits = high >>> SIGN_BITS_SHIFT_IN_HIGH;
  return signBits === 0 || signBits === ALL_SIGN_BITS;
}

/** True if `high` is the high half of a user-half canonical address (bits 63:47 all 0). */
export function isUserHalfHigh(high: number): boolean {
  return high >>> SIGN_BITS_SHIFT_IN_HIGH === 0;
}

/**
 * True if a signed number is a canonical address: an integer in
 * [-2^47, 2^47). Non-integers and values outside that range are not.
 */
export function isCanonicalNumber(address: number): boolean {
  return Number.isInteger(address) && address >= -TWO_POW_47 && address < TWO_POW_47;
}

/** True if `address` (taken modulo 2^64) is canonical. Cold path. */
export function isCanonicalBig(address: bigint): boolean {
  const value = BigInt.asUintN(64, address);
  return value < CANONICAL_BIG.USER_END || value >= CANONICAL_BIG.KERNEL_START;
}

/** The high half with bits 63:48 replaced by copies of bit 47: the canonical form of an address (unsigned). */
export function signExtendHigh(high: number): number {
  return ((high << HIGH_SIGN_EXTEND_SHIFT) >> HIGH_SIGN_EXTEND_SHIFT) >>> 0;
}

/** A 48-bit address number in [0, 2^48) as the signed canonical number in [-2^47, 2^47). */
export function signExtend48(address48: number): number {
  return address48 >= TWO_POW_47 ? address48 - TWO_POW_48 : address48;
}

/** The 48-bit number in [0, 2^48) that a signed canonical number in [-2^47, 2^47) denotes (inverse of {@link signExtend48}). */
export function truncate48(signedAddress: number): number {
  return signedAddress < 0 ? signedAddress + TWO_POW_48 : signedAddress;
}

/** A canonical address as a `bigint` in [0, 2^64) from its signed-number form. Cold path. */
export function canonicalToBig(signedAddress: number): bigint {
  return BigInt.asUintN(64, BigInt(signedAddress));
}

/** True if the user range [address, address + length) lies entirely below {@link USER_ADDRESS_END}. */
export function isUserRange(address: number, length: number): boolean {
  return address >= 0 && length >= 0 && address + length <= USER_ADDRESS_END;
}

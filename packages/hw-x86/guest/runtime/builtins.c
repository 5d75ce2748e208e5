/*
 * The libgcc helpers the programs' builtins lower to on a baseline x86-64
 * target (no POPCNT instruction): __builtin_popcount* becomes a call to
 * these. Written here instead of linking libgcc so that any other libgcc
 * dependency shows up as a link error.
 */
#include "rt.h"

int __popcountdi2(u64 x) {
  x = x - ((x >> 1) & 0x5555555555555555UL);
  x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
  return (int)((x * 0x0101010101010101UL) >> 56);
}

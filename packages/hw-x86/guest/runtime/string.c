/*
 * The libc memory and string routines gcc may emit calls to on its own
 * (structure copies, large initialisers) and the programs use directly.
 *
 * Built with -fno-tree-loop-distribute-patterns (see the Makefile) so gcc
 * does not turn these loops back into calls to themselves. Byte loops on
 * purpose: simple, and the same instructions at every optimisation level
 * apart from what the optimiser chooses.
 */
#include "rt.h"

void *memcpy(void *dst, const void *src, usize n) {
  u8 *d = dst;
  const u8 *s = src;
  for (usize i = 0; i < n; i++) d[i] = s[i];
  return dst;
}

void *memmove(void *dst, const void *src, usize n) {
  u8 *d = dst;
  const u8 *s = src;
  if (d == s || n == 0) return dst;
  if ((usize)(d - s) >= n) {
    for (usize i = 0; i < n; i++) d[i] = s[i];
  } else {
    for (usize i = n; i > 0; i--) d[i - 1] = s[i - 1];
  }
  return dst;
}

void *memset(void *dst, int c, usize n) {
  u8 *d = dst;
  for (usize i = 0; i < n; i++) d[i] = (u8)c;
  return dst;
}

int memcmp(const void *a, const void *b, usize n) {
  const u8 *x = a;
  const u8 *y = b;
  for (usize i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

usize strlen(const char *s) {
  usize n = 0;
  while (s[n] != '\0') n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) {
    a++;
    b++;
  }
  return (int)(u8)*a - (int)(u8)*b;
}

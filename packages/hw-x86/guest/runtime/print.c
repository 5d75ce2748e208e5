/*
 * Buffered decimal / hex printing to standard output.
 *
 * Invariant: bytes leave in the order they were printed; the buffer is
 * flushed when full and by rt_exit, so a program's output is complete iff
 * it ends through rt_exit (returning from main does that).
 */
#include "rt.h"

static char out_buffer[4096];
static usize out_length;

void print_flush(void) {
  usize done = 0;
  while (done < out_length) {
    long written = sys_write(1, out_buffer + done, out_length - done);
    if (written <= 0) break;
    done += (usize)written;
  }
  out_length = 0;
}

void print_char(char c) {
  if (out_length == sizeof out_buffer) print_flush();
  out_buffer[out_length++] = c;
}

void print_bytes(const char *s, usize len) {
  for (usize i = 0; i < len; i++) print_char(s[i]);
}

void print_str(const char *s) {
  while (*s != '\0') print_char(*s++);
}

void print_u64(u64 value) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0) print_char(digits[--count]);
}

void print_i64(i64 value) {
  if (value < 0) {
    print_char('-');
    print_u64(0 - (u64)value);
  } else {
    print_u64((u64)value);
  }
}

void print_hex64(u64 value) {
  static const char hex[] = "0123456789abcdef";
  print_str("0x");
  for (int shift = 60; shift >= 0; shift -= 4) print_char(hex[(value >> shift) & 15]);
}

void print_kv_u64(const char *name, u64 value) {
  print_str(name);
  print_char('=');
  print_u64(value);
  print_char('\n');
}

void print_kv_i64(const char *name, i64 value) {
  print_str(name);
  print_char('=');
  print_i64(value);
  print_char('\n');
}

void print_kv_hex(const char *name, u64 value) {
  print_str(name);
  print_char('=');
  print_hex64(value);
  print_char('\n');
}

int print_check(const char *name, int passed) {
  print_str("check ");
  print_str(name);
  print_str(passed ? " ok\n" : " FAIL\n");
  return passed ? 0 : 1;
}

/*
 * strings: byte-buffer and string routines.
 *
 * Exercises memcpy / memmove (both overlap directions) / memset / memcmp /
 * strlen / strcmp over every small length and alignment, string reversal,
 * decimal parsing, and a tiny printf-like formatter (%d %u %x %s %c %% with
 * width and zero padding) whose output is printed and checksummed (FNV-1a).
 * Usage: strings [rounds, default 20]
 * Exit status: number of failed known-answer checks (0 when correct).
 */
#include "rt.h"

static u64 fnv1a(u64 hash, const void *data, usize len) {
  const u8 *p = data;
  for (usize i = 0; i < len; i++) hash = (hash ^ p[i]) * 0x100000001b3UL;
  return hash;
}
#define FNV_OFFSET 0xcbf29ce484222325UL

static void reverse(char *s) {
  usize n = strlen(s);
  for (usize i = 0; i < n / 2; i++) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}

static i64 parse_i64(const char *s) {
  int negative = *s == '-';
  if (negative) s++;
  u64 value = 0;
  while (*s >= '0' && *s <= '9') value = value * 10 + (u64)(*s++ - '0');
  return negative ? (i64)(0 - value) : (i64)value;
}

/*
 * Appends value in base (10 or 16), with a leading '-' when negative, padded
 * to width: spaces go before the sign, zeros after it (as printf does).
 */
static usize format_number(char *out, u64 value, unsigned base, int negative, int width, char pad) {
  char digits[24];
  int count = 0;
  do {
    digits[count++] = "0123456789abcdef"[value % base];
    value /= base;
  } while (value != 0);
  usize n = 0;
  int fill = width - count - negative;
  if (pad == ' ')
    while (fill-- > 0) out[n++] = ' ';
  if (negative) out[n++] = '-';
  while (fill-- > 0) out[n++] = '0';
  while (count > 0) out[n++] = digits[--count];
  return n;
}

/* A tiny vsnprintf without varargs: arguments come from an array of u64. */
static usize format(char *out, const char *fmt, const u64 *args) {
  usize n = 0;
  while (*fmt != '\0') {
    if (*fmt != '%') {
      out[n++] = *fmt++;
      continue;
    }
    fmt++;
    char pad = ' ';
    if (*fmt == '0') pad = *fmt++;
    int width = 0;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    switch (*fmt++) {
      case 'd': {
        i64 v = (i64)*args++;
        n += format_number(out + n, v < 0 ? 0 - (u64)v : (u64)v, 10, v < 0, width, pad);
        break;
      }
      case 'u': n += format_number(out + n, *args++, 10, 0, width, pad); break;
      case 'x': n += format_number(out + n, *args++, 16, 0, width, pad); break;
      case 'c': out[n++] = (char)*args++; break;
      case 's': {
        const char *s = (const char *)*args++;
        usize len = strlen(s);
        while (width-- > (int)len) out[n++] = pad;
        memcpy(out + n, s, len);
        n += len;
        break;
      }
      default: out[n++] = '%'; break;
    }
  }
  out[n] = '\0';
  return n;
}

static u8 source[512], target[512], scratch[512];

static u64 copy_tests(void) {
  u64 hash = FNV_OFFSET;
  for (usize i = 0; i < sizeof source; i++) source[i] = (u8)(i * 7 + 3);
  for (usize length = 0; length <= 80; length++) {
    for (usize offset = 0; offset < 16; offset++) {
      memset(target, 0xa5, sizeof target);
      memcpy(target + offset, source + (length * 3) % 64, length);
      hash = fnv1a(hash, target, 128);
      memcpy(scratch, source, 256);
      memmove(scratch + offset, scratch + 8, length);
      hash = fnv1a(hash, scratch, 128);
      memcpy(scratch, source, 256);
      memmove(scratch + 8, scratch + offset, length);
      hash = fnv1a(hash, scratch, 128);
      memset(scratch + offset, (int)length, length);
      hash = fnv1a(hash, scratch, 128);
      int order = memcmp(target + offset, scratch + offset, length);
      hash = fnv1a(hash, &order, sizeof order);
    }
  }
  return hash;
}

static int known_answers(void) {
  int failures = 0;
  char buffer[64];
  memcpy(buffer, "hello, world", 13);
  reverse(buffer);
  failures += print_check("reverse", strcmp(buffer, "dlrow ,olleh") == 0);
  failures += print_check("strlen", strlen("") == 0 && strlen(buffer) == 12);
  failures += print_check("strcmp", strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && strcmp("x", "x") == 0);
  failures += print_check("memcmp", memcmp("\x01\xff", "\x01\x00", 2) > 0 && memcmp("", "", 0) == 0);
  memcpy(buffer, "abcdefgh", 9);
  memmove(buffer + 2, buffer, 5);
  failures += print_check("memmove-up", strcmp(buffer, "ababcdeh") == 0);
  memcpy(buffer, "abcdefgh", 9);
  memmove(buffer, buffer + 3, 5);
  failures += print_check("memmove-down", strcmp(buffer, "defghfgh") == 0);
  failures += print_check("parse", parse_i64("-9223372036854775807") == -9223372036854775807L &&
                                        parse_i64("42") == 42);
  const u64 args[] = {(u64)-42, 255, 7, 'Z', (u64)"str", (u64)-42};
  format(buffer, "[%5d|%04x|%u|%c|%6s|%%|%05d]", args);
  failures += print_check("format", strcmp(buffer, "[  -42|00ff|7|Z|   str|%|-0042]") == 0);
  return failures;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 rounds = arg_u64(argc, argv, 1, 20);
  int failures = known_answers();
  print_kv_hex("copies", copy_tests());
  char line[160];
  u64 hash = FNV_OFFSET, state = 0x5eed5eed5eedUL;
  static const char *const words[] = {"alpha", "beta", "gamma", "delta", "", "epsilon"};
  for (u64 round = 0; round < rounds; round++) {
    for (int i = 0; i < 200; i++) {
      u64 r = xorshift64(&state);
      const u64 args[] = {r >> 40, (u64)(i64)(i32)(u32)r, r & 0xffff, (u64)words[r % 6], 'a' + r % 26};
      usize n = format(line, "%08x %d %5u <%8s> %c", args);
      reverse(line);
      hash = fnv1a(hash, line, n);
      if (round == 0 && i < 4) {
        print_str(line);
        print_char('\n');
      }
    }
  }
  print_kv_u64("rounds", rounds);
  print_kv_hex("format", hash);
  print_kv_u64("failures", (u64)failures);
  return failures;
}

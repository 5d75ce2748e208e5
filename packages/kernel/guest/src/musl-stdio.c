/*
 * musl-stdio: formatted output and stdio buffering in musl.
 *
 * snprintf of integers (widths, zero and left padding, signs, hex/octal,
 * 8- to 64-bit sizes, INT_MIN/UINT64_MAX), strings (width, precision),
 * characters and %%; snprintf truncation and its return value; sscanf and
 * strtol parsing; fwrite/fputc/putchar, a line-buffered and an unbuffered
 * stdout (setvbuf), and fputs/fprintf to stderr (recorded separately).
 * No floating point: musl's %f goes through x87 long double code, which is
 * the CPU's business, not the kernel's.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buffer[256];

static void show(const char *label, int length) { printf("%-10s [%s] (%d)\n", label, buffer, length); }

int main(void) {
  show("ints", snprintf(buffer, sizeof buffer, "%d|%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42, 42));
  show("negative", snprintf(buffer, sizeof buffer, "%d|%6d|%-6d|%06d|%i", -7, -7, -7, -7, INT_MIN));
  show("unsigned", snprintf(buffer, sizeof buffer, "%u|%x|%X|%#x|%o|%#o|%08x", 3000000000u, 0xbeefu, 0xbeefu,
                            0xbeefu, 8u, 8u, 0xabcu));
  show("sizes", snprintf(buffer, sizeof buffer, "%hhd|%hd|%ld|%lld|%zu|%" PRIu64 "|%" PRIx64, (signed char)-1,
                         (short)-32768, LONG_MAX, LLONG_MIN, (size_t)12345, UINT64_MAX, UINT64_MAX));
  show("strings", snprintf(buffer, sizeof buffer, "%s|%10s|%-10s|%.3s|%*s|%-*s|", "abc", "right", "left",
                           "truncate", 6, "star", 6, "star"));
  show("chars", snprintf(buffer, sizeof buffer, "%c%c%c|%%|%5c|%-3c|", 'x', 'y', 'z', '!', '?'));
  show("pointer", snprintf(buffer, sizeof buffer, "%p|%p", (void *)0x1234, (void *)0));

  char small[8];
  /* Through a volatile pointer: gcc would reject the deliberate truncation of a literal. */
  const char *volatile digits = "0123456789";
  int needed = snprintf(small, sizeof small, "%s", digits);
  printf("truncated [%s] needed %d\n", small, needed);
  printf("null-size snprintf needed %d\n", snprintf(NULL, 0, "%d-%s", 12345, "abc"));

  int a = 0;
  unsigned b = 0;
  char word[16] = "";
  int parsed = sscanf("  -17 ff token rest", "%d %x %15s", &a, &b, word);
  printf("sscanf %d: %d %u %s\n", parsed, a, b, word);
  char *end = NULL;
  long value = strtol("0x7fz", &end, 0);
  printf("strtol %ld rest [%s]\n", value, end);
  printf("strtoul %lu, atoi %d\n", strtoul("18446744073709551615", NULL, 10), atoi("  -123abc"));

  fwrite("fwrite\n", 1, 7, stdout);
  fputc('c', stdout);
  putchar('\n');
  fflush(stdout);

  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("line buffered ");
  printf("until newline\n");
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("unbuffered ");
  printf("%s\n", "too");

  fputs("to stderr\n", stderr);
  fprintf(stderr, "stderr %d %s\n", 7, "formatted");
  return ferror(stdout) ? 1 : 0;
}

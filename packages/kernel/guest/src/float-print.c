/*
 * Floating point through libc, compared byte for byte with Linux: printf's
 * %f %e %g %a (double) and %Lf %Le %La (long double, x87 80-bit), strtod and
 * strtold at their edges (NaN, ±inf, ±0, denormals, 2^63, halfway cases,
 * long digit strings), conversions to and from integers at their limits,
 * float/double/long double arithmetic whose rounding shows in the last digit.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double sink;

static void show_double(double value) {
  uint64_t bits;
  memcpy(&bits, &value, 8);
  printf("%016llx %.17g %f %e %a %g\n", (unsigned long long)bits, value, value, value, value, value);
}

static void show_long(long double value) {
  unsigned char bytes[16] = {0};
  memcpy(bytes, &value, 10);
  for (int i = 9; i >= 0; i--) printf("%02x", bytes[i]);
  printf(" %.21Lg %Lf %Le %La\n", value, value, value, value);
}

int main(void) {
  static const char *inputs[] = {
      "0", "-0", "1", "0.1", "0.5", "1.5", "2.5", "-2.5", "3.14159265358979323846264338327950288",
      "1e308", "1.7976931348623157e308", "1.7976931348623159e308", "2e308", "4.9406564584124654e-324",
      "2.4703282292062327e-324", "2.4703282292062328e-324", "2.2250738585072011e-308",
      "2.2250738585072014e-308", "9223372036854775807", "9223372036854775808", "18446744073709551615",
      "123456789012345678901234567890", "0x1.fffffffffffffp+1023", "0x1p-1074", "inf", "-INF", "nan",
      "-nan", "NaN(123)", "1e-400", "   +12.5e+3xyz", "0.000000000000000000000000000001",
      "9007199254740993", "9007199254740995", "1.00000000000000011102230246251565404236316680908203125",
  };
  for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
    char *end;
    double value = strtod(inputs[i], &end);
    printf("strtod  %-45s -> end+%d ", inputs[i], (int)(end - inputs[i]));
    show_double(value);
    long double wide = strtold(inputs[i], &end);
    printf("strtold %-45s -> end+%d ", inputs[i], (int)(end - inputs[i]));
    show_long(wide);
    float narrow = strtof(inputs[i], &end);
    uint32_t narrow_bits;
    memcpy(&narrow_bits, &narrow, 4);
    printf("strtof  %-45s -> %08x %.9g\n", inputs[i], narrow_bits, (double)narrow);
  }

  /* Formatting at widths, precisions and flags. */
  double values[] = {0.0, -0.0, 1.0 / 3.0, 2.0 / 3.0, 1e-5, 123456.789, 1e21, 1e22, 5e-324, DBL_MAX, DBL_MIN,
                     0.125, 0.375, 1e15 + 0.3, -1234.5678, INFINITY, -INFINITY, NAN};
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    double v = values[i];
    printf("[%10.3f] [%-12.4e] [%+.0f] [%#.0f] [%08.2f] [%.30g] [%.0e] [%.13a] [%G] [%E]\n", v, v, v, v, v, v, v, v, v,
           v);
  }
  long double longs[] = {1.0L / 3.0L, 2.0L / 3.0L, LDBL_MAX, LDBL_MIN, LDBL_EPSILON, 1e4000L, -1e-4000L,
                         3.141592653589793238462643383279502884L, 0.1L, 18446744073709551615.0L};
  for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) show_long(longs[i]);

  /* Integer conversions at the limits. */
  double edges[] = {9223372036854775807.0, -9223372036854775808.0, 9223372036854774784.0, 4294967295.0,
                    -2147483648.5,        2147483647.5,          -0.9999,               0.5,
                    1.5,                  -1.5,                  18446744073709549568.0};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    double v = edges[i];
    long long signed_value = (long long)v;
    unsigned long long unsigned_value = v >= 0 && v < 18446744073709551616.0 ? (unsigned long long)v : 0;
    int narrow_value = v > -2147483649.0 && v < 2147483648.0 ? (int)v : 0;
    printf("%.1f -> %lld %llu %d %ld %ld\n", v, signed_value, unsigned_value, narrow_value, lrint(v), lround(v));
  }
  long long integers[] = {0, 1, -1, 9007199254740993LL, -9007199254740993LL, 0x7fffffffffffffffLL,
                          (long long)0x8000000000000000ULL, 123456789123456789LL};
  for (size_t i = 0; i < sizeof integers / sizeof integers[0]; i++) {
    long long n = integers[i];
    float f = (float)n;
    double d = (double)n;
    long double l = (long double)n;
    unsigned long long u = (unsigned long long)n;
    printf("%lld -> %.9g %.17g %.21Lg %.17g\n", n, (double)f, d, l, (double)u);
  }

  /* Arithmetic whose rounding shows. */
  double a = 0.1, b = 0.2, c = 0.3;
  printf("%.17g %.17g %d\n", a + b, (a + b) - c, a + b == c);
  float fa = 16777216.0f, fb = 1.0f;
  printf("%.9g %.9g\n", (double)(fa + fb), (double)(fa + fb + fb));
  long double la = 1.0L, lb = LDBL_EPSILON / 2;
  printf("%.21Lg %.21Lg\n", la + lb, la + lb + lb);
  double sum = 0;
  for (int i = 1; i <= 1000; i++) sum += 1.0 / i;
  printf("harmonic %.17g\n", sum);
  long double lsum = 0;
  for (int i = 1; i <= 1000; i++) lsum += 1.0L / i;
  printf("harmonic %.21Lg\n", lsum);
  double product = 1;
  for (int i = 1; i <= 170; i++) product *= i;
  printf("170! %.17g %a\n", product, product);
  sink = product * 171;
  printf("171! %g\n", sink);
  printf("sqrt %.17g %.21Lg %.9g\n", sqrt(2.0), sqrtl(2.0L), (double)sqrtf(2.0f));
  printf("fma-free %.17g\n", 0.1 * 3 - 0.3);
  return 0;
}

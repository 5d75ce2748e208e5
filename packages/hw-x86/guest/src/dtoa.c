/*
 * dtoa: CPU-bound floating-point benchmark in the shape of printf("%.17g")
 * and strtod: formats doubles to 17 significant decimal digits by scaling
 * with powers of ten and peeling digits (multiply, floor, subtract), parses
 * them back by accumulating digits and scaling, and compares — divisions,
 * multiplications, conversions between integers and doubles, compares.
 * (Not a correctly rounded dtoa: the round trip is exact for most values,
 * and the count of those that are is part of the output.)
 *
 * Prints the number of exact round trips and a hash of every digit string.
 * Usage: dtoa [values, default 40000]
 * Exit status: failed checks.
 */
#include "rt.h"

static double powers[23];

static double ten_to(int exponent) {
  double result = 1;
  int count = exponent < 0 ? -exponent : exponent;
  while (count > 22) {
    result *= exponent < 0 ? 1e-22 : 1e22;
    count -= 22;
  }
  result *= exponent < 0 ? 1 / powers[count] : powers[count];
  return result;
}

/* 17 digits of |x| into digits[], returns the decimal exponent. */
static int format(double x, char *digits) {
  int exponent = 0;
  double scaled = x;
  while (scaled >= 10) {
    scaled /= 10;
    exponent++;
  }
  while (scaled < 1) {
    scaled *= 10;
    exponent--;
  }
  for (int i = 0; i < 17; i++) {
    int digit = (int)scaled;
    if (digit > 9) digit = 9;
    digits[i] = (char)('0' + digit);
    scaled = (scaled - digit) * 10;
  }
  return exponent;
}

static double parse(const char *digits, int exponent) {
  i64 mantissa = 0;
  for (int i = 0; i < 17; i++) mantissa = mantissa * 10 + (digits[i] - '0');
  double value = (double)mantissa;
  int scale = exponent - 16;
  return scale < 0 ? value / ten_to(-scale) : value * ten_to(scale);
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 count = arg_u64(argc, argv, 1, 40000);
  powers[0] = 1;
  for (int i = 1; i < 23; i++) powers[i] = powers[i - 1] * 10;
  u64 state = 0x243f6a8885a308d3UL;
  u64 exact = 0, hash = 0xcbf29ce484222325UL;
  char digits[17];
  for (u64 i = 0; i < count; i++) {
    u64 bits = xorshift64(&state);
    /* A positive normal double between 1e-30 and 1e30. */
    u64 exponent = 1023 - 100 + (bits >> 52) % 200;
    u64 pattern = (exponent << 52) | (bits & 0xfffffffffffffUL);
    double x;
    memcpy(&x, &pattern, 8);
    int decimal = format(x, digits);
    double back = parse(digits, decimal);
    if (back == x) exact++;
    for (int d = 0; d < 17; d++) hash = (hash ^ (u8)digits[d]) * 0x100000001b3UL;
    hash = (hash ^ (u64)(decimal + 400)) * 0x100000001b3UL;
  }
  print_kv_u64("values", count);
  print_kv_u64("exact_round_trips", exact);
  print_kv_hex("digits_hash", hash);
  int failed = 0;
  failed += print_check("some_exact", exact * 4 > count);
  return failed;
}

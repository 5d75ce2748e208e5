/*
 * libm, compared with Linux: the double functions (computed with SSE2
 * arithmetic in libm's own code) and the long double ones, several of
 * which musl implements with the x87's own instructions (FSQRT, FPREM,
 * FPREM1, FRNDINT, FSCALE, FXTRACT, F2XM1, FYL2X, FYL2XP1, FPATAN). The
 * transcendental instructions are within 1 ulp rather than bit-exact, so
 * the long double results are printed to 18 significant digits (the last
 * of 64 bits does not show) while the double ones are printed exactly.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void line_double(const char *name, double value) {
  uint64_t bits;
  memcpy(&bits, &value, 8);
  printf("%-10s %016llx %.17g\n", name, (unsigned long long)bits, value);
}

static void line_long(const char *name, long double value) { printf("%-10s %.18Lg\n", name, value); }

int main(void) {
  static const double inputs[] = {0.5, 1.0, 2.0, 10.0, 0.1, 1e-10, 123.456, -0.75, 1e10, 7.0};
  for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
    double x = inputs[i];
    printf("x = %.17g\n", x);
    line_double("sin", sin(x));
    line_double("cos", cos(x));
    line_double("tan", tan(x));
    line_double("atan", atan(x));
    line_double("atan2", atan2(x, 3.0));
    line_double("exp", exp(x > 700 ? 700 : x));
    line_double("log", log(fabs(x)));
    line_double("log10", log10(fabs(x)));
    line_double("pow", pow(fabs(x), 1.5));
    line_double("sqrt", sqrt(fabs(x)));
    line_double("cbrt", cbrt(x));
    line_double("fmod", fmod(x, 0.3));
    line_double("remainder", remainder(x, 0.3));
    line_double("hypot", hypot(x, 4.0));
    line_double("floor", floor(x * 3.3));
    line_double("ceil", ceil(x * 3.3));
    line_double("round", round(x * 3.3));
    line_double("trunc", trunc(x * 3.3));
    line_double("ldexp", ldexp(x, -1070));
    int exponent;
    line_double("frexp", frexp(x, &exponent));
    printf("%-10s %d\n", "frexp-e", exponent);
    long double l = x;
    line_long("sqrtl", sqrtl(fabsl(l)));
    line_long("fmodl", fmodl(l, 0.3L));
    line_long("remainderl", remainderl(l, 0.3L));
    line_long("rintl", rintl(l * 3.3L));
    line_long("floorl", floorl(l * 3.3L));
    line_long("ldexpl", ldexpl(l, -16400));
    line_long("logbl", logbl(l));
    line_long("expl", expl(l > 700 ? 700 : l));
    line_long("exp2l", exp2l(l > 700 ? 700 : l));
    line_long("logl", logl(fabsl(l)));
    line_long("log2l", log2l(fabsl(l)));
    line_long("log10l", log10l(fabsl(l)));
    line_long("log1pl", log1pl(fabsl(l)));
    line_long("atanl", atanl(l));
    line_long("atan2l", atan2l(l, -3.0L));
    line_long("powl", powl(fabsl(l), 1.5L));
    line_long("sinl", sinl(l));
    line_long("cosl", cosl(l));
    line_long("tanl", tanl(l));
  }
  line_double("nan", nan(""));
  line_double("inf", log(0.0));
  line_double("sqrt(-0)", sqrt(-0.0));
  line_double("pow(0,-1)", pow(-0.0, -1.0));
  line_double("atan2(0,-0)", atan2(0.0, -0.0));
  line_long("fmodl big", fmodl(1e4000L, 3.0L));
  line_long("remainderl big", remainderl(1e300L, 7.0L));
  return 0;
}

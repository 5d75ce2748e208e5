/*
 * The floating-point environment, compared with Linux: fesetround in all
 * four modes (SSE and x87 arithmetic and conversions round as asked),
 * fetestexcept after each exception, and unmasked exceptions delivering
 * SIGFPE with the si_code Linux gives: #XM from SSE (via MXCSR) and #MF
 * from the x87 (via the control word), caught by a handler that reports
 * the code and skips the faulting state, then left uncaught at the end
 * (the process dies of SIGFPE).
 */
#include <fenv.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile double one = 1.0, three = 3.0, zero = 0.0, huge = 1e308, tiny = 1e-308;
static volatile long double long_one = 1.0L, long_three = 3.0L;
static volatile float float_one = 1.0f, float_three = 3.0f;
static sigjmp_buf recover;
static volatile int last_code;

static void on_fpe(int signal, siginfo_t *info, void *context) {
  (void)context;
  last_code = info->si_code;
  printf("SIGFPE signal=%d code=%d\n", signal, info->si_code);
  siglongjmp(recover, 1);
}

static void show_flags(const char *what) {
  int raised = fetestexcept(FE_ALL_EXCEPT);
  printf("%-14s %s%s%s%s%s\n", what, raised & FE_INVALID ? "invalid " : "", raised & FE_DIVBYZERO ? "divbyzero " : "",
         raised & FE_OVERFLOW ? "overflow " : "", raised & FE_UNDERFLOW ? "underflow " : "",
         raised & FE_INEXACT ? "inexact" : "");
  feclearexcept(FE_ALL_EXCEPT);
}

static void rounding(int mode, const char *name) {
  fesetround(mode);
  volatile double d = one / three;
  volatile double negative = -one / three;
  volatile float f = float_one / float_three;
  volatile long double l = long_one / long_three;
  volatile double big = 2.5, half = -2.5;
  printf("%-8s %a %a %a %La rint=%g,%g nearbyint=%g lrint=%ld llrint=%lld rintl=%Lg\n", name, d, negative, (double)f,
         l, rint(big), rint(half), nearbyint(3.5), lrint(-3.5), llrint(1e15 + 0.5), rintl(2.5L));
  printf("         sqrt %a %La cast %d %lld\n", sqrt(2.0), sqrtl(2.0L), (int)(float)(1.0 / 3.0 * 3e9 / 3e9),
         (long long)(one * 1e18 / three));
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  feclearexcept(FE_ALL_EXCEPT);
  show_flags("start");
  volatile double r;
  r = one / three;
  show_flags("1/3");
  r = one / zero;
  show_flags("1/0");
  r = zero / zero;
  show_flags("0/0");
  r = huge * huge;
  show_flags("overflow");
  r = tiny * tiny;
  show_flags("underflow");
  r = sqrt(-one);
  show_flags("sqrt(-1)");
  volatile long double lr = long_one / 0.0L;
  show_flags("x87 1/0");
  lr = sqrtl(-long_one);
  show_flags("x87 sqrt(-1)");
  volatile int converted = (int)(huge);
  show_flags("(int)1e308");
  (void)r;
  (void)lr;
  (void)converted;

  rounding(FE_TONEAREST, "nearest");
  rounding(FE_DOWNWARD, "down");
  rounding(FE_UPWARD, "up");
  rounding(FE_TOWARDZERO, "zero");
  fesetround(FE_TONEAREST);
  printf("getround %d\n", fegetround());

  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_fpe;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGFPE, &action, NULL);

  /* SSE: unmask divide-by-zero in MXCSR. */
  if (sigsetjmp(recover, 1) == 0) {
    uint32_t mxcsr;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    mxcsr &= ~(1u << 9);
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
    r = one / zero;
    printf("not reached\n");
  }
  fesetenv(FE_DFL_ENV);
  /* SSE: unmask invalid, then 0/0. */
  if (sigsetjmp(recover, 1) == 0) {
    uint32_t mxcsr = 0x1f80 & ~(1u << 7);
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
    r = zero / zero;
    printf("not reached\n");
  }
  fesetenv(FE_DFL_ENV);
  /* SSE: unmask overflow. */
  if (sigsetjmp(recover, 1) == 0) {
    uint32_t mxcsr = 0x1f80 & ~(1u << 10);
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
    r = huge * huge;
    printf("not reached\n");
  }
  fesetenv(FE_DFL_ENV);
  /* x87: unmask divide-by-zero in the control word; the #MF comes at the next x87 instruction. */
  if (sigsetjmp(recover, 1) == 0) {
    uint16_t control;
    __asm__ volatile("fnstcw %0" : "=m"(control));
    control &= ~(1u << 2);
    __asm__ volatile("fldcw %0" ::"m"(control));
    lr = long_one / 0.0L;
    __asm__ volatile("fwait");
    printf("not reached\n");
  }
  __asm__ volatile("fninit");
  fesetenv(FE_DFL_ENV);
  /* x87: unmasked inexact. */
  if (sigsetjmp(recover, 1) == 0) {
    uint16_t control = 0x37f & ~(1u << 5);
    __asm__ volatile("fldcw %0" ::"m"(control));
    lr = long_one / long_three;
    __asm__ volatile("fwait");
    printf("not reached\n");
  }
  __asm__ volatile("fninit");
  fesetenv(FE_DFL_ENV);
  printf("last code %d\n", last_code);

  /* Uncaught: the process dies of SIGFPE. */
  signal(SIGFPE, SIG_DFL);
  uint32_t mxcsr = 0x1f80 & ~(1u << 9);
  __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
  r = one / zero;
  printf("not reached\n");
  return 0;
}

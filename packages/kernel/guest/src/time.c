/*
 * time: the clocks.
 *
 * - clock_gettime(CLOCK_MONOTONIC) read twice does not go back, and
 *   tv_nsec is in [0, 1e9).
 * - nanosleep(20 ms) returns 0 and the monotonic clock advances by at
 *   least 20 ms across it.
 * - clock_getres(CLOCK_MONOTONIC) is 0 s and 1 ns to 1 ms (Linux with high
 *   resolution timers reports 1 ns); a NULL result pointer is allowed.
 * - CLOCK_REALTIME, gettimeofday and time() are all after 2020-01-01 and
 *   agree within 5 s; tv_usec is in [0, 1e6).
 * - Bad arguments: an unknown clock id, nanosleep with tv_nsec = 1e9 or a
 *   negative tv_sec give -EINVAL; a bad pointer gives -EFAULT.
 * Prints only check lines and errno values (never a time).
 * Exit status: number of failed checks.
 */
#include "sys.h"

#define NSEC_PER_SEC 1000000000L
#define NSEC_PER_MSEC 1000000L
/* 2020-01-01T00:00:00Z. */
#define YEAR_2020 1577836800L
#define UNKNOWN_CLOCK 1000

static int failures;

static void check(const char *name, int passed) { failures += print_check(name, passed); }

static i64 to_nanoseconds(const struct rt_timespec *time) { return time->tv_sec * NSEC_PER_SEC + time->tv_nsec; }

static int timespec_valid(const struct rt_timespec *time) {
  return time->tv_sec >= 0 && time->tv_nsec >= 0 && time->tv_nsec < NSEC_PER_SEC;
}

static void check_monotonic(void) {
  struct rt_timespec first;
  struct rt_timespec second;
  check("monotonic-read", sys_clock_gettime(RT_CLOCK_MONOTONIC, &first) == 0 &&
                              sys_clock_gettime(RT_CLOCK_MONOTONIC, &second) == 0);
  check("monotonic-fields-valid", timespec_valid(&first) && timespec_valid(&second));
  check("monotonic-non-decreasing", to_nanoseconds(&second) >= to_nanoseconds(&first));

  struct rt_timespec request = {0, 20 * NSEC_PER_MSEC};
  struct rt_timespec before;
  struct rt_timespec after;
  sys_clock_gettime(RT_CLOCK_MONOTONIC, &before);
  long slept = sys_nanosleep(&request, NULL);
  sys_clock_gettime(RT_CLOCK_MONOTONIC, &after);
  check("nanosleep-20ms-returns-0", slept == 0);
  check("monotonic-advances-at-least-20ms", to_nanoseconds(&after) - to_nanoseconds(&before) >= 20 * NSEC_PER_MSEC);
}

static void check_resolution(void) {
  struct rt_timespec resolution = {-1, -1};
  check("clock_getres-monotonic", sys_clock_getres(RT_CLOCK_MONOTONIC, &resolution) == 0);
  check("clock_getres-at-most-1ms",
        resolution.tv_sec == 0 && resolution.tv_nsec > 0 && resolution.tv_nsec <= NSEC_PER_MSEC);
  check("clock_getres-null-allowed", sys_clock_getres(RT_CLOCK_MONOTONIC, NULL) == 0);
}

static void check_wall_clock(void) {
  struct rt_timespec realtime;
  struct timeval64 timeval;
  i64 stored = 0;
  check("realtime-read", sys_clock_gettime(RT_CLOCK_REALTIME, &realtime) == 0);
  check("gettimeofday", sys_gettimeofday(&timeval) == 0);
  long seconds = sys_time(&stored);
  check("realtime-after-2020", realtime.tv_sec > YEAR_2020 && timespec_valid(&realtime));
  check("gettimeofday-after-2020", timeval.tv_sec > YEAR_2020);
  check("gettimeofday-usec-valid", timeval.tv_usec >= 0 && timeval.tv_usec < 1000000);
  check("time-after-2020", seconds > YEAR_2020 && stored == seconds);
  i64 spread = timeval.tv_sec - realtime.tv_sec;
  i64 spread_time = seconds - realtime.tv_sec;
  check("wall-clocks-agree", spread >= 0 && spread <= 5 && spread_time >= 0 && spread_time <= 5);
}

static void check_errors(void) {
  struct rt_timespec time;
  struct rt_timespec too_many_nanoseconds = {0, NSEC_PER_SEC};
  struct rt_timespec negative = {-1, 0};
  print_kv_i64("clock_gettime(unknown clock)", sys_clock_gettime(UNKNOWN_CLOCK, &time));
  print_kv_i64("clock_getres(unknown clock)", sys_clock_getres(UNKNOWN_CLOCK, &time));
  print_kv_i64("nanosleep(tv_nsec=1e9)", sys_nanosleep(&too_many_nanoseconds, NULL));
  print_kv_i64("nanosleep(tv_sec=-1)", sys_nanosleep(&negative, NULL));
  print_kv_i64("clock_gettime(bad pointer)", sys_clock_gettime(RT_CLOCK_MONOTONIC, (struct rt_timespec *)8));
  print_kv_i64("nanosleep(bad pointer)", sys_nanosleep((struct rt_timespec *)8, NULL));
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  check_monotonic();
  check_resolution();
  check_wall_clock();
  check_errors();
  return failures;
}

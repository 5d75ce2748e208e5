/*
 * futex(2) directly, compared against native Linux: the error codes
 * (EINVAL misaligned or empty bitset, EFAULT, EAGAIN, ETIMEDOUT relative
 * and absolute on both clocks), wake counts, bitset selection, REQUEUE and
 * CMP_REQUEUE moving waiters between words, WAKE_OP's arithmetic and
 * comparison, a shared futex between processes in a MAP_SHARED page, and
 * signals: a timed wait returns EINTR after a handler, an untimed one
 * restarts under SA_RESTART and returns EINTR without it. Waiters are
 * counted by waking in a loop until all are found, so the output does not
 * depend on timing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* <linux/futex.h> (musl-gcc has no kernel headers). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5
#define FUTEX_OP(op, oparg, cmp, cmparg) \
  ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static long futex(volatile uint32_t *word, int op, uint32_t value, const void *timeout_or_val2,
                  volatile uint32_t *word2, uint32_t value3) {
  long r = syscall(SYS_futex, word, op, value, timeout_or_val2, word2, value3);
  return r < 0 ? -errno : r;
}

static const char *name(long r) {
  static char buffer[32];
  switch (r) {
    case -EINVAL: return "EINVAL";
    case -EFAULT: return "EFAULT";
    case -EAGAIN: return "EAGAIN";
    case -ETIMEDOUT: return "ETIMEDOUT";
    case -EINTR: return "EINTR";
    case -ENOSYS: return "ENOSYS";
    default: snprintf(buffer, sizeof buffer, "%ld", r); return buffer;
  }
}

#define PRIVATE(op) ((op) | FUTEX_PRIVATE_FLAG)

/* ---- waiters in threads ---- */

static volatile uint32_t word1, word2;
static volatile int done_count;
static volatile int woke_with[4];

struct waiter {
  int index;
  volatile uint32_t *word;
  uint32_t bitset;
};

static void *wait_on(void *arg) {
  struct waiter *w = arg;
  long r = futex(w->word, PRIVATE(FUTEX_WAIT_BITSET), 0, NULL, NULL, w->bitset);
  woke_with[w->index] = (int)r + 1000;
  __atomic_add_fetch(&done_count, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

/* Wakes `word` `per_call` at a time until `total` waiters were found; returns the calls' sum. */
static long wake_all_of(volatile uint32_t *word, int op, int total, uint32_t bitset) {
  long woken = 0;
  while (woken < total) {
    long r = futex(word, op, 1, NULL, NULL, bitset);
    if (r < 0) return r;
    woken += r;
    if (r == 0) sched_yield();
  }
  return woken;
}

/* ---- signals ---- */

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) {
  (void)sig;
  alarms++;
}

static volatile uint32_t restart_word;
static void *late_waker(void *arg) {
  (void)arg;
  while (alarms == 0) sched_yield();
  /* The waiter is back in its (restarted) wait or about to be: wake until found. */
  long woken = 0;
  while (woken == 0) {
    woken = futex(&restart_word, PRIVATE(FUTEX_WAKE), 1, NULL, NULL, 0);
    if (woken == 0) sched_yield();
  }
  return NULL;
}

static void arm_alarm_ms(int ms) {
  struct itimerval timer = {{0, 0}, {0, ms * 1000}};
  setitimer(ITIMER_REAL, &timer, NULL);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  static uint32_t aligned[2];
  char *bytes = (char *)aligned;
  struct timespec ten_ms = {0, 10 * 1000 * 1000};

  printf("misaligned: %s\n", name(futex((uint32_t *)(bytes + 1), FUTEX_WAIT, 0, NULL, NULL, 0)));
  printf("unmapped: %s\n", name(futex((uint32_t *)8, FUTEX_WAIT, 0, NULL, NULL, 0)));
  aligned[0] = 5;
  printf("value differs: %s\n", name(futex(&aligned[0], PRIVATE(FUTEX_WAIT), 4, NULL, NULL, 0)));
  printf("relative timeout: %s\n", name(futex(&aligned[0], PRIVATE(FUTEX_WAIT), 5, &ten_ms, NULL, 0)));
  printf("empty bitset: %s\n", name(futex(&aligned[0], PRIVATE(FUTEX_WAIT_BITSET), 5, NULL, NULL, 0)));
  printf("empty wake bitset: %s\n", name(futex(&aligned[0], PRIVATE(FUTEX_WAKE_BITSET), 1, NULL, NULL, 0)));
  struct timespec now, past = {0, 0};
  clock_gettime(CLOCK_MONOTONIC, &now);
  now.tv_nsec += 5 * 1000 * 1000;
  if (now.tv_nsec >= 1000000000) now.tv_sec++, now.tv_nsec -= 1000000000;
  printf("absolute monotonic: %s\n",
         name(futex(&aligned[0], PRIVATE(FUTEX_WAIT_BITSET), 5, &now, NULL, FUTEX_BITSET_MATCH_ANY)));
  printf("absolute realtime in the past: %s\n",
         name(futex(&aligned[0], PRIVATE(FUTEX_WAIT_BITSET) | FUTEX_CLOCK_REALTIME, 5, &past, NULL,
                    FUTEX_BITSET_MATCH_ANY)));
  printf("realtime flag with wake: %s\n",
         name(futex(&aligned[0], FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0)));
  struct timespec bad = {0, 1000000000};
  printf("bad timespec: %s\n", name(futex(&aligned[0], PRIVATE(FUTEX_WAIT), 5, &bad, NULL, 0)));
  printf("wake nobody: %s\n", name(futex(&aligned[0], PRIVATE(FUTEX_WAKE), 10, NULL, NULL, 0)));

  /* Three waiters, found by waking one at a time. */
  pthread_t threads[4];
  struct waiter waiters[4];
  for (int i = 0; i < 3; i++) {
    waiters[i] = (struct waiter){i, &word1, FUTEX_BITSET_MATCH_ANY};
    pthread_create(&threads[i], NULL, wait_on, &waiters[i]);
  }
  printf("woke one at a time: %ld\n", wake_all_of(&word1, PRIVATE(FUTEX_WAKE), 3, 0));
  for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
  printf("each returned: %d %d %d\n", woke_with[0] - 1000, woke_with[1] - 1000, woke_with[2] - 1000);

  /* Bitsets: a wake for bit 2 passes over the bit-1 waiter. */
  done_count = 0;
  waiters[0] = (struct waiter){0, &word1, 1};
  waiters[1] = (struct waiter){1, &word1, 2};
  pthread_create(&threads[0], NULL, wait_on, &waiters[0]);
  pthread_create(&threads[1], NULL, wait_on, &waiters[1]);
  printf("wake bitset 2: %ld\n", wake_all_of(&word1, PRIVATE(FUTEX_WAKE_BITSET), 1, 2));
  pthread_join(threads[1], NULL);
  printf("bit-1 waiter still waiting: %d\n", done_count == 1);
  printf("wake bitset 3: %ld\n", wake_all_of(&word1, PRIVATE(FUTEX_WAKE_BITSET), 1, 3));
  pthread_join(threads[0], NULL);

  /* Requeue: three waiters on word1 move to word2, then wake there. */
  long moved = 0;
  for (int i = 0; i < 3; i++) {
    waiters[i] = (struct waiter){i, &word1, FUTEX_BITSET_MATCH_ANY};
    pthread_create(&threads[i], NULL, wait_on, &waiters[i]);
  }
  printf("cmp_requeue with a stale value: %s\n",
         name(futex(&word1, PRIVATE(FUTEX_CMP_REQUEUE), 0, (void *)(uintptr_t)INT_MAX, &word2, 1)));
  while (moved < 3) {
    long r = futex(&word1, PRIVATE(FUTEX_CMP_REQUEUE), 0, (void *)(uintptr_t)INT_MAX, &word2, 0);
    if (r < 0) {
      printf("cmp_requeue: %s\n", name(r));
      break;
    }
    moved += r;
    if (r == 0) sched_yield();
  }
  printf("requeued: %ld\n", moved);
  printf("wake on the old word: %ld\n", futex(&word1, PRIVATE(FUTEX_WAKE), INT_MAX, NULL, NULL, 0));
  printf("wake on the new word: %ld\n", wake_all_of(&word2, PRIVATE(FUTEX_WAKE), 3, 0));
  for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
  /* FUTEX_REQUEUE (no comparison): wake one, move the other. */
  for (int i = 0; i < 2; i++) {
    waiters[i] = (struct waiter){i, &word1, FUTEX_BITSET_MATCH_ANY};
    pthread_create(&threads[i], NULL, wait_on, &waiters[i]);
  }
  long handled = 0, woken_by_requeue = 0;
  while (handled < 2) {
    long r = futex(&word1, PRIVATE(FUTEX_REQUEUE), woken_by_requeue == 0 ? 1 : 0, (void *)1, &word2, 0);
    if (r < 0) break;
    if (r > 0 && woken_by_requeue == 0) woken_by_requeue = 1;
    handled += r;
    if (r == 0) sched_yield();
  }
  printf("requeue handled %ld, then woke on the new word %ld\n", handled,
         wake_all_of(&word2, PRIVATE(FUTEX_WAKE), 1, 0));
  for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
  printf("requeue onto itself: %ld\n", futex(&word1, PRIVATE(FUTEX_REQUEUE), 1, (void *)1, &word1, 0));

  /* WAKE_OP: the operation on word2, then the comparison on its old value. */
  word2 = 5;
  long r = futex(&word1, PRIVATE(FUTEX_WAKE_OP), 1, (void *)1, &word2,
                 FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5));
  printf("wake_op add: %ld, word2 %u\n", r, word2);
  r = futex(&word1, PRIVATE(FUTEX_WAKE_OP), 1, (void *)1, &word2,
            FUTEX_OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_GT, 100));
  printf("wake_op or 1<<4: %ld, word2 %u\n", r, word2);
  r = futex(&word1, PRIVATE(FUTEX_WAKE_OP), 1, (void *)1, &word2, FUTEX_OP(FUTEX_OP_ANDN, 8, FUTEX_OP_CMP_LT, 0));
  printf("wake_op andn 8: %ld, word2 %u\n", r, word2);
  r = futex(&word1, PRIVATE(FUTEX_WAKE_OP), 1, (void *)1, &word2, FUTEX_OP(FUTEX_OP_XOR, 0xfff, FUTEX_OP_CMP_NE, 0));
  printf("wake_op xor -1: %ld, word2 %u\n", r, word2);
  r = futex(&word1, PRIVATE(FUTEX_WAKE_OP), 1, (void *)1, &word2, (7u << 28));
  printf("wake_op unknown op: %s\n", name(r));
  /* A waiter on word2 woken by the comparison. */
  word2 = 0;
  waiters[0] = (struct waiter){0, &word2, FUTEX_BITSET_MATCH_ANY};
  pthread_create(&threads[0], NULL, wait_on, &waiters[0]);
  long found = 0;
  while (found == 0) {
    /* SET word2 to 0 (the waiter's value), compare old == 0: wakes the word2 waiter. */
    found = futex(&word1, PRIVATE(FUTEX_WAKE_OP), 1, (void *)1, &word2, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0));
    if (found == 0) sched_yield();
  }
  pthread_join(threads[0], NULL);
  printf("wake_op woke the second word's waiter: %ld\n", found);

  /* A shared futex between processes: MAP_SHARED page, no private flag. */
  volatile uint32_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  *shared = 0;
  pid_t child = fork();
  if (child == 0) {
    long w = futex(shared, FUTEX_WAIT, 0, NULL, NULL, 0);
    _exit(w == 0 ? 0 : 1);
  }
  printf("shared wake across fork: %ld\n", wake_all_of(shared, FUTEX_WAKE, 1, 0));
  int status;
  waitpid(child, &status, 0);
  printf("child's wait returned 0: %d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* Signals: a timed wait returns EINTR after a handler, SA_RESTART or not. */
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  action.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &action, NULL);
  struct timespec long_wait = {5, 0};
  aligned[0] = 0;
  arm_alarm_ms(10);
  r = futex(&aligned[0], PRIVATE(FUTEX_WAIT), 0, &long_wait, NULL, 0);
  printf("timed wait, SA_RESTART handler: %s, alarms %d\n", name(r), (int)alarms);
  /* An untimed wait restarts under SA_RESTART: it returns only when woken. */
  alarms = 0;
  restart_word = 1;
  pthread_create(&threads[0], NULL, late_waker, NULL);
  arm_alarm_ms(10);
  r = futex(&restart_word, PRIVATE(FUTEX_WAIT), 1, NULL, NULL, 0);
  pthread_join(threads[0], NULL);
  printf("untimed wait, SA_RESTART handler: %s (alarms %d)\n", r == 0 ? "woken" : name(r),
         (int)alarms);
  action.sa_flags = 0;
  sigaction(SIGALRM, &action, NULL);
  alarms = 0;
  arm_alarm_ms(10);
  r = futex(&aligned[0], PRIVATE(FUTEX_WAIT), 0, NULL, NULL, 0);
  printf("untimed wait, plain handler: %s, alarms %d\n", name(r), (int)alarms);
  return 0;
}

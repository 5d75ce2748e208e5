/*
 * bench-futex: a futex ping-pong between two threads (one per CPU when
 * there are two): the word alternates 0 → 1 → 0; each side waits
 * (FUTEX_WAIT, private) while the word is not its turn, flips it, and
 * wakes the other (FUTEX_WAKE). N round trips. Prints "bench-futex N ok"
 * (exit 0) or a FAIL line (exit 1). Usage: bench-futex [N = 1000]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static volatile uint32_t word;
static long count;

static void wait_while(uint32_t value) {
  while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) == value)
    syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}

static void set_and_wake(uint32_t value) {
  __atomic_store_n(&word, value, __ATOMIC_RELEASE);
  syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *pong(void *arg) {
  (void)arg;
  for (long i = 0; i < count; i++) {
    wait_while(0);
    set_and_wake(0);
  }
  return NULL;
}

int main(int argc, char **argv) {
  count = argc > 1 ? atol(argv[1]) : 1000;
  pthread_t thread;
  if (pthread_create(&thread, NULL, pong, NULL) != 0) return 1;
  for (long i = 0; i < count; i++) {
    set_and_wake(1);
    wait_while(1);
  }
  pthread_join(thread, NULL);
  if (word != 0) {
    printf("bench-futex %ld FAIL word %u\n", count, word);
    return 1;
  }
  printf("bench-futex %ld ok\n", count);
  return 0;
}

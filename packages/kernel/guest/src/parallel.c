/*
 * parallel: a CPU-bound job split over N POSIX threads (argv[1], default
 * 2; argv[2] iterations per thread, default 2000000), the default
 * workload's multi-threaded program. Each thread runs its own
 * xorshift64 sequence and folds it into a checksum; the main thread joins
 * them in order and prints each checksum and their xor, which depend only
 * on the arguments — so the output is the same natively and on any
 * number of CPUs, while the threads really run at once where there are
 * CPUs for them.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS 16

struct job {
  uint64_t seed;
  long iterations;
  uint64_t checksum;
};

static void *work(void *argument) {
  struct job *job = argument;
  uint64_t x = job->seed, sum = 0;
  for (long i = 0; i < job->iterations; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    sum += x >> 11;
  }
  job->checksum = sum;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  long iterations = argc > 2 ? atol(argv[2]) : 2000000;
  if (threads < 1 || threads > MAX_THREADS || iterations < 0) {
    fprintf(stderr, "usage: parallel [threads 1-%d] [iterations]\n", MAX_THREADS);
    return 2;
  }
  pthread_t ids[MAX_THREADS];
  struct job jobs[MAX_THREADS];
  for (int i = 0; i < threads; i++) {
    jobs[i] = (struct job){.seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1), .iterations = iterations};
    if (pthread_create(&ids[i], NULL, work, &jobs[i]) != 0) {
      fprintf(stderr, "parallel: pthread_create failed\n");
      return 1;
    }
  }
  uint64_t all = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(ids[i], NULL);
    printf("thread %d: %016llx\n", i, (unsigned long long)jobs[i].checksum);
    all ^= jobs[i].checksum;
  }
  printf("%d threads x %ld iterations: %016llx\n", threads, iterations, (unsigned long long)all);
  return 0;
}

/*
 * musl pthreads, compared against native Linux: thread ids (getpid shared,
 * gettid distinct), join with return values, a mutex-protected counter, a
 * condition-variable producer/consumer, a barrier over rounds, thread-local
 * storage, a parallel sum split over two threads, a timed condition wait
 * that expires, pthread_kill to one thread and a process signal taken by
 * the one thread that does not block it, fork from a threaded process
 * (the child has one thread), execve from a second thread (the other
 * threads vanish, the caller takes the pid), and the end: the main thread
 * calls pthread_exit, the last thread calls exit(3). Prints only facts
 * that are the same on every run (threads print nothing concurrently).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

/* ---- ids and join ---- */

static pid_t main_pid, main_tid;

static void *ids(void *arg) {
  intptr_t n = (intptr_t)arg;
  int same_pid = getpid() == main_pid;
  int other_tid = gettid_() != main_tid && gettid_() > 0;
  return (void *)(intptr_t)(n * 100 + same_pid * 10 + other_tid);
}

/* ---- mutex ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add(void *arg) {
  long times = (long)(intptr_t)arg;
  for (long i = 0; i < times; i++) {
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

/* ---- condition variable: a bounded queue ---- */

#define SLOTS 4
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static int queue[SLOTS], head, tail, used;
static long consumed_sum, consumed_count;

static void *produce(void *arg) {
  int items = (int)(intptr_t)arg;
  for (int i = 1; i <= items; i++) {
    pthread_mutex_lock(&queue_lock);
    while (used == SLOTS) pthread_cond_wait(&not_full, &queue_lock);
    queue[tail] = i;
    tail = (tail + 1) % SLOTS;
    used++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&queue_lock);
  }
  return NULL;
}

static void *consume(void *arg) {
  int items = (int)(intptr_t)arg;
  for (int i = 0; i < items; i++) {
    pthread_mutex_lock(&queue_lock);
    while (used == 0) pthread_cond_wait(&not_empty, &queue_lock);
    consumed_sum += queue[head];
    consumed_count++;
    head = (head + 1) % SLOTS;
    used--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&queue_lock);
  }
  return NULL;
}

/* ---- barrier ---- */

#define BARRIER_THREADS 4
#define ROUNDS 50
static pthread_barrier_t barrier;
static int arrived[ROUNDS];
static int barrier_errors, serial_count;
static pthread_mutex_t arrived_lock = PTHREAD_MUTEX_INITIALIZER;

static void *barrier_worker(void *arg) {
  (void)arg;
  for (int round = 0; round < ROUNDS; round++) {
    pthread_mutex_lock(&arrived_lock);
    arrived[round]++;
    pthread_mutex_unlock(&arrived_lock);
    int r = pthread_barrier_wait(&barrier);
    if (r == PTHREAD_BARRIER_SERIAL_THREAD) {
      pthread_mutex_lock(&arrived_lock);
      serial_count++;
      pthread_mutex_unlock(&arrived_lock);
    } else if (r != 0)
      barrier_errors++;
    /* Everyone arrived before anyone left. */
    pthread_mutex_lock(&arrived_lock);
    if (arrived[round] != BARRIER_THREADS) barrier_errors++;
    pthread_mutex_unlock(&arrived_lock);
  }
  return NULL;
}

/* ---- thread-local storage ---- */

static __thread long tls_value = 7;
static __thread char tls_name[16];

static void *tls_worker(void *arg) {
  long n = (long)(intptr_t)arg;
  int fresh = tls_value == 7 && tls_name[0] == 0;
  tls_value = n * 1000;
  snprintf(tls_name, sizeof tls_name, "thread-%ld", n);
  for (int i = 0; i < 1000; i++) sched_yield();
  int kept = tls_value == n * 1000 && strcmp(tls_name, "thread-") > 0 && tls_name[7] == (char)('0' + n);
  return (void *)(intptr_t)(fresh && kept);
}

/* ---- parallel sum ---- */

#define SUM_N 3000000L
struct range {
  long from, to;
  unsigned long long sum;
};

static void *sum_range(void *arg) {
  struct range *r = arg;
  unsigned long long sum = 0;
  for (long i = r->from; i < r->to; i++) sum += (unsigned long long)i * (unsigned long long)(i & 7);
  r->sum = sum;
  return NULL;
}

/* ---- signals to threads ---- */

static volatile pid_t usr1_tid, usr2_tid;

static void on_usr1(int sig) {
  (void)sig;
  usr1_tid = gettid_();
}

static void on_usr2(int sig) {
  (void)sig;
  usr2_tid = gettid_();
}

static pthread_mutex_t signal_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t signal_cond = PTHREAD_COND_INITIALIZER;
static int signal_phase;
static volatile pid_t receiver_tid;

static void *receiver(void *arg) {
  (void)arg;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  receiver_tid = gettid_();
  pthread_mutex_lock(&signal_lock);
  signal_phase = 1;
  pthread_cond_broadcast(&signal_cond);
  while (signal_phase != 2) pthread_cond_wait(&signal_cond, &signal_lock);
  pthread_mutex_unlock(&signal_lock);
  /* SIGUSR2 was sent to the process: only this thread can take it. */
  while (usr2_tid == 0) sched_yield();
  return NULL;
}

/* ---- execve from a second thread ---- */

static char *self_path;

static void *exec_worker(void *arg) {
  (void)arg;
  char *argv[] = {self_path, "after-exec", NULL};
  char *envp[] = {NULL};
  execve(self_path, argv, envp);
  printf("execve failed: %s\n", strerror(errno));
  exit(1);
}

static void *sleeper(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

/* ---- the end ---- */

static void *last_thread(void *arg) {
  pthread_t main_thread = *(pthread_t *)arg;
  /* The main thread has called pthread_exit: joining it tells when it is gone. */
  void *result;
  int joined = pthread_join(main_thread, &result);
  printf("last thread: joined main %d, pid same %d\n", joined, getpid() == main_pid);
  fflush(stdout);
  exit(3);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc > 1 && strcmp(argv[1], "parallel") == 0) {
    /* Not part of the recorded run (the ratio depends on the host): CPU time over elapsed time of
       two threads summing at once — about 2 when they really run on two CPUs at the same time. */
    struct range halves[2] = {{0, SUM_N, 0}, {SUM_N, 2 * SUM_N, 0}};
    struct timespec cpu0, cpu1, wall0, wall1;
    pthread_t workers[2];
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
    clock_gettime(CLOCK_MONOTONIC, &wall0);
    for (int i = 0; i < 2; i++) pthread_create(&workers[i], NULL, sum_range, &halves[i]);
    for (int i = 0; i < 2; i++) pthread_join(workers[i], NULL);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
    clock_gettime(CLOCK_MONOTONIC, &wall1);
    /* Integer arithmetic: the x87/SSE floating point of the CPU is the next issue's work. */
    long long cpu = (cpu1.tv_sec - cpu0.tv_sec) * 1000000000LL + (cpu1.tv_nsec - cpu0.tv_nsec);
    long long wall = (wall1.tv_sec - wall0.tv_sec) * 1000000000LL + (wall1.tv_nsec - wall0.tv_nsec);
    printf("parallel: cpu/elapsed x100 = %lld\n", wall > 0 ? cpu * 100 / wall : -1);
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "after-exec") == 0) {
    printf("after exec: pid %s tid, one thread\n", getpid() == gettid_() ? "==" : "!=");
    return 0;
  }
  self_path = argv[0];
  main_pid = getpid();
  main_tid = gettid_();
  printf("main: pid %s tid\n", main_pid == main_tid ? "==" : "!=");

  pthread_t threads[8];
  for (intptr_t i = 0; i < 4; i++) pthread_create(&threads[i], NULL, ids, (void *)i);
  for (int i = 0; i < 4; i++) {
    void *result;
    int r = pthread_join(threads[i], &result);
    printf("join %d: %d result %ld\n", i, r, (long)(intptr_t)result);
  }

  for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, add, (void *)(intptr_t)20000);
  for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
  printf("mutex counter %ld (expect 80000)\n", counter);

  pthread_create(&threads[0], NULL, produce, (void *)(intptr_t)5000);
  pthread_create(&threads[1], NULL, consume, (void *)(intptr_t)2500);
  pthread_create(&threads[2], NULL, consume, (void *)(intptr_t)2500);
  for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
  printf("condvar consumed %ld items, sum %ld (expect 12502500)\n", consumed_count, consumed_sum);

  pthread_barrier_init(&barrier, NULL, BARRIER_THREADS);
  for (int i = 0; i < BARRIER_THREADS; i++) pthread_create(&threads[i], NULL, barrier_worker, NULL);
  for (int i = 0; i < BARRIER_THREADS; i++) pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&barrier);
  printf("barrier: %d rounds, %d serial, %d errors\n", ROUNDS, serial_count, barrier_errors);

  int tls_ok = 1;
  for (intptr_t i = 0; i < 3; i++) pthread_create(&threads[i], NULL, tls_worker, (void *)(i + 1));
  for (int i = 0; i < 3; i++) {
    void *result;
    pthread_join(threads[i], &result);
    tls_ok &= (int)(intptr_t)result;
  }
  printf("tls: threads kept their own %d, main's untouched %d\n", tls_ok, tls_value == 7);

  struct range ranges[2] = {{0, SUM_N / 2, 0}, {SUM_N / 2, SUM_N, 0}};
  for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, sum_range, &ranges[i]);
  for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
  unsigned long long serial = 0;
  for (long i = 0; i < SUM_N; i++) serial += (unsigned long long)i * (unsigned long long)(i & 7);
  printf("parallel sum %llu, serial %llu, equal %d\n", ranges[0].sum + ranges[1].sum, serial,
         ranges[0].sum + ranges[1].sum == serial);

  pthread_mutex_t timed_lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t never = PTHREAD_COND_INITIALIZER;
  struct timespec before, deadline, after;
  clock_gettime(CLOCK_REALTIME, &before);
  deadline = before;
  deadline.tv_nsec += 20 * 1000 * 1000;
  if (deadline.tv_nsec >= 1000000000) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&timed_lock);
  int timed = pthread_cond_timedwait(&never, &timed_lock, &deadline);
  pthread_mutex_unlock(&timed_lock);
  clock_gettime(CLOCK_REALTIME, &after);
  long waited_ms = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
  printf("timedwait: %s, waited at least 20 ms %d\n", timed == ETIMEDOUT ? "ETIMEDOUT" : strerror(timed),
         waited_ms >= 20);

  signal(SIGUSR1, on_usr1);
  signal(SIGUSR2, on_usr2);
  sigset_t block2;
  sigemptyset(&block2);
  sigaddset(&block2, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &block2, NULL); /* inherited by the receiver, which unblocks it */
  pthread_create(&threads[0], NULL, receiver, NULL);
  pthread_mutex_lock(&signal_lock);
  while (signal_phase != 1) pthread_cond_wait(&signal_cond, &signal_lock);
  pthread_mutex_unlock(&signal_lock);
  pthread_kill(threads[0], SIGUSR1);
  while (usr1_tid == 0) sched_yield();
  kill(getpid(), SIGUSR2);
  pthread_mutex_lock(&signal_lock);
  signal_phase = 2;
  pthread_cond_broadcast(&signal_cond);
  pthread_mutex_unlock(&signal_lock);
  pthread_join(threads[0], NULL);
  printf("pthread_kill reached the thread %d; process SIGUSR2 taken by the unblocked thread %d\n",
         usr1_tid == receiver_tid, usr2_tid == receiver_tid);
  pthread_sigmask(SIG_UNBLOCK, &block2, NULL);

  pthread_create(&threads[0], NULL, sleeper, NULL);
  pid_t child = fork();
  if (child == 0) {
    /* One thread here: the sleeper stayed in the parent. */
    printf("fork child: pid %s tid\n", getpid() == gettid_() ? "==" : "!=");
    fflush(stdout);
    _exit(5);
  }
  int status;
  waitpid(child, &status, 0);
  printf("fork child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  child = fork();
  if (child == 0) {
    /* A threaded process (a sleeper and an exec'ing thread) execs from its second thread. */
    pthread_t s, e;
    pthread_create(&s, NULL, sleeper, NULL);
    pthread_create(&e, NULL, exec_worker, NULL);
    for (;;) pause();
  }
  waitpid(child, &status, 0);
  printf("exec child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  pthread_t self = pthread_self();
  pthread_t last;
  pthread_create(&last, NULL, last_thread, &self);
  pthread_exit(NULL);
}

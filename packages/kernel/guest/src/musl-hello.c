/*
 * musl-hello: a static musl program's start-up and exit path: musl's
 * _start and __libc_start_main (initial stack, auxv, TLS setup with
 * arch_prctl, stdio initialisation), printf and puts through stdout's
 * buffer, and exit(0) flushing it.
 */
#include <stdio.h>

int main(void) {
  printf("hello, %s %d\n", "musl", 42);
  puts("puts adds a newline");
  return 0;
}

/*
 * xmm-switch: every process keeps its own XMM registers across context
 * switches (the kernel switches them lazily: CR0.TS and #NM).
 *
 * A parent and a forked child each load XMM0–XMM7 with values of their
 * own, call sched_yield (on one CPU the other process runs in between and
 * loads its own values), read the registers back and compare, many times
 * over. Prints "xmm-switch N ok" (exit 0) when neither process ever saw a
 * value it did not write, else a FAIL line (exit 1).
 * Usage: xmm-switch [N = 1000]
 */
#include "bench.h"

/* Loads XMM0..7 with base+0..7, yields, stores them to out[0..7]. */
static void load_yield_store(u64 base, u64 *out) {
  __asm__ volatile(
      "movq %[b], %%xmm0\n\t"
      "lea 1(%[b]), %%rax\n\t movq %%rax, %%xmm1\n\t"
      "lea 2(%[b]), %%rax\n\t movq %%rax, %%xmm2\n\t"
      "lea 3(%[b]), %%rax\n\t movq %%rax, %%xmm3\n\t"
      "lea 4(%[b]), %%rax\n\t movq %%rax, %%xmm4\n\t"
      "lea 5(%[b]), %%rax\n\t movq %%rax, %%xmm5\n\t"
      "lea 6(%[b]), %%rax\n\t movq %%rax, %%xmm6\n\t"
      "lea 7(%[b]), %%rax\n\t movq %%rax, %%xmm7\n\t"
      "mov $24, %%eax\n\t syscall\n\t"
      "movq %%xmm0, 0(%[o])\n\t movq %%xmm1, 8(%[o])\n\t movq %%xmm2, 16(%[o])\n\t movq %%xmm3, 24(%[o])\n\t"
      "movq %%xmm4, 32(%[o])\n\t movq %%xmm5, 40(%[o])\n\t movq %%xmm6, 48(%[o])\n\t movq %%xmm7, 56(%[o])\n\t"
      :
      : [b] "r"(base), [o] "r"(out)
      : "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
}

/* 0 when every round read back what it wrote, else the first bad round + 1. */
static u64 rounds(u64 seed, u64 count) {
  u64 out[8];
  for (u64 round = 0; round < count; round++) {
    u64 base = seed + round * 16;
    load_yield_store(base, out);
    for (int i = 0; i < 8; i++)
      if (out[i] != base + (u64)i) return round + 1;
  }
  return 0;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 count = bench_count(argc, argv);
  long child = fork_flushed();
  if (child < 0) return bench_fail("xmm-switch", count, "fork", child);
  if (child == 0) child_exit(rounds(0x1111000000000000ULL, count) == 0 ? 0 : 1);
  u64 bad = rounds(0x2222000000000000ULL, count);
  int status = 0;
  if (sys_wait4(child, &status, 0) != child) return bench_fail("xmm-switch", count, "wait4", -1);
  if (bad != 0) return bench_fail("xmm-switch", count, "parent-round", (i64)bad);
  if (!wait_exited(status) || wait_exit_status(status) != 0) return bench_fail("xmm-switch", count, "child-status", status);
  return bench_ok("xmm-switch", count);
}

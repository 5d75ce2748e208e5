/*
 * control: calls, recursion and indirect control flow.
 *
 * Exercises deep and mutual recursion (Ackermann, Fibonacci, Hanoi), a dense
 * switch gcc compiles to a jump table, calls through function-pointer tables,
 * a threaded bytecode interpreter using computed goto (indirect jmp), and
 * three comparison sorts (quicksort, heapsort, insertion sort) written here
 * and driven through a comparator function pointer.
 * Usage: control [sort size, default 2000]
 * Exit status: 7 when every check passes (a deliberate non-zero status, to
 * test exit-status propagation), else 100 + the number of failed checks.
 */
#include "rt.h"

static u64 ackermann(u64 m, u64 n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

static u64 fibonacci(u64 n) { return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2); }

static u64 hanoi_moves;
static void hanoi(int disks, int from, int to, int via) {
  if (disks == 0) return;
  hanoi(disks - 1, from, via, to);
  hanoi_moves += (u64)(from * 3 + to);
  hanoi(disks - 1, via, to, from);
}

static int is_odd(u64 n);
static int is_even(u64 n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(u64 n) { return n == 0 ? 0 : is_even(n - 1); }

/* Dense cases 0..15: a jump table at every optimisation level gcc uses one. */
__attribute__((noinline)) static u64 dispatch(u64 selector, u64 x) {
  switch (selector & 15) {
    case 0: return x + 1;
    case 1: return x * 3;
    case 2: return x ^ 0x5555;
    case 3: return x >> 3;
    case 4: return x << 2;
    case 5: return ~x;
    case 6: return x - 77;
    case 7: return x * x;
    case 8: return x | 0x1010;
    case 9: return x & 0xff00ff;
    case 10: return rotl64(x, 13);
    case 11: return x / 7;
    case 12: return x % 1000003;
    case 13: return x + (x >> 32);
    case 14: return (u64)__builtin_popcountll(x);
    default: return x ^ (x >> 7);
  }
}

static u64 op_add(u64 a, u64 b) { return a + b; }
static u64 op_sub(u64 a, u64 b) { return a - b; }
static u64 op_mul(u64 a, u64 b) { return a * b; }
static u64 op_xor(u64 a, u64 b) { return a ^ b; }
static u64 op_rot(u64 a, u64 b) { return rotl64(a, (unsigned)b); }
typedef u64 (*binary_op)(u64, u64);
static binary_op const operations[] = {op_add, op_sub, op_mul, op_xor, op_rot};

/* A stack machine over a tiny bytecode, dispatched with computed goto. */
enum { OP_PUSH, OP_ADD, OP_MUL, OP_DUP, OP_SWAP, OP_DEC_JNZ, OP_HALT };
static u64 run_bytecode(const u8 *code, u64 counter) {
  static void *const labels[] = {&&push, &&add, &&mul, &&dup, &&swap, &&dec_jnz, &&halt};
  u64 stack[16];
  int top = 0;
  const u8 *pc = code;
#define NEXT goto *labels[*pc++]
  NEXT;
push:
  stack[top++] = *pc++;
  NEXT;
add:
  top--;
  stack[top - 1] += stack[top];
  NEXT;
mul:
  top--;
  stack[top - 1] = stack[top - 1] * stack[top] + 1;
  NEXT;
dup:
  stack[top] = stack[top - 1];
  top++;
  NEXT;
swap: {
  u64 t = stack[top - 1];
  stack[top - 1] = stack[top - 2];
  stack[top - 2] = t;
  NEXT;
}
dec_jnz:
  if (--counter != 0) {
    pc = code + *pc;
  } else {
    pc++;
  }
  NEXT;
halt:
#undef NEXT
  return top > 0 ? stack[top - 1] : 0;
}

typedef int (*compare_fn)(const void *, const void *);
static u64 comparisons;
static int compare_u32(const void *a, const void *b) {
  comparisons++;
  u32 x = *(const u32 *)a, y = *(const u32 *)b;
  return x < y ? -1 : x > y;
}

static void swap_u32(u32 *a, u32 *b) {
  u32 t = *a;
  *a = *b;
  *b = t;
}

static void insertion_sort(u32 *v, usize n, compare_fn cmp) {
  for (usize i = 1; i < n; i++) {
    u32 key = v[i];
    usize j = i;
    while (j > 0 && cmp(&v[j - 1], &key) > 0) {
      v[j] = v[j - 1];
      j--;
    }
    v[j] = key;
  }
}

static void quick_sort(u32 *v, usize n, compare_fn cmp) {
  while (n > 16) {
    swap_u32(&v[n / 2], &v[n - 1]);
    usize store = 0;
    for (usize i = 0; i + 1 < n; i++) {
      if (cmp(&v[i], &v[n - 1]) < 0) swap_u32(&v[i], &v[store++]);
    }
    swap_u32(&v[store], &v[n - 1]);
    quick_sort(v, store, cmp);
    v += store + 1;
    n -= store + 1;
  }
  insertion_sort(v, n, cmp);
}

static void sift_down(u32 *v, usize root, usize n, compare_fn cmp) {
  for (usize child; (child = 2 * root + 1) < n; root = child) {
    if (child + 1 < n && cmp(&v[child], &v[child + 1]) < 0) child++;
    if (cmp(&v[root], &v[child]) >= 0) return;
    swap_u32(&v[root], &v[child]);
  }
}

static void heap_sort(u32 *v, usize n, compare_fn cmp) {
  for (usize i = n / 2; i > 0; i--) sift_down(v, i - 1, n, cmp);
  for (usize end = n; end > 1; end--) {
    swap_u32(&v[0], &v[end - 1]);
    sift_down(v, 0, end - 1, cmp);
  }
}

typedef void (*sort_fn)(u32 *, usize, compare_fn);
#define MAX_SORT 65536
static u32 values[MAX_SORT];

static int check_sort(const char *name, sort_fn sort, usize n) {
  u64 state = 0xc0ffee1234567UL, before = 0, after = 0;
  for (usize i = 0; i < n; i++) {
    values[i] = (u32)xorshift64(&state) % 100000u;
    before += values[i];
  }
  comparisons = 0;
  sort(values, n, compare_u32);
  int sorted = 1;
  for (usize i = 0; i < n; i++) {
    after += values[i];
    if (i > 0 && values[i - 1] > values[i]) sorted = 0;
  }
  print_str(name);
  print_str(" comparisons=");
  print_u64(comparisons);
  print_str(" median=");
  print_u64(n > 0 ? values[n / 2] : 0);
  print_char('\n');
  return print_check(name, sorted && before == after);
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  usize sort_size = (usize)arg_u64(argc, argv, 1, 2000);
  if (sort_size > MAX_SORT) sort_size = MAX_SORT;
  int failures = 0;
  failures += print_check("ackermann", ackermann(2, 3) == 9 && ackermann(3, 3) == 61);
  print_kv_u64("ackermann(3,5)", ackermann(3, 5));
  failures += print_check("fibonacci", fibonacci(20) == 6765);
  hanoi(12, 0, 2, 1);
  print_kv_u64("hanoi", hanoi_moves);
  failures += print_check("even-odd", is_even(1000) && is_odd(777) && !is_odd(64));

  u64 x = 12345, state = 0x1234567890abcdefUL;
  for (int i = 0; i < 100000; i++) x = dispatch(xorshift64(&state), x);
  print_kv_hex("switch", x);

  u64 y = 1;
  for (u64 i = 0; i < 50000; i++) y = operations[i % 5](y, i * 2654435761u);
  print_kv_hex("fnptr", y);

  static const u8 program[] = {OP_PUSH, 3, OP_DUP, OP_MUL, OP_PUSH, 5, OP_ADD, OP_DEC_JNZ, 2, OP_HALT};
  print_kv_hex("bytecode", run_bytecode(program, 1000));
  failures += print_check("bytecode", run_bytecode(program, 1) == 15);

  failures += check_sort("quicksort", quick_sort, sort_size);
  failures += check_sort("heapsort", heap_sort, sort_size);
  failures += check_sort("insertion", insertion_sort, sort_size < 3000 ? sort_size : 3000);
  print_kv_u64("failures", (u64)failures);
  return failures == 0 ? 7 : 100 + failures;
}

/*
 * musl-qsort: qsort (musl's smoothsort) and bsearch.
 *
 * Sorts 20000 xorshift-generated 32-bit integers, checks the order, finds
 * every 97th element and some absent keys with bsearch, sorts 200 strings
 * with strcmp, and a records array by two keys. Prints checksums and the
 * counts of misplaced elements and failed searches (both 0).
 * Exit status: 0 when everything was in order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT 20000
#define WORDS 200

static uint32_t numbers[COUNT];
static uint64_t rng = 88172645463325252u;

static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static int compare_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a;
  uint32_t y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct record {
  int group;
  int order;
};

static int compare_records(const void *a, const void *b) {
  const struct record *x = a;
  const struct record *y = b;
  if (x->group != y->group) return x->group - y->group;
  return y->order - x->order;
}

int main(void) {
  unsigned errors = 0;
  for (int i = 0; i < COUNT; i++) numbers[i] = (uint32_t)next();
  qsort(numbers, COUNT, sizeof numbers[0], compare_u32);
  uint64_t sum = 0;
  for (int i = 0; i < COUNT; i++) {
    if (i > 0 && numbers[i - 1] > numbers[i]) errors++;
    sum = sum * 31 + numbers[i];
  }
  printf("sorted %d numbers, misplaced %u, checksum %016llx\n", COUNT, errors, (unsigned long long)sum);
  printf("min %u max %u median %u\n", numbers[0], numbers[COUNT - 1], numbers[COUNT / 2]);

  unsigned found = 0;
  unsigned missed = 0;
  for (int i = 0; i < COUNT; i += 97) {
    uint32_t *hit = bsearch(&numbers[i], numbers, COUNT, sizeof numbers[0], compare_u32);
    if (hit != NULL && *hit == numbers[i]) {
      found++;
    } else {
      missed++;
    }
  }
  unsigned absent = 0;
  for (int i = 0; i + 1 < COUNT; i += 501) {
    uint32_t key = numbers[i] + 1;
    if (key != numbers[i + 1] && bsearch(&key, numbers, COUNT, sizeof numbers[0], compare_u32) == NULL) absent++;
  }
  printf("bsearch found %u, missed %u, absent keys not found %u\n", found, missed, absent);

  static char storage[WORDS][12];
  char *words[WORDS];
  for (int i = 0; i < WORDS; i++) {
    snprintf(storage[i], sizeof storage[i], "w%08x", (unsigned)(next() & 0xfffff));
    words[i] = storage[i];
  }
  qsort(words, WORDS, sizeof words[0], compare_strings);
  unsigned word_errors = 0;
  for (int i = 1; i < WORDS; i++) word_errors += strcmp(words[i - 1], words[i]) > 0;
  printf("strings: first %s last %s misplaced %u\n", words[0], words[WORDS - 1], word_errors);

  struct record records[64];
  for (int i = 0; i < 64; i++) records[i] = (struct record){(int)(next() % 5), i};
  qsort(records, 64, sizeof records[0], compare_records);
  printf("records:");
  for (int i = 0; i < 64; i += 8) printf(" %d/%d", records[i].group, records[i].order);
  printf("\n");
  return errors == 0 && missed == 0 && word_errors == 0 ? 0 : 1;
}

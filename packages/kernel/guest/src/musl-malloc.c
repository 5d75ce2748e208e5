/*
 * musl-malloc: musl's allocator (mallocng) over brk and mmap.
 *
 * 20000 deterministic (xorshift) operations on 512 slots: malloc of 1 byte
 * to 64 KiB, realloc growing and shrinking (contents kept up to the smaller
 * size), free; every block is filled with a pattern derived from its slot
 * and checked before it is freed or resized. Then calloc zero-fills, a few
 * large (1-8 MiB, mmap-backed) blocks, and malloc(0)/free(NULL).
 * Prints checksums of the data (never an address) and the count of
 * corrupted blocks, which must be 0.
 * Exit status: 0 when nothing was corrupted or failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define OPERATIONS 20000
#define MAX_SMALL (64 * 1024)

struct slot {
  unsigned char *data;
  size_t size;
  uint8_t seed;
};

static struct slot slots[SLOTS];
static uint64_t rng = 0x9e3779b97f4a7c15u;
static unsigned corrupted;
static unsigned failed;
static uint64_t checksum;

static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void fill(struct slot *slot, size_t from) {
  for (size_t i = from; i < slot->size; i++) slot->data[i] = (unsigned char)(slot->seed + i * 31);
}

/* Checks the first `length` bytes and adds them to the checksum. */
static void verify(const struct slot *slot, size_t length) {
  for (size_t i = 0; i < length; i++) {
    unsigned char expected = (unsigned char)(slot->seed + i * 31);
    if (slot->data[i] != expected) {
      corrupted++;
      return;
    }
  }
  checksum = checksum * 1000003u + length + slot->seed;
}

static size_t random_size(void) {
  uint64_t r = next();
  /* Mostly small, sometimes up to MAX_SMALL. */
  return (r & 7) == 0 ? 1 + (size_t)(r >> 8) % MAX_SMALL : 1 + (size_t)(r >> 8) % 512;
}

static void step(void) {
  struct slot *slot = &slots[next() % SLOTS];
  if (slot->data == NULL) {
    slot->size = random_size();
    slot->seed = (uint8_t)next();
    slot->data = malloc(slot->size);
    if (slot->data == NULL) {
      failed++;
      return;
    }
    fill(slot, 0);
  } else if (next() & 1) {
    size_t size = random_size();
    size_t kept = size < slot->size ? size : slot->size;
    verify(slot, slot->size);
    unsigned char *moved = realloc(slot->data, size);
    if (moved == NULL) {
      failed++;
      return;
    }
    slot->data = moved;
    slot->size = size;
    verify(slot, kept);
    fill(slot, kept);
  } else {
    verify(slot, slot->size);
    free(slot->data);
    slot->data = NULL;
  }
}

static void check_calloc_and_large(void) {
  unsigned zero = 1;
  for (int round = 0; round < 64; round++) {
    size_t count = 1 + (size_t)(next() % 4096);
    uint32_t *words = calloc(count, sizeof *words);
    if (words == NULL) {
      failed++;
      continue;
    }
    for (size_t i = 0; i < count; i++) zero &= words[i] == 0;
    memset(words, 0xff, count * sizeof *words);
    free(words);
  }
  printf("calloc zero-filled: %s\n", zero ? "yes" : "no");

  uint64_t large_sum = 0;
  for (size_t mib = 1; mib <= 8; mib *= 2) {
    size_t size = mib << 20;
    unsigned char *block = malloc(size);
    if (block == NULL) {
      failed++;
      continue;
    }
    for (size_t i = 0; i < size; i += 4096) block[i] = (unsigned char)(i >> 12);
    for (size_t i = 0; i < size; i += 4096) large_sum += block[i];
    block = realloc(block, size / 2);
    if (block == NULL) {
      failed++;
      continue;
    }
    for (size_t i = 0; i < size / 2; i += 4096) large_sum += block[i];
    free(block);
  }
  printf("large blocks sum: %llu\n", (unsigned long long)large_sum);

  void *empty = malloc(0);
  free(empty);
  free(NULL);
}

int main(void) {
  for (int i = 0; i < OPERATIONS; i++) step();
  size_t live = 0;
  for (int i = 0; i < SLOTS; i++) {
    if (slots[i].data == NULL) continue;
    live++;
    verify(&slots[i], slots[i].size);
    free(slots[i].data);
  }
  printf("operations: %d, live at end: %zu\n", OPERATIONS, live);
  printf("checksum: %016llx\n", (unsigned long long)checksum);
  check_calloc_and_large();
  printf("corrupted blocks: %u, failed allocations: %u\n", corrupted, failed);
  return corrupted == 0 && failed == 0 ? 0 : 1;
}

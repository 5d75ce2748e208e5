/*
 * crc32: CPU-bound benchmark, CRC-32 (IEEE 802.3, reflected polynomial
 * 0xEDB88320, as zlib computes it).
 *
 * A 256-entry table is built at start-up; each iteration checksums a 64 KiB
 * xorshift-filled buffer with the table-driven loop (loads, shifts, xors).
 * The bitwise form cross-checks the table on the standard test vector.
 * Usage: crc32 [iterations, default 256]
 * Exit status: 0 when both forms give 0xCBF43926 for "123456789", else 1.
 */
#include "rt.h"

#define POLYNOMIAL 0xedb88320u
#define BUFFER_SIZE 65536
static u32 table[256];
static u8 buffer[BUFFER_SIZE];

static void build_table(void) {
  for (u32 n = 0; n < 256; n++) {
    u32 c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? POLYNOMIAL ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
}

static u32 crc32_table(u32 crc, const u8 *data, usize len) {
  crc = ~crc;
  for (usize i = 0; i < len; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static u32 crc32_bitwise(u32 crc, const u8 *data, usize len) {
  crc = ~crc;
  for (usize i = 0; i < len; i++) {
    crc ^= data[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (POLYNOMIAL & (0u - (crc & 1)));
  }
  return ~crc;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 iterations = arg_u64(argc, argv, 1, 256);
  build_table();
  static const char vector[] = "123456789";
  u32 by_table = crc32_table(0, (const u8 *)vector, 9);
  u32 by_bits = crc32_bitwise(0, (const u8 *)vector, 9);
  print_kv_hex("crc-vector", by_table);
  int failed = print_check("crc-vector", by_table == 0xcbf43926u && by_bits == 0xcbf43926u);

  u64 state = 0x243f6a8885a308d3UL;
  for (usize i = 0; i < BUFFER_SIZE; i += 8) {
    u64 r = xorshift64(&state);
    memcpy(buffer + i, &r, 8);
  }
  u32 crc = 0;
  for (u64 i = 0; i < iterations; i++) {
    buffer[i % BUFFER_SIZE] ^= (u8)i;
    crc = crc32_table(crc, buffer, BUFFER_SIZE);
  }
  print_kv_u64("iterations", iterations);
  print_kv_u64("bytes", iterations * BUFFER_SIZE);
  print_kv_hex("crc", crc);
  return failed;
}

/*
 * musl-string: musl's string and memory routines (its x86-64 memcpy,
 * memmove and memset are assembly using rep movs/stos).
 *
 * strlen, strcmp/strncmp, strchr/strrchr, strstr, strspn/strcspn/strpbrk,
 * strcpy/strncpy/strcat/strncat, strtok, strdup, memchr, memcmp, and
 * memcpy/memmove (both overlap directions)/memset over many lengths and
 * alignments, compared against simple byte loops. Prints results and a
 * checksum; the mismatch count must be 0.
 * Exit status: 0 when every routine agreed with the reference loops.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AREA 512

static unsigned mismatches;
static unsigned char source[AREA];
static unsigned char actual[AREA];
static unsigned char reference[AREA];

static void reset(void) {
  for (int i = 0; i < AREA; i++) {
    source[i] = (unsigned char)(i * 7 + 3);
    actual[i] = reference[i] = (unsigned char)(i ^ 0x5a);
  }
}

static void compare(void) {
  if (memcmp(actual, reference, AREA) != 0) mismatches++;
}

static uint64_t checksum(const unsigned char *bytes, size_t length) {
  uint64_t hash = 1469598103934665603u;
  for (size_t i = 0; i < length; i++) hash = (hash ^ bytes[i]) * 1099511628211u;
  return hash;
}

static void check_memory_routines(void) {
  uint64_t sum = 0;
  for (size_t length = 0; length <= 300; length += (length < 40 ? 1 : 13)) {
    for (size_t align = 0; align < 16; align++) {
      reset();
      memcpy(actual + align, source + 3, length);
      for (size_t i = 0; i < length; i++) reference[align + i] = source[3 + i];
      compare();

      reset();
      memset(actual + align, (int)(length & 0xff), length);
      for (size_t i = 0; i < length; i++) reference[align + i] = (unsigned char)length;
      compare();

      size_t shift = 1 + align % 9;
      reset();
      memmove(actual + align + shift, actual + align, length);
      for (size_t i = length; i > 0; i--) reference[align + shift + i - 1] = reference[align + i - 1];
      compare();
      reset();
      memmove(actual + align, actual + align + shift, length);
      for (size_t i = 0; i < length; i++) reference[align + i] = reference[align + shift + i];
      compare();
      sum += checksum(actual, AREA);

      reset();
      memcpy(actual, source, AREA);
      if (length > 0 && length + align < AREA) {
        actual[align + length - 1] ^= 1;
        int sign = memcmp(actual + align, source + align, length);
        int expected = actual[align + length - 1] < source[align + length - 1] ? -1 : 1;
        if ((sign < 0 ? -1 : 1) != expected || memcmp(source + align, source + align, length) != 0) mismatches++;
        void *hit = memchr(source + align, source[align + length - 1], length);
        if (hit == NULL) mismatches++;
      }
    }
  }
  printf("memory routines checksum %016llx\n", (unsigned long long)sum);
}

static void check_string_routines(void) {
  const char *text = "the quick brown fox jumps over the lazy dog";
  printf("strlen %zu %zu\n", strlen(text), strlen(""));
  printf("strcmp %d %d %d\n", strcmp("abc", "abd") < 0, strcmp("abc", "abc") == 0, strcmp("b", "abc") > 0);
  printf("strncmp %d %d\n", strncmp("abcdef", "abcxyz", 3) == 0, strncmp("abcdef", "abcxyz", 4) < 0);
  printf("strchr [%s] strrchr [%s]\n", strchr(text, 'o'), strrchr(text, 'o'));
  printf("strstr [%s] [%s] %d\n", strstr(text, "over"), strstr(text, ""), strstr(text, "cat") == NULL);
  printf("strspn %zu strcspn %zu strpbrk [%s]\n", strspn(text, "the "), strcspn(text, "xyz"), strpbrk(text, "xz"));

  char buffer[64];
  strcpy(buffer, "left");
  strcat(buffer, "+right");
  /* Through a volatile pointer: gcc would reject the deliberate truncation of a literal. */
  const char *volatile more = "+more-ignored";
  strncat(buffer, more, 5);
  printf("strcpy/strcat [%s]\n", buffer);
  memset(buffer, 'X', sizeof buffer);
  strncpy(buffer, "pad", 6);
  printf("strncpy pads %d %d %d\n", buffer[3] == 0, buffer[5] == 0, buffer[6] == 'X');

  char tokens[] = "a,b,,c;d";
  printf("strtok:");
  for (char *token = strtok(tokens, ",;"); token != NULL; token = strtok(NULL, ",;")) printf(" [%s]", token);
  printf("\n");

  char *copy = strdup(text);
  for (char *p = copy; *p != '\0'; p++) *p = (char)toupper((unsigned char)*p);
  printf("strdup+toupper [%s] equal-ignoring-case %d\n", copy, strcasecmp(copy, text) == 0);
  free(copy);
}

int main(void) {
  check_memory_routines();
  check_string_routines();
  printf("mismatches %u\n", mismatches);
  return mismatches == 0 ? 0 : 1;
}

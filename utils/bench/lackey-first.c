/* lackey-first: reduces valgrind lackey's --trace-mem=yes log to the first
 * execution of each instruction, in the order they first ran.
 *
 * A CPU-bound run of a second logs billions of lines (every instruction and
 * every data access), far more than a disk holds or trace-oracle.py reads
 * in a day. The oracle only needs, per instruction, whether it ran and the
 * order in which functions first ran; both survive keeping the first "I"
 * line of each (address, size) and dropping the rest. Reads the log on
 * stdin (a pipe from valgrind --log-file=FIFO), writes the kept lines in
 * lackey's own format on stdout, so trace-oracle.py reads them unchanged.
 * Usage: lackey-first < FIFO > LOGDIR/PID */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Open addressing on (address << 8 | size); 0 is the empty slot. */
static uint64_t *table;
static size_t mask = (1u << 20) - 1, used;

static int insert(uint64_t key) {
  size_t i = (key * 0x9e3779b97f4a7c15ull) >> 20 & mask;
  while (table[i]) {
    if (table[i] == key)
      return 0;
    i = (i + 1) & mask;
  }
  table[i] = key;
  if (++used * 2 > mask) { /* keep the load under a half: grow and rehash */
    uint64_t *old = table;
    size_t oldSize = mask + 1;
    mask = mask * 2 + 1;
    table = calloc(mask + 1, sizeof *table);
    if (!table)
      exit(2);
    for (size_t j = 0; j < oldSize; ++j)
      if (old[j]) {
        size_t k = (old[j] * 0x9e3779b97f4a7c15ull) >> 20 & mask;
        while (table[k])
          k = (k + 1) & mask;
        table[k] = old[j];
      }
    free(old);
  }
  return 1;
}

int main(void) {
  char line[256];
  table = calloc(mask + 1, sizeof *table);
  if (!table)
    return 2;
  while (fgets(line, sizeof line, stdin)) {
    if (line[0] != 'I' || line[1] != ' ' || line[2] != ' ')
      continue; /* data accesses and valgrind's own messages */
    char *end;
    uint64_t addr = strtoull(line + 3, &end, 16);
    if (*end != ',')
      continue;
    uint64_t size = strtoull(end + 1, NULL, 10); /* lackey: "%lu" */
    if (insert(addr << 8 | (size & 0xff)))
      fputs(line, stdout);
  }
  return ferror(stdout) ? 1 : 0;
}

/* Multiply two pseudo-random N x N integer matrices and print a checksum of the product.
 * The dataset file holds "N SEED". With -DXOPENME the kernel is timed through the xOpenME API
 * and the checksum is recorded in tmp-ck-timer.json, as cBench programs do. */
#include <stdio.h>
#include <stdlib.h>
#ifdef XOPENME
#include <xopenme.h>
#endif
#include "lcg.h"

int main(int argc, char **argv) {
  unsigned n = 0, seed = 0, i, j, k, r, repeat = 1;
  unsigned long long checksum = 0;
  const char *env_repeat = getenv("CT_REPEAT_MAIN");
  FILE *in, *out;
  if (argc < 3) { fprintf(stderr, "usage: %s DATASET OUTPUT\n", argv[0]); return 2; }
  in = fopen(argv[1], "r");
  if (!in || fscanf(in, "%u %u", &n, &seed) != 2 || n == 0 || n > 2048) {
    fprintf(stderr, "cannot read 'N SEED' from %s\n", argv[1]);
    return 3;
  }
  fclose(in);
  if (env_repeat) repeat = (unsigned)atoi(env_repeat);
  unsigned *a = malloc(sizeof(unsigned) * n * n), *b = malloc(sizeof(unsigned) * n * n);
  unsigned long long *c = malloc(sizeof(unsigned long long) * n * n);
  if (!a || !b || !c) { fprintf(stderr, "out of memory\n"); return 4; }
  lcg_fill(a, n * n, seed);
  lcg_fill(b, n * n, seed + 1);
#ifdef XOPENME
  xopenme_init(1, 1);
  xopenme_clock_start(0);
#endif
  for (r = 0; r < repeat; r++)
    for (i = 0; i < n; i++)
      for (j = 0; j < n; j++) {
        unsigned long long s = 0;
        for (k = 0; k < n; k++) s += (unsigned long long)a[i * n + k] * b[k * n + j];
        c[i * n + j] = s;
      }
#ifdef XOPENME
  xopenme_clock_end(0);
#endif
  for (i = 0; i < n * n; i++) checksum = (checksum * 31 + c[i]) % 1000000007ULL;
  out = fopen(argv[2], "w");
  if (!out) { fprintf(stderr, "cannot write %s\n", argv[2]); return 5; }
  fprintf(out, "n=%u seed=%u checksum=%llu\n", n, seed, checksum);
  fclose(out);
  printf("multiplied %ux%u matrices %u time(s)\n", n, n, repeat);
#ifdef XOPENME
  xopenme_add_var_i(0, "  \"checksum\":%d", (int)checksum);
  xopenme_dump_state();
  xopenme_finish();
#endif
  free(a); free(b); free(c);
  return 0;
}

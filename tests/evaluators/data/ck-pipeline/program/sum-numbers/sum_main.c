/* Sum and mean of the integers in two files; written for the ae pipeline tests. */
#include <stdio.h>
#include <stdlib.h>
#include "stats.h"
#ifdef XOPENME
#include <xopenme.h>
#endif

int main(int argc, char **argv)
{
  long values[4096];
  int count, repeat = 1, r;
  struct stats s;
  const char *env = getenv("CT_REPEAT_MAIN");
  FILE *out;
  if (argc < 4) {
    fprintf(stderr, "usage: %s first second output\n", argv[0]);
    return 2;
  }
  if (env != NULL && atoi(env) > 0)
    repeat = atoi(env);
#ifdef XOPENME
  xopenme_init(1, 1);
#endif
  count = read_numbers(argv[1], values, 0, 4096);
  count = read_numbers(argv[2], values, count, 4096);
  if (count < 0) {
    fprintf(stderr, "cannot read the inputs\n");
    return 1;
  }
#ifdef XOPENME
  xopenme_add_var_i(0, "  \"values\":%d", count);
  xopenme_clock_start(0);
#endif
  for (r = 0; r < repeat; r++)
    s = summarise(values, count);
#ifdef XOPENME
  xopenme_clock_end(0);
  xopenme_dump_state();
  xopenme_finish();
#endif
  out = fopen(argv[3], "w");
  if (out == NULL)
    return 1;
  fprintf(out, "count %d\nsum %ld\nmin %ld\nmax %ld\nmean %.3f\n", count, s.sum, s.min, s.max,
          s.mean);
  fclose(out);
  printf("summarised %d values\n", count);
  return 0;
}

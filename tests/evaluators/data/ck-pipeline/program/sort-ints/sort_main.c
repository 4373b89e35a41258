/* Sort the integers of a dataset file repeatedly and write the sorted head; a cBench-style
 * program for the ae pipeline tests and benchmark. */
#include <stdio.h>
#include <stdlib.h>
#include "sort_util.h"

int main(int argc, char **argv)
{
  int n, r, repeat = 1;
  const char *env = getenv("CT_REPEAT_MAIN");
  int *values, *work;
  FILE *out;
  if (argc < 3) {
    fprintf(stderr, "usage: %s input output\n", argv[0]);
    return 2;
  }
  if (env != NULL && atoi(env) > 0)
    repeat = atoi(env);
  values = load_ints(argv[1], &n);
  if (values == NULL)
    return 1;
  work = malloc(sizeof(int) * (size_t)n);
  for (r = 0; r < repeat; r++) {
    copy_ints(work, values, n);
    sort_ints(work, n);
  }
  out = fopen(argv[2], "w");
  for (r = 0; r < n && r < 100; r++)
    fprintf(out, "%d\n", work[r]);
  fclose(out);
  printf("sorted %d integers\n", n);
  free(work);
  free(values);
  return 0;
}

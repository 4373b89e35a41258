#include <stdio.h>
#include "stats.h"

int read_numbers(const char *path, long *values, int start, int capacity)
{
  FILE *in;
  int n = start;
  if (start < 0)
    return -1;
  in = fopen(path, "r");
  if (in == NULL)
    return -1;
  while (n < capacity && fscanf(in, "%ld", &values[n]) == 1)
    n++;
  fclose(in);
  return n;
}

struct stats summarise(const long *values, int count)
{
  struct stats s = {0, 0, 0, 0.0};
  int i;
  for (i = 0; i < count; i++) {
    s.sum += values[i];
    if (i == 0 || values[i] < s.min) s.min = values[i];
    if (i == 0 || values[i] > s.max) s.max = values[i];
  }
  s.mean = count ? (double)s.sum / count : 0.0;
  return s;
}

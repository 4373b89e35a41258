#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sort_util.h"

int *load_ints(const char *path, int *count)
{
  FILE *in = fopen(path, "r");
  int cap = 1024, n = 0, x;
  int *v;
  if (in == NULL)
    return NULL;
  v = malloc(sizeof(int) * (size_t)cap);
  while (fscanf(in, "%d", &x) == 1) {
    if (n == cap) {
      cap *= 2;
      v = realloc(v, sizeof(int) * (size_t)cap);
    }
    v[n++] = x;
  }
  fclose(in);
  *count = n;
  return v;
}

void copy_ints(int *dst, const int *src, int n)
{
  memcpy(dst, src, sizeof(int) * (size_t)n);
}

static void sift(int *v, int start, int end)
{
  int root = start;
  while (2 * root + 1 <= end) {
    int child = 2 * root + 1, swap = root, t;
    if (v[swap] < v[child]) swap = child;
    if (child + 1 <= end && v[swap] < v[child + 1]) swap = child + 1;
    if (swap == root) return;
    t = v[root]; v[root] = v[swap]; v[swap] = t;
    root = swap;
  }
}

void sort_ints(int *v, int n)
{
  int start, end, t;
  for (start = (n - 2) / 2; start >= 0; start--)
    sift(v, start, n - 1);
  for (end = n - 1; end > 0; end--) {
    t = v[end]; v[end] = v[0]; v[0] = t;
    sift(v, 0, end - 1);
  }
}

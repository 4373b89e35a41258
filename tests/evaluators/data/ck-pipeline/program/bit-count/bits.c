/* Count the set bits of every number below N (times an optional factor). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
  long n, i, bits = 0, factor = 1;
  const char *mode = getenv("BITS_MODE");
  if (argc < 2) {
    fprintf(stderr, "usage: %s N [factor]\n", argv[0]);
    return 2;
  }
  n = atol(argv[1]);
  if (argc > 2)
    factor = atol(argv[2]);
  for (i = 0; i < n; i++)
    bits += __builtin_popcountl((unsigned long)i);
  printf("mode %s\nBits: %ld\n", mode ? mode : "unset", bits * factor);
  return 0;
}

/* A linear congruential generator: the same matrices on every machine. */
#include "lcg.h"

void lcg_fill(unsigned *dst, unsigned count, unsigned seed) {
  unsigned state = seed * 2654435761u + 1u, i;
  for (i = 0; i < count; i++) {
    state = state * 1664525u + 1013904223u;
    dst[i] = (state >> 8) % 1000u;
  }
}

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) of a dataset file, cBench style: the file
 * named on the command line is read once, its checksum computed CT_REPEAT_MAIN times inside the
 * xOpenME timer, and "crc32=<hex> bytes=<n>" written to the output file. */
#include <stdio.h>
#include <stdlib.h>
#ifdef XOPENME
#include <xopenme.h>
#endif

static unsigned long crc32_of(const unsigned char *data, size_t n) {
  unsigned long crc = 0xFFFFFFFFUL;
  size_t i;
  int bit;
  for (i = 0; i < n; i++) {
    crc ^= data[i];
    for (bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320UL & (0UL - (crc & 1UL)));
  }
  return crc ^ 0xFFFFFFFFUL;
}

int main(int argc, char **argv) {
  unsigned char *data;
  size_t n = 0, cap = 1 << 16, got;
  unsigned long crc = 0;
  unsigned r, repeat = 1;
  const char *env_repeat = getenv("CT_REPEAT_MAIN");
  FILE *in, *out;
  if (argc < 3) { fprintf(stderr, "usage: %s DATASET OUTPUT\n", argv[0]); return 2; }
  if (!(in = fopen(argv[1], "rb"))) { fprintf(stderr, "cannot open %s\n", argv[1]); return 3; }
  if (!(data = malloc(cap))) return 4;
  while ((got = fread(data + n, 1, cap - n, in)) > 0) {
    n += got;
    if (n == cap && !(data = realloc(data, cap *= 2))) return 4;
  }
  fclose(in);
  if (env_repeat) repeat = (unsigned)atoi(env_repeat);
#ifdef XOPENME
  xopenme_init(1, 2);
  xopenme_clock_start(0);
#endif
  for (r = 0; r < repeat; r++) crc = crc32_of(data, n);
#ifdef XOPENME
  xopenme_clock_end(0);
#endif
  if (!(out = fopen(argv[2], "w"))) { fprintf(stderr, "cannot write %s\n", argv[2]); return 5; }
  fprintf(out, "crc32=%08lx bytes=%lu\n", crc, (unsigned long)n);
  fclose(out);
  printf("CRC-32 of %lu bytes computed %u time(s)\n", (unsigned long)n, repeat);
#ifdef XOPENME
  xopenme_add_var_i(0, "  \"bytes\":%d", (int)n);
  xopenme_add_var_i(1, "  \"crc32_low16\":%d", (int)(crc & 0xFFFF));
  xopenme_dump_state();
  xopenme_finish();
#endif
  free(data);
  return 0;
}

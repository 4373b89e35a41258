/* CRC-32 of a dataset file through zlib, a library found by pkg-config. */
#include <stdio.h>
#include <zlib.h>

int main(int argc, char **argv)
{
  unsigned char buf[4096];
  unsigned long crc = crc32(0L, Z_NULL, 0);
  size_t n;
  FILE *in;
  if (argc < 2)
    return 2;
  in = fopen(argv[1], "rb");
  if (in == NULL)
    return 1;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    crc = crc32(crc, buf, (uInt)n);
  fclose(in);
  printf("crc32 %08lx zlib %s\n", crc, zlibVersion());
  return 0;
}

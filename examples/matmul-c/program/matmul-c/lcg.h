#ifndef LCG_H
#define LCG_H
void lcg_fill(unsigned *dst, unsigned count, unsigned seed);
#endif

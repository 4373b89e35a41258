/* Uses stats.c/stats.h of the sum-numbers entry through $#ck_take_from_{...}#$. */
#include <stdio.h>
#include "stats.h"

int main(void)
{
  long values[] = {4, 8, 15, 16, 23, 42};
  struct stats s = summarise(values, 6);
  printf("sum %ld max %ld\n", s.sum, s.max);
  return 0;
}

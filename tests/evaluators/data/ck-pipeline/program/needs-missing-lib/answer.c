#include <stdio.h>

int main(void)
{
  printf("result: %d\n", 6 * 7);
  return 0;
}

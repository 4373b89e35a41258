#include <stdio.h>

int main(void)
{
  printf("this does not compile\n")
  return 0;
}

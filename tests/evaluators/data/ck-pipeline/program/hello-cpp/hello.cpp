#include <iostream>
#include <vector>

int main()
{
  std::vector<int> v{1, 2, 3, 4};
  int total = 0;
  for (int x : v) total += x;
  std::cout << "cpp total " << total << std::endl;
  return 0;
}

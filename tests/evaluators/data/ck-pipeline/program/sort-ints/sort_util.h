#ifndef SORT_UTIL_H
#define SORT_UTIL_H
int *load_ints(const char *path, int *count);
void copy_ints(int *dst, const int *src, int n);
void sort_ints(int *v, int n);
#endif

#ifndef STATS_H
#define STATS_H
struct stats { long sum, min, max; double mean; };
int read_numbers(const char *path, long *values, int start, int capacity);
struct stats summarise(const long *values, int count);
#endif

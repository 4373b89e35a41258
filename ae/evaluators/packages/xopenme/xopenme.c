/* xOpenME-compatible timer library for ae (see xopenme.h).
 *
 * Timers accumulate monotonic-clock intervals (a timer started and stopped several times sums its
 * intervals). Variables are JSON members formatted by the caller's printf-style description,
 * e.g. "\"image_size_x\":%u". The timer file has "execution_time" (timer 0), one
 * "execution_time_kernel_<n>" per timer and a "run_time_state" object with the variables.
 */
#define _POSIX_C_SOURCE 199309L
#include "xopenme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AE_XOPENME_FILE "tmp-ck-timer.json"
#define AE_XOPENME_VAR_LEN 1024

static int timer_count = 0;
static int var_count = 0;
static double *elapsed = NULL;
static struct timespec *started = NULL;
static char **vars = NULL;

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void xopenme_init(int ntimers, int nvars)
{
  timer_count = ntimers > 0 ? ntimers : 0;
  var_count = nvars > 0 ? nvars : 0;
  elapsed = timer_count ? calloc((size_t)timer_count, sizeof(double)) : NULL;
  started = timer_count ? calloc((size_t)timer_count, sizeof(struct timespec)) : NULL;
  vars = var_count ? calloc((size_t)var_count, sizeof(char *)) : NULL;
  for (int i = 0; i < var_count; i++)
    vars[i] = calloc(AE_XOPENME_VAR_LEN, 1);
}

void xopenme_clock_start(int timer)
{
  if (timer >= 0 && timer < timer_count)
    clock_gettime(CLOCK_MONOTONIC, &started[timer]);
}

void xopenme_clock_end(int timer)
{
  struct timespec now;
  if (timer < 0 || timer >= timer_count)
    return;
  clock_gettime(CLOCK_MONOTONIC, &now);
  elapsed[timer] += seconds_between(&started[timer], &now);
}

#define AE_SET_VAR(var, desc, value)                                   \
  do {                                                                 \
    if ((var) >= 0 && (var) < var_count && (desc) != NULL)             \
      snprintf(vars[var], AE_XOPENME_VAR_LEN, (desc), (value));        \
  } while (0)

void xopenme_add_var_i(int var, char *desc, int value) { AE_SET_VAR(var, desc, value); }
void xopenme_add_var_f(int var, char *desc, float value) { AE_SET_VAR(var, desc, (double)value); }
void xopenme_add_var_d(int var, char *desc, double value) { AE_SET_VAR(var, desc, value); }
void xopenme_add_var_s(int var, char *desc, void *value) { AE_SET_VAR(var, desc, value); }

void xopenme_dump_memory(char *name, void *array, long size)
{
  FILE *out = fopen(name, "wb");
  if (out == NULL)
    return;
  if (size > 0)
    fwrite(array, (size_t)size, 1, out);
  fclose(out);
}

void xopenme_dump_state(void)
{
  FILE *out = fopen(AE_XOPENME_FILE, "w");
  int first = 1;
  if (out == NULL) {
    fprintf(stderr, "xopenme: cannot write %s\n", AE_XOPENME_FILE);
    exit(1);
  }
  fputs("{\n", out);
  if (timer_count > 0) {
    fprintf(out, "  \"execution_time\": %.9f", elapsed[0]);
    for (int t = 0; t < timer_count; t++)
      fprintf(out, ",\n  \"execution_time_kernel_%d\": %.9f", t, elapsed[t]);
    first = 0;
  }
  if (var_count > 0) {
    int written = 0;
    fprintf(out, "%s  \"run_time_state\": {", first ? "" : ",\n");
    for (int v = 0; v < var_count; v++) {
      const char *item = vars[v];
      while (*item == ' ')
        item++;
      if (*item == '\0')
        continue;
      fprintf(out, "%s\n    %s", written ? "," : "", item);
      written++;
    }
    fputs("\n  }", out);
  }
  fputs("\n}\n", out);
  fclose(out);
}

void xopenme_finish(void)
{
  for (int i = 0; i < var_count; i++)
    free(vars[i]);
  free(vars);
  free(elapsed);
  free(started);
  vars = NULL;
  elapsed = NULL;
  started = NULL;
  timer_count = var_count = 0;
}

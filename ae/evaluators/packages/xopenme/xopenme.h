/* xOpenME-compatible timer and state recorder, written for ae.
 *
 * Programs written for CK's xOpenME call these functions (usually under #ifdef XOPENME) to time
 * their kernels and record a few variables; xopenme_dump_state() writes tmp-ck-timer.json in the
 * current directory, which the pipeline reads as the run's characteristics.
 */
#ifndef AE_XOPENME_H
#define AE_XOPENME_H

#ifdef __cplusplus
extern "C" {
#endif

void xopenme_init(int ntimers, int nvars);
void xopenme_clock_start(int timer);
void xopenme_clock_end(int timer);
void xopenme_add_var_i(int var, char *desc, int value);
void xopenme_add_var_f(int var, char *desc, float value);
void xopenme_add_var_d(int var, char *desc, double value);
void xopenme_add_var_s(int var, char *desc, void *value);
void xopenme_dump_memory(char *name, void *array, long size);
void xopenme_dump_state(void);
void xopenme_finish(void);

#ifdef __cplusplus
}
#endif

#endif

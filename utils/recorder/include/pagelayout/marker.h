/*===- pagelayout/marker.h - Timeline markers for layout profiles ---------===*
 *
 * Mark the moments that end a phase of your program's life:
 *
 *   #include <pagelayout/marker.h>
 *   ...
 *   pagelayout_mark("startup_end");   // initialisation is done
 *   pagelayout_mark("first_frame");   // the first useful work is out
 *
 * Built with the recorder runtime (libpagelayout_rt), the call stamps the
 * time into the profile. Built without it, the weak reference is null and
 * the call does nothing: no link error, no cost beyond a compare.
 * pagelayout_flush() writes the profile now (long-running services).
 *
 *===----------------------------------------------------------------------===*/

#ifndef PAGELAYOUT_MARKER_H
#define PAGELAYOUT_MARKER_H

#ifdef __cplusplus
extern "C" {
#endif

void __pagelayout_mark(const char *name) __attribute__((weak));
void __pagelayout_flush(void) __attribute__((weak));

static inline __attribute__((always_inline, no_instrument_function)) void
pagelayout_mark(const char *name) {
  if (__pagelayout_mark)
    __pagelayout_mark(name);
}

static inline __attribute__((always_inline, no_instrument_function)) void
pagelayout_flush(void) {
  if (__pagelayout_flush)
    __pagelayout_flush();
}

#ifdef __cplusplus
}
#endif

#endif

// Calls into a shared library it links (libtracestep.so) and a plugin it
// dlopens (argv[1]). With TRACE_LIBS_BASES set, writes where each was
// loaded (for the lackey oracle, whose addresses are its own).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
int lib_entry(int);
static __attribute__((noinline)) int clash(int X) { return X * 2; }
int main(int Argc, char **Argv) {
  int Sum = clash(Argc);
  for (int I = 0; I < 5; ++I)
    Sum += lib_entry(I);
  void *H = Argc > 1 ? dlopen(Argv[1], RTLD_NOW) : 0;
  if (!H) {
    printf("no plugin\n");
    return 1;
  }
  int (*Run)(int) = (int (*)(int))dlsym(H, "plugin_run");
  Sum += Run(3);
  printf("sum %d\n", Sum);
  if (getenv("TRACE_LIBS_BASES")) {
    FILE *F = fopen(getenv("TRACE_LIBS_BASES"), "w");
    Dl_info L, P;
    dladdr((void *)lib_entry, &L);
    dladdr((void *)Run, &P);
    fprintf(F, "%p %p\n", L.dli_fbase, P.dli_fbase);
    fclose(F);
  }
  dlclose(H);
  return 0;
}

// Preloaded into the service: installs a SIGTERM handler before the
// recorder runtime starts (preloaded constructors run first), which
// reports and exits 7. The runtime writes its file, then chains to it.
#include <signal.h>
#include <unistd.h>

static void onTerm(int Sig) {
  static const char Msg[] = "preloaded handler ran\n";
  if (write(2, Msg, sizeof(Msg) - 1) < 0) {
  }
  _exit(7);
}

__attribute__((constructor)) static void install(void) {
  signal(SIGTERM, onTerm);
}

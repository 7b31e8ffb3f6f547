// The plugin trace-libs-main.c loads with dlopen.
__attribute__((noinline)) int plugin_work(int X) { return X * 11 + 1; }
int plugin_run(int X) { return plugin_work(X) - 1; }

#include "tools/isolated_main.h"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace metakv::tools {

namespace {

bool IsCrash(int sig) {
  return sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL;
}

}  // namespace

int RunIsolated(const char* tool, int (*run)(int argc, char** argv), int argc, char** argv) {
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) return run(argc, argv);  // no isolation, but still the tool
  if (child == 0) {
    const int code = run(argc, argv);
    std::cout.flush();
    std::cerr.flush();
    _exit(code);
  }
  // The terminal's signals reach the child too; the parent only waits.
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "%s: internal error: waitpid: %s\n", tool, std::strerror(errno));
      return 2;
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGABRT;
  if (IsCrash(sig)) {
    std::fprintf(stderr,
                 "%s: reading stopped: RocksDB failed an internal check (%s) on "
                 "input damaged in a way its checksums did not catch\n",
                 tool, strsignal(sig));
    return 1;
  }
  signal(sig, SIG_DFL);
  raise(sig);
  return 128 + sig;
}

}  // namespace metakv::tools

// metakv-sst-dump: offline inspection of metakv SST files and databases.
// Everything is in RunSstDump (tools/sst_dump_lib.h); run with --help.
//
// The tool runs in a child process. Debian's librocksdb keeps its
// assertions, and a file damaged in a way its block checksums do not catch
// (crafted with matching checksums) can make RocksDB assert, which aborts
// the process. The parent turns that into one error line and exit status
// 1, the status for damaged input, instead of a crash. Any other signal
// (SIGPIPE from `| head`, SIGINT) ends the parent the same way.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "tools/sst_dump_lib.h"

namespace {

int RunHere(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return metakv::tools::RunSstDump(argc, argv, std::cout, std::cerr);
}

bool IsCrash(int sig) {
  return sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL;
}

}  // namespace

int main(int argc, char** argv) {
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) return RunHere(argc, argv);  // no isolation, but still the tool
  if (child == 0) {
    const int code = RunHere(argc, argv);
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
      std::fprintf(stderr, "metakv-sst-dump: internal error: waitpid: %s\n", std::strerror(errno));
      return 2;
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGABRT;
  if (IsCrash(sig)) {
    std::fprintf(stderr,
                 "metakv-sst-dump: reading stopped: RocksDB failed an internal check (%s) on "
                 "input damaged in a way its checksums did not catch\n",
                 strsignal(sig));
    return 1;
  }
  signal(sig, SIG_DFL);
  raise(sig);
  return 128 + sig;
}

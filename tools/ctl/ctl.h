// metakv-ctl as a library: the admin tool for a metakv store, in the manner
// of RocksDB's ldb: `metakv-ctl --db=DIR COMMAND [ARGS] [FLAGS]`.
//
// RunCtl is the whole tool; the metakv-ctl binary only calls it with the
// process's arguments and streams, so tests drive it directly. Run with
// --help for the commands, the modes a store is opened in and the exit
// statuses (those of metakv-sst-dump). Concurrent runs share nothing.
#ifndef METAKV_TOOLS_CTL_CTL_H_
#define METAKV_TOOLS_CTL_CTL_H_

#include <ostream>

namespace metakv::tools::ctl {

// Exit statuses, those of metakv-sst-dump.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCorruption = 1;
inline constexpr int kExitError = 2;

// Runs metakv-ctl with argv[0..argc) (argv[0], the program name, is
// ignored). Output goes to out; each problem is one line on err, and the
// progress line of long commands too. Never throws. Returns the exit
// status: 0 success; 1 corruption found; 2 a usage error, a store that
// cannot be opened, or a failed command.
int RunCtl(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace metakv::tools::ctl

#endif  // METAKV_TOOLS_CTL_CTL_H_

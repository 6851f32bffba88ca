// metakv-sst-dump as a library: offline inspection of metakv SST files and
// whole databases (scan, stats, verify, raw; text or JSON).
//
// RunSstDump is the whole tool; the metakv-sst-dump binary only calls it
// with the process's arguments and streams, so tests drive it directly.
// Thread-safe: concurrent runs share nothing (each opens its own readers).
#ifndef METAKV_TOOLS_SST_DUMP_LIB_H_
#define METAKV_TOOLS_SST_DUMP_LIB_H_

#include <ostream>

namespace metakv::tools {

// Runs metakv-sst-dump with argv[0..argc) (argv[0], the program name, is
// ignored). Output goes to out; each problem is one line on err naming the
// file and what is wrong. Never throws. Returns the exit status:
//   0  success: everything read was intact
//   1  corruption found (bad block or record checksum, a record that does
//      not decode, a database file truncated or missing)
//   2  usage error or unreadable input (missing path, not a database, not
//      an SST file, empty or truncated file, data not written by metakv
//      outside --command=raw)
// If both 1 and 2 apply, 2. With --json, out receives a JSON document only
// if it is complete: nothing at all when the input cannot be read.
int RunSstDump(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_SST_DUMP_LIB_H_

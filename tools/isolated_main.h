// The main of metakv's command-line tools: the tool runs in a child process.
//
// Debian's librocksdb keeps its assertions, and a file damaged in a way its
// block checksums do not catch (crafted with matching checksums) can make
// RocksDB assert, which aborts the process. The parent turns that into one
// error line and exit status 1, the status for damaged input, instead of a
// crash. Any other signal (SIGPIPE from `| head`, SIGINT) ends the parent
// the same way it ended the child.
#ifndef METAKV_TOOLS_ISOLATED_MAIN_H_
#define METAKV_TOOLS_ISOLATED_MAIN_H_

namespace metakv::tools {

// Runs run(argc, argv) in a child process and returns its exit status, as
// described above; tool names the tool in the error line.
int RunIsolated(const char* tool, int (*run)(int argc, char** argv), int argc, char** argv);

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_ISOLATED_MAIN_H_

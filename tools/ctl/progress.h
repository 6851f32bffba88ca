// The progress line of metakv-ctl's long commands: what the command is
// doing and for how long, on the error stream, refreshed every second by a
// thread of its own while the command's thread works. On a terminal the
// line is rewritten in place; elsewhere (a log) one line is added per
// refresh. Disabled, it prints nothing. Thread-safe.
#ifndef METAKV_TOOLS_CTL_PROGRESS_H_
#define METAKV_TOOLS_CTL_PROGRESS_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace metakv::tools::ctl {

class Progress {
 public:
  // prefix: "metakv-ctl: verify"; in_place: rewrite one line (a terminal).
  Progress(std::ostream* err, std::string prefix, bool enabled, bool in_place);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // What the command does now ("domain inode: 12000 records"); starts the
  // refreshes at the first call.
  void Set(std::string what);
  // Prints line (a problem) on the error stream, whether or not the
  // progress line is enabled, without tearing it: it goes on a line of its
  // own, and the progress line comes back at the next refresh.
  void Line(const std::string& line);
  // Stops the refreshes and prints the last line: summary and the time
  // taken. Idempotent; the destructor calls it with the last state.
  void Finish(const std::string& summary);

 private:
  void Print(const std::string& what, bool last);  // REQUIRES: mu_ held
  void Run();

  std::ostream* const err_;
  const std::string prefix_;
  const bool enabled_;
  const bool in_place_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string what_;       // GUARDED_BY(mu_)
  bool stopping_ = false;  // GUARDED_BY(mu_)
  bool finished_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace metakv::tools::ctl

#endif  // METAKV_TOOLS_CTL_PROGRESS_H_

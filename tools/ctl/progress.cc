#include "tools/ctl/progress.h"

#include <cstdio>

namespace metakv::tools::ctl {

Progress::Progress(std::ostream* err, std::string prefix, bool enabled, bool in_place)
    : err_(err),
      prefix_(std::move(prefix)),
      enabled_(enabled),
      in_place_(in_place),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  std::string last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last = what_;
  }
  Finish(last);
}

void Progress::Set(std::string what) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  what_ = std::move(what);
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
}

void Progress::Line(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (in_place_ && thread_.joinable() && !finished_) *err_ << "\r\033[K";
  *err_ << line << '\n';
  err_->flush();
}

void Progress::Finish(const std::string& summary) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  Print(summary, /*last=*/true);
}

void Progress::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
    Print(what_, /*last=*/false);
  }
}

void Progress::Print(const std::string& what, bool last) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.1f s", seconds);
  const std::string line = prefix_ + ": " + what + " (" + elapsed + ")";
  if (in_place_) {
    *err_ << '\r' << line << "\033[K";  // erase what a longer line left
    if (last) *err_ << '\n';
  } else {
    *err_ << line << '\n';
  }
  err_->flush();
}

}  // namespace metakv::tools::ctl

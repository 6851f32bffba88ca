#include "bench/series.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "common/text_table.h"

namespace metakv::bench {

namespace {

namespace fs = std::filesystem;

// One point of a run laid end to end over its workloads.
struct Point {
  const WorkloadResult* result = nullptr;
  const WorkloadResult::Sample* sample = nullptr;
  double run_seconds = 0;
  double ops_per_sec = 0;  // over the interval since the previous point
};

std::vector<Point> Points(const EngineRun& run) {
  std::vector<Point> points;
  double offset = 0;
  for (const WorkloadResult& r : run.results) {
    const WorkloadResult::Sample* previous = nullptr;
    for (const WorkloadResult::Sample& s : r.series) {
      Point p;
      p.result = &r;
      p.sample = &s;
      p.run_seconds = offset + s.seconds;
      const double dt = s.seconds - (previous == nullptr ? 0 : previous->seconds);
      const uint64_t dops = s.ops - (previous == nullptr ? 0 : previous->ops);
      p.ops_per_sec = dt > 0 ? static_cast<double>(dops) / dt : 0;
      points.push_back(p);
      previous = &s;
    }
    if (!r.series.empty()) offset += r.series.back().seconds;
  }
  return points;
}

std::string WriteAmp(const WorkloadResult::Sample& s) {
  if (s.user_bytes == 0) return "";
  return common::FormatFixed(
      static_cast<double>(s.device_bytes) / static_cast<double>(s.user_bytes), 4);
}

// gnuplot's string quoting: single quotes, a quote doubled.
std::string GnuplotQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// POSIX shell quoting: single quotes, a quote as '\''.
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string FormatSeriesCsv(const std::vector<EngineRun>& runs) {
  std::string out =
      "engine,workload,run_seconds,seconds,ops,user_bytes,device_bytes,ops_per_sec,write_amp\n";
  for (const EngineRun& run : runs) {
    for (const Point& p : Points(run)) {
      out += run.engine + "," + p.result->workload + "," + common::FormatFixed(p.run_seconds, 3) +
             "," + common::FormatFixed(p.sample->seconds, 3) + "," + std::to_string(p.sample->ops) +
             "," + std::to_string(p.sample->user_bytes) + "," +
             std::to_string(p.sample->device_bytes) + "," + common::FormatFixed(p.ops_per_sec, 1) +
             "," + WriteAmp(*p.sample) + "\n";
    }
  }
  return out;
}

Status PlotSeries(const std::vector<EngineRun>& runs, const std::string& png_path) {
  std::error_code ec;
  std::string pattern = (fs::temp_directory_path(ec) / "metakv-plot-XXXXXX").string();
  if (ec || mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError("cannot create a temporary directory for gnuplot's input");
  }
  const fs::path dir = pattern;
  std::string wa_plots, rate_plots;
  for (const EngineRun& run : runs) {
    const fs::path data = dir / (run.engine + ".dat");
    std::ofstream f(data);
    for (const Point& p : Points(run)) {
      const std::string wa = WriteAmp(*p.sample);
      f << common::FormatFixed(p.run_seconds, 3) << " " << (wa.empty() ? "NaN" : wa) << " "
        << common::FormatFixed(p.ops_per_sec, 1) << "\n";
    }
    if (!f) {
      fs::remove_all(dir, ec);
      return Status::IOError("cannot write " + data.string());
    }
    const std::string sep = wa_plots.empty() ? "" : ", ";
    wa_plots += sep + GnuplotQuote(data.string()) + " using 1:2 with lines lw 2 title " +
                GnuplotQuote(run.engine);
    rate_plots += sep + GnuplotQuote(data.string()) + " using 1:3 with lines lw 2 title " +
                  GnuplotQuote(run.engine);
  }
  const fs::path script = dir / "plot.gp";
  {
    std::ofstream f(script);
    f << "set terminal pngcairo size 1000,800 noenhanced\n"
      << "set output " << GnuplotQuote(png_path) << "\n"
      << "set multiplot layout 2,1 title 'metakv-bench: write amplification and throughput over "
         "time (workloads end to end; settling included)'\n"
      << "set grid\nset key top left\n"
      << "set ylabel 'write amplification (device / user bytes)'\n"
      << "plot " << wa_plots << "\n"
      << "set xlabel 'seconds'\nset ylabel 'operations per second'\n"
      << "plot " << rate_plots << "\n"
      << "unset multiplot\n";
    if (!f) {
      fs::remove_all(dir, ec);
      return Status::IOError("cannot write " + script.string());
    }
  }
  const fs::path log = dir / "gnuplot.log";
  const std::string command =
      "gnuplot " + ShellQuote(script.string()) + " >" + ShellQuote(log.string()) + " 2>&1";
  const int rc = std::system(command.c_str());
  std::string output;
  if (rc != 0) {
    std::ifstream f(log);
    std::getline(f, output, '\0');
    while (!output.empty() && output.back() == '\n') output.pop_back();
  }
  fs::remove_all(dir, ec);
  if (rc != 0) {
    return Status::IOError(
        "gnuplot failed (exit status " + std::to_string(WIFEXITED(rc) ? WEXITSTATUS(rc) : rc) +
        "; scripts/install-deps.sh installs gnuplot-nox)" + (output.empty() ? "" : ": " + output));
  }
  return Status::OK();
}

}  // namespace metakv::bench

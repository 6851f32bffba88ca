// metakv-stress as a library: a crash-safe, self-verifying stress test of a
// metakv store (see StressHelpText() in tools/stress/stress_flags.h).
//
// RunStress is the whole tool; the metakv-stress binary only calls it with
// the process's arguments and streams, so tests drive it directly.
// Not reentrant on one --db (the store's lock refuses a second open).
#ifndef METAKV_TOOLS_STRESS_STRESS_LIB_H_
#define METAKV_TOOLS_STRESS_STRESS_LIB_H_

#include <ostream>
#include <string>

namespace metakv::stress {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitError = 3;
// The power was cut as --power_cut_ms asked (the process ends itself).
inline constexpr int kExitPowerCut = 4;

// Runs metakv-stress with argv[0..argc) (argv[0] is ignored). A summary goes
// to out (the last line starts "metakv-stress: " and gives the operations
// done, in this run and in all runs of the expected state); violations and
// errors go to err, one line each. Returns an exit status above.
int RunStress(int argc, char** argv, std::ostream& out, std::ostream& err);

// The expected-state file of the store at db: db + ".expected".
std::string ExpectedStatePath(const std::string& db);

}  // namespace metakv::stress

#endif  // METAKV_TOOLS_STRESS_STRESS_LIB_H_

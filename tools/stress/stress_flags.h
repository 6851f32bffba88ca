// The command line of metakv-stress.
//
// ParseStressFlags accepts "--name=value" and "--name value" (and bare
// boolean flags). Pure: thread-safe.
#ifndef METAKV_TOOLS_STRESS_STRESS_FLAGS_H_
#define METAKV_TOOLS_STRESS_STRESS_FLAGS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace metakv::stress {

struct StressFlags {
  // The store's directory; its expected state is the file DIR.expected
  // beside it. Default: empty (must be given).
  std::string db;
  // Reopen the store, resolve what a crash left in flight, check every key
  // and scan against the expected state, and exit. Default: false.
  bool verify = false;
  // Stop after this many operations in all (0: no limit). Default: 20000.
  uint64_t ops = 20000;
  // Stop after this many seconds (0: no limit). Default: 60.
  double duration_seconds = 60;
  // Worker threads, 1 to 32. Default: 4.
  uint32_t threads = 4;
  // Seed of the operation mix. Default: 1.
  uint64_t seed = 1;
  // Keys per tenant in each domain (4 tenants, 3 domains), 16 to 100000.
  // Fixed when the expected state is created; later runs must give the same
  // number or leave it out. Default: 1000.
  uint32_t keys = 1000;
  bool keys_given = false;
  // Close and reopen the store after every this many operations (0: never).
  // Default: 0.
  uint64_t reopen_every = 0;
  // The checker thread verifies one tenant of one domain every this many
  // milliseconds (0: never). Default: 200.
  uint64_t verify_every_ms = 200;
  // The stress clock moves every this many milliseconds by 1 to
  // clock_step_max seconds. Default: 20 and 3.
  uint64_t clock_tick_ms = 20;
  uint64_t clock_step_max = 3;
  // Tenant shards of the hot domains (DomainOptions::tenant_shards), 1 to
  // 64. Fixed when the store is created: a later run's value is ignored,
  // as the store ignores a declared count. Default: 1.
  uint32_t tenant_shards = 1;
  // Cut the power this many milliseconds after the process starts (0:
  // never): the store runs on a PowerLossFs (tests/power_loss_fs.h), which
  // then brings its files to what a power cut may leave (unsynced data and
  // directory entries lost) and ends the process with kExitPowerCut. With
  // an odd seed the cut waits (up to 200 ms) for a WAL write not yet
  // synced. Default: 0.
  uint64_t power_cut_ms = 0;
  // What the cut keeps of each file's unsynced tail: nothing (false), or
  // a random prefix of it (true, --power_tail=random). Default: false.
  bool power_random_tail = false;
  // --help was given.
  bool help = false;
};

// Parses argv[1..argc). On failure returns false and sets *error to one
// line naming the bad argument.
bool ParseStressFlags(int argc, char** argv, StressFlags* flags, std::string* error);

std::string_view StressHelpText();

}  // namespace metakv::stress

#endif  // METAKV_TOOLS_STRESS_STRESS_FLAGS_H_

// metakv-bench's flag parser (bench/flags.h ParseFlags) on arbitrary
// command lines: the input's lines are the arguments.
//
// Checks: parsing never crashes or throws; an accepted command line gives
// a configuration the benchmark can run: a valid key layout, every key
// number's key exactly key_size bytes and recognised by IsKeyOf (which the
// rocksdb engine's scans rely on), readrandom's count defaulting to num,
// and known workload names. A rejected one gives a one-line message.
#include <string>
#include <vector>

#include "bench/flags.h"
#include "bench/keys.h"
#include "bench/workloads/registry.h"
#include "fuzz/fuzz_util.h"

namespace bench = metakv::bench;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string> args =
      metakv::fuzz::SplitArgs(std::string_view(reinterpret_cast<const char*>(data), size), 64);
  bench::BenchConfig config;
  const std::string error = bench::ParseFlags(args, &config);
  if (!error.empty()) {
    FUZZ_CHECK(error.find('\n') == std::string::npos || error.find('\n') == error.size() - 1,
               error);
    return 0;
  }
  FUZZ_CHECK(bench::CheckKeyLayout(config.key_size, config.tenants, config.num).empty(),
             "accepted a bad key layout");
  FUZZ_CHECK(config.num >= 1 && config.reads >= 1 && config.tenants >= 1 && config.threads >= 1,
             "zero count accepted");
  FUZZ_CHECK(!config.benchmarks.empty(), "no workloads");
  for (const std::string& b : config.benchmarks) {
    FUZZ_CHECK(bench::IsKnownWorkload(b), b);
  }
  FUZZ_CHECK(!config.engines.empty(), "no engines");
  for (const std::string& e : config.engines) {
    bool known = false;
    for (const std::string& k : bench::KnownEngines()) known = known || k == e;
    FUZZ_CHECK(known, "unknown engine accepted");
  }
  FUZZ_CHECK(config.mix.Total() > 0, "a mix of no operations accepted");
  FUZZ_CHECK(config.use_existing_db == 0 || !config.db.empty(), "--use_existing_db without --db");
  bool reads_given = false;
  for (const std::string& a : args) reads_given |= a.rfind("--reads=", 0) == 0;
  if (!reads_given) FUZZ_CHECK(config.reads == config.num, "reads does not default to num");

  const bench::KeyFormatter keys(config.key_size, config.tenants);
  std::string tenant, user_key;
  for (uint64_t k :
       {uint64_t{0}, config.num / 2, config.num - 1, std::min(config.num, config.tenants) - 1}) {
    keys.Format(k, &tenant, &user_key);
    FUZZ_CHECK(tenant.size() + user_key.size() == config.key_size,
               "key " + std::to_string(k) + " is " +
                   std::to_string(tenant.size() + user_key.size()) + " bytes, not " +
                   std::to_string(config.key_size));
    FUZZ_CHECK(keys.IsKeyOf(tenant, user_key),
               "IsKeyOf rejects key " + std::to_string(k) + ": tenant " + tenant + " key " +
                   user_key + " (key_size " + std::to_string(config.key_size) + ")");
    FUZZ_CHECK(tenant.size() <= 255 && !user_key.empty(), tenant);
  }
  return 0;
}

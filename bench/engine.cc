#include "bench/engine.h"

#include "bench/metakv_engine.h"
#include "bench/rocksdb_engine.h"

namespace metakv::bench {

Status OpenEngine(std::string_view name, const BenchConfig& config, const std::string& dir,
                  std::unique_ptr<Engine>* out) {
  if (name == "metakv") return OpenMetakvEngine(config, dir, out);
  if (name == "rocksdb") return OpenRocksdbEngine(config, dir, /*universal=*/false, out);
  if (name == "rocksdb-universal") return OpenRocksdbEngine(config, dir, /*universal=*/true, out);
  out->reset();
  return Status::InvalidArgument("unknown engine \"" + std::string(name) + "\"");
}

}  // namespace metakv::bench

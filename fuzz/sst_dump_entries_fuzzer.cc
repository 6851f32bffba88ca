// metakv-sst-dump on well-formed SST files holding fuzzer-chosen entries:
// the input picks up to 48 entries (metakv keys of awkward tenants, or raw
// bytes; valid records of every kind, records with a flipped byte or
// written under another key, or raw bytes; some RocksDB deletions), which
// are written with rocksdb::SstFileWriter (so block checksums hold and the
// decoding layers see the entries), and a command line (command, --tenant,
// --from, --to, --limit, --top, --value-bytes, --now, --json).
//
// Checks the contract in fuzz/sst_dump_check.h (exit status, stderr lines,
// complete and valid JSON with non-UTF-8 keys and values); and that a file
// of valid metakv records only is read without corruption (exit 0 from
// verify).
#include <fuzzer/FuzzedDataProvider.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>

#include <map>
#include <string>
#include <vector>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "codecs/record_codec.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/sst_dump_check.h"

namespace codecs = metakv::codecs;

namespace {

std::string PickTenant(FuzzedDataProvider* in) {
  static const char* const kTenants[] = {"t1", "t10", "a", "\xc3\xa9", "\"\\", "\x7f"};
  switch (in->ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      return std::string("\0", 1);
    case 1:
      return in->ConsumeRandomLengthString(6);  // may be empty
    case 2:
      return std::string(255, '\xff');
    default:
      return kTenants[in->ConsumeIntegralInRange<size_t>(0, std::size(kTenants) - 1)];
  }
}

struct Entry {
  bool deletion = false;
  std::string value;
  bool valid_record = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  static const std::string path = metakv::fuzz::ScratchDir() + "/entries.sst";
  const uint64_t now = 1700000000;

  std::map<std::string, Entry> entries;
  const int n = in.ConsumeIntegralInRange<int>(0, 48);
  for (int i = 0; i < n; ++i) {
    std::string key;
    const bool raw_key = in.ConsumeIntegralInRange<int>(0, 7) == 0;
    if (raw_key) {
      key = in.ConsumeRandomLengthString(24);
    } else {
      std::string tenant = PickTenant(&in);
      if (tenant.empty()) tenant = "e";
      key = codecs::EncodeKey(tenant, in.ConsumeRandomLengthString(12));
    }
    Entry e;
    const int kind = in.ConsumeIntegralInRange<int>(0, 15);
    if (kind == 0) {
      e.deletion = true;
    } else if (kind == 1) {
      e.value = in.ConsumeRandomLengthString(40);
    } else {
      codecs::Record r;
      r.kind = in.ConsumeBool() ? codecs::RecordKind::kTombstone : codecs::RecordKind::kLive;
      r.time = in.ConsumeBool() ? now - in.ConsumeIntegralInRange<uint64_t>(0, 1000000)
                                : in.ConsumeIntegral<uint64_t>();
      if (in.ConsumeBool()) {
        r.expiry = in.ConsumeBool() ? now + in.ConsumeIntegralInRange<int64_t>(-1000, 1000)
                                    : in.ConsumeIntegral<uint64_t>();
      }
      const std::string payload = in.ConsumeRandomLengthString(48);
      r.payload = payload;
      const bool under_other_key = kind == 2;
      codecs::EncodeRecord(under_other_key ? key + "!" : key, r, &e.value);
      e.valid_record = !under_other_key && !raw_key;
      if (kind == 3 && !e.value.empty()) {
        e.value[in.ConsumeIntegral<size_t>() % e.value.size()] ^=
            static_cast<char>(in.ConsumeIntegralInRange<int>(1, 255));
        e.valid_record = false;
      }
    }
    entries[key] = std::move(e);
  }

  // The file.
  rocksdb::Options options;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 256;  // several blocks even for a few entries
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compression = in.ConsumeBool() ? rocksdb::kSnappyCompression : rocksdb::kNoCompression;
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
  rocksdb::Status rs = writer.Open(path);
  FUZZ_CHECK(rs.ok(), rs.ToString());
  bool all_valid = true;
  size_t written = 0;
  size_t records = 0;
  for (const auto& [key, e] : entries) {
    rs = e.deletion ? writer.Delete(key) : writer.Put(key, e.value);
    FUZZ_CHECK(rs.ok(), rs.ToString());
    ++written;
    if (!e.deletion) ++records;
    if (!e.deletion && !e.valid_record) all_valid = false;
  }
  if (written == 0) {
    // An SST file needs an entry.
    FUZZ_CHECK(writer.Put(codecs::EncodeKey("t", "k"), "x").ok(), "put");
    all_valid = false;
  }
  rs = writer.Finish();
  FUZZ_CHECK(rs.ok(), rs.ToString());

  // The command line.
  std::vector<std::string> args;
  static const char* const kCommands[] = {"--command=scan", "--command=stats", "--command=verify",
                                          "--raw"};
  const size_t command = in.ConsumeIntegralInRange<size_t>(0, 3);
  args.push_back(kCommands[command]);
  if (in.ConsumeBool()) args.push_back("--json");
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
    args.push_back("--tenant=" + codecs::Printable(PickTenant(&in)));
  }
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
    args.push_back("--from=" + codecs::Printable(in.ConsumeRandomLengthString(4)));
  }
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
    args.push_back("--to=" + codecs::Printable(in.ConsumeRandomLengthString(4)));
  }
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
    args.push_back("--limit=" + std::to_string(in.ConsumeIntegralInRange<int>(0, 5)));
  }
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
    args.push_back("--top=" + std::to_string(in.ConsumeIntegralInRange<int>(0, 3)));
  }
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
    args.push_back("--value-bytes=" + std::to_string(in.ConsumeIntegralInRange<int>(0, 64)));
  }
  args.push_back("--now=" +
                 std::to_string(in.ConsumeBool() ? now : in.ConsumeIntegral<uint64_t>()));
  const bool plain_verify = args.size() == 2 && command == 2;
  args.push_back(path);
  const int rc = metakv::fuzz::RunAndCheckSstDump(args);
  if (plain_verify && all_valid && records > 0) {
    FUZZ_CHECK(rc == 0, "verify of valid records exits " + std::to_string(rc));
  }
  return 0;
}

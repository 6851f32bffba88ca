// Writes the seed corpora of the fuzz targets into DIR/<target>/ (run as
// `make_fuzz_seeds fuzz/corpus`): valid encodings for the codec targets,
// tiny SST files for the sst-dump target, command lines for the flag
// parsers, and fixed pseudo-random bytes for the targets that read their
// input as choices. Deterministic: the same files every run.
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "codecs/key_codec.h"
#include "codecs/record_codec.h"
#include "fuzz/fuzz_util.h"
#include "metakv/filesystem.h"

namespace codecs = metakv::codecs;
namespace fs = std::filesystem;

namespace {

std::string root;

void Seed(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(root + "/" + target);
  metakv::fuzz::WriteFileOrDie(root + "/" + target + "/" + name, bytes);
}

std::string Record(const std::string& key, codecs::RecordKind kind, uint64_t time, uint64_t expiry,
                   const std::string& payload) {
  codecs::Record r;
  r.kind = kind;
  r.time = time;
  r.expiry = expiry;
  r.payload = payload;
  std::string out;
  codecs::EncodeRecord(key, r, &out);
  return out;
}

std::string PseudoRandom(uint64_t seed, size_t n) {
  std::string out;
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out.push_back(static_cast<char>(x >> 24));
  }
  return out;
}

void WriteSst(const std::string& target, const std::string& name, bool metakv_records,
              rocksdb::ChecksumType checksum) {
  rocksdb::Options options;
  rocksdb::BlockBasedTableOptions table;
  table.checksum = checksum;
  table.block_size = 256;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compression = rocksdb::kNoCompression;
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
  const std::string tmp = root + "/" + target + "/" + name;
  fs::create_directories(root + "/" + target);
  FUZZ_CHECK(writer.Open(tmp).ok(), tmp);
  const uint64_t t = 1700000000;
  if (metakv_records) {
    const std::string k1 = codecs::EncodeKey("t1", "a");
    const std::string k2 = codecs::EncodeKey("t1", "b");
    const std::string k3 = codecs::EncodeKey(std::string("t\0", 2), "c");
    const std::string k4 = codecs::EncodeKey("t2", "d");
    // In key order: tenant "t\0" sorts before "t1".
    FUZZ_CHECK(writer.Put(k3, Record(k3, codecs::RecordKind::kLive, t, t + 60, "v3")).ok(), "put");
    FUZZ_CHECK(writer.Put(k1, Record(k1, codecs::RecordKind::kLive, t, 0, "v1")).ok(), "put");
    FUZZ_CHECK(writer.Put(k2, Record(k2, codecs::RecordKind::kTombstone, t, 0, "v2")).ok(), "put");
    FUZZ_CHECK(writer.Delete(k4).ok(), "delete");
  } else {
    FUZZ_CHECK(writer.Put("key1", "value1").ok(), "put");
    FUZZ_CHECK(writer.Put("key2", "value2").ok(), "put");
  }
  FUZZ_CHECK(writer.Finish().ok(), tmp);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  root = argv[1];

  // Keys.
  Seed("key_codec_fuzzer", "plain", codecs::EncodeKey("t1", "key"));
  Seed("key_codec_fuzzer", "zeros",
       codecs::EncodeKey(std::string("\0a\0", 3), std::string("\0\xff", 2)));
  Seed("key_codec_fuzzer", "bad-escape", std::string("t\0\x02k", 4));

  // Value records: one byte key length, the key, the record.
  for (int i = 0; i < 3; ++i) {
    const std::string key = codecs::EncodeKey("t1", "k" + std::to_string(i));
    const auto kind = i == 1 ? codecs::RecordKind::kTombstone : codecs::RecordKind::kLive;
    const std::string value = Record(key, kind, 1700000000 + i, i == 2 ? 1700003600 : 0, "payload");
    Seed("record_codec_fuzzer", "record" + std::to_string(i),
         std::string(1, static_cast<char>(key.size())) + key + value);
  }

  // Inodes.
  metakv::InodeAttributes a;
  std::string enc;
  metakv::EncodeInode(a, &enc);
  Seed("inode_codec_fuzzer", "zero", enc);
  a.ino = 42;
  a.mode = 0100644;
  a.uid = 1000;
  a.gid = 1000;
  a.nlink = 1;
  a.size = 1234;
  a.blocks = 8;
  a.atime_ns = 1700000000123456789;
  a.mtime_ns = -1;
  a.ctime_ns = 1700000000000000000;
  a.generation = 7;
  a.flags = 1;
  enc.clear();
  metakv::EncodeInode(a, &enc);
  Seed("inode_codec_fuzzer", "file", enc);

  // SST files.
  WriteSst("sst_dump_file_fuzzer", "metakv.sst", true, rocksdb::kCRC32c);
  WriteSst("sst_dump_file_fuzzer", "foreign.sst", false, rocksdb::kCRC32c);
  WriteSst("sst_dump_file_fuzzer", "nochecksum.sst", true, rocksdb::kNoChecksum);
  Seed("sst_dump_file_fuzzer", "text", "not an SST file\n");

  // Command lines, one argument per line.
  Seed("bench_flags_fuzzer", "defaults", "");
  Seed("bench_flags_fuzzer", "small",
       "--num=1000\n--benchmarks=fillrandom,overwrite,readrandom\n--engine=metakv\n--key_size=20\n"
       "--tenants=100\n--threads=2\n");
  Seed("bench_flags_fuzzer", "sizes",
       "--write_buffer_size=65536\n--target_file_size=65536\n--max_bytes_for_level_base=262144\n"
       "--memory_budget=1048576\n--compression=zstd\n--reads=5\n--seek_nexts=0\n--json=out.json\n");
  Seed("dump_flags_fuzzer", "scan", "--tenant=t\\x001\n--from=a\n--to=b\n--limit=3\ndb\n");
  Seed("dump_flags_fuzzer", "stats",
       "--command\nstats\n--top=2\n--json\n--now=1700000000\nf.sst\n");
  Seed("dump_flags_fuzzer", "raw", "--raw\n--value-bytes=0\n--\n-f.sst\n");

  // Choice-driven targets.
  for (const char* target : {"options_fuzzer", "store_model_fuzzer", "sst_dump_entries_fuzzer"}) {
    for (int i = 0; i < 3; ++i) {
      const size_t n = i == 0 ? 64 : i == 1 ? 256 : 1024;
      Seed(target, "random" + std::to_string(i), PseudoRandom(static_cast<uint64_t>(i) + 1, n));
    }
  }
  return 0;
}

// Tests of metakv-sst-dump on input it cannot read or did not expect: bad
// paths, damaged and truncated SST files, files without checksums or with
// unknown compression types, RocksDB files metakv did not write, and lone
// SST files with bad records.
#include "tests/tools/sst_dump_test_util.h"

namespace metakv::tools {
namespace {

namespace fs = std::filesystem;
using common::JsonValue;

// ---------------------------------------------------------- bad input ----

class SstDumpBadInputTest : public ::testing::Test {
 protected:
  // Every command given, text and JSON: the exit code, nothing on stdout,
  // and one line on stderr naming the file and the problem.
  void ExpectRejected(const std::string& path, int code, const std::string& why,
                      const std::vector<std::string>& commands = {"scan", "stats", "verify",
                                                                  "raw"}) {
    for (const std::string& command : commands) {
      for (bool json : {false, true}) {
        std::vector<std::string> args{"--command=" + command, path};
        if (json) args.push_back("--json");
        const RunResult r = Dump(args);
        SCOPED_TRACE(command + (json ? " --json" : ""));
        EXPECT_EQ(r.code, code);
        EXPECT_TRUE(r.out.empty()) << r.out;
        ExpectOneErrorLine(r, path, why);
      }
    }
  }

  test::TempDir dir_;
};

TEST_F(SstDumpBadInputTest, MissingPath) {
  ExpectRejected(dir_.Sub("nope.sst"), 2, "no such file");
}

TEST_F(SstDumpBadInputTest, DirectoryThatIsNotADatabase) {
  fs::create_directory(dir_.Sub("empty"));
  ExpectRejected(dir_.Sub("empty"), 2, "not a database");
}

TEST_F(SstDumpBadInputTest, EmptyFile) {
  WriteFile(dir_.Sub("empty.sst"), "");
  ExpectRejected(dir_.Sub("empty.sst"), 2, "empty file");
}

TEST_F(SstDumpBadInputTest, NotAnSstFile) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "this is a text file, line " + std::to_string(i) + "\n";
  WriteFile(dir_.Sub("notes.txt"), text);
  ExpectRejected(dir_.Sub("notes.txt"), 2, "not an SST file");
}

TEST_F(SstDumpBadInputTest, TruncatedFile) {
  const std::string path = dir_.Sub("t.sst");
  WriteSst(path, MetakvEntries(50));
  const std::string bytes = ReadFile(path);
  WriteFile(path, bytes.substr(0, bytes.size() - 20));
  ExpectRejected(path, 2, "truncated");
  // Cut before the properties: still one clear line.
  WriteFile(path, bytes.substr(0, bytes.size() / 3));
  ExpectRejected(path, 2, "not an SST file");
}

TEST_F(SstDumpBadInputTest, FlippedBytesInADataBlock) {
  const std::string path = dir_.Sub("f.sst");
  WriteSst(path, MetakvEntries(50));
  std::string bytes = ReadFile(path);
  for (size_t i = 40; i < 48; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  WriteFile(path, bytes);
  // scan and stats cannot tell what the file holds: one line, no output.
  ExpectRejected(path, 1, "checksum mismatch", {"scan", "stats"});
  // verify and raw report it in their output too.
  for (const char* command : {"verify", "raw"}) {
    const RunResult r = Dump({std::string("--command=") + command, "--json", path});
    SCOPED_TRACE(command);
    EXPECT_EQ(r.code, 1);
    ExpectOneErrorLine(r, path, "checksum mismatch");
    const JsonValue doc = ParseJson(r.out);
    EXPECT_FALSE(doc["ok"].boolean);
    EXPECT_EQ(doc["errors"].size(), 1u);
  }
  const RunResult r = Dump({"--command=verify", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("CORRUPT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verify: CORRUPTION FOUND"), std::string::npos) << r.out;
}

// Found by fuzz/sst_dump_file_fuzzer: a file written without block
// checksums, with one bit of its index block flipped, made RocksDB's index
// parser fail an assertion (abort) in every mode. Such files are refused
// before RocksDB reads a block; intact ones too, since damage in them could
// not be told from data.
TEST_F(SstDumpBadInputTest, FileWithoutBlockChecksumsIsRefused) {
  const std::string path = dir_.Sub("nochecksum.sst");
  {
    rocksdb::Options options;
    rocksdb::BlockBasedTableOptions table;
    table.checksum = rocksdb::kNoChecksum;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    options.compression = rocksdb::kNoCompression;
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
    ASSERT_ROCKS_OK(writer.Open(path));
    for (const auto& [k, v] : MetakvEntries(3)) ASSERT_ROCKS_OK(writer.Put(k, v));
    ASSERT_ROCKS_OK(writer.Finish());
  }
  ExpectRejected(path, 2, "without block checksums");
  // The damaged file the fuzzer found: a flipped bit in the index block
  // (the last block handle the footer names).
  std::string bytes = ReadFile(path);
  const size_t footer = bytes.size() - 53;
  std::string_view handles(bytes.data() + footer + 1, 40);
  uint64_t metaindex_offset = 0, metaindex_size = 0, index_offset = 0;
  ASSERT_TRUE(codecs::GetVarint64(&handles, &metaindex_offset));
  ASSERT_TRUE(codecs::GetVarint64(&handles, &metaindex_size));
  ASSERT_TRUE(codecs::GetVarint64(&handles, &index_offset));
  bytes[index_offset + 1] = static_cast<char>(bytes[index_offset + 1] ^ 0x10);
  WriteFile(path, bytes);
  ExpectRejected(path, 2, "without block checksums");
}

// Found by fuzz/sst_dump_file_fuzzer: RocksDB 7.8 parses a table's
// properties block before verifying its checksum, and its parser asserts
// (aborts) on some damage, here the data-block hash index bit set in the
// block's restart count. The tool checks that checksum first: exit 1 with
// one line naming the file and the block.
TEST_F(SstDumpBadInputTest, DamagedPropertiesBlockIsCorruptionNotACrash) {
  const std::string path = dir_.Sub("props.sst");
  WriteSst(path, MetakvEntries(5));
  std::string bytes = ReadFile(path);
  // The properties block ends (with its 5-byte trailer) where the metaindex
  // block starts, whose handle the footer holds first.
  std::string_view handles(bytes.data() + bytes.size() - 53 + 1, 40);
  uint64_t metaindex_offset = 0;
  ASSERT_TRUE(codecs::GetVarint64(&handles, &metaindex_offset));
  bytes[metaindex_offset - 6] = static_cast<char>(bytes[metaindex_offset - 6] | 0x80);
  WriteFile(path, bytes);
  ExpectRejected(path, 1, "table properties block checksum mismatch");
}

// Found by fuzz/sst_dump_file_fuzzer (a 10-minute run): a metaindex block
// whose trailer names a compression type RocksDB does not know, under a
// checksum that matches. RocksDB verifies the checksum, fails to decompress
// the block and asserts that the type is known (an abort with Debian's
// build). The tool checks the type with the checksum: exit 1 naming both.
TEST_F(SstDumpBadInputTest, UnknownCompressionTypeInAMetaBlockIsCorruptionNotACrash) {
  for (const bool properties : {false, true}) {
    SCOPED_TRACE(properties ? "properties block" : "metaindex block");
    const std::string path = dir_.Sub(properties ? "props-type.sst" : "meta-type.sst");
    WriteSst(path, MetakvEntries(5));
    std::string bytes = ReadFile(path);
    const char checksum_type = bytes[bytes.size() - 53];
    std::string_view handles(bytes.data() + bytes.size() - 53 + 1, 40);
    uint64_t meta_offset = 0, meta_size = 0;
    ASSERT_TRUE(codecs::GetVarint64(&handles, &meta_offset));
    ASSERT_TRUE(codecs::GetVarint64(&handles, &meta_size));
    // The properties block's handle is in the metaindex.
    uint64_t block_offset = meta_offset, block_size = meta_size;
    if (properties) {
      const std::string_view meta(bytes.data() + meta_offset, meta_size);
      const size_t at = meta.find("rocksdb.properties");
      ASSERT_NE(at, std::string_view::npos);
      std::string_view handle = meta.substr(at + std::strlen("rocksdb.properties"));
      ASSERT_TRUE(codecs::GetVarint64(&handle, &block_offset));
      ASSERT_TRUE(codecs::GetVarint64(&handle, &block_size));
    }
    bytes[block_offset + block_size] = static_cast<char>(0x55);
    uint32_t checksum = 0;
    ASSERT_TRUE(BlockChecksum(
        checksum_type, std::string_view(bytes.data() + block_offset, block_size + 1), &checksum));
    std::string fixed;
    codecs::PutFixed32(&fixed, checksum);
    bytes.replace(block_offset + block_size + 1, 4, fixed);
    WriteFile(path, bytes);
    ExpectRejected(path, 1,
                   std::string(properties ? "table properties" : "metaindex") +
                       " block has an unknown compression type 0x55");
  }
}

// The binary runs the tool in a child process. A data block whose first
// entry claims more bytes than the block holds, under a checksum that
// matches (as only a crafted file has), passes every check and makes
// RocksDB's block parser fail an assertion, which aborts the process with
// Debian's librocksdb. The binary reports it as damaged input: exit 1 and a
// last line saying so; the library entry point cannot (docs/sst-dump.md).
TEST_F(SstDumpBadInputTest, BinaryReportsARocksDbAbortAsDamagedInput) {
  struct Run {
    int code = -1;
    std::string err;
  };
  auto run = [&](const std::string& args) {
    const std::string err_path = dir_.Sub("stderr.txt");
    const int status = std::system(
        (std::string(METAKV_SST_DUMP_BINARY) + " " + args + " >/dev/null 2>" + err_path).c_str());
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = ReadFile(err_path);
    return r;
  };
  const std::string bad = dir_.Sub("forged.sst");
  WriteSst(bad, MetakvEntries(5), rocksdb::kNoCompression);
  std::string bytes = ReadFile(bad);
  const char checksum_type = bytes[bytes.size() - 53];
  // The first data block starts at 0; its end is where its stored checksum
  // matches.
  size_t size = 0;
  for (size_t n = 1; n + 5 <= bytes.size() && size == 0; ++n) {
    uint32_t c = 0;
    if (BlockChecksum(checksum_type, std::string_view(bytes.data(), n + 1), &c) &&
        c == codecs::DecodeFixed32(bytes.data() + n + 1)) {
      size = n;
    }
  }
  ASSERT_GT(size, 4u);
  bytes[2] = static_cast<char>(0xff);  // value length: 16383 bytes
  bytes[3] = static_cast<char>(0x7f);
  uint32_t checksum = 0;
  ASSERT_TRUE(BlockChecksum(checksum_type, std::string_view(bytes.data(), size + 1), &checksum));
  std::string fixed;
  codecs::PutFixed32(&fixed, checksum);
  bytes.replace(size + 1, 4, fixed);
  WriteFile(bad, bytes);

  for (const char* mode : {"", "--json", "--command=verify"}) {
    SCOPED_TRACE(mode);
    const Run r = run(std::string(mode) + " " + bad);
    EXPECT_EQ(r.code, 1) << r.err;
    const auto lines = Lines(r.err);
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines.back().find("metakv-sst-dump: reading stopped: RocksDB failed an internal "
                                "check"),
              std::string::npos)
        << r.err;
  }
  // Exit statuses pass through unchanged.
  const std::string good = dir_.Sub("good.sst");
  WriteSst(good, MetakvEntries(5));
  EXPECT_EQ(run(good).code, 0);
  EXPECT_EQ(run(dir_.Sub("missing.sst")).code, 2);
  EXPECT_EQ(run("--frob " + good).code, 2);
}

// Found by fuzz/sst_dump_file_fuzzer: RocksDB allocates a buffer of the
// size a footer's block handle names before reading the block, so a
// damaged size asked for hundreds of terabytes (an allocation failure,
// reported as an internal error). Handles outside the file are corruption.
TEST_F(SstDumpBadInputTest, FooterHandleOutsideTheFileIsCorruption) {
  const std::string path = dir_.Sub("handle.sst");
  WriteSst(path, MetakvEntries(5));
  std::string bytes = ReadFile(path);
  const size_t handles_at = bytes.size() - 53 + 1;
  std::string_view in(bytes.data() + handles_at, 40);
  uint64_t meta_offset = 0, meta_size = 0, index_offset = 0, index_size = 0;
  ASSERT_TRUE(codecs::GetVarint64(&in, &meta_offset));
  ASSERT_TRUE(codecs::GetVarint64(&in, &meta_size));
  ASSERT_TRUE(codecs::GetVarint64(&in, &index_offset));
  ASSERT_TRUE(codecs::GetVarint64(&in, &index_size));
  std::string handles;
  codecs::PutVarint64(&handles, meta_offset);
  codecs::PutVarint64(&handles, 562949919010808ull);  // the fuzzer's size
  codecs::PutVarint64(&handles, index_offset);
  codecs::PutVarint64(&handles, index_size);
  handles.resize(40, '\0');
  bytes.replace(handles_at, 40, handles);
  WriteFile(path, bytes);
  for (const char* command : {"scan", "stats", "verify", "raw"}) {
    SCOPED_TRACE(command);
    const RunResult r = Dump({std::string("--command=") + command, path});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(r.out.empty()) << r.out;
    ExpectOneErrorLine(r, path, "points outside the file");
  }
}

// The check computes each of RocksDB's block checksums as RocksDB does:
// intact files of every checksum type verify clean.
TEST_F(SstDumpBadInputTest, IntactFilesOfEveryChecksumTypeVerify) {
  for (rocksdb::ChecksumType type :
       {rocksdb::kCRC32c, rocksdb::kxxHash, rocksdb::kxxHash64, rocksdb::kXXH3}) {
    SCOPED_TRACE(static_cast<int>(type));
    const std::string path = dir_.Sub("type" + std::to_string(static_cast<int>(type)) + ".sst");
    rocksdb::Options options;
    rocksdb::BlockBasedTableOptions table;
    table.checksum = type;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
    ASSERT_ROCKS_OK(writer.Open(path));
    for (const auto& [k, v] : MetakvEntries(20)) ASSERT_ROCKS_OK(writer.Put(k, v));
    ASSERT_ROCKS_OK(writer.Finish());
    const RunResult r = Dump({"--command=verify", path});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
}

TEST_F(SstDumpBadInputTest, FifoIsRejectedWithoutHanging) {
  const std::string path = dir_.Sub("fifo");
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  ExpectRejected(path, 2, "not a regular file");
}

// ------------------------------------------------------ foreign input ----

class SstDumpForeignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Sub("stock.sst");
    WriteSst(path_,
             {{"apple", "red"}, {"banana", "yellow"}, {"cherry", std::string("\x00\x01", 2)}});
  }
  test::TempDir dir_;
  std::string path_;
};

TEST_F(SstDumpForeignTest, DefaultModeReportsForeign) {
  for (const char* command : {"scan", "stats", "verify"}) {
    const RunResult r = Dump({std::string("--command=") + command, path_});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.out.empty()) << r.out;
    ExpectOneErrorLine(r, path_, "foreign SST file, not written by metakv");
    EXPECT_NE(r.err.find("--command=raw"), std::string::npos);
  }
}

TEST_F(SstDumpForeignTest, RawModeReadsIt) {
  RunResult r = Dump({"--raw", path_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.err.empty());
  const auto lines = Lines(r.out);
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : lines) {
    if (line.empty() || line[0] == '#') continue;
    rows.push_back(Tokens(line));
  }
  ASSERT_EQ(rows.size(), 4u) << r.out;  // header + 3
  EXPECT_EQ(rows[0], (std::vector<std::string>{"KEY", "VALUE_BYTES", "VALUE"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"apple", "3", "red"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"banana", "6", "yellow"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"cherry", "2", "\\x00\\x01"}));

  r = Dump({"--command=raw", "--json", path_});
  ASSERT_EQ(r.code, 0) << r.err;
  const JsonValue doc = ParseJson(r.out);
  EXPECT_EQ(doc["input"].string, "file");
  ASSERT_EQ(doc["files"].size(), 1u);
  const JsonValue& entries = doc["files"][0]["entries"];
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0]["key"].string, "apple");
  EXPECT_EQ(entries[2]["value"].string, "\\x00\\x01");
  EXPECT_EQ(doc["entries_shown"].AsUint(), 3u);
  EXPECT_TRUE(doc["ok"].boolean);
}

TEST(SstDumpForeignDbTest, RocksDbThatIsNotMetakv) {
  test::TempDir dir;
  const std::string path = dir.Sub("plain");
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_ROCKS_OK(rocksdb::DB::Open(options, path, &raw));
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_ROCKS_OK(db->Put(rocksdb::WriteOptions(), "k1", "v1"));
    ASSERT_ROCKS_OK(db->Put(rocksdb::WriteOptions(), "k2", "v2"));
    ASSERT_ROCKS_OK(db->Flush(rocksdb::FlushOptions()));
    ASSERT_ROCKS_OK(db->Close());
  }
  RunResult r = Dump({"--command=stats", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.out.empty());
  ExpectOneErrorLine(r, path, "not a metakv database");

  r = Dump({"--raw", "--json", path});
  ASSERT_EQ(r.code, 0) << r.err;
  const JsonValue doc = ParseJson(r.out);
  EXPECT_FALSE(doc["metakv"].boolean);
  ASSERT_EQ(doc["files"].size(), 1u);
  EXPECT_EQ(doc["files"][0]["entries"].size(), 2u);
  EXPECT_EQ(doc["files"][0]["entries"][1]["value"].string, "v2");
}

// --------------------------------------------------- lone SST files ----

TEST(SstDumpLoneFileTest, GoldenScanOutput) {
  test::TempDir dir;
  const std::string path = dir.Sub("golden.sst");
  std::vector<std::pair<std::string, std::string>> kvs;
  auto add = [&](const std::string& tenant, const std::string& key, codecs::RecordKind kind,
                 uint64_t time, uint64_t expiry, const std::string& payload) {
    const std::string encoded = codecs::EncodeKey(tenant, key);
    codecs::Record r;
    r.kind = kind;
    r.time = time;
    r.expiry = expiry;
    r.payload = payload;
    std::string value;
    codecs::EncodeRecord(encoded, r, &value);
    kvs.emplace_back(encoded, value);
  };
  add("acme", "/docs/a.txt", codecs::RecordKind::kLive, kT0, 0, "hello");
  add("acme", "/docs/b.txt", codecs::RecordKind::kTombstone, kDeleteTime, 0, "bye");
  add("acme", "/v/1", codecs::RecordKind::kLive, kT0, kT0 + kShortTtl, "old");
  add("acme", "/v/2", codecs::RecordKind::kLive, kT0, kT0 + kHistoryTtl,
      "a long value that is cut at the limit");
  add(kOddTenant, "k", codecs::RecordKind::kLive, kT0, 0, kBinaryValue);
  WriteSst(path, kvs);

  const RunResult r = Dump({path, NowFlag(), "--value-bytes=16"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.err.empty());
  const std::string expected = "# metakv-sst-dump scan " + path +
                               ": SST file, 5 entries; expiry judged at 2023-11-14T22:16:40Z\n"
                               "\n"
                               "# " +
                               path +
                               ": 5 entries\n"
                               "DOMAIN  TENANT  KEY          KIND       TIME                  "
                               "EXPIRY                BYTES  VALUE\n"
                               "-       acme    /docs/a.txt  live       2023-11-14T22:13:20Z  -    "
                               "                     5  hello\n"
                               "-       acme    /docs/b.txt  tombstone  2023-11-14T22:13:30Z  -    "
                               "                     3  bye\n"
                               "-       acme    /v/1         expired    2023-11-14T22:13:20Z  "
                               "2023-11-14T22:15:00Z      3  old\n"
                               "-       acme    /v/2         expiring   2023-11-14T22:13:20Z  "
                               "2023-12-14T22:13:20Z     37  a long value tha...\n"
                               "-       z\\x00y  k            live       2023-11-14T22:13:20Z  -   "
                               "                      7  \\x00\\x01\\xff bin\n"
                               "\n"
                               "# 5 records shown from 1 file\n";
  EXPECT_EQ(r.out, expected);
}

TEST(SstDumpLoneFileTest, BadRecordIsReportedByKeyAndCounted) {
  test::TempDir dir;
  const std::string path = dir.Sub("bad.sst");
  auto kvs = MetakvEntries(12);
  // Record 7: a flipped payload byte (the block checksum is fine: the file
  // is written after the damage, as a buggy writer would).
  kvs[7].second[4] = static_cast<char>(kvs[7].second[4] ^ 1);
  // Record 9: a value moved under another key.
  kvs[9].second = kvs[8].second;
  WriteSst(path, kvs);

  RunResult r = Dump({"--command=verify", path});
  EXPECT_EQ(r.code, 1);
  std::vector<std::string> bad_lines;
  for (const auto& line : Lines(r.out)) {
    if (line.rfind("BAD", 0) == 0) bad_lines.push_back(line);
  }
  ASSERT_EQ(bad_lines.size(), 2u) << r.out;
  EXPECT_NE(bad_lines[0].find(
                "tenant acme key /k/07: record at key acme\\x00\\x01/k/07: checksum mismatch"),
            std::string::npos)
      << bad_lines[0];
  EXPECT_NE(bad_lines[1].find("key /k/09"), std::string::npos);
  EXPECT_NE(
      r.out.find("verify: CORRUPTION FOUND: 1 file checked, 12 records checked, 2 bad records"),
      std::string::npos)
      << r.out;
  EXPECT_EQ(Lines(r.err).size(), 2u) << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos);

  r = Dump({"--command=verify", "--json", path});
  EXPECT_EQ(r.code, 1);
  JsonValue doc = ParseJson(r.out);
  EXPECT_EQ(doc["bad_records"].AsUint(), 2u);
  EXPECT_EQ(doc["records_checked"].AsUint(), 12u);
  EXPECT_FALSE(doc["ok"].boolean);
  EXPECT_EQ(doc["exit_code"].AsUint(), 1u);
  ASSERT_EQ(doc["bad_records_listed"].size(), 2u);
  EXPECT_EQ(doc["bad_records_listed"][0]["tenant"].string, "acme");
  EXPECT_EQ(doc["bad_records_listed"][0]["key"].string, "/k/07");
  EXPECT_EQ(doc["files"][0]["status"].string, "corrupt");
  EXPECT_TRUE(doc["files"][0]["blocks_ok"].boolean);

  // scan shows the bad records in place and exits 1 too.
  r = Dump({"--command=scan", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("BAD"), std::string::npos);
  EXPECT_NE(r.out.find("# 12 records shown (2 bad) from 1 file"), std::string::npos) << r.out;

  r = Dump({"--command=stats", "--json", path});
  EXPECT_EQ(r.code, 1);
  doc = ParseJson(r.out);
  EXPECT_EQ(doc["total"]["totals"]["records"].AsUint(), 10u);
  EXPECT_EQ(doc["total"]["totals"]["bad"]["records"].AsUint(), 2u);
}

TEST(SstDumpLoneFileTest, CorruptionLaterInTheFileIsFoundByVerify) {
  test::TempDir dir;
  const std::string path = dir.Sub("late.sst");
  // Many blocks (uncompressible values), then damage near the end of the data.
  std::vector<std::pair<std::string, std::string>> kvs;
  for (int i = 0; i < 400; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "/k/%04d", i);
    const std::string encoded = codecs::EncodeKey("acme", key);
    std::string payload(200, '\0');
    for (size_t j = 0; j < payload.size(); ++j)
      payload[j] = static_cast<char>((i * 131 + j * 7919) >> 3);
    codecs::Record rec;
    rec.time = kT0;
    rec.payload = payload;
    std::string value;
    codecs::EncodeRecord(encoded, rec, &value);
    kvs.emplace_back(encoded, value);
  }
  WriteSst(path, kvs);
  std::string bytes = ReadFile(path);
  const size_t at = bytes.size() * 2 / 3;
  bytes[at] = static_cast<char>(bytes[at] ^ 0xff);
  WriteFile(path, bytes);

  RunResult r = Dump({"--command=verify", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("CORRUPT"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(path), std::string::npos);
  EXPECT_NE(r.err.find("checksum mismatch"), std::string::npos) << r.err;
  r = Dump({"--command=verify", "--json", path});
  EXPECT_EQ(r.code, 1);
  const JsonValue doc = ParseJson(r.out);
  EXPECT_FALSE(doc["files"][0]["blocks_ok"].boolean);
  EXPECT_FALSE(doc["files"][0]["all_records_reached"].boolean);
  EXPECT_GT(doc["records_checked"].AsUint(), 0u);
}

}  // namespace
}  // namespace metakv::tools

// Inode record codec (include/metakv/filesystem.h) on arbitrary bytes.
//
// Checks: DecodeInode never crashes and fails only with Corruption;
// whatever decodes re-encodes to bytes that decode to the same attributes,
// and the re-encoding is no longer than the input (it is the canonical
// form); attributes built from the input survive encode/decode, and every
// strict prefix of their encoding, and the encoding plus a byte, is
// rejected.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <string_view>

#include "codecs/coding.h"
#include "fuzz/fuzz_util.h"
#include "metakv/filesystem.h"

namespace codecs = metakv::codecs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  metakv::InodeAttributes a;
  metakv::Status s = metakv::DecodeInode(input, &a);
  FUZZ_CHECK(s.ok() || s.IsCorruption(), s.ToString());
  FUZZ_CHECK(s.ok() || !s.message().empty(), "empty message");
  if (s.ok()) {
    std::string again;
    metakv::EncodeInode(a, &again);
    FUZZ_CHECK(again.size() <= input.size(), codecs::Printable(input));
    metakv::InodeAttributes b;
    s = metakv::DecodeInode(again, &b);
    FUZZ_CHECK(s.ok(), s.ToString());
    FUZZ_CHECK(a == b, codecs::Printable(input));
  }

  FuzzedDataProvider in(data, size);
  metakv::InodeAttributes x;
  x.ino = in.ConsumeIntegral<uint64_t>();
  x.mode = in.ConsumeIntegral<uint32_t>();
  x.uid = in.ConsumeIntegral<uint32_t>();
  x.gid = in.ConsumeIntegral<uint32_t>();
  x.nlink = in.ConsumeIntegral<uint32_t>();
  x.size = in.ConsumeIntegral<uint64_t>();
  x.blocks = in.ConsumeIntegral<uint64_t>();
  x.atime_ns = in.ConsumeIntegral<int64_t>();
  x.mtime_ns = in.ConsumeIntegral<int64_t>();
  x.ctime_ns = in.ConsumeIntegral<int64_t>();
  x.generation = in.ConsumeIntegral<uint64_t>();
  x.flags = in.ConsumeIntegral<uint32_t>();
  std::string enc;
  metakv::EncodeInode(x, &enc);
  metakv::InodeAttributes y;
  s = metakv::DecodeInode(enc, &y);
  FUZZ_CHECK(s.ok(), s.ToString());
  FUZZ_CHECK(x == y, codecs::Printable(enc));
  for (size_t n = 0; n < enc.size(); ++n) {
    s = metakv::DecodeInode(std::string_view(enc).substr(0, n), &y);
    FUZZ_CHECK(s.IsCorruption(), "a prefix of " + std::to_string(n) + " bytes decodes");
  }
  s = metakv::DecodeInode(enc + '\0', &y);
  FUZZ_CHECK(s.IsCorruption(), "trailing byte accepted");
  return 0;
}

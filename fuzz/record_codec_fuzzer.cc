// Value record codec (codecs/record_codec.h) on arbitrary bytes.
//
// Input: one byte n, then n bytes of encoded key, then the stored value.
// Checks: DecodeRecord (checked) and DecodeRecordUnchecked never crash and
// fail only with Corruption; what the checked decoder accepts the unchecked
// one accepts with the same fields; a decoded record re-encodes under the
// same key to bytes that decode to the same fields; and a record built
// from the input's fields survives encode/decode, while any single flipped
// byte of its encoding is caught by the checked decoder.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <string_view>

#include "codecs/coding.h"
#include "codecs/record_codec.h"
#include "fuzz/fuzz_util.h"

namespace codecs = metakv::codecs;

namespace {

bool SameFields(const codecs::Record& a, const codecs::Record& b) {
  return a.kind == b.kind && a.time == b.time && a.expiry == b.expiry && a.payload == b.payload;
}

std::string Describe(const codecs::Record& r) {
  return std::string(codecs::RecordKindName(r)) + " time " + std::to_string(r.time) + " expiry " +
         std::to_string(r.expiry) + " payload " + codecs::PrintableHead(r.payload);
}

void CheckStored(std::string_view key, std::string_view value) {
  codecs::Record checked, unchecked;
  const metakv::Status cs = codecs::DecodeRecord(key, value, &checked);
  const metakv::Status us = codecs::DecodeRecordUnchecked(key, value, &unchecked);
  FUZZ_CHECK(cs.ok() || cs.IsCorruption(), cs.ToString());
  FUZZ_CHECK(us.ok() || us.IsCorruption(), us.ToString());
  if (cs.ok()) {
    FUZZ_CHECK(us.ok(), us.ToString());
    FUZZ_CHECK(SameFields(checked, unchecked), Describe(checked) + " vs " + Describe(unchecked));
  }
  if (!us.ok()) return;
  const uint8_t kind = static_cast<uint8_t>(unchecked.kind);
  FUZZ_CHECK(kind <= 1, std::to_string(kind));
  FUZZ_CHECK(unchecked.payload.data() >= value.data() &&
                 unchecked.payload.data() + unchecked.payload.size() <= value.data() + value.size(),
             "payload outside the value");
  std::string again;
  codecs::EncodeRecord(key, unchecked, &again);
  codecs::Record round;
  const metakv::Status rs = codecs::DecodeRecord(key, again, &round);
  FUZZ_CHECK(rs.ok(), rs.ToString());
  FUZZ_CHECK(SameFields(round, unchecked), Describe(round) + " vs " + Describe(unchecked));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  if (all.empty()) return 0;
  const size_t key_bytes = std::min<size_t>(static_cast<uint8_t>(all[0]), all.size() - 1);
  const std::string_view key = all.substr(1, key_bytes);
  const std::string_view value = all.substr(1 + key_bytes);
  CheckStored(key, value);

  // A record from the input's fields: encode, decode, corrupt.
  FuzzedDataProvider in(data, size);
  codecs::Record r;
  r.kind = in.ConsumeBool() ? codecs::RecordKind::kTombstone : codecs::RecordKind::kLive;
  r.time = in.ConsumeIntegral<uint64_t>();
  r.expiry = in.ConsumeBool() ? in.ConsumeIntegral<uint64_t>() : 0;
  const std::string k = in.ConsumeRandomLengthString(64);
  const size_t flip_at = in.ConsumeIntegral<size_t>();
  const uint8_t flip_mask = in.ConsumeIntegralInRange<uint8_t>(1, 255);
  const std::string payload = in.ConsumeRemainingBytesAsString();
  r.payload = payload;
  std::string encoded;
  codecs::EncodeRecord(k, r, &encoded);
  FUZZ_CHECK(encoded.size() >= codecs::kMinRecordBytes, std::to_string(encoded.size()));
  codecs::Record back;
  metakv::Status s = codecs::DecodeRecord(k, encoded, &back);
  FUZZ_CHECK(s.ok(), s.ToString());
  FUZZ_CHECK(SameFields(back, r), Describe(back) + " vs " + Describe(r));
  s = codecs::DecodeRecord(k + "x", encoded, &back);
  FUZZ_CHECK(s.IsCorruption(), "a record moved under another key decodes: " + s.ToString());
  std::string flipped = encoded;
  flipped[flip_at % flipped.size()] ^= static_cast<char>(flip_mask);
  s = codecs::DecodeRecord(k, flipped, &back);
  FUZZ_CHECK(s.IsCorruption(), "a flipped byte at " + std::to_string(flip_at % flipped.size()) +
                                   " is not caught: " + s.ToString());
  // A truncation decodes only if its last four bytes happen to be the
  // checksum of the bytes before them: a 1 in 2^32 chance for a random cut,
  // but libFuzzer reads the checksum comparison and writes the value it
  // wants into the payload (the seed cut-record-carrying-its-checksum is one).
  for (size_t n = 0; n < encoded.size() && n < 16; ++n) {
    const std::string_view cut = std::string_view(encoded).substr(0, n);
    s = codecs::DecodeRecord(k, cut, &back);
    if (s.ok()) {
      FUZZ_CHECK(
          n >= codecs::kMinRecordBytes && codecs::DecodeFixed32(cut.data() + n - 4) ==
                                              codecs::RecordChecksum(k, cut.substr(0, n - 4)),
          "a record cut to " + std::to_string(n) + " bytes decodes without its checksum");
    } else {
      FUZZ_CHECK(s.IsCorruption(),
                 "a record cut to " + std::to_string(n) + " bytes: " + s.ToString());
    }
  }
  return 0;
}

#include "engine/store_clock.h"

#include <rocksdb/env.h>

#include <algorithm>

#include "codecs/coding.h"
#include "codecs/record_codec.h"

namespace metakv {

uint64_t StoreClock::NowSeconds() {
  uint64_t floor = floor_.load(std::memory_order_acquire);
  const uint64_t now =
      std::min(std::max(base_->NowSeconds(), floor), bound_.load(std::memory_order_acquire));
  while (floor < now && !floor_.compare_exchange_weak(floor, now, std::memory_order_acq_rel)) {
  }
  return std::max(now, floor);
}

void StoreClock::RaiseFloor(uint64_t seconds) {
  seconds = std::min(seconds, bound_.load(std::memory_order_acquire));
  uint64_t floor = floor_.load(std::memory_order_acquire);
  while (floor < seconds &&
         !floor_.compare_exchange_weak(floor, seconds, std::memory_order_acq_rel)) {
  }
}

void StoreClock::Start(uint64_t floor_seconds, uint64_t bound_seconds) {
  bound_.store(bound_seconds, std::memory_order_release);
  floor_.store(floor_seconds, std::memory_order_release);
}

uint64_t StoreClock::BoundNeededFor(uint64_t seconds) const {
  const uint64_t bound = bound_.load(std::memory_order_acquire);
  if (bound == kUnbounded) return 0;
  const uint64_t wanted = std::max(seconds, base_->NowSeconds());
  if (codecs::SaturatingAdd(wanted, kLeaseSeconds / 10) <= bound) return 0;
  return codecs::SaturatingAdd(wanted, kLeaseSeconds);
}

void StoreClock::SetBound(uint64_t bound_seconds) {
  bound_.store(bound_seconds, std::memory_order_release);
}

std::string StoreClock::EncodeBound(uint64_t bound_seconds, uint64_t max_write_seconds) {
  std::string payload;
  codecs::PutVarint64(&payload, max_write_seconds);
  codecs::Record record;
  record.time = bound_seconds;
  record.payload = payload;
  std::string out;
  codecs::EncodeRecord(kTimeBoundFile, record, &out);
  return out;
}

Status StoreClock::DecodeBound(std::string_view value, uint64_t* bound_seconds,
                               uint64_t* max_write_seconds) {
  codecs::Record record;
  Status s = codecs::DecodeRecord(kTimeBoundFile, value, &record);
  if (!s.ok()) return Status::Corruption(std::string(kTimeBoundFile) + ": " + s.message());
  std::string_view in = record.payload;
  if (record.IsTombstone() || record.expiry != 0 || !codecs::GetVarint64(&in, max_write_seconds) ||
      !in.empty()) {
    return Status::Corruption(std::string(kTimeBoundFile) + ": unexpected fields");
  }
  *bound_seconds = record.time;
  return Status::OK();
}

namespace {

Status FromEnv(const rocksdb::Status& rs, const std::string& what) {
  if (rs.ok()) return Status::OK();
  return Status::IOError(what + ": " + rs.ToString());
}

}  // namespace

Status StoreClock::WriteBound(rocksdb::Env* env, const std::string& dir, uint64_t bound_seconds,
                              uint64_t max_write_seconds) {
  const std::string path = dir + "/" + std::string(kTimeBoundFile);
  const std::string tmp = path + ".tmp";
  rocksdb::Status rs =
      rocksdb::WriteStringToFile(env, EncodeBound(bound_seconds, max_write_seconds), tmp,
                                 /*should_sync=*/true);
  if (rs.ok()) rs = env->RenameFile(tmp, path);
  std::unique_ptr<rocksdb::Directory> d;
  if (rs.ok()) rs = env->NewDirectory(dir, &d);
  if (rs.ok()) rs = d->Fsync();
  return FromEnv(rs, "writing " + path);
}

Status StoreClock::ReadBound(rocksdb::Env* env, const std::string& dir, uint64_t* bound_seconds,
                             uint64_t* max_write_seconds, bool* found) {
  const std::string path = dir + "/" + std::string(kTimeBoundFile);
  *found = false;
  rocksdb::Status rs = env->FileExists(path);
  if (rs.IsNotFound()) return Status::OK();
  std::string data;
  if (rs.ok()) rs = rocksdb::ReadFileToString(env, path, &data);
  if (!rs.ok()) return FromEnv(rs, "reading " + path);
  Status s = DecodeBound(data, bound_seconds, max_write_seconds);
  if (!s.ok()) return Status::Corruption(dir + "/" + s.message());
  *found = true;
  return Status::OK();
}

}  // namespace metakv

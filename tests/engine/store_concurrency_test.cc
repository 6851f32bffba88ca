// Concurrency: writers on disjoint and shared keys with concurrent readers
// and iterators; atomic cross-domain batches seen through MultiGet; and
// Delete racing Put on the same key. Every check is decidable from what the
// threads recorded.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "metakv/store.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

constexpr int kWriters = 4;
constexpr int kDisjointKeys = 50;
constexpr int kSharedKeys = 20;
constexpr int kRoundsPerWriter = 4000;

std::string DisjointKey(int writer, int i) {
  return "w" + std::to_string(writer) + "-" + std::to_string(i);
}
std::string SharedKey(int i) { return "shared-" + std::to_string(i); }
// Values carry writer and sequence number: "<writer>:<seq>:<padding>".
std::string MakeValue(int writer, int seq) {
  return std::to_string(writer) + ":" + std::to_string(seq) + ":" + std::string(seq % 50, 'p');
}
bool ParseValue(const std::string& v, int* writer, int* seq) {
  const size_t a = v.find(':');
  if (a == std::string::npos) return false;
  const size_t b = v.find(':', a + 1);
  if (b == std::string::npos) return false;
  try {
    *writer = std::stoi(v.substr(0, a));
    *seq = std::stoi(v.substr(a + 1, b - a - 1));
  } catch (...) {
    return false;
  }
  return v == MakeValue(*writer, *seq);
}

TEST_F(StoreTest, WritersReadersAndIteratorsConcurrently) {
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::mutex error_mu;
  std::string first_error;
  auto fail = [&](const std::string& what) {
    if (errors.fetch_add(1) == 0) {
      std::lock_guard<std::mutex> l(error_mu);
      first_error = what;
    }
  };

  // What each writer wrote: shared key -> every value; disjoint key -> last.
  std::vector<std::map<std::string, std::set<std::string>>> shared_written(kWriters);
  std::vector<std::map<std::string, std::string>> disjoint_last(kWriters);
  std::vector<std::map<std::string, std::string>> shared_last(kWriters);
  // The sequence number at which each disjoint key was first written.
  std::vector<std::atomic<int>> first_write(kWriters * kDisjointKeys);
  for (auto& f : first_write) f.store(kRoundsPerWriter + 1);
  // The highest sequence acknowledged per writer, for monotonic reads.
  std::vector<std::atomic<int>> acked(kWriters);
  for (auto& a : acked) a.store(-1);

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(1000 + w);
      for (int seq = 0; seq < kRoundsPerWriter && errors.load() == 0; ++seq) {
        const std::string value = MakeValue(w, seq);
        std::string key;
        int disjoint = -1;
        if (rng() % 3 == 0) {
          key = SharedKey(rng() % kSharedKeys);
        } else {
          disjoint = rng() % kDisjointKeys;
          key = DisjointKey(w, disjoint);
        }
        const Status s = store_->Put(WriteOptions(), kInode, "t", key, value);
        if (!s.ok()) {
          fail("Put " + key + ": " + s.ToString());
          return;
        }
        if (disjoint < 0) {
          shared_written[w][key].insert(value);
          shared_last[w][key] = value;
        } else {
          disjoint_last[w][key] = value;
          auto& first = first_write[w * kDisjointKeys + disjoint];
          if (first.load() > seq) first.store(seq);
        }
        acked[w].store(seq);
        if (seq % 500 == 499 && w == 0) {
          const Status f = store_->Flush(kInode);
          if (!f.ok()) fail("Flush: " + f.ToString());
        }
      }
    });
  }

  // Reader: values are well formed; a disjoint key's sequence never goes back.
  std::thread reader([&] {
    std::mt19937 rng(7);
    std::map<std::string, int> last_seen;
    while (!stop.load() && errors.load() == 0) {
      const int w = rng() % kWriters;
      const std::string key = DisjointKey(w, rng() % kDisjointKeys);
      std::string value;
      const Status s = store_->Get(ReadOptions(), kInode, "t", key, &value);
      if (s.IsNotFound()) {
        if (last_seen.count(key)) fail("Get " + key + ": NotFound after a value was seen");
        continue;
      }
      if (!s.ok()) {
        fail("Get " + key + ": " + s.ToString());
        continue;
      }
      int vw = 0, seq = 0;
      if (!ParseValue(value, &vw, &seq) || vw != w) {
        fail("Get " + key + ": malformed or foreign value " + P(value));
        continue;
      }
      auto it = last_seen.find(key);
      if (it != last_seen.end() && seq < it->second) {
        fail("Get " + key + ": sequence went back from " + std::to_string(it->second) + " to " +
             std::to_string(seq));
      }
      last_seen[key] = seq;
    }
  });

  // Iterator thread: ordered, no duplicates, well-formed values, and every
  // disjoint key whose first write was acknowledged before the scan began is
  // present.
  std::thread scanner([&] {
    while (!stop.load() && errors.load() == 0) {
      std::vector<int> acked_before(kWriters);
      for (int w = 0; w < kWriters; ++w) acked_before[w] = acked[w].load();
      std::unique_ptr<Iterator> it;
      Status s = store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it);
      if (!s.ok()) {
        fail("NewIterator: " + s.ToString());
        return;
      }
      std::string prev;
      size_t count = 0;
      std::set<std::string> seen;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const std::string key(it->key());
        seen.insert(key);
        if (count > 0 && !(prev < key)) fail("scan out of order: " + prev + " then " + key);
        int vw = 0, seq = 0;
        if (!ParseValue(std::string(it->value()), &vw, &seq)) {
          fail("scan: malformed value at " + key);
        }
        prev = key;
        ++count;
      }
      for (int w = 0; w < kWriters; ++w) {
        for (int i = 0; i < kDisjointKeys; ++i) {
          if (first_write[w * kDisjointKeys + i].load() <= acked_before[w] &&
              !seen.count(DisjointKey(w, i))) {
            fail("scan misses " + DisjointKey(w, i) + ", written before the scan began");
          }
        }
      }
      if (!it->status().ok()) fail("scan status: " + it->status().ToString());
      if (count > static_cast<size_t>(kWriters * kDisjointKeys + kSharedKeys)) {
        fail("scan saw " + std::to_string(count) + " records");
      }
      // Reverse pass over the same iterator.
      size_t back = 0;
      for (it->SeekToLast(); it->Valid(); it->Prev()) ++back;
      if (back != count) {
        fail("reverse scan saw " + std::to_string(back) + ", forward " + std::to_string(count));
      }
    }
  });

  for (auto& t : writers) t.join();
  stop.store(true);
  reader.join();
  scanner.join();
  ASSERT_EQ(errors.load(), 0) << first_error;

  auto verify = [&] {
    for (int w = 0; w < kWriters; ++w) {
      for (const auto& [key, value] : disjoint_last[w]) {
        ASSERT_EQ(Get(kInode, "t", key), value) << key;
      }
    }
    for (int i = 0; i < kSharedKeys; ++i) {
      const std::string key = SharedKey(i);
      std::set<std::string> candidates;
      for (int w = 0; w < kWriters; ++w) {
        const auto it = shared_written[w].find(key);
        if (it != shared_written[w].end()) candidates.insert(it->second.begin(), it->second.end());
      }
      const std::string got = Get(kInode, "t", key);
      if (candidates.empty()) {
        EXPECT_EQ(got, "NOT_FOUND") << key;
      } else {
        EXPECT_TRUE(candidates.count(got)) << key << " holds " << P(got) << ", never written to it";
        // And it is the last value its writer put there: a writer's own
        // writes are ordered.
        int vw = 0, seq = 0;
        ASSERT_TRUE(ParseValue(got, &vw, &seq));
        EXPECT_EQ(got, shared_last[vw][key]) << key << ": not the last value its writer put";
      }
    }
  };
  verify();
  Reopen();
  verify();
}

TEST_F(StoreTest, BatchesAreAtomicToConcurrentMultiGet) {
  // A writer puts the same version under one key in all three domains per
  // batch; readers must never see a mix of versions. After every kGate-th
  // batch the writer waits until kGateReads reads started after it have
  // finished, so readers check reads throughout the run whatever the
  // scheduling, and each such version is read while it is the newest (no
  // timing involved).
  constexpr int kBatches = 1500;
  constexpr int kGate = 10;
  constexpr uint64_t kGateReads = 2;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> reads_started{0}, reads_finished{0};
  // Reads whose three values were compared (MultiGet and snapshot Gets),
  // and the versions they saw.
  std::atomic<uint64_t> multiget_checked{0}, snapshot_checked{0};
  std::set<std::string> versions_seen;
  std::atomic<int> errors{0};
  std::string first_error;
  std::mutex mu;
  auto fail = [&](const std::string& what) {
    if (errors.fetch_add(1) == 0) {
      std::lock_guard<std::mutex> l(mu);
      first_error = what;
    }
  };
  std::thread writer([&] {
    for (int v = 0; v < kBatches && errors.load() == 0; ++v) {
      WriteBatch batch;
      const std::string value = "version-" + std::to_string(v);
      batch.Put(kInode, "t", "file", value);
      batch.Put(kDentry, "t", "file", value);
      batch.Put(kHistory, "t", "file", value);
      const Status s = store_->Write(WriteOptions(), batch);
      if (!s.ok()) fail("Write: " + s.ToString());
      if (v % 400 == 399) {
        const Status f = store_->Flush();
        if (!f.ok()) fail("Flush: " + f.ToString());
      }
      if (v % kGate == kGate - 1) {
        // At most `started` reads began before this batch was written; once
        // kGateReads more than that have finished, kGateReads began after.
        const uint64_t started = reads_started.load();
        while (reads_finished.load() < started + kGateReads && errors.load() == 0) {
          std::this_thread::yield();
        }
      }
    }
    done.store(true);
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      const std::vector<KeyRef> keys = {
          {kInode, "t", "file"}, {kDentry, "t", "file"}, {kHistory, "t", "file"}};
      while (!done.load() && errors.load() == 0) {
        std::vector<std::string> values;
        std::vector<Status> statuses;
        reads_started.fetch_add(1);
        struct Finished {
          std::atomic<uint64_t>* n;
          ~Finished() { n->fetch_add(1); }
        } finished{&reads_finished};
        const Status s = store_->MultiGet(ReadOptions(), keys, &values, &statuses);
        if (!s.ok() || statuses.size() != 3) {
          fail("MultiGet: " + s.ToString());
          continue;
        }
        const bool all_missing =
            statuses[0].IsNotFound() && statuses[1].IsNotFound() && statuses[2].IsNotFound();
        if (all_missing) continue;
        if (!statuses[0].ok() || !statuses[1].ok() || !statuses[2].ok()) {
          fail("MultiGet: partial batch visible: " + statuses[0].ToString() + " / " +
               statuses[1].ToString() + " / " + statuses[2].ToString());
          continue;
        }
        if (values[0] != values[1] || values[1] != values[2]) {
          fail("MultiGet: torn batch " + values[0] + " / " + values[1] + " / " + values[2]);
          continue;
        }
        multiget_checked.fetch_add(1);
        {
          std::lock_guard<std::mutex> l(mu);
          versions_seen.insert(values[0]);
        }
        // A snapshot gives the same guarantee to separate Gets.
        const Snapshot* snap = store_->GetSnapshot();
        ReadOptions ro;
        ro.snapshot = snap;
        std::string a, b, c;
        const Status sa = store_->Get(ro, kInode, "t", "file", &a);
        const Status sb = store_->Get(ro, kDentry, "t", "file", &b);
        const Status sc = store_->Get(ro, kHistory, "t", "file", &c);
        store_->ReleaseSnapshot(snap);
        if (!sa.ok() || !sb.ok() || !sc.ok() || a != b || b != c) {
          fail("snapshot Gets torn: " + a + " / " + b + " / " + c);
          continue;
        }
        snapshot_checked.fetch_add(1);
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  ASSERT_EQ(errors.load(), 0) << first_error;
  // The checks ran: at least kGateReads reads after each gated batch, each
  // of which saw that batch's version (the writer waited for them).
  constexpr uint64_t kGates = kBatches / kGate;
  EXPECT_GE(multiget_checked.load(), kGates * kGateReads);
  EXPECT_GE(snapshot_checked.load(), kGates * kGateReads);
  std::vector<int> unread;
  for (int v = kGate - 1; v < kBatches; v += kGate) {
    if (versions_seen.count("version-" + std::to_string(v)) == 0) unread.push_back(v);
  }
  EXPECT_TRUE(unread.empty()) << unread.size() << " gated versions never read, the first "
                              << (unread.empty() ? -1 : unread[0]);
  const std::string last = "version-" + std::to_string(kBatches - 1);
  EXPECT_EQ(Get(kInode, "t", "file"), last);
  EXPECT_EQ(Get(kDentry, "t", "file"), last);
  EXPECT_EQ(Get(kHistory, "t", "file"), last);
}

TEST_F(StoreTest, DeleteRacingPutKeepsTheLatestValue) {
  // For each key one thread puts v1, v2, v3 in order while another deletes
  // the key once it has seen v1 acknowledged. The Delete must succeed (the
  // record is live from v1 on), and afterwards the key is either live with v3
  // or a tombstone that restores v3: a tombstone may never hold a value
  // older than the last Put acknowledged before the Delete.
  constexpr int kKeys = 6000;
  std::vector<std::atomic<int>> acked(kKeys);
  for (auto& a : acked) a.store(0);
  std::vector<int> acked_at_delete(kKeys, -1);
  std::atomic<int> errors{0};
  std::string first_error;
  std::mutex mu;
  auto fail = [&](const std::string& what) {
    if (errors.fetch_add(1) == 0) {
      std::lock_guard<std::mutex> l(mu);
      first_error = what;
    }
  };
  auto key_of = [](int i) { return "race-" + std::to_string(i); };

  std::thread putter([&] {
    for (int i = 0; i < kKeys && errors.load() == 0; ++i) {
      for (int v = 1; v <= 3; ++v) {
        const Status s =
            store_->Put(WriteOptions(), kDentry, "t", key_of(i), "v" + std::to_string(v));
        if (!s.ok()) fail("Put: " + s.ToString());
        acked[i].store(v, std::memory_order_release);
      }
    }
  });
  std::thread deleter([&] {
    for (int i = 0; i < kKeys && errors.load() == 0; ++i) {
      int a = 0;
      while ((a = acked[i].load(std::memory_order_acquire)) < 1) {
        if (errors.load() != 0) return;
        std::this_thread::yield();
      }
      acked_at_delete[i] = a;
      const Status s = store_->Delete(WriteOptions(), kDentry, "t", key_of(i));
      if (!s.ok())
        fail("Delete " + key_of(i) + " after v" + std::to_string(a) + ": " + s.ToString());
    }
  });
  putter.join();
  deleter.join();
  ASSERT_EQ(errors.load(), 0) << first_error;

  int deleted_last = 0;
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = key_of(i);
    const std::string got = Get(kDentry, "t", key);
    if (got == "NOT_FOUND") {
      ++deleted_last;
      const Status s = Undelete(kDentry, "t", key);
      ASSERT_TRUE(s.ok()) << key << ": " << s.ToString();
      EXPECT_EQ(Get(kDentry, "t", key), "v3")
          << key << ": the tombstone held a stale value (v" << acked_at_delete[i]
          << " was acknowledged before the Delete started)";
    } else {
      EXPECT_EQ(got, "v3") << key;
    }
  }
  // Both outcomes occur in practice; not asserted, since scheduling decides.
  RecordProperty("deleted_last", deleted_last);
}

}  // namespace
}  // namespace metakv::test

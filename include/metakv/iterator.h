// metakv::Iterator: an ordered scan over the visible records of one domain,
// one tenant, or one key prefix inside a tenant.
//
// Records are ordered by tenant, then by user key (bytewise). A scan shows
// the visible records (never logically deleted or expired ones), or with
// ScanSpec::deleted the recycle bin: the logically deleted records that
// Store::Undelete could still restore. An iterator reads a
// consistent point-in-time view (the snapshot it was created with, or the
// state at its creation). Not thread-safe: one thread uses an iterator at a
// time. Every iterator must be destroyed before its Store.
#ifndef METAKV_ITERATOR_H_
#define METAKV_ITERATOR_H_

#include <string_view>

#include "metakv/status.h"

namespace metakv {

class Iterator {
 public:
  virtual ~Iterator() = default;
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;

  // True while positioned on a record. False at either end, and after an
  // error (then status() says which).
  virtual bool Valid() const = 0;

  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first record at or after (tenant, key) inside the
  // scan's range; an empty key means the tenant's first record. In a tenant or prefix scan, tenant
  // must be the scan's tenant, or the iterator becomes invalid with InvalidArgument.
  virtual void Seek(std::string_view tenant, std::string_view key) = 0;
  // Positions at the last record at or before (tenant, key) inside the
  // scan's range. Same rule on tenant as Seek.
  virtual void SeekForPrev(std::string_view tenant, std::string_view key) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  // REQUIRES: Valid().
  virtual void Prev() = 0;

  // The current record. REQUIRES: Valid(). The views stay valid until the
  // iterator is moved or destroyed.
  virtual std::string_view tenant() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Write time of the current record, seconds since the epoch. In the
  // recycle bin: the delete time (a deleted record keeps no earlier time).
  virtual uint64_t write_time() const = 0;
  // In the recycle bin: when the current record was deleted, seconds since
  // the epoch (it stays restorable until this plus the domain's
  // tombstone_retention_seconds). 0 in a scan of visible records.
  virtual uint64_t delete_time() const = 0;
  // Expiry of the current record, seconds since the epoch; 0 if none.
  virtual uint64_t expiry_time() const = 0;

  // OK unless an error happened (corruption, I/O, bad argument).
  virtual Status status() const = 0;
};

}  // namespace metakv

#endif  // METAKV_ITERATOR_H_

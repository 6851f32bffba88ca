package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// ScanSpec says what NewScan covers (metakv::ScanSpec). Bounds and prefix
// are user keys of the tenant.
type ScanSpec struct {
	// Empty: every tenant of the domain (then Prefix and the bounds must be
	// empty).
	Tenant string
	// Only keys that start with Prefix (empty: all).
	Prefix []byte
	// Only keys >= LowerBound (empty: no bound).
	LowerBound []byte
	// Only keys < UpperBound (empty: no bound).
	UpperBound []byte
	// The recycle bin (the logically deleted records Undelete could still
	// restore) instead of the visible records.
	Deleted bool
}

// Iterator walks records in order (tenant, then key, bytewise). It reads a
// consistent view: its snapshot's, or the state when it was made.
//
//	it, err := store.NewIterator("dentry", "acme", []byte("/docs/"))
//	if err != nil { ... }
//	defer it.Close()
//	for it.Next() {
//		use(it.Key(), it.Value())
//	}
//	if err := it.Err(); err != nil { ... }
//
// It copies records from C many at a time into Go buffers: Key and Value
// return slices of those buffers that stay valid (and unchanged) after
// later calls and after Close; each buffer is freed by the garbage
// collector once no slice of it is left. An Iterator is not safe for
// concurrent use, except that Close of its Store or Snapshot may come from
// another goroutine (later calls then report ErrClosed).
type Iterator struct {
	s    *Store
	snap *Snapshot // nil: not made from a snapshot

	mu     sync.Mutex // guards c
	c      *C.metakv_iterator_t
	closed atomic.Bool // set when c is destroyed

	chunk   []byte // records read from C, not yet returned
	bufSize int
	seeked  bool // a Seek is pending: drop what was read before
	done    bool
	err     error

	key, value                 []byte
	tenant                     string
	writeTime, deleteTime, exp uint64
}

const (
	iterHeader     = 36
	iterMinBuf     = 4 << 10
	iterMaxBuf     = 256 << 10
	iterMaxEntries = 1 << 30
)

// NewIterator returns an iterator over the visible records of tenant in
// domain whose keys start with prefix (empty: all the tenant's keys).
func (s *Store) NewIterator(domain, tenant string, prefix []byte) (*Iterator, error) {
	return s.newIterator(nil, domain, &ScanSpec{Tenant: tenant, Prefix: prefix})
}

// NewScan returns an iterator over what spec selects in domain.
func (s *Store) NewScan(domain string, spec ScanSpec) (*Iterator, error) {
	return s.newIterator(nil, domain, &spec)
}

func (s *Store) newIterator(snap *Snapshot, domain string, spec *ScanSpec) (*Iterator, error) {
	if !s.rlock() {
		return nil, ErrClosed
	}
	defer s.mu.RUnlock()
	ro := s.ro
	if snap != nil {
		snap.mu.RLock()
		defer snap.mu.RUnlock()
		if snap.c == nil {
			return nil, ErrClosed
		}
		ro = snap.ro
	}
	dom, free, err := s.domain(domain)
	if err != nil {
		return nil, err
	}
	if free {
		defer C.free(unsafe.Pointer(dom))
	}
	var cerr *C.char
	var c *C.metakv_iterator_t
	t, tl := strPtr(spec.Tenant), C.size_t(len(spec.Tenant))
	switch {
	case len(spec.LowerBound) == 0 && len(spec.UpperBound) == 0 && !spec.Deleted:
		c = C.metakv_create_iterator(s.db, ro, dom, t, tl, bytesPtr(spec.Prefix), C.size_t(len(spec.Prefix)), &cerr)
	case len(spec.LowerBound) == 0 && len(spec.UpperBound) == 0:
		c = C.metakv_create_recycle_bin_iterator(s.db, ro, dom, t, tl, bytesPtr(spec.Prefix), C.size_t(len(spec.Prefix)), &cerr)
	default:
		cs := C.metakv_scanspec_create()
		C.metakv_scanspec_set_tenant(cs, t, tl)
		C.metakv_scanspec_set_prefix(cs, bytesPtr(spec.Prefix), C.size_t(len(spec.Prefix)))
		C.metakv_scanspec_set_lower_bound(cs, bytesPtr(spec.LowerBound), C.size_t(len(spec.LowerBound)))
		C.metakv_scanspec_set_upper_bound(cs, bytesPtr(spec.UpperBound), C.size_t(len(spec.UpperBound)))
		C.metakv_scanspec_set_deleted(cs, cbool(spec.Deleted))
		c = C.metakv_create_scan_iterator(s.db, ro, dom, cs, &cerr)
		C.metakv_scanspec_destroy(cs)
	}
	if err := takeError(cerr); err != nil {
		if c != nil {
			C.metakv_iter_destroy(c)
		}
		return nil, err
	}
	if c == nil {
		return nil, newError(CodeIOError, "metakv: the library returned no iterator")
	}
	C.metakv_iter_seek_to_first(c)
	it := &Iterator{s: s, snap: snap, c: c, bufSize: iterMinBuf}
	s.regMu.Lock()
	s.iters[it] = struct{}{}
	s.regMu.Unlock()
	return it, nil
}

// closeC destroys the C iterator; callers hold the store's lock (read or
// write).
func (it *Iterator) closeC() {
	it.mu.Lock()
	if it.c != nil {
		C.metakv_iter_destroy(it.c)
		it.c = nil
	}
	it.closed.Store(true)
	it.mu.Unlock()
}

// Close releases the iterator. The slices Key and Value returned stay
// valid. Idempotent; returns nil.
func (it *Iterator) Close() error {
	s := it.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	it.closeC()
	it.key, it.value, it.chunk = nil, nil, nil
	if !s.closed {
		s.regMu.Lock()
		delete(s.iters, it)
		s.regMu.Unlock()
	}
	return nil
}

// Next moves to the next record (the first call: to the first record, or
// the first at or after the key of a Seek) and reports whether there is
// one. At the end, or on an error (see Err), it returns false.
func (it *Iterator) Next() bool {
	if it.closed.Load() {
		if it.err == nil {
			it.err = ErrClosed
		}
		it.clear()
		return false
	}
	if it.err != nil || it.done {
		return false
	}
	if len(it.chunk) == 0 && !it.refill() {
		it.clear()
		return false
	}
	b := it.chunk
	tl := int(binary.LittleEndian.Uint32(b))
	kl := int(binary.LittleEndian.Uint32(b[4:]))
	vl := int(binary.LittleEndian.Uint32(b[8:]))
	it.writeTime = binary.LittleEndian.Uint64(b[12:])
	it.deleteTime = binary.LittleEndian.Uint64(b[20:])
	it.exp = binary.LittleEndian.Uint64(b[28:])
	p := iterHeader
	if t := b[p : p+tl]; string(t) != it.tenant {
		it.tenant = string(t)
	}
	p += tl
	it.key = b[p : p+kl : p+kl]
	p += kl
	it.value = b[p : p+vl : p+vl]
	p += vl
	it.chunk = b[p:]
	return true
}

func (it *Iterator) clear() {
	it.key, it.value, it.tenant = nil, nil, ""
	it.writeTime, it.deleteTime, it.exp = 0, 0, 0
}

// refill reads the next records from C into a fresh buffer; false at the
// end or on an error (it.err).
func (it *Iterator) refill() bool {
	s := it.s
	if !s.rlock() {
		it.err = ErrClosed
		return false
	}
	defer s.mu.RUnlock()
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.c == nil {
		it.err = ErrClosed
		return false
	}
	for {
		buf := make([]byte, it.bufSize)
		var used C.size_t
		n := C.metakv_iter_read_entries(it.c, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)),
			iterMaxEntries, &used)
		if n > 0 {
			if int(used) > len(buf) || int(used) < iterHeader {
				it.err = newError(CodeCorruption, "metakv_iter_read_entries: bad length")
				return false
			}
			it.chunk = buf[:used:used]
			// Read more at a time as the scan goes on.
			if it.bufSize < iterMaxBuf {
				it.bufSize *= 2
			}
			return true
		}
		if used == 0 {
			var cerr *C.char
			C.metakv_iter_get_error(it.c, &cerr)
			it.err = takeError(cerr)
			it.done = true
			return false
		}
		// The current record alone does not fit.
		it.bufSize = int(used)
		if it.bufSize < iterMaxBuf {
			it.bufSize = iterMaxBuf
		}
	}
}

// Seek positions the iterator so that the next Next returns the first
// record at or after key in the scan's tenant (an error for a scan of
// every tenant: use SeekTenant).
func (it *Iterator) Seek(key []byte) {
	it.seek(false, "", key)
}

// SeekTenant is Seek to (tenant, key); in a tenant scan, tenant must be the
// scan's.
func (it *Iterator) SeekTenant(tenant string, key []byte) {
	it.seek(true, tenant, key)
}

func (it *Iterator) seek(withTenant bool, tenant string, key []byte) {
	it.chunk, it.done = nil, false
	it.clear()
	if it.err != nil && it.err != ErrClosed {
		it.err = nil
	}
	s := it.s
	if !s.rlock() {
		it.err = ErrClosed
		return
	}
	defer s.mu.RUnlock()
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.c == nil {
		it.err = ErrClosed
		return
	}
	if withTenant {
		C.metakv_iter_seek_tenant(it.c, strPtr(tenant), C.size_t(len(tenant)), bytesPtr(key), C.size_t(len(key)))
	} else {
		C.metakv_iter_seek(it.c, bytesPtr(key), C.size_t(len(key)))
	}
	it.bufSize = iterMinBuf
}

// Key is the current record's key. The slice stays valid; see Iterator.
func (it *Iterator) Key() []byte { return it.key }

// Value is the current record's value. The slice stays valid; see
// Iterator.
func (it *Iterator) Value() []byte { return it.value }

// Tenant is the current record's tenant.
func (it *Iterator) Tenant() string { return it.tenant }

// WriteTime is the current record's write time (in the recycle bin: its
// delete time), to the second.
func (it *Iterator) WriteTime() time.Time { return unixOrZero(it.writeTime) }

// DeleteTime is, in the recycle bin, when the current record was deleted;
// the zero Time in a scan of visible records.
func (it *Iterator) DeleteTime() time.Time { return unixOrZero(it.deleteTime) }

// ExpiryTime is the current record's expiry; the zero Time if none.
func (it *Iterator) ExpiryTime() time.Time { return unixOrZero(it.exp) }

// Err is the error that ended the iteration, if any.
func (it *Iterator) Err() error { return it.err }

func unixOrZero(secs uint64) time.Time {
	if secs == 0 {
		return time.Time{}
	}
	return time.Unix(int64(secs), 0)
}

// DeletedRecord is one record of the recycle bin.
type DeletedRecord struct {
	Tenant     string
	Key        []byte
	Value      []byte
	DeleteTime time.Time
	WriteTime  time.Time
}

// RecycleBin lists the logically deleted records of tenant in domain under
// prefix that Undelete could still restore, in key order.
func (s *Store) RecycleBin(domain, tenant string, prefix []byte) ([]DeletedRecord, error) {
	it, err := s.NewScan(domain, ScanSpec{Tenant: tenant, Prefix: prefix, Deleted: true})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []DeletedRecord
	for it.Next() {
		out = append(out, DeletedRecord{
			Tenant: it.Tenant(), Key: it.Key(), Value: it.Value(),
			DeleteTime: it.DeleteTime(), WriteTime: it.WriteTime(),
		})
	}
	return out, it.Err()
}

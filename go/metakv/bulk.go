package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import (
	"time"
	"unsafe"
)

// ColdRecord is one record of a cold ingest (metakv::ColdRecord).
type ColdRecord struct {
	Key   []byte
	Value []byte
	// Time to live from the record's write time (rounded up to whole
	// seconds); 0: the domain's default. Ignored if Expiry is set.
	TTL time.Duration
	// The record's write time (to the second), at most the store's now; the
	// zero Time: now.
	WriteTime time.Time
	// An absolute expiry (to the second; may be in the past); the zero
	// Time: from TTL.
	Expiry time.Time
}

func unixSeconds(t time.Time) uint64 {
	if t.IsZero() || t.Unix() <= 0 {
		return 0
	}
	return uint64(t.Unix())
}

// IngestCold writes records of one tenant into a cold domain as one unit,
// as a file ingested directly (small groups go through the WAL as one
// synced batch). All or nothing; durable when it returns. The records
// cross into C in one packed buffer.
func (s *Store) IngestCold(domain, tenant string, records []ColdRecord) error {
	size := 0
	for i := range records {
		size += 32 + len(records[i].Key) + len(records[i].Value)
	}
	packed := make([]byte, 0, size)
	for i := range records {
		r := &records[i]
		packed = appendBytes(packed, r.Key)
		packed = appendBytes(packed, r.Value)
		packed = appendU64(packed, seconds(r.TTL))
		packed = appendU64(packed, unixSeconds(r.WriteTime))
		packed = appendU64(packed, unixSeconds(r.Expiry))
	}
	return s.withDomain(domain, false, func(dom *C.char) error {
		var cerr *C.char
		C.metakv_ingest_cold_packed(s.db, dom, strPtr(tenant), C.size_t(len(tenant)),
			bytesPtr(packed), C.size_t(len(packed)), &cerr)
		return takeError(cerr)
	})
}

// PrefixRef is one key prefix of one domain, part of a tree removal.
type PrefixRef struct {
	Domain string
	Prefix []byte
}

// RemoveMode is how RemoveTree removes.
type RemoveMode int

const (
	// Logical: into the recycle bin, restorable as one unit by RestoreTree
	// until the shortest retention of its domains has passed.
	Logical RemoveMode = iota
	// Hard: at once, not restorable.
	Hard
)

// RemoveTree removes, as one atomic unit and by writing one small record,
// every record of tenant whose key starts with one of the prefixes, each
// in its domain. A Logical removal returns the id RestoreTree takes (0 for
// Hard).
func (s *Store) RemoveTree(tenant string, prefixes []PrefixRef, mode RemoveMode) (removalID uint64, err error) {
	return s.removeTree(tenant, prefixes, mode, nil)
}

// RemoveTreeWithOptions is RemoveTree with write options o.
func (s *Store) RemoveTreeWithOptions(tenant string, prefixes []PrefixRef, mode RemoveMode, o WriteOptions) (removalID uint64, err error) {
	return s.removeTree(tenant, prefixes, mode, &o)
}

// removeTree: o nil gives the Store's write options.
func (s *Store) removeTree(tenant string, prefixes []PrefixRef, mode RemoveMode, o *WriteOptions) (removalID uint64, err error) {
	if !s.rlock() {
		return 0, ErrClosed
	}
	defer s.mu.RUnlock()
	n := len(prefixes)
	// The arrays of pointers must be C memory (cgo forbids Go memory that
	// holds Go pointers); a rare call, so everything is copied.
	const ptrSize = C.size_t(unsafe.Sizeof((*C.char)(nil)))
	alloc := C.size_t(n)
	if alloc == 0 {
		alloc = 1
	}
	dp := C.malloc(alloc * ptrSize)
	pp := C.malloc(alloc * ptrSize)
	lp := C.malloc(alloc * C.size_t(unsafe.Sizeof(C.size_t(0))))
	domains := unsafe.Slice((**C.char)(dp), n)
	prefs := unsafe.Slice((**C.char)(pp), n)
	lens := unsafe.Slice((*C.size_t)(lp), n)
	for i, p := range prefixes {
		domains[i] = C.CString(p.Domain)
		prefs[i] = (*C.char)(C.CBytes(p.Prefix))
		lens[i] = C.size_t(len(p.Prefix))
	}
	defer func() {
		for i := 0; i < n; i++ {
			C.free(unsafe.Pointer(domains[i]))
			C.free(unsafe.Pointer(prefs[i]))
		}
		C.free(dp)
		C.free(pp)
		C.free(lp)
	}()
	var id C.uint64_t
	err = s.withWriteOptions(o, func(wo *C.metakv_writeoptions_t) error {
		var cerr *C.char
		C.metakv_remove_tree(s.db, wo, strPtr(tenant), C.size_t(len(tenant)), C.size_t(n),
			(**C.char)(dp), (**C.char)(pp), (*C.size_t)(lp), cbool(mode == Hard), &id, &cerr)
		return takeError(cerr)
	})
	if err != nil {
		return 0, err
	}
	if mode == Hard {
		return 0, nil // not restorable: no id to give
	}
	return uint64(id), nil
}

// RestoreTree brings back every record a Logical RemoveTree hid.
// ErrNotFound if no such removal is pending, ErrExpired once its retention
// has passed.
func (s *Store) RestoreTree(removalID uint64) error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	var cerr *C.char
	C.metakv_restore_tree(s.db, s.wo, C.uint64_t(removalID), &cerr)
	return takeError(cerr)
}

// RemoveTenant removes every record of tenant in every domain, at once and
// atomically; not restorable.
func (s *Store) RemoveTenant(tenant string) error {
	return s.removeTenant(tenant, nil)
}

// RemoveTenantWithOptions is RemoveTenant with write options o.
func (s *Store) RemoveTenantWithOptions(tenant string, o WriteOptions) error {
	return s.removeTenant(tenant, &o)
}

func (s *Store) removeTenant(tenant string, o *WriteOptions) error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	return s.withWriteOptions(o, func(wo *C.metakv_writeoptions_t) error {
		var cerr *C.char
		C.metakv_remove_tenant(s.db, wo, strPtr(tenant), C.size_t(len(tenant)), &cerr)
		return takeError(cerr)
	})
}

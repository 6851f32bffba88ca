package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import (
	"encoding/binary"
	"time"
)

// TryCatchUpWithPrimary moves the view of a store opened as a secondary
// (Options.SecondaryPath) to the writer's current state, its pending
// removals included. ErrBusy while an iterator or snapshot is open;
// ErrNotSupported on a store not opened as a secondary.
func (s *Store) TryCatchUpWithPrimary() error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	var cerr *C.char
	C.metakv_try_catch_up_with_primary(s.db, &cerr)
	return takeError(cerr)
}

// Removal is a pending bulk removal (RemoveTree, RemoveTenant).
type Removal struct {
	ID     uint64
	Tenant string
	// Logical: restorable by RestoreTree until PurgeTime; else hard.
	Logical bool
	// When it was made, and from when its records may be purged.
	Time      time.Time
	PurgeTime time.Time
	// What it removes: a key prefix per domain; an empty prefix is the
	// whole tenant in that domain.
	Prefixes []RemovalPrefix
}

// RemovalPrefix is one (domain, prefix) pair of a Removal.
type RemovalPrefix struct {
	Domain string
	Prefix []byte
}

// ListRemovals returns the pending removals in id order: logical ones in
// retention, and removals whose bytes the purge has not yet dropped.
func (s *Store) ListRemovals() ([]Removal, error) {
	if !s.rlock() {
		return nil, ErrClosed
	}
	var n C.size_t
	var cerr *C.char
	p := C.metakv_list_removals(s.db, &n, &cerr)
	s.mu.RUnlock()
	if err := takeError(cerr); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, newError(CodeIOError, "the library returned no removals")
	}
	return decodeRemovals(takeBytes(p, n))
}

// decodeRemovals reads the packed buffer of metakv_list_removals.
func decodeRemovals(b []byte) ([]Removal, error) {
	bad := newError(CodeCorruption, "malformed removal listing from the library")
	str := func() ([]byte, bool) {
		if len(b) < 4 {
			return nil, false
		}
		n := int(binary.LittleEndian.Uint32(b))
		if len(b)-4 < n {
			return nil, false
		}
		v := append([]byte(nil), b[4:4+n]...)
		b = b[4+n:]
		return v, true
	}
	u64 := func() (uint64, bool) {
		if len(b) < 8 {
			return 0, false
		}
		v := binary.LittleEndian.Uint64(b)
		b = b[8:]
		return v, true
	}
	var out []Removal
	for len(b) > 0 {
		var r Removal
		var ok bool
		var tenant []byte
		var t, pt uint64
		if r.ID, ok = u64(); !ok {
			return nil, bad
		}
		if tenant, ok = str(); !ok || len(b) < 1 {
			return nil, bad
		}
		r.Tenant = string(tenant)
		r.Logical = b[0] == 0
		b = b[1:]
		if t, ok = u64(); !ok {
			return nil, bad
		}
		if pt, ok = u64(); !ok || len(b) < 4 {
			return nil, bad
		}
		r.Time, r.PurgeTime = time.Unix(int64(t), 0), time.Unix(int64(pt), 0)
		count := binary.LittleEndian.Uint32(b)
		b = b[4:]
		for i := uint32(0); i < count; i++ {
			domain, ok1 := str()
			prefix, ok2 := str()
			if !ok1 || !ok2 {
				return nil, bad
			}
			r.Prefixes = append(r.Prefixes, RemovalPrefix{Domain: string(domain), Prefix: prefix})
		}
		out = append(out, r)
	}
	return out, nil
}

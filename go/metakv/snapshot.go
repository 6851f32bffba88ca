package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import (
	"sync"
	"time"
)

// Snapshot is a consistent view of the whole store and of time: reads
// through it see the store as it was when it was made, and evaluate expiry
// and retention at its time. Release it when done; Store.Close releases
// the snapshots still held. Safe for concurrent use.
type Snapshot struct {
	s  *Store
	t  time.Time
	mu sync.RWMutex // guards c and ro
	c  *C.metakv_snapshot_t
	ro *C.metakv_readoptions_t
}

// NewSnapshot takes a snapshot of the store.
func (s *Store) NewSnapshot() (*Snapshot, error) {
	if !s.rlock() {
		return nil, ErrClosed
	}
	defer s.mu.RUnlock()
	c := C.metakv_create_snapshot(s.db)
	if c == nil {
		return nil, ErrClosed
	}
	snap := &Snapshot{s: s, c: c, ro: C.metakv_readoptions_create()}
	C.metakv_readoptions_set_snapshot(snap.ro, c)
	snap.t = time.Unix(int64(C.metakv_snapshot_time(c)), 0)
	s.regMu.Lock()
	s.snaps[snap] = struct{}{}
	s.regMu.Unlock()
	return snap, nil
}

// Time is the time at which reads through the snapshot evaluate expiry and
// retention (to the second).
func (snap *Snapshot) Time() time.Time { return snap.t }

// releaseC releases the C snapshot; the caller holds the store's lock.
func (snap *Snapshot) releaseC(s *Store) {
	snap.mu.Lock()
	defer snap.mu.Unlock()
	snap.releaseLocked(s)
}

func (snap *Snapshot) releaseLocked(s *Store) {
	if snap.c != nil {
		C.metakv_readoptions_destroy(snap.ro)
		C.metakv_release_snapshot(s.db, snap.c)
		snap.c, snap.ro = nil, nil
	}
}

// Release releases the snapshot and closes the iterators made from it
// (their later use returns ErrClosed). Idempotent.
func (snap *Snapshot) Release() {
	s := snap.s
	if !s.rlock() {
		return // Close released it
	}
	defer s.mu.RUnlock()
	snap.mu.Lock()
	defer snap.mu.Unlock()
	if snap.c == nil {
		return
	}
	// Lock order: store, snapshot, registry, iterator.
	var its []*Iterator
	s.regMu.Lock()
	for it := range s.iters {
		if it.snap == snap {
			its = append(its, it)
			delete(s.iters, it)
		}
	}
	delete(s.snaps, snap)
	s.regMu.Unlock()
	for _, it := range its {
		it.closeC()
	}
	snap.releaseLocked(s)
}

// rlock takes the store's and the snapshot's read locks; false (no lock
// held) if either is closed.
func (snap *Snapshot) rlock() bool {
	if !snap.s.rlock() {
		return false
	}
	snap.mu.RLock()
	if snap.c == nil {
		snap.mu.RUnlock()
		snap.s.mu.RUnlock()
		return false
	}
	return true
}

func (snap *Snapshot) runlock() {
	snap.mu.RUnlock()
	snap.s.mu.RUnlock()
}

// Get is Store.Get as of the snapshot.
func (snap *Snapshot) Get(domain, tenant string, key []byte) ([]byte, error) {
	if !snap.rlock() {
		return nil, ErrClosed
	}
	defer snap.runlock()
	return snap.s.get(snap.ro, domain, tenant, key)
}

// MultiGet is Store.MultiGet as of the snapshot.
func (snap *Snapshot) MultiGet(keys []KeyRef) ([][]byte, []error, error) {
	if !snap.rlock() {
		return nil, nil, ErrClosed
	}
	defer snap.runlock()
	return snap.s.multiGet(snap.ro, keys)
}

// NewIterator is Store.NewIterator as of the snapshot.
func (snap *Snapshot) NewIterator(domain, tenant string, prefix []byte) (*Iterator, error) {
	return snap.s.newIterator(snap, domain, &ScanSpec{Tenant: tenant, Prefix: prefix})
}

// NewScan is Store.NewScan as of the snapshot.
func (snap *Snapshot) NewScan(domain string, spec ScanSpec) (*Iterator, error) {
	return snap.s.newIterator(snap, domain, &spec)
}

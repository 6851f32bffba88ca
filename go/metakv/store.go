package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
#include "mkv.h"
*/
import "C"

import (
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Store is an open metakv store: one database directory holding named
// domains; every record lives at (domain, tenant, key). Tenants are 1 to
// 255 bytes, keys 1 to Options.MaxKeyBytes bytes.
//
// A Store is safe for concurrent use by multiple goroutines. Close it when
// done; after Close every method returns ErrClosed.
type Store struct {
	// mu is held for reading by every call into the library and for
	// writing by Close, so that no call runs on a closed handle.
	mu      sync.RWMutex
	closed  bool
	db      *C.metakv_t
	wo      *C.metakv_writeoptions_t // the Store's default (Options.Sync)
	woSync  *C.metakv_writeoptions_t
	woAsync *C.metakv_writeoptions_t
	ro      *C.metakv_readoptions_t

	// The declared domains: names in declaration order, and each name as a
	// C string made at Open and freed at Close.
	names   []string
	domains map[string]*C.char

	// regMu guards the open iterators and snapshots, which Close closes.
	regMu sync.Mutex
	iters map[*Iterator]struct{}
	snaps map[*Snapshot]struct{}
}

// WriteOptions are the options of one write (metakv::WriteOptions).
type WriteOptions struct {
	// fsync the WAL before the write returns.
	Sync bool
	// Applied, if its Index is not 0, is stored as the store's applied
	// index in the same atomic write as the data (see AppliedIndex).
	Applied AppliedIndex
}

// Open opens (with CreateIfMissing, creates) the store at path.
func Open(path string, opts Options) (*Store, error) {
	copts := newCOptions(&opts)
	defer C.metakv_options_destroy(copts)
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var cerr *C.char
	db := C.metakv_open(copts, cpath, &cerr)
	if err := takeError(cerr); err != nil {
		if db != nil {
			C.metakv_close(db)
		}
		return nil, err
	}
	if db == nil {
		return nil, newError(CodeIOError, "metakv_open returned no store")
	}
	s := &Store{
		db:      db,
		woSync:  C.metakv_writeoptions_create(),
		woAsync: C.metakv_writeoptions_create(),
		ro:      C.metakv_readoptions_create(),
		domains: make(map[string]*C.char),
		iters:   make(map[*Iterator]struct{}),
		snaps:   make(map[*Snapshot]struct{}),
	}
	C.metakv_writeoptions_set_sync(s.woSync, 1)
	C.metakv_writeoptions_set_sync(s.woAsync, 0)
	s.wo = s.woAsync
	if opts.Sync {
		s.wo = s.woSync
	}
	var n C.size_t
	names := C.metakv_domain_names(db, &n, &cerr)
	if err := takeError(cerr); err != nil {
		s.Close()
		return nil, err
	}
	s.names = splitLines(cTakeString(names, n))
	for _, name := range s.names {
		s.domains[name] = C.CString(name)
	}
	return s, nil
}

// Close closes every Iterator and Snapshot of the store still open (their
// later use returns ErrClosed), then waits for background work, syncs and
// closes the database. It returns an error of the final sync, if any.
// Calling Close again does nothing and returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.regMu.Lock()
	for it := range s.iters {
		it.closeC()
	}
	s.iters = nil
	for snap := range s.snaps {
		snap.releaseC(s)
	}
	s.snaps = nil
	s.regMu.Unlock()

	var cerr *C.char
	C.metakv_close_checked(s.db, &cerr)
	s.db = nil
	for name, p := range s.domains {
		C.free(unsafe.Pointer(p))
		delete(s.domains, name)
	}
	C.metakv_writeoptions_destroy(s.woSync)
	C.metakv_writeoptions_destroy(s.woAsync)
	C.metakv_readoptions_destroy(s.ro)
	s.wo, s.woSync, s.woAsync, s.ro = nil, nil, nil, nil
	return takeError(cerr)
}

// udb is the store's handle as the mkv.h wrappers take it.
func (s *Store) udb() C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(s.db))) }

// rlock takes the read lock; false (and the lock not held) if closed.
func (s *Store) rlock() bool {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return false
	}
	return true
}

// domain is the C name of a domain, and whether the caller must free it
// (a name not declared: converted for this call; the library then rejects
// it). Requires the read lock.
func (s *Store) domain(name string) (p *C.char, free bool, err error) {
	if p, ok := s.domains[name]; ok {
		return p, false, nil
	}
	if strings.IndexByte(name, 0) >= 0 {
		return nil, false, errInvalid("domain name holds a NUL byte: " + strings.ReplaceAll(name, "\x00", `\0`))
	}
	return C.CString(name), true, nil
}

// withDomain runs f holding the read lock, with domain's C name (nil for
// "" when optional: every domain). ErrClosed once the store is closed.
func (s *Store) withDomain(domain string, optional bool, f func(dom *C.char) error) error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	if optional && domain == "" {
		return f(nil)
	}
	dom, free, err := s.domain(domain)
	if err != nil {
		return err
	}
	if free {
		defer C.free(unsafe.Pointer(dom))
	}
	return f(dom)
}

// DomainNames returns the declared domains, in declaration order (nil once
// closed).
func (s *Store) DomainNames() []string {
	if !s.rlock() {
		return nil
	}
	defer s.mu.RUnlock()
	return append([]string(nil), s.names...)
}

func (s *Store) writeOptions(o WriteOptions) *C.metakv_writeoptions_t {
	if o.Sync {
		return s.woSync
	}
	return s.woAsync
}

// withWriteOptions calls f with C write options for o: the Store's own
// (o nil), shared ones, or for an applied index its own for the call.
// REQUIRES: s.mu held.
func (s *Store) withWriteOptions(o *WriteOptions, f func(wo *C.metakv_writeoptions_t) error) error {
	if o == nil {
		return f(s.wo)
	}
	if o.Applied.Index == 0 {
		return f(s.writeOptions(*o))
	}
	wo := C.metakv_writeoptions_create()
	defer C.metakv_writeoptions_destroy(wo)
	C.metakv_writeoptions_set_sync(wo, cbool(o.Sync))
	C.metakv_writeoptions_set_applied_index(wo, C.uint64_t(o.Applied.Term), C.uint64_t(o.Applied.Index))
	return f(wo)
}

// Put writes a live record, replacing any version of it (live or deleted).
// It carries the domain's default TTL.
func (s *Store) Put(domain, tenant string, key, value []byte) error {
	return s.PutTTL(domain, tenant, key, value, 0)
}

// PutTTL is Put with a time to live (rounded up to whole seconds; 0 or
// negative: the domain's default).
func (s *Store) PutTTL(domain, tenant string, key, value []byte, ttl time.Duration) error {
	return s.withDomain(domain, false, func(dom *C.char) error {
		return takeError(C.mkv_put(s.udb(), uptr(s.wo), dom, strPtr(tenant), C.size_t(len(tenant)),
			bytesPtr(key), C.size_t(len(key)), bytesPtr(value), C.size_t(len(value)),
			C.uint64_t(seconds(ttl))))
	})
}

type keyOp int

const (
	opDelete keyOp = iota
	opUndelete
	opHardDelete
)

func (s *Store) keyOp(op keyOp, domain, tenant string, key []byte) error {
	return s.withDomain(domain, false, func(dom *C.char) error {
		return takeError(C.mkv_key_op(C.int(op), s.udb(), uptr(s.wo), dom, strPtr(tenant),
			C.size_t(len(tenant)), bytesPtr(key), C.size_t(len(key))))
	})
}

// Delete deletes a live record logically: it goes to the recycle bin,
// restorable by Undelete for the domain's tombstone retention. ErrNotFound
// if no live record exists.
func (s *Store) Delete(domain, tenant string, key []byte) error {
	return s.keyOp(opDelete, domain, tenant, key)
}

// Undelete restores a logically deleted record. ErrFailedPrecondition if
// the record is live, ErrExpired once the retention has passed (or the
// record's TTL ran out), ErrNotFound if there is no record.
func (s *Store) Undelete(domain, tenant string, key []byte) error {
	return s.keyOp(opUndelete, domain, tenant, key)
}

// HardDelete removes the record (live or deleted) at once; not restorable.
// nil also if there was no record.
func (s *Store) HardDelete(domain, tenant string, key []byte) error {
	return s.keyOp(opHardDelete, domain, tenant, key)
}

// Get reads a visible record's value, a copy the caller owns. Absent
// (never written, deleted, expired, removed): an error matching
// ErrNotFound.
func (s *Store) Get(domain, tenant string, key []byte) ([]byte, error) {
	if !s.rlock() {
		return nil, ErrClosed
	}
	defer s.mu.RUnlock()
	return s.get(s.ro, domain, tenant, key)
}

// getScratch is the value buffer of a Get, pooled so that a Get allocates
// only its result.
type getScratch [getScratchSize]byte

const getScratchSize = 1024

var getScratches = sync.Pool{New: func() interface{} { return new(getScratch) }}

// get reads through ro; requires the read lock.
func (s *Store) get(ro *C.metakv_readoptions_t, domain, tenant string, key []byte) ([]byte, error) {
	dom, free, err := s.domain(domain)
	if err != nil {
		return nil, err
	}
	if free {
		defer C.free(unsafe.Pointer(dom))
	}
	g := getScratches.Get().(*getScratch)
	r := C.mkv_get_into(s.udb(), uptr(ro), dom, strPtr(tenant), C.size_t(len(tenant)),
		bytesPtr(key), C.size_t(len(key)), (*C.char)(unsafe.Pointer(&g[0])), C.size_t(len(g)))
	n := int(r.vallen)
	if r.err != nil || r.found == 0 || n > len(g) {
		getScratches.Put(g)
		if r.err != nil {
			return nil, takeError(r.err)
		}
		if r.found == 0 {
			return nil, ErrNotFound
		}
		return s.getLarge(ro, dom, tenant, key, n)
	}
	v := make([]byte, n)
	copy(v, g[:n])
	getScratches.Put(g)
	return v, nil
}

// getLarge reads a value larger than the scratch buffer into a buffer of
// its size (again if it grew in between).
func (s *Store) getLarge(ro *C.metakv_readoptions_t, dom *C.char, tenant string, key []byte, n int) ([]byte, error) {
	for {
		v := make([]byte, n)
		r := C.mkv_get_into(s.udb(), uptr(ro), dom, strPtr(tenant), C.size_t(len(tenant)),
			bytesPtr(key), C.size_t(len(key)), bytesPtr(v), C.size_t(n))
		if r.err != nil {
			return nil, takeError(r.err)
		}
		if r.found == 0 {
			return nil, ErrNotFound
		}
		if int(r.vallen) <= n {
			return v[:r.vallen:r.vallen], nil
		}
		n = int(r.vallen)
	}
}

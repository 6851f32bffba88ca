package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
#include "mkv.h"
*/
import "C"

import (
	"encoding/binary"
	"time"
	"unsafe"
)

// Batch is a group of writes, possibly across domains, that Store.Write
// applies atomically and in order: either every operation takes effect or
// none does (a Delete of a record that is not live fails the whole batch).
//
// A Batch is built in Go memory, in the packed format of
// metakv_write_packed, and crosses into C once per Write. It copies what
// is added to it. The zero value is an empty batch ready to use. Not safe
// for concurrent use.
type Batch struct {
	buf []byte
	n   int
}

// NewBatch returns an empty batch.
func NewBatch() *Batch { return &Batch{} }

const (
	packedPut        = 1
	packedDelete     = 2
	packedHardDelete = 3
	packedUndelete   = 4
)

func appendU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func appendU64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

func appendString(b []byte, s string) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}

func appendBytes(b []byte, s []byte) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}

func (b *Batch) head(op byte, domain, tenant string, key []byte) {
	b.buf = append(b.buf, op)
	b.buf = appendString(b.buf, domain)
	b.buf = appendString(b.buf, tenant)
	b.buf = appendBytes(b.buf, key)
	b.n++
}

// Put adds a write of a live record with the domain's default TTL.
func (b *Batch) Put(domain, tenant string, key, value []byte) {
	b.PutTTL(domain, tenant, key, value, 0)
}

// PutTTL adds a write of a live record with a time to live (rounded up to
// whole seconds; 0 or negative: the domain's default).
func (b *Batch) PutTTL(domain, tenant string, key, value []byte, ttl time.Duration) {
	b.head(packedPut, domain, tenant, key)
	b.buf = appendBytes(b.buf, value)
	b.buf = appendU64(b.buf, seconds(ttl))
}

// Delete adds a logical delete (see Store.Delete).
func (b *Batch) Delete(domain, tenant string, key []byte) {
	b.head(packedDelete, domain, tenant, key)
}

// HardDelete adds a hard delete (see Store.HardDelete).
func (b *Batch) HardDelete(domain, tenant string, key []byte) {
	b.head(packedHardDelete, domain, tenant, key)
}

// Undelete adds a restore of a logically deleted record (see
// Store.Undelete); if it is not restorable, the whole batch fails.
func (b *Batch) Undelete(domain, tenant string, key []byte) {
	b.head(packedUndelete, domain, tenant, key)
}

// Len is the number of operations in the batch.
func (b *Batch) Len() int { return b.n }

// Reset empties the batch, keeping its memory for reuse.
func (b *Batch) Reset() {
	b.buf = b.buf[:0]
	b.n = 0
}

// Write applies the batch atomically with the store's write options.
func (s *Store) Write(b *Batch) error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	return s.write(s.wo, b)
}

// WriteWithOptions applies the batch atomically with options o. With
// o.Applied set, an empty (or nil) batch stores only the applied index.
func (s *Store) WriteWithOptions(b *Batch, o WriteOptions) error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	if (b == nil || b.n == 0) && o.Applied.Index != 0 {
		return s.withWriteOptions(&o, func(wo *C.metakv_writeoptions_t) error {
			return takeError(C.mkv_write_packed(s.udb(), uptr(wo), nil, 0))
		})
	}
	return s.withWriteOptions(&o, func(wo *C.metakv_writeoptions_t) error { return s.write(wo, b) })
}

func (s *Store) write(wo *C.metakv_writeoptions_t, b *Batch) error {
	if b == nil || b.n == 0 {
		return nil
	}
	return takeError(C.mkv_write_packed(s.udb(), uptr(wo), (*C.char)(unsafe.Pointer(&b.buf[0])), C.size_t(len(b.buf))))
}

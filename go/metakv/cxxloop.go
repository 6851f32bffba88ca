//go:build metakv_cxxbench

package metakv

/*
#include <stdlib.h>
#include "cxxloop.h"
*/
import "C"

import "unsafe"

// The C++ loops of cxxloop.cc on s's store: one cgo call for n operations,
// so they measure the C++ API alone.

func cxxCall(s *Store, f func(db *C.metakv_t, dom, tn *C.char, errptr **C.char) C.int, domain, tenant string) error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	dom := C.CString(domain)
	defer C.free(unsafe.Pointer(dom))
	tn := C.CString(tenant)
	defer C.free(unsafe.Pointer(tn))
	var cerr *C.char
	if f(s.db, dom, tn, &cerr) != 0 {
		return takeError(cerr)
	}
	return nil
}

func cxxPutLoop(s *Store, domain, tenant string, start, n uint64, vallen int) error {
	return cxxCall(s, func(db *C.metakv_t, dom, tn *C.char, e **C.char) C.int {
		return C.metakv_cxx_put_loop(db, dom, tn, C.uint64_t(start), C.uint64_t(n), C.size_t(vallen), e)
	}, domain, tenant)
}

func cxxGetLoop(s *Store, domain, tenant string, n, nkeys uint64, vallen int) error {
	return cxxCall(s, func(db *C.metakv_t, dom, tn *C.char, e **C.char) C.int {
		return C.metakv_cxx_get_loop(db, dom, tn, C.uint64_t(n), C.uint64_t(nkeys), C.size_t(vallen), e)
	}, domain, tenant)
}

func cxxBatchLoop(s *Store, domain, tenant string, n uint64, perBatch, vallen int) error {
	return cxxCall(s, func(db *C.metakv_t, dom, tn *C.char, e **C.char) C.int {
		return C.metakv_cxx_batch_loop(db, dom, tn, C.uint64_t(n), C.size_t(perBatch), C.size_t(vallen), e)
	}, domain, tenant)
}

// cgoCall crosses into C and back for nothing (metakv_error_code of NULL
// reads no memory): the bare cost of one cgo call on this machine.
func cgoCall() { C.metakv_error_code(nil) }

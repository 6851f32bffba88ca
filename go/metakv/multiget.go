package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import (
	"encoding/binary"
	"unsafe"
)

// KeyRef names one record to read (MultiGet).
type KeyRef struct {
	Domain string
	Tenant string
	Key    []byte
}

// MultiGet reads several keys, possibly of several domains, from one
// consistent view, crossing into C once. values[i] and errs[i] answer
// keys[i] as Get would: the value (a copy the caller owns), or nil with an
// error (matching ErrNotFound if absent). err is not nil only if the call
// as a whole failed.
func (s *Store) MultiGet(keys []KeyRef) (values [][]byte, errs []error, err error) {
	if !s.rlock() {
		return nil, nil, ErrClosed
	}
	defer s.mu.RUnlock()
	return s.multiGet(s.ro, keys)
}

// multiGet reads through ro; requires the read lock.
func (s *Store) multiGet(ro *C.metakv_readoptions_t, keys []KeyRef) ([][]byte, []error, error) {
	if len(keys) == 0 {
		return nil, nil, nil
	}
	size := 0
	for i := range keys {
		size += 12 + len(keys[i].Domain) + len(keys[i].Tenant) + len(keys[i].Key)
	}
	packed := make([]byte, 0, size)
	for i := range keys {
		packed = appendString(packed, keys[i].Domain)
		packed = appendString(packed, keys[i].Tenant)
		packed = appendBytes(packed, keys[i].Key)
	}
	var outlen C.size_t
	var cerr *C.char
	out := C.metakv_multi_get_packed(s.db, ro, (*C.char)(unsafe.Pointer(&packed[0])),
		C.size_t(len(packed)), &outlen, &cerr)
	if err := takeError(cerr); err != nil {
		C.metakv_free(unsafe.Pointer(out))
		return nil, nil, err
	}
	// One copy of the whole answer; the values are capped slices of it.
	res := C.GoBytes(unsafe.Pointer(out), C.int(outlen))
	C.metakv_free(unsafe.Pointer(out))
	values := make([][]byte, len(keys))
	errs := make([]error, len(keys))
	p := 0
	for i := range keys {
		if len(res)-p < 5 {
			return nil, nil, newError(CodeCorruption, "metakv_multi_get_packed: truncated answer")
		}
		code := Code(res[p])
		n := int(binary.LittleEndian.Uint32(res[p+1:]))
		p += 5
		if len(res)-p < n {
			return nil, nil, newError(CodeCorruption, "metakv_multi_get_packed: truncated answer")
		}
		body := res[p : p+n : p+n]
		p += n
		switch code {
		case CodeOK:
			values[i] = body
		case CodeNotFound:
			errs[i] = ErrNotFound
		default:
			errs[i] = &Error{Code: code, Msg: string(body)}
		}
	}
	return values, errs, nil
}

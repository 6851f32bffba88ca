package metakv

// The link flags of the package. Users point the compiler and the linker at
// an uninstalled build with CGO_CFLAGS=-I<repo>/include and
// CGO_LDFLAGS="-L<build> -L<build>/common" (scripts/go-env.sh sets them),
// or install metakv under /usr/local.

/*
#cgo LDFLAGS: -lmetakv -lmetakv_common -lrocksdb -lxxhash -lstdc++ -lm -lpthread
#include <stdlib.h>
#include "metakv/c.h"

*/
import "C"

import (
	"reflect"
	"time"
	"unsafe"
)

// bytesPtr is the address of b's first byte, or nil for an empty slice (the
// C API takes NULL with a length of 0). b's memory holds no Go pointers.
func bytesPtr(b []byte) *C.char {
	if len(b) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(&b[0]))
}

// strPtr is the address of s's bytes, without a copy, or nil for "". C
// only reads them, and only during the call.
func strPtr(s string) *C.char {
	if len(s) == 0 {
		return nil
	}
	// Go 1.19 has no unsafe.StringData. Reading the header's Data as a
	// uintptr (not through a pointer derived from &s) keeps s off the heap;
	// the collector does not move objects, and the converted pointer keeps
	// the bytes alive for the call.
	return (*C.char)(unsafe.Pointer((*reflect.StringHeader)(unsafe.Pointer(&s)).Data))
}

// cbool is a Go bool as the C API's unsigned char.
func cbool(b bool) C.uchar {
	if b {
		return 1
	}
	return 0
}

// seconds converts d to whole seconds, rounding a positive fraction up so
// that a small positive duration never becomes 0 (which often means
// "default" or "off" in C). A negative d gives 0.
func seconds(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	s := uint64(d / time.Second)
	if d%time.Second != 0 {
		s++
	}
	return s
}

// cTakeString copies and frees a NUL-terminated string the library
// returned (nil: "").
func cTakeString(p *C.char, n C.size_t) string {
	if p == nil {
		return ""
	}
	s := C.GoStringN(p, C.int(n))
	C.metakv_free(unsafe.Pointer(p))
	return s
}

// uptr is a C handle as the integer the mkv.h wrappers take.
func uptr[T any](p *T) C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(p))) }

// takeBytes copies the n bytes at p, a buffer the library malloc'ed, and
// frees it.
func takeBytes(p *C.char, n C.size_t) []byte {
	b := C.GoBytes(unsafe.Pointer(p), C.int(n))
	C.metakv_free(unsafe.Pointer(p))
	return b
}

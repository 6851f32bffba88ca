package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import (
	"errors"
	"strings"
	"unsafe"
)

// Code is the code of an error from the library: the values of
// metakv::Status::Code.
type Code int

// The codes of metakv::Status.
const (
	CodeOK                 Code = C.metakv_ok
	CodeNotFound           Code = C.metakv_not_found
	CodeCorruption         Code = C.metakv_corruption
	CodeNotSupported       Code = C.metakv_not_supported
	CodeInvalidArgument    Code = C.metakv_invalid_argument
	CodeIOError            Code = C.metakv_io_error
	CodeBusy               Code = C.metakv_busy
	CodeFailedPrecondition Code = C.metakv_failed_precondition
	CodeExpired            Code = C.metakv_expired
	CodeAborted            Code = C.metakv_aborted
)

var codeNames = [...]string{
	"OK", "NotFound", "Corruption", "NotSupported", "InvalidArgument",
	"IOError", "Busy", "FailedPrecondition", "Expired", "Aborted",
}

func (c Code) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Code(" + itoa(int(c)) + ")"
}

// Sentinel errors. An *Error matches (errors.Is) the sentinel of its Code.
var (
	ErrNotFound           = errors.New("metakv: not found")
	ErrCorruption         = errors.New("metakv: corruption")
	ErrNotSupported       = errors.New("metakv: not supported")
	ErrInvalidArgument    = errors.New("metakv: invalid argument")
	ErrIOError            = errors.New("metakv: I/O error")
	ErrBusy               = errors.New("metakv: busy")
	ErrFailedPrecondition = errors.New("metakv: failed precondition")
	ErrExpired            = errors.New("metakv: expired")
	ErrAborted            = errors.New("metakv: aborted")

	// ErrClosed is returned by every method of a closed Store, and of an
	// Iterator or Snapshot that is closed or released (or whose Store is).
	ErrClosed = errors.New("metakv: closed")
)

var sentinels = [...]error{
	nil, ErrNotFound, ErrCorruption, ErrNotSupported, ErrInvalidArgument,
	ErrIOError, ErrBusy, ErrFailedPrecondition, ErrExpired, ErrAborted,
}

// Error is an error the library reported: its code and its message (which
// starts with the code's name and ": ", as "NotFound: ...").
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Is reports whether target is the sentinel error of e's code, so that
// errors.Is(err, metakv.ErrNotFound) holds for every NotFound error.
func (e *Error) Is(target error) bool {
	if target == nil || e.Code <= 0 || int(e.Code) >= len(sentinels) {
		return false
	}
	return sentinels[e.Code] == target
}

// takeError turns a message from an errptr into an *Error and frees it; nil
// for nil.
func takeError(cerr *C.char) error {
	if cerr == nil {
		return nil
	}
	code := Code(C.metakv_error_code(cerr))
	msg := C.GoString(cerr)
	C.metakv_free(unsafe.Pointer(cerr))
	return &Error{Code: code, Msg: msg}
}

// newError is an error made on the Go side, worded as the library's.
func newError(code Code, msg string) error {
	return &Error{Code: code, Msg: code.String() + ": " + msg}
}

func errInvalid(msg string) error { return newError(CodeInvalidArgument, msg) }

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	neg := i < 0
	u := uint64(i)
	if neg {
		u = uint64(-i)
	}
	for {
		n--
		b[n] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

// splitLines splits the library's one-name-per-line lists.
func splitLines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

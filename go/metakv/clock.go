package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"time"
)

// ManualClock is a clock that moves only when told to
// (metakv::ManualClock), for tests and simulations: give it to
// Options.Clock, then Set or Advance it to make retention and expiry pass
// without sleeping. The library keeps time in microseconds since the
// epoch. Safe for concurrent use. A Store that uses the clock keeps it
// alive after Close of the clock (but it can no longer be moved).
type ManualClock struct {
	mu sync.Mutex
	c  *C.metakv_clock_t
}

// NewManualClock returns a clock standing at t (the zero Time: the
// library's default start, 2023-11-14 22:13:20 UTC).
func NewManualClock(t time.Time) *ManualClock {
	micros := uint64(1700000000) * 1000000
	if !t.IsZero() {
		micros = uint64(t.UnixMicro())
	}
	mc := &ManualClock{c: C.metakv_manual_clock_create(C.uint64_t(micros))}
	runtime.SetFinalizer(mc, (*ManualClock).Close)
	return mc
}

// Set moves the clock to t (backwards too).
func (m *ManualClock) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c != nil {
		C.metakv_manual_clock_set_micros(m.c, C.uint64_t(t.UnixMicro()))
	}
}

// Advance moves the clock forwards by d (microsecond precision; a negative
// d moves it back).
func (m *ManualClock) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c == nil {
		return
	}
	if d > 0 && d%time.Second == 0 {
		C.metakv_manual_clock_advance_seconds(m.c, C.uint64_t(d/time.Second))
		return
	}
	now := int64(C.metakv_clock_now_micros(m.c))
	C.metakv_manual_clock_set_micros(m.c, C.uint64_t(now+d.Microseconds()))
}

// Now is the clock's time (the zero Time after Close).
func (m *ManualClock) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c == nil {
		return time.Time{}
	}
	return time.UnixMicro(int64(C.metakv_clock_now_micros(m.c)))
}

// Close frees the clock's handle; stores using it keep their own
// reference. Idempotent.
func (m *ManualClock) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c != nil {
		C.metakv_manual_clock_destroy(m.c)
		m.c = nil
		runtime.SetFinalizer(m, nil)
	}
	return nil
}

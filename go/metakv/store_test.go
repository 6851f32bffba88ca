package metakv_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"metakv"
)

func TestOpenClose(t *testing.T) {
	dir := t.TempDir()
	s, err := metakv.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(s.DomainNames(), ","), "inode,dentry,history"; got != want {
		t.Errorf("DomainNames = %q, want %q", got, want)
	}
	mustPut(t, s, "inode", tenant, "k", "v")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	// Reopen: the record is there.
	opts := testOptions()
	opts.CreateIfMissing = false
	s, err = metakv.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Get("inode", tenant, []byte("k"))
	if err != nil || string(v) != "v" {
		t.Errorf("Get after reopen = %q, %v", v, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Open errors.
	tests := []struct {
		name string
		path string
		opts func(*metakv.Options)
		want error
	}{
		{"missing dir", filepath.Join(dir, "nope"), func(o *metakv.Options) { o.CreateIfMissing = false }, metakv.ErrInvalidArgument},
		{"error if exists", dir, func(o *metakv.Options) { o.ErrorIfExists = true }, metakv.ErrInvalidArgument},
		{"read-only create", filepath.Join(dir, "ro"), func(o *metakv.Options) { o.ReadOnly = true }, metakv.ErrInvalidArgument},
		{"bad domain name", filepath.Join(dir, "bad"), func(o *metakv.Options) { o.Domains = []metakv.Domain{{Name: "Bad Name"}} }, metakv.ErrInvalidArgument},
		{"undeclared domain", dir, func(o *metakv.Options) { o.Domains = o.Domains[:2] }, metakv.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions()
			tt.opts(&o)
			s, err := metakv.Open(tt.path, o)
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded, want %v", tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Open: %v, want %v", err, tt.want)
			}
			var e *metakv.Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Error(), e.Code.String()+": ") {
				t.Errorf("Open: %#v is not an *Error starting with its code", err)
			}
		})
	}
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	s, err := metakv.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "inode", tenant, "k", "v")
	s.Close()
	o := testOptions()
	o.CreateIfMissing = false
	o.ReadOnly = true
	s, err = metakv.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Get("inode", tenant, []byte("k")); err != nil || string(v) != "v" {
		t.Errorf("Get = %q, %v", v, err)
	}
	if err := s.Put("inode", tenant, []byte("k"), []byte("w")); !errors.Is(err, metakv.ErrNotSupported) {
		t.Errorf("Put on a read-only store: %v, want ErrNotSupported", err)
	}
}

func TestUseAfterClose(t *testing.T) {
	s, err := metakv.Open(t.TempDir(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "dentry", tenant, "a", "1")
	mustPut(t, s, "dentry", tenant, "b", "2")
	it, err := s.NewIterator("dentry", tenant, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !it.Next() {
		t.Fatalf("Next: false, %v", it.Err())
	}
	key := it.Key()
	snap, err := s.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	snapIt, err := snap.NewIterator("dentry", tenant, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if it.Next() {
		t.Error("Next after the store's Close returned true")
	}
	if !errors.Is(it.Err(), metakv.ErrClosed) {
		t.Errorf("Err after the store's Close = %v, want ErrClosed", it.Err())
	}
	if string(key) != "a" {
		t.Errorf("a Key returned before Close changed to %q", key)
	}
	it.Seek([]byte("a"))
	if it.Next() || !errors.Is(it.Err(), metakv.ErrClosed) {
		t.Errorf("Seek+Next after Close: Err = %v", it.Err())
	}
	if err := it.Close(); err != nil {
		t.Errorf("Iterator.Close after the store's Close: %v", err)
	}
	if snapIt.Next() || !errors.Is(snapIt.Err(), metakv.ErrClosed) {
		t.Errorf("snapshot iterator after Close: Err = %v", snapIt.Err())
	}
	snapIt.Close()
	if _, err := snap.Get("dentry", tenant, []byte("a")); !errors.Is(err, metakv.ErrClosed) {
		t.Errorf("Snapshot.Get after Close: %v", err)
	}
	if _, _, err := snap.MultiGet([]metakv.KeyRef{{"dentry", tenant, []byte("a")}}); !errors.Is(err, metakv.ErrClosed) {
		t.Errorf("Snapshot.MultiGet after Close: %v", err)
	}
	if _, err := snap.NewIterator("dentry", tenant, nil); !errors.Is(err, metakv.ErrClosed) {
		t.Errorf("Snapshot.NewIterator after Close: %v", err)
	}
	snap.Release()
	snap.Release()

	k, v := []byte("k"), []byte("v")
	calls := map[string]func() error{
		"Put":        func() error { return s.Put("inode", tenant, k, v) },
		"PutTTL":     func() error { return s.PutTTL("inode", tenant, k, v, time.Hour) },
		"Get":        func() error { _, err := s.Get("inode", tenant, k); return err },
		"Delete":     func() error { return s.Delete("inode", tenant, k) },
		"Undelete":   func() error { return s.Undelete("inode", tenant, k) },
		"HardDelete": func() error { return s.HardDelete("inode", tenant, k) },
		"Write": func() error {
			b := metakv.NewBatch()
			b.Put("inode", tenant, k, v)
			return s.Write(b)
		},
		"WriteWithOptions": func() error {
			b := metakv.NewBatch()
			b.Put("inode", tenant, k, v)
			return s.WriteWithOptions(b, metakv.WriteOptions{Sync: true})
		},
		"MultiGet":    func() error { _, _, err := s.MultiGet([]metakv.KeyRef{{"inode", tenant, k}}); return err },
		"NewIterator": func() error { _, err := s.NewIterator("inode", tenant, nil); return err },
		"NewScan":     func() error { _, err := s.NewScan("inode", metakv.ScanSpec{}); return err },
		"RecycleBin":  func() error { _, err := s.RecycleBin("inode", tenant, nil); return err },
		"NewSnapshot": func() error { _, err := s.NewSnapshot(); return err },
		"IngestCold":  func() error { return s.IngestCold("history", tenant, []metakv.ColdRecord{{Key: k, Value: v}}) },
		"RemoveTree": func() error {
			_, err := s.RemoveTree(tenant, []metakv.PrefixRef{{"inode", k}}, metakv.Hard)
			return err
		},
		"RestoreTree":  func() error { return s.RestoreTree(1) },
		"RemoveTenant": func() error { return s.RemoveTenant(tenant) },
		"Stats":        func() error { _, err := s.Stats(); return err },
		"IntProperty":  func() error { _, err := s.IntProperty("", "metakv.maintenance-passes"); return err },
		"RunMaintenance": func() error {
			_, err := s.RunMaintenance(metakv.MaintenanceOptions{})
			return err
		},
		"Flush":                 func() error { return s.Flush("") },
		"Resume":                func() error { return s.Resume() },
		"CompactRange":          func() error { return s.CompactRange("", "") },
		"WaitForBackgroundWork": func() error { return s.WaitForBackgroundWork(time.Second) },
		"ApproximateSize":       func() error { _, err := s.ApproximateSize("inode", tenant, nil); return err },
	}
	for name, call := range calls {
		if err := call(); err != metakv.ErrClosed {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	if names := s.DomainNames(); names != nil {
		t.Errorf("DomainNames after Close = %q, want nil", names)
	}
}

func TestPutGetDelete(t *testing.T) {
	s := openStore(t, testOptions())
	k := []byte("/docs/a.txt")
	steps := []struct {
		op      string
		wantErr error
		wantVal string // for get: "" means absent
	}{
		{"get", metakv.ErrNotFound, ""},
		{"delete", metakv.ErrNotFound, ""},
		{"undelete", metakv.ErrNotFound, ""},
		{"put", nil, ""},
		{"get", nil, "v1"},
		{"undelete", metakv.ErrFailedPrecondition, ""},
		{"delete", nil, ""},
		{"get", metakv.ErrNotFound, ""},
		{"delete", metakv.ErrNotFound, ""},
		{"undelete", nil, ""},
		{"get", nil, "v1"},
		{"harddelete", nil, ""},
		{"get", metakv.ErrNotFound, ""},
		{"undelete", metakv.ErrNotFound, ""},
		{"harddelete", nil, ""},
	}
	for i, st := range steps {
		var err error
		var v []byte
		switch st.op {
		case "put":
			err = s.Put("dentry", tenant, k, []byte("v1"))
		case "get":
			v, err = s.Get("dentry", tenant, k)
		case "delete":
			err = s.Delete("dentry", tenant, k)
		case "undelete":
			err = s.Undelete("dentry", tenant, k)
		case "harddelete":
			err = s.HardDelete("dentry", tenant, k)
		}
		if st.wantErr == nil && err != nil || st.wantErr != nil && !errors.Is(err, st.wantErr) {
			t.Fatalf("step %d %s: err = %v, want %v", i, st.op, err, st.wantErr)
		}
		if st.op == "get" && string(v) != st.wantVal {
			t.Fatalf("step %d get = %q, want %q", i, v, st.wantVal)
		}
	}

	// An empty value is found, as an empty non-nil slice.
	mustPut(t, s, "dentry", tenant, "empty", "")
	if v, err := s.Get("dentry", tenant, []byte("empty")); err != nil || v == nil || len(v) != 0 {
		t.Errorf("Get of an empty value = %v, %v", v, err)
	}
	// The value returned is the caller's: changing it changes nothing.
	mustPut(t, s, "dentry", tenant, "mine", "abc")
	v, _ := s.Get("dentry", tenant, []byte("mine"))
	v[0] = 'X'
	if v2, _ := s.Get("dentry", tenant, []byte("mine")); string(v2) != "abc" {
		t.Errorf("Get after changing a returned value = %q", v2)
	}
}

func TestGetValueSizes(t *testing.T) {
	s := openStore(t, testOptions())
	for _, n := range []int{0, 1, 255, 256, 257, 1023, 1024, 1025, 4096, 100000, 1 << 20} {
		val := bytes.Repeat([]byte{byte(n)}, n)
		key := []byte(fmt.Sprintf("k%d", n))
		if err := s.Put("inode", tenant, key, val); err != nil {
			t.Fatalf("Put %d bytes: %v", n, err)
		}
		got, err := s.Get("inode", tenant, key)
		if err != nil || !bytes.Equal(got, val) {
			t.Errorf("Get of %d bytes: len %d, %v", n, len(got), err)
		}
		if cap(got) != len(got) {
			t.Errorf("Get of %d bytes: cap %d, want %d", n, cap(got), len(got))
		}
	}
}

func TestBadArguments(t *testing.T) {
	o := testOptions()
	o.MaxKeyBytes = 100
	s := openStore(t, o)
	long := strings.Repeat("t", 256)
	tests := []struct {
		name           string
		domain, tenant string
		key            []byte
	}{
		{"unknown domain", "nope", tenant, []byte("k")},
		{"domain with NUL", "inode\x00x", tenant, []byte("k")},
		{"empty domain", "", tenant, []byte("k")},
		{"empty tenant", "inode", "", []byte("k")},
		{"tenant of 256 bytes", "inode", long, []byte("k")},
		{"empty key", "inode", tenant, nil},
		{"key over MaxKeyBytes", "inode", tenant, bytes.Repeat([]byte("k"), 101)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, metakv.ErrInvalidArgument) {
					t.Errorf("%s: %v, want ErrInvalidArgument", op, err)
				}
			}
			check("Put", s.Put(tt.domain, tt.tenant, tt.key, []byte("v")))
			check("PutTTL", s.PutTTL(tt.domain, tt.tenant, tt.key, []byte("v"), time.Minute))
			_, err := s.Get(tt.domain, tt.tenant, tt.key)
			check("Get", err)
			check("Delete", s.Delete(tt.domain, tt.tenant, tt.key))
			check("Undelete", s.Undelete(tt.domain, tt.tenant, tt.key))
			check("HardDelete", s.HardDelete(tt.domain, tt.tenant, tt.key))
			b := metakv.NewBatch()
			b.Put(tt.domain, tt.tenant, tt.key, []byte("v"))
			check("Write", s.Write(b))
			_, errs, err := s.MultiGet([]metakv.KeyRef{{tt.domain, tt.tenant, tt.key}})
			if err != nil {
				t.Errorf("MultiGet: whole-call error %v", err)
			} else {
				check("MultiGet", errs[0])
			}
		})
	}
	// The maximum sizes themselves are fine.
	if err := s.Put("inode", strings.Repeat("t", 255), bytes.Repeat([]byte("k"), 100), nil); err != nil {
		t.Errorf("Put with a 255-byte tenant and a 100-byte key: %v", err)
	}
	if err := s.IngestCold("inode", tenant, []metakv.ColdRecord{{Key: []byte("k"), Value: []byte("v")}}); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("IngestCold into a hot domain: %v", err)
	}
	if _, err := s.NewIterator("nope", tenant, nil); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("NewIterator of an unknown domain: %v", err)
	}
	if _, err := s.IntProperty("", "no_such_property"); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("IntProperty of an unknown name: %v", err)
	}
}

func TestRetentionAndTTL(t *testing.T) {
	clock := metakv.NewManualClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	defer clock.Close()
	o := testOptions()
	o.Clock = clock
	o.Domains = []metakv.Domain{
		{Name: "meta", TombstoneRetention: time.Hour, WriteBufferBytes: 64 << 10},
		{Name: "ttl", DefaultTTL: time.Minute, WriteBufferBytes: 64 << 10},
	}
	s := openStore(t, o)

	mustPut(t, s, "meta", tenant, "a", "1")
	mustPut(t, s, "meta", tenant, "b", "2")
	if err := s.Delete("meta", tenant, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("meta", tenant, []byte("b")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Minute)
	if err := s.Undelete("meta", tenant, []byte("a")); err != nil {
		t.Errorf("Undelete within retention: %v", err)
	}
	clock.Advance(31 * time.Minute)
	if err := s.Undelete("meta", tenant, []byte("b")); !errors.Is(err, metakv.ErrExpired) {
		t.Errorf("Undelete past retention: %v, want ErrExpired", err)
	}

	// TTLs: the domain's default and a record's own.
	mustPut(t, s, "ttl", tenant, "default", "x")
	if err := s.PutTTL("ttl", tenant, []byte("own"), []byte("y"), 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTTL("meta", tenant, []byte("short"), []byte("z"), 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute)
	if _, err := s.Get("ttl", tenant, []byte("default")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("Get past the default TTL: %v", err)
	}
	if _, err := s.Get("meta", tenant, []byte("short")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("Get past a sub-second TTL (rounded up to 1s): %v", err)
	}
	if v, err := s.Get("ttl", tenant, []byte("own")); err != nil || string(v) != "y" {
		t.Errorf("Get within its own TTL = %q, %v", v, err)
	}
	clock.Advance(10 * time.Minute)
	if _, err := s.Get("ttl", tenant, []byte("own")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("Get past its own TTL: %v", err)
	}
}

func TestManualClock(t *testing.T) {
	start := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	c := metakv.NewManualClock(start)
	if !c.Now().Equal(start) {
		t.Errorf("Now = %v, want %v", c.Now(), start)
	}
	c.Advance(90 * time.Second)
	c.Advance(1500 * time.Microsecond)
	if want := start.Add(90*time.Second + 1500*time.Microsecond); !c.Now().Equal(want) {
		t.Errorf("Now after Advance = %v, want %v", c.Now(), want)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Errorf("Now after Set = %v", c.Now())
	}
	c.Close()
	c.Close()
	if !c.Now().IsZero() {
		t.Errorf("Now after Close = %v", c.Now())
	}
	if got := metakv.NewManualClock(time.Time{}).Now().Unix(); got != 1700000000 {
		t.Errorf("default start = %d", got)
	}
}

func TestBatch(t *testing.T) {
	s := openStore(t, testOptions())
	mustPut(t, s, "inode", tenant, "old", "o")

	b := metakv.NewBatch()
	b.Put("inode", tenant, []byte("ino/1"), []byte("one"))
	b.Put("dentry", tenant, []byte("/a"), []byte("1"))
	b.Delete("inode", tenant, []byte("absent"))
	if b.Len() != 3 {
		t.Fatalf("Len = %d", b.Len())
	}
	if err := s.Write(b); !errors.Is(err, metakv.ErrNotFound) {
		t.Fatalf("Write with a Delete of an absent key: %v, want ErrNotFound", err)
	}
	for _, k := range []struct{ d, k string }{{"inode", "ino/1"}, {"dentry", "/a"}} {
		if _, err := s.Get(k.d, tenant, []byte(k.k)); !errors.Is(err, metakv.ErrNotFound) {
			t.Errorf("after a failed batch, Get(%s, %s): %v", k.d, k.k, err)
		}
	}

	b.Reset()
	if b.Len() != 0 {
		t.Fatalf("Len after Reset = %d", b.Len())
	}
	b.Put("inode", tenant, []byte("ino/1"), []byte("one"))
	b.PutTTL("dentry", tenant, []byte("/a"), []byte("1"), time.Hour)
	b.Put("dentry", tenant, []byte("/b"), nil)
	b.Delete("inode", tenant, []byte("old"))
	b.Put("inode", tenant, []byte("tmp"), []byte("t"))
	b.HardDelete("inode", tenant, []byte("tmp"))
	if err := s.WriteWithOptions(b, metakv.WriteOptions{Sync: true}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"inode/ino/1": "one", "dentry//a": "1", "dentry//b": ""}
	for dk, wv := range want {
		i := strings.IndexByte(dk, '/')
		v, err := s.Get(dk[:i], tenant, []byte(dk[i+1:]))
		if err != nil || string(v) != wv {
			t.Errorf("Get(%s) = %q, %v; want %q", dk, v, err, wv)
		}
	}
	for _, k := range []string{"old", "tmp"} {
		if _, err := s.Get("inode", tenant, []byte(k)); !errors.Is(err, metakv.ErrNotFound) {
			t.Errorf("Get(%s): %v, want ErrNotFound", k, err)
		}
	}
	if err := s.Undelete("inode", tenant, []byte("old")); err != nil {
		t.Errorf("Undelete of a batch Delete: %v", err)
	}
	if err := s.Undelete("inode", tenant, []byte("tmp")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("Undelete of a batch HardDelete: %v", err)
	}
	// An empty batch (zero value) is a no-op.
	if err := s.Write(&metakv.Batch{}); err != nil {
		t.Errorf("Write of an empty batch: %v", err)
	}
}

func TestMultiGet(t *testing.T) {
	s := openStore(t, testOptions())
	mustPut(t, s, "inode", tenant, "a", "alpha")
	mustPut(t, s, "dentry", tenant, "b", "beta")
	mustPut(t, s, "dentry", "other", "b", "other-beta")
	mustPut(t, s, "dentry", tenant, "empty", "")
	keys := []metakv.KeyRef{
		{"inode", tenant, []byte("a")},
		{"inode", tenant, []byte("absent")},
		{"dentry", tenant, []byte("b")},
		{"nope", tenant, []byte("a")},
		{"dentry", "other", []byte("b")},
		{"dentry", "", []byte("b")},
		{"dentry", tenant, []byte("empty")},
	}
	vals, errs, err := s.MultiGet(keys)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		val string
		err error
	}{
		{"alpha", nil}, {"", metakv.ErrNotFound}, {"beta", nil}, {"", metakv.ErrInvalidArgument},
		{"other-beta", nil}, {"", metakv.ErrInvalidArgument}, {"", nil},
	}
	for i, w := range want {
		if w.err == nil && errs[i] != nil || w.err != nil && !errors.Is(errs[i], w.err) {
			t.Errorf("key %d: err %v, want %v", i, errs[i], w.err)
		}
		if string(vals[i]) != w.val {
			t.Errorf("key %d: value %q, want %q", i, vals[i], w.val)
		}
		if w.err == nil && vals[i] == nil {
			t.Errorf("key %d: found value is nil", i)
		}
	}
	// Values are capped: appending to one leaves the next alone.
	_ = append(vals[0], "XXXXXXXX"...)
	if string(vals[2]) != "beta" {
		t.Errorf("append to a value changed another: %q", vals[2])
	}
	if v, e, err := s.MultiGet(nil); v != nil || e != nil || err != nil {
		t.Errorf("MultiGet(nil) = %v, %v, %v", v, e, err)
	}
}

// TestCrossings checks the cost rules of the package doc: the number of
// cgo calls of each common operation.
func TestCrossings(t *testing.T) {
	s := openStore(t, testOptions())
	mustPut(t, s, "inode", tenant, "k", "v")
	big := bytes.Repeat([]byte("b"), 5000)
	if err := s.Put("inode", tenant, []byte("big"), big); err != nil {
		t.Fatal(err)
	}
	b := metakv.NewBatch()
	for i := 0; i < 100; i++ {
		b.Put("inode", tenant, []byte(fmt.Sprintf("b%03d", i)), []byte("v"))
	}
	keys := make([]metakv.KeyRef, 100)
	for i := range keys {
		keys[i] = metakv.KeyRef{Domain: "inode", Tenant: tenant, Key: []byte(fmt.Sprintf("b%03d", i))}
	}
	tests := []struct {
		name string
		want int64
		f    func() error
	}{
		{"Put", 1, func() error { return s.Put("inode", tenant, []byte("k"), []byte("v")) }},
		{"PutTTL", 1, func() error { return s.PutTTL("inode", tenant, []byte("k"), []byte("v"), time.Hour) }},
		{"Get", 1, func() error { _, err := s.Get("inode", tenant, []byte("k")); return err }},
		{"Get absent", 1, func() error {
			if _, err := s.Get("inode", tenant, []byte("nope")); !errors.Is(err, metakv.ErrNotFound) {
				return err
			}
			return nil
		}},
		{"Get 5000 bytes", 2, func() error { _, err := s.Get("inode", tenant, []byte("big")); return err }},
		{"Write of 100", 1, func() error { return s.Write(b) }},
		{"MultiGet of 100", 2, func() error { _, _, err := s.MultiGet(keys); return err }},
		{"Delete", 1, func() error { return s.Delete("inode", tenant, []byte("k")) }},
		{"Undelete", 1, func() error { return s.Undelete("inode", tenant, []byte("k")) }},
	}
	for _, tt := range tests {
		before := runtime.NumCgoCall()
		if err := tt.f(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := runtime.NumCgoCall() - before; got != tt.want {
			t.Errorf("%s: %d cgo calls, want %d", tt.name, got, tt.want)
		}
	}
}

func TestConcurrent(t *testing.T) {
	s := openStore(t, testOptions())
	const workers, ops = 8, 300
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			tn := fmt.Sprintf("tenant%d", w%3)
			for i := 0; i < ops; i++ {
				key := []byte(fmt.Sprintf("w%d/k%04d", w, i))
				val := []byte(fmt.Sprintf("value-%d-%d", w, i))
				if err := s.Put("inode", tn, key, val); err != nil {
					errc <- err
					return
				}
				got, err := s.Get("inode", tn, key)
				if err != nil || !bytes.Equal(got, val) {
					errc <- fmt.Errorf("Get(%s) = %q, %v", key, got, err)
					return
				}
				if i%50 == 0 {
					it, err := s.NewIterator("inode", tn, []byte(fmt.Sprintf("w%d/", w)))
					if err != nil {
						errc <- err
						return
					}
					n := 0
					for it.Next() {
						n++
					}
					if it.Err() != nil || n != i+1 {
						errc <- fmt.Errorf("iterator: %d records, %v; want %d", n, it.Err(), i+1)
					}
					it.Close()
				}
			}
		}(w)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}

// TestCloseWhileBusy closes the store while goroutines still use it:
// every call either succeeds or returns ErrClosed.
func TestCloseWhileBusy(t *testing.T) {
	s, err := metakv.Open(t.TempDir(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := []byte(fmt.Sprintf("k%d-%d", w, i))
				if err := s.Put("inode", tenant, key, key); err != nil {
					if err != metakv.ErrClosed {
						t.Errorf("Put: %v", err)
					}
					return
				}
				it, err := s.NewIterator("inode", tenant, nil)
				if err != nil {
					if err != metakv.ErrClosed {
						t.Errorf("NewIterator: %v", err)
					}
					return
				}
				for it.Next() {
				}
				if err := it.Err(); err != nil && err != metakv.ErrClosed {
					t.Errorf("iteration: %v", err)
				}
				it.Close()
			}
		}(w)
	}
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	close(stop)
	wg.Wait()
}

func TestFileSystemDomains(t *testing.T) {
	ds := metakv.FileSystemDomains()
	if len(ds) != 3 {
		t.Fatalf("%d domains: %+v", len(ds), ds)
	}
	want := []struct {
		name string
		temp metakv.Temperature
		ttl  time.Duration
	}{
		{metakv.InodeDomain, metakv.Hot, 0},
		{metakv.DentryDomain, metakv.Hot, 0},
		{metakv.HistoryDomain, metakv.Cold, 30 * 24 * time.Hour},
	}
	for i, w := range want {
		d := ds[i]
		if d.Name != w.name || d.Temperature != w.temp || d.DefaultTTL != w.ttl {
			t.Errorf("domain %d = %s %v ttl %v; want %s %v ttl %v", i, d.Name, d.Temperature, d.DefaultTTL, w.name, w.temp, w.ttl)
		}
		// Every field is read back from C: the library's defaults.
		if d.WriteBufferBytes == 0 || d.TargetFileSizeBytes == 0 || d.Level0CompactionTrigger == 0 ||
			d.BlockBytes == 0 || d.TombstoneRetention == 0 || d.Compression == metakv.DefaultCompression {
			t.Errorf("domain %s has fields left at zero: %+v", d.Name, d)
		}
	}
	if ds[0].TombstoneRetention != 7*24*time.Hour {
		t.Errorf("inode retention = %v, want 7 days", ds[0].TombstoneRetention)
	}
	// The Domains read back open a store as the C++ defaults would.
	s := openStore(t, metakv.Options{CreateIfMissing: true, Domains: ds, MemoryBudgetBytes: 64 << 20})
	mustPut(t, s, "inode", tenant, "k", "v")
}

func TestInode(t *testing.T) {
	tests := []metakv.InodeAttributes{
		{},
		{Ino: 42, Mode: 0100644, Size: 1234},
		{Ino: 1<<64 - 1, Mode: 040755, UID: 1000, GID: 1000, Nlink: 2, Size: 1 << 40, Blocks: 8,
			AtimeNs: -1, MtimeNs: 1700000000123456789, CtimeNs: -1 << 62, Generation: 7, Flags: 3},
	}
	for _, a := range tests {
		enc := metakv.EncodeInode(a)
		got, err := metakv.DecodeInode(enc)
		if err != nil || got != a {
			t.Errorf("round trip of %+v = %+v, %v", a, got, err)
		}
		if len(enc) > 1 {
			if _, err := metakv.DecodeInode(enc[:len(enc)-1]); !errors.Is(err, metakv.ErrCorruption) {
				t.Errorf("DecodeInode of a truncated encoding: %v, want ErrCorruption", err)
			}
		}
		if _, err := metakv.DecodeInode(append(enc, 0)); !errors.Is(err, metakv.ErrCorruption) {
			t.Errorf("DecodeInode with a trailing byte: %v, want ErrCorruption", err)
		}
	}
	if _, err := metakv.DecodeInode(nil); !errors.Is(err, metakv.ErrCorruption) {
		t.Errorf("DecodeInode(nil): %v, want ErrCorruption", err)
	}
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}

// TestAllocs checks that Put, Delete and Write allocate nothing and Get
// only its result.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocations (sync.Pool drops items)")
	}
	s := openStore(t, testOptions())
	k, v, absent := []byte("key"), []byte("value"), []byte("absent")
	mustPut(t, s, "inode", tenant, "key", "value")
	b := metakv.NewBatch()
	b.Put("inode", tenant, k, v)
	tests := []struct {
		name string
		max  float64
		f    func()
	}{
		{"Put", 0, func() { s.Put("inode", tenant, k, v) }},
		{"PutTTL", 0, func() { s.PutTTL("inode", tenant, k, v, time.Hour) }},
		{"Get", 1, func() { s.Get("inode", tenant, k) }},
		{"Get absent", 0, func() { s.Get("inode", tenant, absent) }},
		{"Write", 0, func() { s.Write(b) }},
		{"HardDelete", 0, func() { s.HardDelete("inode", tenant, absent) }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got > tt.max {
			t.Errorf("%s: %v allocations, want at most %v", tt.name, got, tt.max)
		}
	}
}

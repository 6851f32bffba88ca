package metakv_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"runtime"
	"sort"
	"testing"
	"time"

	"metakv"
)

func collect(t *testing.T, it *metakv.Iterator) []string {
	t.Helper()
	defer it.Close()
	var keys []string
	for it.Next() {
		keys = append(keys, string(it.Key())+"="+string(it.Value()))
	}
	if err := it.Err(); err != nil {
		t.Fatalf("iteration: %v", err)
	}
	return keys
}

func TestIteratorPrefixAndSeek(t *testing.T) {
	s := openStore(t, testOptions())
	for _, k := range []string{"/docs/b", "/docs/a", "/docs/c", "/doc", "/e", "/docs/a/x"} {
		mustPut(t, s, "dentry", tenant, k, k[1:])
	}
	mustPut(t, s, "dentry", "other", "/docs/z", "other")

	it, err := s.NewIterator("dentry", tenant, []byte("/docs/"))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(collect(t, it))
	if want := "[/docs/a=docs/a /docs/a/x=docs/a/x /docs/b=docs/b /docs/c=docs/c]"; got != want {
		t.Errorf("prefix scan = %s, want %s", got, want)
	}

	it, err = s.NewIterator("dentry", tenant, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ seek, want string }{
		{"/docs/b", "/docs/b"},
		{"/docs/a0", "/docs/b"},
		{"/a", "/doc"},
		{"/docs/", "/docs/a"},
		{"/f", ""},
		{"/docs/a", "/docs/a"},
	}
	for _, tt := range tests {
		it.Seek([]byte(tt.seek))
		got := ""
		if it.Next() {
			got = string(it.Key())
			if it.Tenant() != tenant {
				t.Errorf("Tenant = %q", it.Tenant())
			}
			if it.WriteTime().IsZero() || !it.DeleteTime().IsZero() {
				t.Errorf("WriteTime %v, DeleteTime %v", it.WriteTime(), it.DeleteTime())
			}
		}
		if got != tt.want {
			t.Errorf("Seek(%q), Next: %q, want %q (err %v)", tt.seek, got, tt.want, it.Err())
		}
	}
	// Seek then keep going.
	it.Seek([]byte("/docs/b"))
	var rest []string
	for it.Next() {
		rest = append(rest, string(it.Key()))
	}
	if fmt.Sprint(rest) != "[/docs/b /docs/c /e]" {
		t.Errorf("after Seek: %v", rest)
	}
	it.Close()
	it.Close()
	if it.Next() || !errors.Is(it.Err(), metakv.ErrClosed) {
		t.Errorf("Next after Close: Err %v", it.Err())
	}
}

func TestScan(t *testing.T) {
	s := openStore(t, testOptions())
	for _, tn := range []string{"t1", "t2"} {
		for _, k := range []string{"a", "b", "c", "d"} {
			mustPut(t, s, "inode", tn, k, tn+k)
		}
	}
	tests := []struct {
		name string
		spec metakv.ScanSpec
		want string
	}{
		{"bounds", metakv.ScanSpec{Tenant: "t1", LowerBound: []byte("b"), UpperBound: []byte("d")}, "[b=t1b c=t1c]"},
		{"lower", metakv.ScanSpec{Tenant: "t2", LowerBound: []byte("c")}, "[c=t2c d=t2d]"},
		{"prefix", metakv.ScanSpec{Tenant: "t2", Prefix: []byte("a")}, "[a=t2a]"},
		{"whole domain", metakv.ScanSpec{}, "[a=t1a b=t1b c=t1c d=t1d a=t2a b=t2b c=t2c d=t2d]"},
	}
	for _, tt := range tests {
		it, err := s.NewScan("inode", tt.spec)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := fmt.Sprint(collect(t, it)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	// A whole-domain scan reports each record's tenant; Seek needs
	// SeekTenant there.
	it, err := s.NewScan("inode", metakv.ScanSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	it.SeekTenant("t2", []byte("c"))
	if !it.Next() || it.Tenant() != "t2" || string(it.Key()) != "c" {
		t.Errorf("SeekTenant: %q %q %v", it.Tenant(), it.Key(), it.Err())
	}
	it.Seek([]byte("a"))
	if it.Next() || !errors.Is(it.Err(), metakv.ErrInvalidArgument) {
		t.Errorf("Seek in a whole-domain scan: Err %v, want ErrInvalidArgument", it.Err())
	}
	// A new Seek clears the error.
	it.SeekTenant("t1", nil)
	if !it.Next() || string(it.Key()) != "a" || it.Tenant() != "t1" {
		t.Errorf("SeekTenant after an error: %q %v", it.Key(), it.Err())
	}
	if _, err := s.NewScan("inode", metakv.ScanSpec{Prefix: []byte("a")}); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("prefix without tenant: %v", err)
	}
}

// TestIteratorMany reads thousands of records with values up to 5000
// bytes, through many refills, and checks them against a map; the slices
// returned stay valid after later Next calls and after Close.
func TestIteratorMany(t *testing.T) {
	s := openStore(t, testOptions())
	rnd := rand.New(rand.NewSource(1))
	want := map[string][]byte{}
	const n = 3000
	b := metakv.NewBatch()
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("k%06d", rnd.Intn(1000000))
		val := make([]byte, 1+rnd.Intn(5000))
		rnd.Read(val)
		want[key] = val
		b.Put("inode", tenant, []byte(key), val)
		if b.Len() == 100 {
			if err := s.Write(b); err != nil {
				t.Fatal(err)
			}
			b.Reset()
		}
	}
	if err := s.Write(b); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "inode", "zz-other", "k", "not this tenant")
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	before := runtime.NumCgoCall()
	it, err := s.NewIterator("inode", tenant, nil)
	if err != nil {
		t.Fatal(err)
	}
	var gotKeys, gotVals [][]byte
	for it.Next() {
		gotKeys = append(gotKeys, it.Key())
		gotVals = append(gotVals, it.Value())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	it.Close()
	calls := runtime.NumCgoCall() - before
	runtime.GC()
	if len(gotKeys) != len(keys) {
		t.Fatalf("%d records, want %d", len(gotKeys), len(keys))
	}
	for i, k := range keys {
		if string(gotKeys[i]) != k || !bytes.Equal(gotVals[i], want[k]) {
			t.Fatalf("record %d: %q (%d bytes), want %q (%d bytes)", i, gotKeys[i], len(gotVals[i]), k, len(want[k]))
		}
		if cap(gotKeys[i]) != len(gotKeys[i]) || cap(gotVals[i]) != len(gotVals[i]) {
			t.Fatalf("record %d: slices not capped", i)
		}
	}
	// About 7.5 MB of values in buffers of up to 256 KiB: a few dozen
	// crossings, not thousands.
	if calls > 100 {
		t.Errorf("%d cgo calls for %d records", calls, len(keys))
	}
	t.Logf("%d records, %d cgo calls", len(keys), calls)

	// A record larger than the largest buffer is read whole.
	huge := bytes.Repeat([]byte("h"), 1<<20)
	if err := s.Put("inode", "huge", []byte("a"), huge); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "inode", "huge", "b", "small")
	it, _ = s.NewIterator("inode", "huge", nil)
	if !it.Next() || !bytes.Equal(it.Value(), huge) || !it.Next() || string(it.Value()) != "small" || it.Next() {
		t.Errorf("iteration over a 1 MiB record failed: %v", it.Err())
	}
	it.Close()
}

func TestRecycleBin(t *testing.T) {
	clock := metakv.NewManualClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	defer clock.Close()
	o := testOptions()
	o.Clock = clock
	s := openStore(t, o)
	for _, k := range []string{"/d/a", "/d/b", "/d/c", "/e"} {
		mustPut(t, s, "dentry", tenant, k, "v"+k)
	}
	clock.Advance(time.Minute)
	for _, k := range []string{"/d/c", "/d/a", "/e"} {
		if err := s.Delete("dentry", tenant, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	bin, err := s.RecycleBin("dentry", tenant, []byte("/d/"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bin) != 2 {
		t.Fatalf("recycle bin: %+v", bin)
	}
	for i, k := range []string{"/d/a", "/d/c"} {
		r := bin[i]
		if string(r.Key) != k || string(r.Value) != "v"+k || r.Tenant != tenant {
			t.Errorf("record %d = %q=%q (%s)", i, r.Key, r.Value, r.Tenant)
		}
		if !r.DeleteTime.Equal(clock.Now()) {
			t.Errorf("record %d: DeleteTime %v, want %v", i, r.DeleteTime, clock.Now())
		}
	}
	if err := s.Undelete("dentry", tenant, []byte("/d/a")); err != nil {
		t.Fatal(err)
	}
	bin, _ = s.RecycleBin("dentry", tenant, nil)
	if len(bin) != 2 || string(bin[0].Key) != "/d/c" || string(bin[1].Key) != "/e" {
		t.Errorf("recycle bin after Undelete: %+v", bin)
	}
	// Past retention the bin is empty.
	clock.Advance(8 * 24 * time.Hour)
	if bin, err := s.RecycleBin("dentry", tenant, nil); err != nil || len(bin) != 0 {
		t.Errorf("recycle bin past retention: %+v, %v", bin, err)
	}
}

package metakv_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"metakv"
)

func TestIngestCold(t *testing.T) {
	clock := metakv.NewManualClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	defer clock.Close()
	o := testOptions()
	o.Clock = clock
	s := openStore(t, o)
	past := clock.Now().Add(-time.Hour)
	recs := []metakv.ColdRecord{
		{Key: []byte("ino/1/v2"), Value: []byte("second")},
		{Key: []byte("ino/1/v1"), Value: []byte("first"), WriteTime: past},
		{Key: []byte("ino/1/v0"), Value: []byte("gone"), Expiry: past},
		{Key: []byte("ino/1/v3"), Value: []byte("short"), TTL: time.Minute},
	}
	if err := s.IngestCold("history", tenant, recs); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"ino/1/v1": "first", "ino/1/v2": "second", "ino/1/v3": "short"} {
		if v, err := s.Get("history", tenant, []byte(k)); err != nil || string(v) != want {
			t.Errorf("Get(%s) = %q, %v", k, v, err)
		}
	}
	if _, err := s.Get("history", tenant, []byte("ino/1/v0")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("Get of an already expired record: %v", err)
	}
	it, _ := s.NewIterator("history", tenant, []byte("ino/1/v1"))
	if !it.Next() || !it.WriteTime().Equal(past) || it.ExpiryTime().IsZero() {
		t.Errorf("ingested record: write %v expiry %v (%v)", it.WriteTime(), it.ExpiryTime(), it.Err())
	}
	it.Close()
	clock.Advance(2 * time.Minute)
	if _, err := s.Get("history", tenant, []byte("ino/1/v3")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("Get past its TTL: %v", err)
	}
	// Errors: nothing, duplicates, a hot domain, a future write time.
	bad := []struct {
		name   string
		domain string
		recs   []metakv.ColdRecord
	}{
		{"empty", "history", nil},
		{"duplicate", "history", []metakv.ColdRecord{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("a"), Value: []byte("2")}}},
		{"hot domain", "inode", []metakv.ColdRecord{{Key: []byte("a")}}},
		{"future", "history", []metakv.ColdRecord{{Key: []byte("a"), WriteTime: clock.Now().Add(time.Hour)}}},
	}
	for _, tt := range bad {
		if err := s.IngestCold(tt.domain, tenant, tt.recs); !errors.Is(err, metakv.ErrInvalidArgument) {
			t.Errorf("IngestCold %s: %v, want ErrInvalidArgument", tt.name, err)
		}
	}
}

func TestRemoveTreeAndTenant(t *testing.T) {
	s := openStore(t, testOptions())
	for _, k := range []string{"/a/1", "/a/2", "/b/1"} {
		mustPut(t, s, "dentry", tenant, k, "d")
		mustPut(t, s, "inode", tenant, "i"+k, "i")
	}
	id, err := s.RemoveTree(tenant, []metakv.PrefixRef{
		{Domain: "dentry", Prefix: []byte("/a/")},
		{Domain: "inode", Prefix: []byte("i/a/")},
	}, metakv.Logical)
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		t.Error("RemoveTree returned removal id 0")
	}
	present := func(domain, key string) bool {
		_, err := s.Get(domain, tenant, []byte(key))
		if err != nil && !errors.Is(err, metakv.ErrNotFound) {
			t.Fatalf("Get: %v", err)
		}
		return err == nil
	}
	if present("dentry", "/a/1") || present("inode", "i/a/2") || !present("dentry", "/b/1") {
		t.Error("RemoveTree removed the wrong records")
	}
	if err := s.RestoreTree(id); err != nil {
		t.Fatal(err)
	}
	if !present("dentry", "/a/1") || !present("inode", "i/a/2") {
		t.Error("RestoreTree did not restore")
	}
	if err := s.RestoreTree(id); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("second RestoreTree: %v, want ErrNotFound", err)
	}
	if id, err := s.RemoveTree(tenant, []metakv.PrefixRef{{Domain: "dentry", Prefix: []byte("/b/")}}, metakv.Hard); err != nil || id != 0 {
		t.Errorf("hard RemoveTree = %d, %v", id, err)
	}
	if present("dentry", "/b/1") {
		t.Error("hard RemoveTree did not remove")
	}
	for name, prefixes := range map[string][]metakv.PrefixRef{
		"none":           nil,
		"unknown domain": {{Domain: "nope", Prefix: []byte("x")}},
		"empty prefix":   {{Domain: "dentry"}},
		"nested":         {{Domain: "dentry", Prefix: []byte("/a")}, {Domain: "dentry", Prefix: []byte("/a/b")}},
	} {
		if _, err := s.RemoveTree(tenant, prefixes, metakv.Logical); !errors.Is(err, metakv.ErrInvalidArgument) {
			t.Errorf("RemoveTree %s: %v, want ErrInvalidArgument", name, err)
		}
	}
	if _, err := s.RemoveTree(tenant, []metakv.PrefixRef{{Domain: "history", Prefix: []byte("x")}}, metakv.Logical); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("logical RemoveTree of a cold domain: %v", err)
	}

	mustPut(t, s, "inode", "other", "k", "v")
	if err := s.RemoveTenant(tenant); err != nil {
		t.Fatal(err)
	}
	if present("dentry", "/a/1") || present("inode", "i/a/1") {
		t.Error("RemoveTenant left records")
	}
	if v, err := s.Get("inode", "other", []byte("k")); err != nil || string(v) != "v" {
		t.Errorf("another tenant after RemoveTenant: %q, %v", v, err)
	}
	mustPut(t, s, "dentry", tenant, "/new", "n")
	if !present("dentry", "/new") {
		t.Error("a removed tenant cannot be written again")
	}
}

func TestCheckpoint(t *testing.T) {
	s := openStore(t, testOptions())
	mustPut(t, s, "inode", tenant, "a", "before")
	dir := filepath.Join(t.TempDir(), "copy")
	if err := s.Checkpoint(dir); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "inode", tenant, "a", "after")
	if err := s.Checkpoint(dir); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("Checkpoint into an existing directory: %v, want ErrInvalidArgument", err)
	}
	opts := testOptions()
	opts.CreateIfMissing = false
	copy, err := metakv.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer copy.Close()
	if v, err := copy.Get("inode", tenant, []byte("a")); err != nil || string(v) != "before" {
		t.Errorf("the copy holds %q, %v; want %q", v, err, "before")
	}
}

func TestSnapshot(t *testing.T) {
	s := openStore(t, testOptions())
	mustPut(t, s, "inode", tenant, "a", "old")
	mustPut(t, s, "inode", tenant, "b", "old")
	snap, err := s.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(snap.Time()); d < -time.Second || d > time.Minute {
		t.Errorf("snapshot Time = %v", snap.Time())
	}
	mustPut(t, s, "inode", tenant, "a", "new")
	mustPut(t, s, "inode", tenant, "c", "new")
	if err := s.Delete("inode", tenant, []byte("b")); err != nil {
		t.Fatal(err)
	}
	if v, err := snap.Get("inode", tenant, []byte("a")); err != nil || string(v) != "old" {
		t.Errorf("snapshot Get(a) = %q, %v", v, err)
	}
	if _, err := snap.Get("inode", tenant, []byte("c")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("snapshot Get(c): %v", err)
	}
	vals, errs, err := snap.MultiGet([]metakv.KeyRef{{"inode", tenant, []byte("a")}, {"inode", tenant, []byte("b")}, {"inode", tenant, []byte("c")}})
	if err != nil || string(vals[0]) != "old" || string(vals[1]) != "old" || !errors.Is(errs[2], metakv.ErrNotFound) {
		t.Errorf("snapshot MultiGet = %q %v %v", vals, errs, err)
	}
	it, err := snap.NewIterator("inode", tenant, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(collect(t, it)); got != "[a=old b=old]" {
		t.Errorf("snapshot iterator: %s", got)
	}
	if v, _ := s.Get("inode", tenant, []byte("a")); string(v) != "new" {
		t.Errorf("store Get(a) = %q", v)
	}
	it, _ = snap.NewIterator("inode", tenant, nil)
	snap.Release()
	snap.Release()
	if it.Next() || !errors.Is(it.Err(), metakv.ErrClosed) {
		t.Errorf("snapshot iterator after Release: %v", it.Err())
	}
	it.Close()
	if _, err := snap.Get("inode", tenant, []byte("a")); !errors.Is(err, metakv.ErrClosed) {
		t.Errorf("Get after Release: %v", err)
	}
}

// TestPrometheusMetrics parses the text with the Prometheus Go library's
// own parser (Debian's golang-github-prometheus-common-dev) and finds the
// puts made.
func TestPrometheusMetrics(t *testing.T) {
	s := openStore(t, testOptions())
	for i := 0; i < 25; i++ {
		mustPut(t, s, "inode", tenant, fmt.Sprintf("k%d", i), "v")
	}
	text, err := s.PrometheusMetrics()
	if err != nil {
		t.Fatal(err)
	}
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	puts := families["metakv_puts_total"]
	if puts == nil {
		t.Fatal("no metakv_puts_total")
	}
	found := false
	for _, m := range puts.GetMetric() {
		if m.GetLabel()[0].GetValue() == "inode" {
			found = true
			if got := m.GetCounter().GetValue(); got != 25 {
				t.Errorf("metakv_puts_total{domain=inode} = %v, want 25", got)
			}
		}
	}
	if !found {
		t.Error("no inode sample of metakv_puts_total")
	}
	if h := families["metakv_operation_latency_seconds"]; h == nil || len(h.GetMetric()) == 0 {
		t.Error("no latency histogram")
	}
	s.Close()
	if _, err := s.PrometheusMetrics(); !errors.Is(err, metakv.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

func TestStatsAndProperties(t *testing.T) {
	s := openStore(t, testOptions())
	const puts = 500
	for i := 0; i < puts; i++ {
		mustPut(t, s, "inode", tenant, fmt.Sprintf("k%04d", i), strings.Repeat("v", 200))
	}
	for i := 0; i < 10; i++ {
		if err := s.Delete("inode", tenant, []byte(fmt.Sprintf("k%04d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush("inode"); err != nil {
		t.Fatal(err)
	}
	if err := s.Resume(); err != nil { // writes were never stopped
		t.Fatalf("Resume: %v", err)
	}
	if err := s.Flush(""); err != nil {
		t.Fatal(err)
	}
	if err := s.CompactRange("inode", tenant); err != nil {
		t.Fatal(err)
	}
	if err := s.CompactRange("", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitForBackgroundWork(time.Minute); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	d := st.Domain("inode")
	if d == nil || len(st.Domains) != 3 {
		t.Fatalf("Stats domains: %+v", st.Domains)
	}
	if d.Puts != puts || d.Deletes != 10 {
		t.Errorf("inode puts %d deletes %d, want %d and 10", d.Puts, d.Deletes, puts)
	}
	if d.Temperature != metakv.Hot || st.Domain("history").Temperature != metakv.Cold {
		t.Errorf("temperatures %v %v", d.Temperature, st.Domain("history").Temperature)
	}
	if d.UserBytesWritten == 0 || d.FlushBytesWritten == 0 || d.LiveSSTBytes == 0 || len(d.Levels) == 0 || d.WriteAmplification <= 0 {
		t.Errorf("inode stats: %+v", d)
	}
	if st.UserBytesWritten < d.UserBytesWritten || st.FlushBytesWritten < d.FlushBytesWritten {
		t.Errorf("totals %d %d below the domain's", st.UserBytesWritten, st.FlushBytesWritten)
	}
	files := uint64(0)
	for _, l := range d.Levels {
		files += l.Files
	}
	if files == 0 {
		t.Errorf("no files after a flush: %+v", d.Levels)
	}

	names := metakv.IntPropertyNames(true)
	if len(names) == 0 || len(metakv.IntPropertyNames(false)) == 0 {
		t.Fatalf("IntPropertyNames: %q", names)
	}
	if !contains(names, "metakv.puts") {
		t.Fatalf("per-domain names lack metakv.puts: %q", names)
	}
	if v, err := s.IntProperty("inode", "metakv.puts"); err != nil || v != puts {
		t.Errorf("IntProperty(inode, metakv.puts) = %d, %v", v, err)
	}
	for _, n := range metakv.IntPropertyNames(false) {
		if _, err := s.IntProperty("", n); err != nil {
			t.Errorf("IntProperty(%q): %v", n, err)
		}
	}
	if _, err := s.IntProperty("nope", "metakv.puts"); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("IntProperty of an unknown domain: %v", err)
	}

	size, err := s.ApproximateSize("inode", tenant, nil)
	if err != nil || size == 0 {
		t.Errorf("ApproximateSize = %d, %v", size, err)
	}
	if _, err := s.RunMaintenance(metakv.MaintenanceOptions{}); err != nil {
		t.Errorf("RunMaintenance: %v", err)
	}
	if _, err := s.RunMaintenance(metakv.MaintenanceOptions{Domain: "history", PurgeMinAge: -1, DisableRefreshLargeTenants: true}); err != nil {
		t.Errorf("RunMaintenance of one domain: %v", err)
	}
	if _, err := s.RunMaintenance(metakv.MaintenanceOptions{Domain: "nope"}); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("RunMaintenance of an unknown domain: %v", err)
	}
	if err := s.Flush("nope"); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("Flush of an unknown domain: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

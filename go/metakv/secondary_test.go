package metakv_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"metakv"
)

// A secondary beside a writer in this process: it sees the writer's state
// as of its open, more after a catch-up (a removal included), waits for
// its snapshots, and refuses writes.
func TestSecondaryBesideAWriter(t *testing.T) {
	dir := t.TempDir()
	w, err := metakv.Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mustPut(t, w, "inode", tenant, "a", "1")
	mustPut(t, w, "dentry", tenant, "d/x", "2")
	o := testOptions()
	o.CreateIfMissing = false
	o.SecondaryPath = filepath.Join(t.TempDir(), "side")
	r, err := metakv.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if v, err := r.Get("inode", tenant, []byte("a")); err != nil || string(v) != "1" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	mustPut(t, w, "inode", tenant, "b", "3")
	id, err := w.RemoveTree(tenant, []metakv.PrefixRef{{Domain: "dentry", Prefix: []byte("d/")}}, metakv.Logical)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Get("inode", tenant, []byte("b")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("before the catch-up: %v, want ErrNotFound", err)
	}
	snap, err := r.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.TryCatchUpWithPrimary(); !errors.Is(err, metakv.ErrBusy) {
		t.Errorf("catch-up with a snapshot open: %v, want ErrBusy", err)
	}
	snap.Release()
	if err := r.TryCatchUpWithPrimary(); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Get("inode", tenant, []byte("b")); err != nil || string(v) != "3" {
		t.Errorf("after the catch-up: %q, %v", v, err)
	}
	if _, err := r.Get("dentry", tenant, []byte("d/x")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("a removed record: %v, want ErrNotFound", err)
	}
	removals, err := r.ListRemovals()
	if err != nil || len(removals) != 1 {
		t.Fatalf("ListRemovals = %v, %v", removals, err)
	}
	got := removals[0]
	if got.ID != id || got.Tenant != tenant || !got.Logical || !got.PurgeTime.After(got.Time) ||
		len(got.Prefixes) != 1 || got.Prefixes[0].Domain != "dentry" || string(got.Prefixes[0].Prefix) != "d/" {
		t.Errorf("removal = %+v", got)
	}
	if err := r.Put("inode", tenant, []byte("c"), []byte("4")); !errors.Is(err, metakv.ErrNotSupported) {
		t.Errorf("Put on a secondary: %v, want ErrNotSupported", err)
	}
	if err := w.TryCatchUpWithPrimary(); !errors.Is(err, metakv.ErrNotSupported) {
		t.Errorf("catch-up on the writer: %v, want ErrNotSupported", err)
	}
	text, err := r.StatsText()
	if err != nil || !strings.Contains(text, "domain inode: ") {
		t.Errorf("StatsText = %q, %v", text, err)
	}
}

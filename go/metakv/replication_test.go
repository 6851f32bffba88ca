package metakv_test

import (
	"errors"
	"path/filepath"
	"testing"

	"metakv"
)

func TestAppliedIndexTravelsWithEveryKindOfWrite(t *testing.T) {
	s := openStore(t, testOptions())
	want := func(term, index uint64) {
		t.Helper()
		got, err := s.AppliedIndex()
		if err != nil || got != (metakv.AppliedIndex{Term: term, Index: index}) {
			t.Fatalf("AppliedIndex = %+v, %v; want {%d %d}", got, err, term, index)
		}
	}
	want(0, 0)
	at := func(index uint64) metakv.WriteOptions {
		return metakv.WriteOptions{Applied: metakv.AppliedIndex{Term: 1, Index: index}}
	}
	b := metakv.NewBatch()
	b.Put("inode", tenant, []byte("a"), []byte("1"))
	b.Delete("inode", tenant, []byte("a"))
	b.Undelete("inode", tenant, []byte("a"))
	if err := s.WriteWithOptions(b, at(1)); err != nil {
		t.Fatal(err)
	}
	want(1, 1)
	if v, err := s.Get("inode", tenant, []byte("a")); err != nil || string(v) != "1" {
		t.Errorf("after put, delete, undelete in one batch: %q, %v", v, err)
	}
	// A failed batch stores nothing; an empty one stores the index alone.
	b.Reset()
	b.Undelete("inode", tenant, []byte("a")) // live: FailedPrecondition
	if err := s.WriteWithOptions(b, at(2)); !errors.Is(err, metakv.ErrFailedPrecondition) {
		t.Fatalf("undelete of a live record: %v", err)
	}
	want(1, 1)
	if err := s.WriteWithOptions(nil, at(2)); err != nil {
		t.Fatal(err)
	}
	want(1, 2)
	id, err := s.RemoveTreeWithOptions(tenant, []metakv.PrefixRef{{Domain: "inode", Prefix: []byte("a")}}, metakv.Logical, at(3))
	if err != nil || id == 0 {
		t.Fatalf("RemoveTreeWithOptions: %d, %v", id, err)
	}
	want(1, 3)
	if err := s.RemoveTenantWithOptions(tenant, at(4)); err != nil {
		t.Fatal(err)
	}
	want(1, 4)
	// Writes without an index leave it.
	mustPut(t, s, "inode", "other", "x", "y")
	want(1, 4)
}

func TestExportImportMovesOneTenant(t *testing.T) {
	src := openStore(t, testOptions())
	mustPut(t, src, "inode", tenant, "a", "1")
	mustPut(t, src, "inode", tenant, "gone", "2")
	if err := src.Delete("inode", tenant, []byte("gone")); err != nil {
		t.Fatal(err)
	}
	mustPut(t, src, "dentry", tenant+"x", "a", "neighbour")
	dir := filepath.Join(t.TempDir(), "export")
	out, err := src.ExportTenant(tenant, dir)
	if err != nil {
		t.Fatal(err)
	}
	if out.Tenant != tenant || out.Files != 1 || out.Records != 2 || out.Bytes == 0 {
		t.Errorf("ExportTenant = %+v", out)
	}
	if _, err := src.ExportTenant(tenant, dir); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("export into an existing dir: %v", err)
	}

	dst := openStore(t, testOptions())
	in, err := dst.ImportTenant(dir, metakv.ImportOptions{Applied: metakv.AppliedIndex{Term: 2, Index: 9}})
	if err != nil {
		t.Fatal(err)
	}
	if in.Records != out.Records || in.Files != out.Files {
		t.Errorf("ImportTenant = %+v, export %+v", in, out)
	}
	if a, _ := dst.AppliedIndex(); a != (metakv.AppliedIndex{Term: 2, Index: 9}) {
		t.Errorf("applied index after import: %+v", a)
	}
	if v, err := dst.Get("inode", tenant, []byte("a")); err != nil || string(v) != "1" {
		t.Errorf("imported record: %q, %v", v, err)
	}
	if err := dst.Undelete("inode", tenant, []byte("gone")); err != nil {
		t.Errorf("the recycle bin did not travel: %v", err)
	}
	if _, err := dst.Get("dentry", tenant+"x", []byte("a")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("another tenant travelled: %v", err)
	}
	if _, err := dst.ImportTenant(dir, metakv.ImportOptions{}); !errors.Is(err, metakv.ErrFailedPrecondition) {
		t.Errorf("import over a tenant that is there: %v", err)
	}
	if _, err := dst.ImportTenant(dir, metakv.ImportOptions{Replace: true}); err != nil {
		t.Errorf("replace: %v", err)
	}
	if _, err := dst.Get("inode", tenant, []byte("gone")); !errors.Is(err, metakv.ErrNotFound) {
		t.Errorf("after replace, the restored record is still there: %v", err)
	}
	if _, err := dst.ImportTenant(t.TempDir(), metakv.ImportOptions{}); !errors.Is(err, metakv.ErrInvalidArgument) {
		t.Errorf("import of an empty dir: %v", err)
	}
}

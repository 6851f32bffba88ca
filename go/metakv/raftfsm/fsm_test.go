package raftfsm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"metakv"
)

func sampleCommands() []*Command {
	return []*Command{
		Put("dentry", "acme", []byte("/a"), []byte("1")),
		{Op: OpPut, KeyOp: KeyOp{Op: OpPut, Domain: "inode", Tenant: "acme", Key: []byte("k"), Value: []byte{}, TTL: 90 * time.Second}},
		Delete("dentry", "acme", []byte("/a")),
		Undelete("dentry", "acme", []byte("/a")),
		HardDelete("dentry", "acme", []byte("/a")),
		Batch(KeyOp{Op: OpPut, Domain: "dentry", Tenant: "acme", Key: []byte("/b"), Value: []byte("2")},
			KeyOp{Op: OpDelete, Domain: "dentry", Tenant: "beta", Key: []byte("/c")}),
		RemoveTree("acme", []metakv.PrefixRef{{Domain: "dentry", Prefix: []byte("/d/")}, {Domain: "inode", Prefix: []byte("7")}}, true),
		RemoveTenant("acme"),
		ImportTenant("acme", []File{{Name: "MANIFEST", Data: []byte("x")}, {Name: "sst/000001.sst", Data: []byte{}}}),
		Fence("acme", "g2", []string{"127.0.0.1:1", "127.0.0.1:2"}),
		Unfence("acme"),
		ExpectTenant("acme", "g1"),
	}
}

func TestCommandRoundTrip(t *testing.T) {
	for _, c := range sampleCommands() {
		b, err := c.Encode()
		if err != nil {
			t.Fatalf("%v: %v", c.Op, err)
		}
		d, err := Decode(b)
		if err != nil {
			t.Fatalf("%v: decode: %v", c.Op, err)
		}
		want := *c
		if want.Op.isKeyOp() {
			want.KeyOp.Op = want.Op
		}
		b2, _ := d.Encode()
		if !bytes.Equal(b, b2) {
			t.Errorf("%v: re-encoding differs", c.Op)
		}
		if d.Op != c.Op || d.Tenant != c.Tenant || !bytes.Equal(d.Key, c.Key) || len(d.Ops) != len(c.Ops) ||
			len(d.Files) != len(c.Files) || d.Group != c.Group || d.TTL != c.TTL || !reflect.DeepEqual(d.Addrs, c.Addrs) {
			t.Errorf("%v: decoded %+v, want %+v", c.Op, d, want)
		}
	}
}

func TestDecodeRejectsBadInput(t *testing.T) {
	bad := [][]byte{nil, {}, {CommandVersion}, {2, byte(OpPut)}, {CommandVersion, 0}, {CommandVersion, 200}}
	for _, c := range sampleCommands() {
		b := c.MustEncode()
		for i := 0; i < len(b); i++ {
			bad = append(bad, b[:i]) // every truncation
		}
		bad = append(bad, append(append([]byte(nil), b...), 0)) // trailing byte
	}
	// Invalid but well-formed: reserved names, unsafe file names.
	for _, c := range []*Command{
		Put(SystemDomain, "acme", []byte("k"), nil),
		Put("dentry", SystemTenant, []byte("k"), nil),
		Put("dentry", "", []byte("k"), nil),
		ImportTenant("acme", []File{{Name: "../x", Data: nil}}),
		ImportTenant("acme", []File{{Name: "/etc/x", Data: nil}}),
		ImportTenant("acme", []File{{Name: "a/./b", Data: nil}}),
		Fence("acme", "", nil),
		{Op: OpBatch},
	} {
		if _, err := c.Encode(); !errors.Is(err, ErrBadCommand) {
			t.Errorf("Encode(%v %q): %v, want ErrBadCommand", c.Op, c.Tenant, err)
		}
		e := &encoder{}
		e.u8(CommandVersion)
		e.u8(byte(c.Op))
		switch c.Op {
		case OpPut:
			e.keyOp(&c.KeyOp)
		case OpImportTenant:
			e.str(c.Tenant)
			e.num(1)
			e.str(c.Files[0].Name)
			e.bytes(nil)
		}
		if c.Op == OpPut || c.Op == OpImportTenant {
			bad = append(bad, e.b)
		}
	}
	// A huge length must not allocate or panic.
	bad = append(bad, []byte{CommandVersion, byte(OpPut), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.Intn(40))
		rng.Read(b)
		if len(b) > 0 {
			b[0] = CommandVersion
		}
		if len(b) > 1 {
			b[1] = byte(rng.Intn(13))
		}
		if _, err := Decode(b); err == nil {
			continue // a random valid command is fine
		} else if !errors.Is(err, ErrBadCommand) {
			t.Fatalf("Decode(%x): %v, not ErrBadCommand", b, err)
		}
	}
	for _, b := range bad {
		if _, err := Decode(b); !errors.Is(err, ErrBadCommand) {
			t.Errorf("Decode(%x): %v, want ErrBadCommand", b, err)
		}
	}
}

func openFSM(t *testing.T, dir string, hook func(*raft.Log, *Result)) *FSM {
	t.Helper()
	f, err := Open(dir, Options{Store: storeOptions(), OnApply: hook})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func applyAt(f *FSM, term, index uint64, c *Command) *Result {
	return f.Apply(&raft.Log{Term: term, Index: index, Type: raft.LogCommand, Data: c.MustEncode()}).(*Result)
}

func TestApplyRecordsIndexSkipsReplayAndAnswersErrors(t *testing.T) {
	dir := t.TempDir()
	f := openFSM(t, dir, nil)
	if res := applyAt(f, 1, 1, Put("dentry", "acme", []byte("/a"), []byte("1"))); res.Err != nil {
		t.Fatal(res.Err)
	}
	// A failing command: no effect, index recorded, error answered.
	res := applyAt(f, 1, 2, Delete("dentry", "acme", []byte("/missing")))
	if !errors.Is(res.Err, metakv.ErrNotFound) {
		t.Fatalf("delete of a missing record: %v", res.Err)
	}
	// A bad entry: the same.
	res = f.Apply(&raft.Log{Term: 2, Index: 3, Type: raft.LogCommand, Data: []byte{9, 9, 9}}).(*Result)
	if !errors.Is(res.Err, ErrBadCommand) {
		t.Fatalf("bad entry: %v", res.Err)
	}
	if got := f.Applied(); got != (metakv.AppliedIndex{Term: 2, Index: 3}) {
		t.Fatalf("applied %+v", got)
	}
	// A batch with a failing delete fails whole.
	res = applyAt(f, 2, 4, Batch(KeyOp{Op: OpPut, Domain: "dentry", Tenant: "acme", Key: []byte("/b"), Value: []byte("2")},
		KeyOp{Op: OpDelete, Domain: "dentry", Tenant: "acme", Key: []byte("/missing")}))
	if !errors.Is(res.Err, metakv.ErrNotFound) {
		t.Fatalf("batch: %v", res.Err)
	}
	if _, err := f.Get("dentry", "acme", []byte("/b")); !errors.Is(err, metakv.ErrNotFound) {
		t.Fatalf("half a failed batch applied: %v", err)
	}
	// Delete then undelete.
	if res := applyAt(f, 2, 5, Delete("dentry", "acme", []byte("/a"))); res.Err != nil {
		t.Fatal(res.Err)
	}
	if res := applyAt(f, 2, 6, Undelete("dentry", "acme", []byte("/a"))); res.Err != nil {
		t.Fatal(res.Err)
	}
	// Fence: writes refused with the group named.
	if res := applyAt(f, 2, 7, Fence("acme", "g2", []string{"127.0.0.1:9"})); res.Err != nil {
		t.Fatal(res.Err)
	}
	res = applyAt(f, 2, 8, Put("dentry", "acme", []byte("/c"), []byte("3")))
	var moved *MovedError
	if !errors.As(res.Err, &moved) || moved.Group != "g2" {
		t.Fatalf("write to a fenced tenant: %v", res.Err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopen: the applied index, the data and the fence survive; a replay
	// of old entries is skipped.
	var skipped atomic.Int32
	f = openFSM(t, dir, func(l *raft.Log, r *Result) {
		if r.Skipped {
			skipped.Add(1)
		}
	})
	defer f.Close()
	if got := f.Applied(); got.Index != 8 {
		t.Fatalf("applied after reopen %+v", got)
	}
	for i := uint64(1); i <= 8; i++ {
		res := applyAt(f, 2, i, Put("dentry", "other", []byte("/replayed"), []byte("x")))
		if !res.Skipped {
			t.Fatalf("index %d not skipped", i)
		}
	}
	if skipped.Load() != 8 {
		t.Fatalf("skipped %d", skipped.Load())
	}
	if _, err := f.Get("dentry", "other", []byte("/replayed")); !errors.Is(err, metakv.ErrNotFound) {
		t.Fatalf("a replayed entry was applied: %v", err)
	}
	if v, err := f.Get("dentry", "acme", []byte("/a")); err != nil || string(v) != "1" {
		t.Fatalf("/a: %q %v", v, err)
	}
	if !errors.Is(f.TenantState("acme"), ErrMoved) {
		t.Fatalf("fence lost on reopen: %v", f.TenantState("acme"))
	}
}

// memSink is a raft.SnapshotSink in memory.
type memSink struct {
	bytes.Buffer
	cancelled bool
}

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Cancel() error { s.cancelled = true; return nil }
func (s *memSink) Close() error  { return nil }

func TestSnapshotRestoreWhileReading(t *testing.T) {
	a := openFSM(t, filepath.Join(t.TempDir(), "a"), nil)
	defer a.Close()
	b := openFSM(t, filepath.Join(t.TempDir(), "b"), nil)
	defer b.Close()
	for i := 1; i <= 200; i++ {
		if res := applyAt(a, 1, uint64(i), Put("dentry", "acme", []byte(fmt.Sprintf("/k%03d", i)), []byte(fmt.Sprint(i)))); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	applyAt(a, 1, 201, Fence("gone", "g9", nil))
	applyAt(b, 1, 1, Put("dentry", "acme", []byte("/old"), []byte("x")))

	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// Apply goes on while the snapshot persists.
	applyAt(a, 1, 202, Put("dentry", "acme", []byte("/after"), []byte("x")))
	sink := &memSink{}
	if err := snap.Persist(sink); err != nil {
		t.Fatal(err)
	}
	snap.Release()

	// Readers of b run through the restore: none may fail but with
	// NotFound (before) or see a closed store.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var reads atomic.Int64
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := b.Get("dentry", "acme", []byte("/k100"))
				if err != nil && !errors.Is(err, metakv.ErrNotFound) {
					t.Errorf("read during restore: %v", err)
					return
				}
				reads.Add(1)
			}
		}()
	}
	if err := b.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if got := b.Applied(); got.Index != 201 {
		t.Fatalf("applied after restore %+v", got)
	}
	got := keys(t, b, "dentry", "acme")
	if len(got) != 200 || got["/k150"] != "150" {
		t.Fatalf("restored %d keys", len(got))
	}
	if !errors.Is(b.TenantState("gone"), ErrMoved) {
		t.Fatal("the fence was not restored")
	}
	// The restored store is the one a reopen finds; the old one is gone.
	dir := b.Dir()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if target, _ := os.Readlink(filepath.Join(dir, "current")); target != "store-2" {
		t.Fatalf("current -> %q", target)
	}
	if _, err := os.Stat(filepath.Join(dir, "store-1")); !os.IsNotExist(err) {
		t.Fatalf("old store left: %v", err)
	}
	b = openFSM(t, dir, nil)
	defer b.Close()
	if got := keys(t, b, "dentry", "acme"); len(got) != 200 {
		t.Fatalf("reopened restore holds %d keys", len(got))
	}
	// A damaged stream is refused and leaves the store as it was.
	bad := append([]byte(nil), sink.Bytes()[:len(sink.Bytes())/2]...)
	if err := b.Restore(io.NopCloser(bytes.NewReader(bad))); err == nil {
		t.Fatal("restore of a truncated stream succeeded")
	}
	if got := keys(t, b, "dentry", "acme"); len(got) != 200 {
		t.Fatalf("after a failed restore: %d keys", len(got))
	}
	t.Logf("snapshot stream %d bytes; %d reads during the restore", sink.Len(), reads.Load())
}

func TestImportChecks(t *testing.T) {
	src := openFSM(t, filepath.Join(t.TempDir(), "src"), nil)
	defer src.Close()
	dst := openFSM(t, filepath.Join(t.TempDir(), "dst"), nil)
	defer dst.Close()
	for i := 1; i <= 50; i++ {
		applyAt(src, 1, uint64(i), Put("dentry", "t", []byte(fmt.Sprintf("/k%02d", i)), []byte("v")))
	}
	applyAt(src, 1, 51, Put("dentry", "t2", []byte("/other"), []byte("v")))
	ex, err := src.ExportTenant("t")
	if err != nil {
		t.Fatal(err)
	}
	ex2, err := src.ExportTenant("t2")
	if err != nil {
		t.Fatal(err)
	}
	idx := uint64(0)
	next := func(c *Command) *Result { idx++; return applyAt(dst, 1, idx, c) }

	if res := next(ImportTenant("t", ex.Files)); !errors.Is(res.Err, ErrNotExpected) {
		t.Fatalf("import not expected: %v", res.Err)
	}
	next(Put("dentry", "u", []byte("/x"), []byte("y")))
	if res := next(ExpectTenant("u", "g1")); !errors.Is(res.Err, ErrTenantPresent) {
		t.Fatalf("expect of a present tenant: %v", res.Err)
	}
	if res := next(ExpectTenant("t", "g1")); res.Err != nil {
		t.Fatal(res.Err)
	}
	if res := next(ExpectTenant("t", "g1")); res.Err != nil {
		t.Fatalf("repeated expect: %v", res.Err)
	}
	if res := next(Put("dentry", "t", []byte("/early"), []byte("y"))); !errors.Is(res.Err, ErrMovingIn) {
		t.Fatalf("write before the import: %v", res.Err)
	}
	if res := next(ImportTenant("t", ex2.Files)); !errors.Is(res.Err, ErrBadCommand) {
		t.Fatalf("import of another tenant's files: %v", res.Err)
	}
	damaged := make([]File, len(ex.Files))
	for i, fl := range ex.Files {
		damaged[i] = File{Name: fl.Name, Data: append([]byte(nil), fl.Data...)}
		if fl.Name != manifestName && len(fl.Data) > 200 {
			for j := 100; j < 140; j++ {
				damaged[i].Data[j] ^= 0x5a
			}
		}
	}
	if res := next(ImportTenant("t", damaged)); res.Err == nil || !deterministic(res.Err) {
		t.Fatalf("import of damaged files: %v", res.Err)
	} else {
		t.Logf("damaged import: %v", res.Err)
	}
	if !errors.Is(dst.TenantState("t"), ErrMovingIn) {
		t.Fatal("a failed import cleared the moving-in mark")
	}
	res := next(ImportTenant("t", ex.Files))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Imported.Records != 50 || res.Imported.Tenant != "t" {
		t.Errorf("imported %+v", res.Imported)
	}
	if err := dst.TenantState("t"); err != nil {
		t.Fatalf("after the import: %v", err)
	}
	if got := keys(t, dst, "dentry", "t"); len(got) != 50 {
		t.Fatalf("imported %d keys", len(got))
	}
	if res := next(ImportTenant("t", ex.Files)); !errors.Is(res.Err, ErrNotExpected) {
		t.Fatalf("second import: %v", res.Err)
	}
	if got := dst.Applied().Index; got != idx {
		t.Fatalf("applied %d, want %d", got, idx)
	}
}

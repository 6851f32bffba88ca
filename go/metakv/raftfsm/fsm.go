package raftfsm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"

	"metakv"
)

// SystemDomain is the domain the FSM keeps its own records in (the
// fences and moving-in marks), under SystemTenant. Open declares it;
// commands may not name it.
const SystemDomain = "raftfsm"

// SystemTenant is the FSM's own tenant; user tenants may not start with
// it.
const SystemTenant = "_raftfsm"

const (
	fencePrefix    = "fence/"
	incomingPrefix = "incoming/"
	currentLink    = "current"
)

// Options configure Open.
type Options struct {
	// The store's options. CreateIfMissing is implied and SystemDomain is
	// added to the domains.
	Store metakv.Options
	// OnApply, if set, is called after every log entry Apply handled, with
	// its result (Skipped for an entry at or below the store's applied
	// index). For tests and metrics; it runs on raft's FSM goroutine.
	OnApply func(l *raft.Log, res *Result)
	// OnRestore, if set, is called after Restore installed a snapshot,
	// with the restored store's applied index.
	OnRestore func(applied metakv.AppliedIndex)
}

// Result is the response of Apply to a command (ApplyFuture.Response()).
type Result struct {
	// The log entry's index.
	Index uint64
	// Skipped: the entry was at or below the store's applied index, so it
	// was applied before (replay after a restart): not applied again.
	Skipped bool
	// The command's error: nil if it took effect. Deterministic errors
	// only (the same on every replica): ErrBadCommand, *MovedError,
	// *MovingInError, ErrTenantPresent, ErrNotExpected, ErrFenced, and the
	// store's NotFound, InvalidArgument, FailedPrecondition, Expired,
	// NotSupported.
	Err error
	// OpRemoveTree (Logical): the removal's id.
	RemovalID uint64
	// OpImportTenant: what was imported.
	Imported metakv.TenantFiles
}

// fence is the value of a fence record.
type fence struct {
	Group string   `json:"group"`
	Addrs []string `json:"addrs,omitempty"`
}

// FSM is a raft.FSM over a metakv store. See the package doc.
type FSM struct {
	dir  string
	opts Options

	// mu guards the store handle: held for reading by Apply, Snapshot and
	// every read (View), for writing while Restore swaps the store.
	mu       sync.RWMutex
	store    *metakv.Store
	storeSeq uint64 // the store directory is dir/store-<storeSeq>
	closed   bool

	// metaMu guards the maps (written only by Apply and Restore, read by
	// anyone).
	metaMu   sync.RWMutex
	fences   map[string]fence
	incoming map[string]string // tenant -> source group

	appliedIndex, appliedTerm atomic.Uint64
	applies, skips, restores  atomic.Uint64
	tmpSeq                    atomic.Uint64
}

// Open opens (creating it if missing) the FSM's directory dir: its store
// is dir/current, a symbolic link to dir/store-<n> that Restore swaps
// atomically. Leftovers of an interrupted snapshot, export, import or
// restore are removed.
func Open(dir string, o Options) (*FSM, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f := &FSM{dir: dir, opts: o}
	f.opts.Store.CreateIfMissing = true
	has := false
	for _, d := range f.opts.Store.Domains {
		if d.Name == SystemDomain {
			has = true
		}
	}
	if !has {
		f.opts.Store.Domains = append(append([]metakv.Domain(nil), f.opts.Store.Domains...),
			metakv.Domain{Name: SystemDomain})
	}
	target, err := os.Readlink(filepath.Join(dir, currentLink))
	switch {
	case err == nil:
		seq, ok := parseStoreDir(target)
		if !ok {
			return nil, fmt.Errorf("raftfsm: %s points to %q, not store-<n>", filepath.Join(dir, currentLink), target)
		}
		f.storeSeq = seq
	case errors.Is(err, os.ErrNotExist):
		f.storeSeq = 1
		if err := f.pointCurrent(1); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	if err := f.cleanDir(); err != nil {
		return nil, err
	}
	st, err := metakv.Open(f.storeDir(f.storeSeq), f.opts.Store)
	if err != nil {
		return nil, err
	}
	if err := f.adopt(st); err != nil {
		st.Close()
		return nil, err
	}
	return f, nil
}

func parseStoreDir(name string) (uint64, bool) {
	if !strings.HasPrefix(name, "store-") {
		return 0, false
	}
	n, err := strconv.ParseUint(name[len("store-"):], 10, 64)
	return n, err == nil && n > 0
}

func (f *FSM) storeDir(seq uint64) string {
	return filepath.Join(f.dir, "store-"+strconv.FormatUint(seq, 10))
}

// pointCurrent makes dir/current point to store-<seq>, atomically (a new
// link renamed over the old one), and syncs the directory.
func (f *FSM) pointCurrent(seq uint64) error {
	tmp := filepath.Join(f.dir, currentLink+".tmp")
	os.Remove(tmp)
	if err := os.Symlink("store-"+strconv.FormatUint(seq, 10), tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(f.dir, currentLink)); err != nil {
		return err
	}
	return syncDir(f.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// cleanDir removes everything in dir but the current store and what raft
// keeps there (anything not named by this package).
func (f *FSM) cleanDir() error {
	ents, err := os.ReadDir(f.dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		stale := false
		if seq, ok := parseStoreDir(name); ok {
			stale = seq != f.storeSeq
		}
		for _, p := range []string{"snap-", "export-", "import-", "restore-"} {
			if strings.HasPrefix(name, p) {
				stale = true
			}
		}
		if name == currentLink+".tmp" {
			stale = true
		}
		if stale {
			if err := os.RemoveAll(filepath.Join(f.dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// adopt makes st the FSM's store (caller holds mu for writing, or has not
// shared f yet): reads its applied index and the FSM's own records.
func (f *FSM) adopt(st *metakv.Store) error {
	ai, err := st.AppliedIndex()
	if err != nil {
		return err
	}
	fences := make(map[string]fence)
	incoming := make(map[string]string)
	err = scanSystem(st, fencePrefix, func(tenant string, v []byte) error {
		var fe fence
		if err := json.Unmarshal(v, &fe); err != nil {
			return fmt.Errorf("raftfsm: fence of %q: %v", tenant, err)
		}
		fences[tenant] = fe
		return nil
	})
	if err == nil {
		err = scanSystem(st, incomingPrefix, func(tenant string, v []byte) error {
			incoming[tenant] = string(v)
			return nil
		})
	}
	if err != nil {
		return err
	}
	f.store = st
	f.metaMu.Lock()
	f.fences = fences
	f.incoming = incoming
	f.metaMu.Unlock()
	f.appliedIndex.Store(ai.Index)
	f.appliedTerm.Store(ai.Term)
	return nil
}

func scanSystem(st *metakv.Store, prefix string, fn func(tenant string, v []byte) error) error {
	it, err := st.NewIterator(SystemDomain, SystemTenant, []byte(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for it.Next() {
		if err := fn(string(it.Key()[len(prefix):]), it.Value()); err != nil {
			return err
		}
	}
	return it.Err()
}

// Close closes the store. Shut raft down first.
func (f *FSM) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	return f.store.Close()
}

// Dir is the FSM's directory.
func (f *FSM) Dir() string { return f.dir }

// Applied is the store's applied index: the last log entry applied.
func (f *FSM) Applied() metakv.AppliedIndex {
	// Term first: a reader racing Apply may see an older term with a newer
	// index, never a pair that was not (nearly) current.
	t := f.appliedTerm.Load()
	return metakv.AppliedIndex{Term: t, Index: f.appliedIndex.Load()}
}

// Counts returns how many log entries Apply applied and how many it
// skipped (already applied) since Open.
func (f *FSM) Counts() (applied, skipped uint64) { return f.applies.Load(), f.skips.Load() }

// Restores is how many snapshots Restore installed since Open.
func (f *FSM) Restores() uint64 { return f.restores.Load() }

// View runs fn on the store, holding the lock that keeps Restore from
// swapping it meanwhile: fn must not keep the store, nor an iterator of
// it, past its return. Reads through View are local (possibly stale):
// for a linearizable read, call raft.Barrier (on the leader) first.
func (f *FSM) View(fn func(s *metakv.Store) error) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return metakv.ErrClosed
	}
	return fn(f.store)
}

// Get reads a record locally (see View).
func (f *FSM) Get(domain, tenant string, key []byte) (v []byte, err error) {
	err = f.View(func(s *metakv.Store) error {
		v, err = s.Get(domain, tenant, key)
		return err
	})
	return v, err
}

// TenantState returns a *MovedError if the tenant is fenced here, a
// *MovingInError if it is moving in, nil otherwise (a local, possibly
// stale, view).
func (f *FSM) TenantState(tenant string) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.tenantStateLocked(tenant)
}

func (f *FSM) tenantStateLocked(tenant string) error {
	f.metaMu.RLock()
	defer f.metaMu.RUnlock()
	if fe, ok := f.fences[tenant]; ok {
		return &MovedError{Tenant: tenant, Group: fe.Group, Addrs: append([]string(nil), fe.Addrs...)}
	}
	if from, ok := f.incoming[tenant]; ok {
		return &MovingInError{Tenant: tenant, From: from}
	}
	return nil
}

// Fences returns the tenants fenced here and the group each moved to.
func (f *FSM) Fences() map[string]string {
	f.metaMu.RLock()
	defer f.metaMu.RUnlock()
	m := make(map[string]string, len(f.fences))
	for t, fe := range f.fences {
		m[t] = fe.Group
	}
	return m
}

// Apply applies one committed log entry: see the package doc.
func (f *FSM) Apply(l *raft.Log) interface{} {
	if l.Type != raft.LogCommand {
		return nil
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	res := &Result{Index: l.Index}
	if l.Index <= f.appliedIndex.Load() {
		res.Skipped = true
		f.skips.Add(1)
		if f.opts.OnApply != nil {
			f.opts.OnApply(l, res)
		}
		return res
	}
	at := metakv.AppliedIndex{Term: l.Term, Index: l.Index}
	wo := metakv.WriteOptions{Applied: at}
	recorded := false
	cmd, err := Decode(l.Data)
	if err == nil {
		recorded, err = f.apply(cmd, wo, res)
	}
	if err != nil && !deterministic(err) {
		// The replicas must all reach the same state: an entry that failed
		// here for a local reason (I/O error, closed store) cannot be
		// answered with an error while the others applied it. Stop this
		// node; on restart it replays from its applied index.
		panic(fmt.Sprintf("raftfsm: applying log index %d: store failed: %v", l.Index, err))
	}
	if !recorded {
		// The command had no effect: record the index alone.
		if werr := f.store.WriteWithOptions(metakv.NewBatch(), wo); werr != nil {
			panic(fmt.Sprintf("raftfsm: recording applied index %d: %v", l.Index, werr))
		}
	}
	res.Err = err
	f.appliedTerm.Store(l.Term)
	f.appliedIndex.Store(l.Index)
	f.applies.Add(1)
	if f.opts.OnApply != nil {
		f.opts.OnApply(l, res)
	}
	return res
}

// deterministic reports whether err is the same on every replica that
// applies the same entry to the same state.
func deterministic(err error) bool {
	for _, e := range []error{ErrBadCommand, ErrMoved, ErrMovingIn, ErrTenantPresent, ErrNotExpected,
		ErrFenced, metakv.ErrNotFound, metakv.ErrInvalidArgument, metakv.ErrFailedPrecondition,
		metakv.ErrExpired, metakv.ErrNotSupported} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func addKeyOp(b *metakv.Batch, k *KeyOp) {
	switch k.Op {
	case OpPut:
		b.PutTTL(k.Domain, k.Tenant, k.Key, k.Value, k.TTL)
	case OpDelete:
		b.Delete(k.Domain, k.Tenant, k.Key)
	case OpUndelete:
		b.Undelete(k.Domain, k.Tenant, k.Key)
	case OpHardDelete:
		b.HardDelete(k.Domain, k.Tenant, k.Key)
	}
}

// apply runs cmd; recorded says the write that carried the applied index
// took place (nil error), or not (then Apply records it).
func (f *FSM) apply(c *Command, wo metakv.WriteOptions, res *Result) (recorded bool, err error) {
	st := f.store
	switch c.Op {
	case OpPut, OpDelete, OpUndelete, OpHardDelete, OpBatch:
		ops := c.Ops
		if c.Op != OpBatch {
			k := c.KeyOp
			k.Op = c.Op
			ops = []KeyOp{k}
		}
		b := metakv.NewBatch()
		for i := range ops {
			if err := f.tenantStateLocked(ops[i].Tenant); err != nil {
				return false, err
			}
			addKeyOp(b, &ops[i])
		}
		err = st.WriteWithOptions(b, wo)
	case OpRemoveTree:
		if err := f.tenantStateLocked(c.Tenant); err != nil {
			return false, err
		}
		mode := metakv.Logical
		if c.Hard {
			mode = metakv.Hard
		}
		res.RemovalID, err = st.RemoveTreeWithOptions(c.Tenant, c.Prefixes, mode, wo)
	case OpRemoveTenant:
		// Allowed on a fenced tenant: this is how a move ends at the source.
		if _, ok := f.incoming[c.Tenant]; ok {
			return false, &MovingInError{Tenant: c.Tenant, From: f.incoming[c.Tenant]}
		}
		err = st.RemoveTenantWithOptions(c.Tenant, wo)
	case OpFence:
		if from, ok := f.incoming[c.Tenant]; ok {
			return false, fmt.Errorf("%w: tenant %q is moving in from %q", ErrFenced, c.Tenant, from)
		}
		if fe, ok := f.fences[c.Tenant]; ok && fe.Group != c.Group {
			return false, fmt.Errorf("%w: tenant %q is already fenced to group %q", ErrFenced, c.Tenant, fe.Group)
		}
		fe := fence{Group: c.Group, Addrs: c.Addrs}
		v, _ := json.Marshal(fe)
		b := metakv.NewBatch()
		b.Put(SystemDomain, SystemTenant, []byte(fencePrefix+c.Tenant), v)
		if err = st.WriteWithOptions(b, wo); err == nil {
			f.metaMu.Lock()
			f.fences[c.Tenant] = fe
			f.metaMu.Unlock()
		}
	case OpUnfence:
		b := metakv.NewBatch()
		b.HardDelete(SystemDomain, SystemTenant, []byte(fencePrefix+c.Tenant))
		b.HardDelete(SystemDomain, SystemTenant, []byte(incomingPrefix+c.Tenant))
		if err = st.WriteWithOptions(b, wo); err == nil {
			f.metaMu.Lock()
			delete(f.fences, c.Tenant)
			delete(f.incoming, c.Tenant)
			f.metaMu.Unlock()
		}
	case OpExpectTenant:
		if from, ok := f.incoming[c.Tenant]; ok && from != c.Group {
			return false, fmt.Errorf("%w: tenant %q is already moving in from %q", ErrFenced, c.Tenant, from)
		} else if !ok {
			present, err := tenantPresent(st, c.Tenant)
			if err != nil {
				return false, err
			}
			if present {
				return false, fmt.Errorf("%w: tenant %q has records in this group", ErrTenantPresent, c.Tenant)
			}
		}
		b := metakv.NewBatch()
		b.HardDelete(SystemDomain, SystemTenant, []byte(fencePrefix+c.Tenant))
		b.Put(SystemDomain, SystemTenant, []byte(incomingPrefix+c.Tenant), []byte(c.Group))
		if err = st.WriteWithOptions(b, wo); err == nil {
			f.metaMu.Lock()
			delete(f.fences, c.Tenant)
			f.incoming[c.Tenant] = c.Group
			f.metaMu.Unlock()
		}
	case OpImportTenant:
		return f.applyImport(c, wo, res)
	default:
		return false, badf("unknown operation %v", c.Op)
	}
	return err == nil, err
}

// applyImport imports the files, then clears the moving-in mark in the
// write that records the applied index. The import replaces the tenant:
// the mark kept every write out since OpExpectTenant found the tenant
// empty, so what it replaces can only be this same entry's import, done
// before a crash that came before the index was recorded.
func (f *FSM) applyImport(c *Command, wo metakv.WriteOptions, res *Result) (bool, error) {
	if _, ok := f.incoming[c.Tenant]; !ok {
		return false, fmt.Errorf("%w: tenant %q", ErrNotExpected, c.Tenant)
	}
	// The import replaces the tenant its manifest names: check that it is
	// the one the command (and the moving-in mark) names.
	got, err := manifestTenant(c.Files)
	if err != nil {
		return false, err
	}
	if got != c.Tenant {
		return false, fmt.Errorf("%w: the files hold tenant %q, not %q", ErrBadCommand, got, c.Tenant)
	}
	dir := filepath.Join(f.dir, fmt.Sprintf("import-%d-%d", wo.Applied.Index, f.tmpSeq.Add(1)))
	defer os.RemoveAll(dir)
	if err := writeFiles(dir, c.Files); err != nil {
		return false, err
	}
	tf, err := f.store.ImportTenant(dir, metakv.ImportOptions{Replace: true})
	if errors.Is(err, metakv.ErrCorruption) || errors.Is(err, metakv.ErrNotSupported) {
		// Damaged or foreign files: a property of the entry, the same on
		// every replica (the import checks everything before it changes
		// anything). Answered, not a reason to stop the node, which would
		// stop again on every replay of the entry.
		return false, fmt.Errorf("%w: import: %v", ErrBadCommand, err)
	}
	if err != nil {
		return false, err
	}
	tf.Tenant = c.Tenant
	res.Imported = tf
	b := metakv.NewBatch()
	b.HardDelete(SystemDomain, SystemTenant, []byte(incomingPrefix+c.Tenant))
	if err := f.store.WriteWithOptions(b, wo); err != nil {
		return false, err
	}
	f.metaMu.Lock()
	delete(f.incoming, c.Tenant)
	f.metaMu.Unlock()
	return true, nil
}

// The export's manifest (engine/tenant_transfer.cc): it starts with a
// magic line, a varint version and the tenant (varint length, bytes).
const (
	manifestName  = "MANIFEST-TENANT"
	manifestMagic = "metakv-tenant-export\n"
)

func manifestTenant(files []File) (string, error) {
	for _, fl := range files {
		if fl.Name != manifestName {
			continue
		}
		b := fl.Data
		if !strings.HasPrefix(string(b[:min(len(b), len(manifestMagic))]), manifestMagic) {
			return "", fmt.Errorf("%w: %s is not a tenant export manifest", ErrBadCommand, manifestName)
		}
		d := &decoder{b: b[len(manifestMagic):]}
		d.num() // version: the library checks it
		t := d.str()
		if d.err != nil {
			return "", fmt.Errorf("%s: %w", manifestName, d.err)
		}
		return t, nil
	}
	return "", fmt.Errorf("%w: import without %s", ErrBadCommand, manifestName)
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func writeFiles(dir string, files []File) error {
	for _, fl := range files {
		p := filepath.Join(dir, filepath.FromSlash(fl.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, fl.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// tenantPresent reports whether tenant has any record (visible or in the
// recycle bin) in a user domain.
func tenantPresent(st *metakv.Store, tenant string) (bool, error) {
	for _, d := range st.DomainNames() {
		if d == SystemDomain {
			continue
		}
		for _, deleted := range []bool{false, true} {
			it, err := st.NewScan(d, metakv.ScanSpec{Tenant: tenant, Deleted: deleted})
			if err != nil {
				return false, err
			}
			found := it.Next()
			err = it.Err()
			it.Close()
			if err != nil {
				return false, err
			}
			if found {
				return true, nil
			}
		}
	}
	return false, nil
}

// Export is an exported tenant, in memory.
type Export struct {
	Info  metakv.TenantFiles
	Files []File
	Bytes int64
}

// ExportTenant exports the tenant locally (Store.ExportTenant) and reads
// the files into memory. For a move, call it on the leader after a
// barrier that follows the fence (RaftGroup.ExportTenant does).
func (f *FSM) ExportTenant(tenant string) (*Export, error) {
	dir := filepath.Join(f.dir, fmt.Sprintf("export-%d-%d", time.Now().UnixNano(), f.tmpSeq.Add(1)))
	defer os.RemoveAll(dir)
	var info metakv.TenantFiles
	err := f.View(func(s *metakv.Store) error {
		var err error
		info, err = s.ExportTenant(tenant, dir)
		return err
	})
	if err != nil {
		return nil, err
	}
	names, _, err := regularFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("raftfsm: export: %w", err)
	}
	ex := &Export{Info: info}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return nil, err
		}
		ex.Files = append(ex.Files, File{Name: name, Data: data})
		ex.Bytes += int64(len(data))
	}
	return ex, nil
}

// Restore replaces the store with the snapshot read from rc (see
// Snapshot): it extracts it into a new directory, opens it, then, holding
// the store lock, points dir/current at it (an atomic rename) and swaps
// the handle; the old store is closed and removed after.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	f.mu.RLock()
	seq := f.storeSeq + 1
	f.mu.RUnlock()
	newDir := f.storeDir(seq)
	os.RemoveAll(newDir)
	meta, err := extractSnapshot(rc, newDir)
	if err == nil {
		err = syncDir(f.dir)
	}
	if err != nil {
		os.RemoveAll(newDir)
		return fmt.Errorf("raftfsm: restore: %w", err)
	}
	st, err := metakv.Open(newDir, f.opts.Store)
	if err != nil {
		os.RemoveAll(newDir)
		return fmt.Errorf("raftfsm: restore: open: %w", err)
	}
	ai, err := st.AppliedIndex()
	if err == nil && ai != meta.Applied {
		err = fmt.Errorf("applied index %+v, the snapshot says %+v", ai, meta.Applied)
	}
	if err != nil {
		st.Close()
		os.RemoveAll(newDir)
		return fmt.Errorf("raftfsm: restore: %w", err)
	}

	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		st.Close()
		os.RemoveAll(newDir)
		return metakv.ErrClosed
	}
	if err := f.pointCurrent(seq); err != nil {
		f.mu.Unlock()
		st.Close()
		os.RemoveAll(newDir)
		return fmt.Errorf("raftfsm: restore: %w", err)
	}
	old, oldSeq := f.store, f.storeSeq
	f.storeSeq = seq
	err = f.adopt(st)
	f.mu.Unlock()
	if err != nil {
		// The new store is current on disk: a restart opens it. Here the
		// FSM cannot go on.
		panic(fmt.Sprintf("raftfsm: restore: reading the restored store: %v", err))
	}
	old.Close()
	os.RemoveAll(f.storeDir(oldSeq))
	f.restores.Add(1)
	if f.opts.OnRestore != nil {
		f.opts.OnRestore(meta.Applied)
	}
	return nil
}

// Package metakv is the Go binding of metakv, an embedded metadata storage
// engine over RocksDB, through its C API (include/metakv/c.h).
//
// A Store is one database directory holding named domains; every record
// lives at (domain, tenant, key). Deletes are logical by default (a
// recycle bin with a retention, restorable by Undelete); records may
// expire; a directory tree or a whole tenant is removed by one small
// record (RemoveTree, RemoveTenant). The C++ headers under
// include/metakv/ document the semantics of every call; this package
// follows them, in Go's idiom:
//
//	store, err := metakv.Open(dir, metakv.Options{
//		CreateIfMissing: true,
//		Domains:         metakv.FileSystemDomains(), // inode, dentry, history
//	})
//	if err != nil { ... }
//	defer store.Close()
//	err = store.Put(metakv.DentryDomain, "acme", []byte("/docs/a.txt"), []byte("42"))
//	v, err := store.Get(metakv.DentryDomain, "acme", []byte("/docs/a.txt"))
//	if errors.Is(err, metakv.ErrNotFound) { ... }
//
// # Errors
//
// An error of the library is an *Error holding its Code and message;
// errors.Is matches it against the sentinel of its code (ErrNotFound,
// ErrInvalidArgument, ErrExpired, ...). Every method of a closed Store,
// and of a closed Iterator or released Snapshot, returns ErrClosed.
//
// # Memory
//
// The package never keeps a pointer to C memory past the call that
// returned it: every []byte and string it returns is a Go-owned copy,
// which the caller may keep and modify (the Key and Value of an Iterator
// are slices of a buffer the iterator filled and never reuses: they stay
// valid after Next and Close, and are capped, so appending to one never
// writes into the next record). Store.Close frees every C handle the store
// holds, including those of the iterators and snapshots still open.
//
// Go memory handed to C is only ever pointer-free bytes (keys, values,
// tenants, packed buffers), passed for the duration of one call and never
// kept by C: the package runs with GODEBUG=cgocheck=2. Arrays of pointers
// (RemoveTree's prefixes) are built in C memory.
//
// # Cost
//
// A cgo call costs far more than a function call, so every common
// operation crosses into C once:
//
//   - Put, PutTTL, Delete, Undelete, HardDelete: one call and no
//     allocation, with the store's C write options made at Open. The
//     tenant string's bytes are passed without a copy; the domain name is
//     a C string cached per declared domain at Open (an undeclared name is
//     converted per call, and the library then rejects it with
//     InvalidArgument). These calls and Get go through small C wrappers
//     (mkv.h) that take the handles as integers and return the error
//     message, so that cgo has no Go pointer to check or to move to the
//     heap.
//   - Get: one call (metakv_get_into) into a pooled 1 KiB scratch buffer,
//     then one allocation: the right-sized copy returned. A larger value
//     costs a second call, into a buffer of its size that is returned.
//   - Batch: built in Go memory in the packed format of
//     metakv_write_packed; Write is one call for the whole batch.
//   - MultiGet: one call for every key (metakv_multi_get_packed) plus one
//     to free its answer, which is copied into one Go buffer.
//   - Iterator: records are copied many at a time (metakv_iter_read_entries)
//     into a fresh Go buffer per refill (4 KiB at first, doubling to
//     256 KiB), so Next costs no call while the buffer lasts.
//   - IngestCold: one call with the records packed.
//
// Every call into C holds a read lock of the Store (a sync.RWMutex);
// Close takes it for writing. Close iterators and release snapshots when
// done with them: until then they hold C resources (Store.Close frees
// those still held).
//
// # Building
//
// The package links the static libraries libmetakv.a and
// libmetakv_common.a, and RocksDB and xxhash. For an uninstalled build,
// point cgo at it (scripts/go-env.sh BUILD_DIR does this, and sets up a
// GOPATH in which the package's import path is "metakv"):
//
//	CGO_CFLAGS="-I<repo>/include" CGO_LDFLAGS="-L<build> -L<build>/common" go build
//
// A module user adds "require metakv v0.0.0" and
// "replace metakv => <repo>/go/metakv" to its go.mod.
package metakv

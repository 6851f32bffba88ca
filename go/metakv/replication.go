package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import "unsafe"

// AppliedIndex is a replica's position in a replicated log: a Raft term
// and log index. Index 0 means none. A write with WriteOptions.Applied set
// stores it in the same atomic write as its data, so after any crash the
// store's data and its applied index agree, and a consensus layer replays
// its log from there (see docs/scale-out.md).
type AppliedIndex struct{ Term, Index uint64 }

// AppliedIndex is the applied index the latest write that carried one
// stored; the zero value if none ever did.
func (s *Store) AppliedIndex() (AppliedIndex, error) {
	if !s.rlock() {
		return AppliedIndex{}, ErrClosed
	}
	defer s.mu.RUnlock()
	var term, index C.uint64_t
	var cerr *C.char
	C.metakv_get_applied_index(s.db, &term, &index, &cerr)
	if err := takeError(cerr); err != nil {
		return AppliedIndex{}, err
	}
	return AppliedIndex{uint64(term), uint64(index)}, nil
}

// TenantFiles says what ExportTenant wrote or ImportTenant ingested.
type TenantFiles struct {
	Tenant   string
	Files    int    // SST files, one per domain holding records of the tenant
	Records  uint64 // stored records: live, in the recycle bin, or hidden by a removal
	Bytes    uint64 // the files' bytes
	Removals int    // pending logical removals carried along
}

func tenantFiles(tenant string, info *[4]C.uint64_t) TenantFiles {
	return TenantFiles{Tenant: tenant, Files: int(info[0]), Records: uint64(info[1]),
		Bytes: uint64(info[2]), Removals: int(info[3])}
}

// ExportTenant writes every record of tenant, in every domain, into dir
// (which must not exist) as SST files and a manifest, consistent at one
// moment (metakv::Store::ExportTenant): the recycle bin, expiry times and
// pending logical removals come along; no other tenant's record does.
func (s *Store) ExportTenant(tenant, dir string) (TenantFiles, error) {
	return s.tenantFilesCall(tenant, dir, func(cdir *C.char, info *C.uint64_t, cerr **C.char) {
		C.metakv_export_tenant(s.db, strPtr(tenant), C.size_t(len(tenant)), cdir, info, cerr)
	})
}

// tenantFilesCall runs call (an export or an import of dir) and returns
// the figures it wrote into info, for tenant.
func (s *Store) tenantFilesCall(tenant, dir string, call func(cdir *C.char, info *C.uint64_t, cerr **C.char)) (TenantFiles, error) {
	if !s.rlock() {
		return TenantFiles{}, ErrClosed
	}
	defer s.mu.RUnlock()
	cdir := C.CString(dir)
	defer C.free(unsafe.Pointer(cdir))
	var info [4]C.uint64_t
	var cerr *C.char
	call(cdir, &info[0], &cerr)
	if err := takeError(cerr); err != nil {
		return TenantFiles{}, err
	}
	return tenantFiles(tenant, &info), nil
}

// ImportOptions are the options of ImportTenant.
type ImportOptions struct {
	// Replace removes the tenant first if it has records here; otherwise
	// such a tenant is ErrFailedPrecondition.
	Replace bool
	// Applied, if its Index is not 0, is stored in the same atomic ingest.
	Applied AppliedIndex
}

// ImportTenant ingests a tenant that ExportTenant wrote into dir,
// atomically (metakv::Store::ImportTenant). The files are copied; dir is
// left as it was. TenantFiles.Tenant is left empty: the manifest names the
// tenant, and the export's own TenantFiles has it.
func (s *Store) ImportTenant(dir string, o ImportOptions) (TenantFiles, error) {
	return s.tenantFilesCall("", dir, func(cdir *C.char, info *C.uint64_t, cerr **C.char) {
		C.metakv_import_tenant(s.db, cdir, cbool(o.Replace), C.uint64_t(o.Applied.Term),
			C.uint64_t(o.Applied.Index), info, cerr)
	})
}

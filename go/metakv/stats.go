package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import (
	"encoding/json"
	"time"
	"unsafe"
)

// LevelStats is one level of a domain's LSM tree.
type LevelStats struct {
	Level int    `json:"level"`
	Files uint64 `json:"files"`
	Bytes uint64 `json:"bytes"`
}

// TenantStats is the bytes written for one tenant of a domain since the
// store was opened (Tenant empty: the tenants beyond the tracked ones).
type TenantStats struct {
	Tenant                 string `json:"tenant"`
	UserBytesWritten       uint64 `json:"user_bytes_written"`
	FlushBytesWritten      uint64 `json:"flush_bytes_written"`
	CompactionBytesWritten uint64 `json:"compaction_bytes_written"`
	IngestBytesWritten     uint64 `json:"ingest_bytes_written"`
}

// DomainStats are the figures of one domain (metakv::DomainStats; see
// include/metakv/stats.h). Counts are since the store was opened.
type DomainStats struct {
	Name        string      `json:"name"`
	Temperature Temperature `json:"temperature"`

	UserBytesWritten               uint64        `json:"user_bytes_written"`
	Puts                           uint64        `json:"puts"`
	Deletes                        uint64        `json:"deletes"`
	Undeletes                      uint64        `json:"undeletes"`
	HardDeletes                    uint64        `json:"hard_deletes"`
	IngestedRecords                uint64        `json:"ingested_records"`
	BufferedIngests                uint64        `json:"buffered_ingests"`
	FlushBytesWritten              uint64        `json:"flush_bytes_written"`
	CompactionBytesWritten         uint64        `json:"compaction_bytes_written"`
	CompactionBytesRead            uint64        `json:"compaction_bytes_read"`
	IngestBytesWritten             uint64        `json:"ingest_bytes_written"`
	Flushes                        uint64        `json:"flushes"`
	WalLimitFlushes                uint64        `json:"wal_limit_flushes"`
	MemoryBudgetFlushes            uint64        `json:"memory_budget_flushes"`
	Compactions                    uint64        `json:"compactions"`
	TrivialMoves                   uint64        `json:"trivial_moves"`
	TrivialMoveBytes               uint64        `json:"trivial_move_bytes"`
	L0Compactions                  uint64        `json:"l0_compactions"`
	L0L1RewrittenBytes             uint64        `json:"l0_l1_rewritten_bytes"`
	L0L1ForOthersBytes             uint64        `json:"l0_l1_for_others_bytes"`
	PurgedRecords                  uint64        `json:"purged_records"`
	PurgedBytes                    uint64        `json:"purged_bytes"`
	TreeRemovals                   uint64        `json:"tree_removals"`
	TenantRemovals                 uint64        `json:"tenant_removals"`
	TreeRestores                   uint64        `json:"tree_restores"`
	DeadlineCompactions            uint64        `json:"deadline_compactions"`
	DeadlineCompactionBytesWritten uint64        `json:"deadline_compaction_bytes_written"`
	PurgeDroppedFiles              uint64        `json:"purge_dropped_files"`
	PurgeDroppedBytes              uint64        `json:"purge_dropped_bytes"`
	WriteAmplification             float64       `json:"write_amplification"`
	TopTenants                     []TenantStats `json:"top_tenants"`

	LiveSSTBytes            uint64       `json:"live_sst_bytes"`
	MemtableBytes           uint64       `json:"memtable_bytes"`
	EstimatedRecords        uint64       `json:"estimated_records"`
	PendingCompactionBytes  uint64       `json:"pending_compaction_bytes"`
	WriteBufferBytes        uint64       `json:"write_buffer_bytes"`
	Level0CompactionTrigger int          `json:"level0_compaction_trigger"`
	Levels                  []LevelStats `json:"levels"`
	// Seconds since the epoch, the store's clock; 0 if none known.
	OldestPurgeableTime   uint64 `json:"oldest_purgeable_time"`
	PendingTreeRemovals   uint64 `json:"pending_tree_removals"`
	PendingPurges         uint64 `json:"pending_purges"`
	FlushControllerReason string `json:"flush_controller_reason"`
	// Tenant shards of the domain (DomainOptions::tenant_shards), and the
	// level-0 files of each, shard 0 first.
	TenantShards     uint64   `json:"tenant_shards"`
	ShardLevel0Files []uint64 `json:"shard_level0_files"`
}

// FlushDecision is one decision of the adaptive flush controller.
type FlushDecision struct {
	TimeMicros          uint64 `json:"time_micros"`
	Domain              string `json:"domain"`
	OldWriteBufferBytes uint64 `json:"old_write_buffer_bytes"`
	NewWriteBufferBytes uint64 `json:"new_write_buffer_bytes"`
	OldLevel0Trigger    int    `json:"old_level0_trigger"`
	NewLevel0Trigger    int    `json:"new_level0_trigger"`
	Applied             bool   `json:"applied"`
	Reason              string `json:"reason"`
	Inputs              string `json:"inputs"`
}

// Stats are the store's figures at one moment (metakv::Stats).
type Stats struct {
	Domains []DomainStats `json:"domains"`
	// Totals over all domains since the store was opened.
	UserBytesWritten       uint64          `json:"user_bytes_written"`
	FlushBytesWritten      uint64          `json:"flush_bytes_written"`
	CompactionBytesWritten uint64          `json:"compaction_bytes_written"`
	IngestBytesWritten     uint64          `json:"ingest_bytes_written"`
	WriteAmplification     float64         `json:"write_amplification"`
	WalBytesWritten        uint64          `json:"wal_bytes_written"`
	StallMicros            uint64          `json:"stall_micros"`
	BlockCacheBytes        uint64          `json:"block_cache_bytes"`
	MaintenancePasses      uint64          `json:"maintenance_passes"`
	MaintenanceErrors      uint64          `json:"maintenance_errors"`
	FlushDecisions         []FlushDecision `json:"flush_decisions"`
}

// Domain returns the figures of the named domain, or nil.
func (st *Stats) Domain(name string) *DomainStats {
	for i := range st.Domains {
		if st.Domains[i].Name == name {
			return &st.Domains[i]
		}
	}
	return nil
}

// Stats returns the store's current figures (metakv_stats_json, decoded).
func (s *Store) Stats() (*Stats, error) {
	b, err := s.statsText(jsonStats)
	if err != nil {
		return nil, err
	}
	st := new(Stats)
	if err := json.Unmarshal(b, st); err != nil {
		return nil, newError(CodeCorruption, "metakv_stats_json: "+err.Error())
	}
	return st, nil
}

// PrometheusMetrics returns the store's figures in the Prometheus text
// exposition format (version 0.0.4): what an HTTP handler serves at
// /metrics, for example.
func (s *Store) PrometheusMetrics() ([]byte, error) {
	return s.statsText(prometheusStats)
}

// StatsText returns the store's figures as lines of text for people: one
// for the store, one per domain (what the periodic stats dump writes to
// the LOG).
func (s *Store) StatsText() (string, error) {
	b, err := s.statsText(textStats)
	return string(b), err
}

// The renderings of the store's figures.
const (
	jsonStats = iota
	prometheusStats
	textStats
)

// statsText is metakv_stats_json, _prometheus or _text, copied.
func (s *Store) statsText(format int) ([]byte, error) {
	if !s.rlock() {
		return nil, ErrClosed
	}
	var n C.size_t
	var cerr *C.char
	var p *C.char
	switch format {
	case prometheusStats:
		p = C.metakv_stats_prometheus(s.db, &n, &cerr)
	case textStats:
		p = C.metakv_stats_text(s.db, &n, &cerr)
	default:
		p = C.metakv_stats_json(s.db, &n, &cerr)
	}
	s.mu.RUnlock()
	if err := takeError(cerr); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, newError(CodeIOError, "the library returned no figures")
	}
	return takeBytes(p, n), nil
}

// IntProperty returns one integer figure by name (IntPropertyNames lists
// them): of a domain, or with domain "" a store-wide one.
func (s *Store) IntProperty(domain, name string) (uint64, error) {
	var v C.uint64_t
	err := s.withDomain(domain, true, func(dom *C.char) error {
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		var cerr *C.char
		ok := C.metakv_get_int_property(s.db, dom, cname, &v, &cerr)
		if err := takeError(cerr); err != nil {
			return err
		}
		if ok == 0 {
			return errInvalid("unknown property " + name)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return uint64(v), nil
}

// IntPropertyNames lists the names IntProperty takes: store-wide ones, or
// with perDomain those of a domain.
func IntPropertyNames(perDomain bool) []string {
	var n C.size_t
	p := C.metakv_int_property_names(cbool(perDomain), &n)
	return splitLines(cTakeString(p, n))
}

// MaintenanceOptions select what RunMaintenance does
// (metakv::MaintenanceOptions). The zero value is one full pass, as the
// maintenance thread runs.
type MaintenanceOptions struct {
	// Do not drop the files whose records are all purgeable.
	DisableDropPurgeableFiles bool
	// Do not enforce the purge deadline.
	DisablePurgeDeadline bool
	// The age at which purgeable records are due. 0: the age the
	// maintenance thread uses; negative: every purgeable record, whatever
	// its age.
	PurgeMinAge time.Duration
	// Do not merge small cold files.
	DisableMergeSmallColdFiles bool
	// Do not hand the large tenants to the tenant partitioner.
	DisableRefreshLargeTenants bool
	// Only this domain; "": every domain.
	Domain string
}

// MaintenanceResult says what a RunMaintenance call did.
type MaintenanceResult struct {
	PurgeableFilesDropped uint64
	DeadlineCompactions   uint64
	ColdFilesMerged       uint64
}

// RunMaintenance runs one maintenance pass (or the parts o selects) now,
// on the calling goroutine.
func (s *Store) RunMaintenance(o MaintenanceOptions) (MaintenanceResult, error) {
	var res MaintenanceResult
	if !s.rlock() {
		return res, ErrClosed
	}
	defer s.mu.RUnlock()
	co := C.metakv_maintenance_options_create()
	defer C.metakv_maintenance_options_destroy(co)
	C.metakv_maintenance_options_set_drop_purgeable_files(co, cbool(!o.DisableDropPurgeableFiles))
	C.metakv_maintenance_options_set_enforce_purge_deadline(co, cbool(!o.DisablePurgeDeadline))
	C.metakv_maintenance_options_set_merge_small_cold_files(co, cbool(!o.DisableMergeSmallColdFiles))
	C.metakv_maintenance_options_set_refresh_large_tenants(co, cbool(!o.DisableRefreshLargeTenants))
	if o.PurgeMinAge != 0 {
		C.metakv_maintenance_options_set_purge_min_age_seconds(co, C.uint64_t(seconds(o.PurgeMinAge)))
	}
	if o.Domain != "" {
		d := C.CString(o.Domain)
		C.metakv_maintenance_options_set_domain(co, d)
		C.free(unsafe.Pointer(d))
	}
	var dropped, deadline, merged C.uint64_t
	var cerr *C.char
	C.metakv_run_maintenance(s.db, co, &dropped, &deadline, &merged, &cerr)
	res = MaintenanceResult{uint64(dropped), uint64(deadline), uint64(merged)}
	return res, takeError(cerr)
}

// Checkpoint writes a consistent, openable copy of the store, as of one
// moment, into dir, which must not exist (hard links to the SST files
// where dir is on the same file system). Open it with Open and the same
// domains; copy dir elsewhere for a backup.
func (s *Store) Checkpoint(dir string) error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	cdir := C.CString(dir)
	defer C.free(unsafe.Pointer(cdir))
	var cerr *C.char
	C.metakv_create_checkpoint(s.db, cdir, &cerr)
	return takeError(cerr)
}

// Flush flushes the memtable of domain ("": every domain) to files and
// waits for it.
func (s *Store) Flush(domain string) error {
	return s.withDomain(domain, true, func(dom *C.char) error {
		var cerr *C.char
		C.metakv_flush(s.db, dom, &cerr)
		return takeError(cerr)
	})
}

// Resume lets writes in again after a write error (a full disk) once its
// cause is gone, without waiting for the store to notice on its own (see
// Store::Resume in metakv/store.h). No error if writes were not stopped.
func (s *Store) Resume() error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	var cerr *C.char
	C.metakv_resume(s.db, &cerr)
	return takeError(cerr)
}

// CompactRange compacts domain ("": every domain), or only tenant of it
// (tenant "": the whole domain), down to the bottommost level, and waits.
func (s *Store) CompactRange(domain, tenant string) error {
	return s.withDomain(domain, true, func(dom *C.char) error {
		var cerr *C.char
		C.metakv_compact_range(s.db, dom, strPtr(tenant), C.size_t(len(tenant)), &cerr)
		return takeError(cerr)
	})
}

// WaitForBackgroundWork waits until no flush or compaction is running or
// pending. timeout 0 (or negative) waits without a limit; otherwise an
// error matching ErrBusy when it passes first.
func (s *Store) WaitForBackgroundWork(timeout time.Duration) error {
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	var ms uint64
	if timeout > 0 {
		ms = uint64((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	var cerr *C.char
	C.metakv_wait_for_background_work(s.db, C.uint64_t(ms), &cerr)
	return takeError(cerr)
}

// ApproximateSize is RocksDB's estimate of the bytes stored for the keys
// of domain under (tenant, prefix): the whole tenant if prefix is empty,
// the whole domain if tenant is empty too.
func (s *Store) ApproximateSize(domain, tenant string, prefix []byte) (uint64, error) {
	var n C.uint64_t
	err := s.withDomain(domain, false, func(dom *C.char) error {
		var cerr *C.char
		n = C.metakv_approximate_size(s.db, dom, strPtr(tenant), C.size_t(len(tenant)),
			bytesPtr(prefix), C.size_t(len(prefix)), &cerr)
		return takeError(cerr)
	})
	if err != nil {
		return 0, err
	}
	return uint64(n), nil
}

package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

import (
	"strings"
	"time"
	"unsafe"
)

// Temperature says how a domain is written (metakv::Temperature).
type Temperature int

const (
	// Hot domains take small records overwritten often, through the WAL and
	// a memtable. The default.
	Hot Temperature = C.metakv_hot
	// Cold domains hold write-once history, ingested as files by
	// IngestCold, and may carry a TTL.
	Cold Temperature = C.metakv_cold
)

func (t Temperature) String() string {
	switch t {
	case Hot:
		return "hot"
	case Cold:
		return "cold"
	}
	return "Temperature(" + itoa(int(t)) + ")"
}

// UnmarshalJSON accepts "hot", "cold" or the number of the C enum.
func (t *Temperature) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	switch s {
	case "hot", "kHot":
		*t = Hot
	case "cold", "kCold":
		*t = Cold
	case "null":
	default:
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return errInvalid("unknown temperature " + string(b))
			}
			n = n*10 + int(c-'0')
		}
		*t = Temperature(n)
	}
	return nil
}

// MarshalText gives "hot" or "cold".
func (t Temperature) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// ColdLayout is the layout of a cold domain's files (metakv::ColdLayout).
type ColdLayout int

const (
	// TimeOrdered: one time-ordered pile of files, dropped whole as they
	// expire. The default.
	TimeOrdered ColdLayout = C.metakv_time_ordered
	// Leveled: leveled compaction, as a hot domain.
	Leveled ColdLayout = C.metakv_leveled
)

// Compression is a block compression. Its zero value, DefaultCompression,
// leaves the library's default (snappy above the bottommost level, zstd at
// it).
type Compression int

const (
	DefaultCompression Compression = iota
	NoCompression
	SnappyCompression
	ZstdCompression
	LZ4Compression
)

func (c Compression) toC() C.int { return C.int(c - 1) }

func compressionFromC(c C.int) Compression { return Compression(c + 1) }

// LogLevel is RocksDB's info log level. Its zero value, DefaultLogLevel,
// leaves the library's default (warn).
type LogLevel int

const (
	DefaultLogLevel LogLevel = iota
	LogDebug
	LogInfo
	LogWarn
	LogError
	LogFatal
)

// WalRecoveryMode is what Open does with a damaged WAL record
// (metakv::WalRecoveryMode); the zero value is the default.
type WalRecoveryMode int

const (
	TolerateCorruptedTailRecords WalRecoveryMode = iota
	AbsoluteConsistency
	PointInTime
	SkipAnyCorruptedRecords
)

// Domain declares one domain (metakv::DomainOptions; see
// include/metakv/options.h for what each field does). The zero value of
// every field is the library's default; booleans whose default is true
// are named Disable... so that false is the default. Where 0 means
// something in C++ that differs from the default, a negative value asks
// for it, as each field says. Durations are whole seconds in the library:
// a fraction of a second is rounded up.
type Domain struct {
	// 1 to 64 characters from [a-z0-9_.-], not "default". Required.
	Name string
	// Default: Hot.
	Temperature Temperature
	// Cold domains. Default: TimeOrdered.
	ColdLayout ColdLayout
	// Hot domains: the column families its tenants are spread over, each
	// tenant wholly in one (DomainOptions::tenant_shards). Fixed when the
	// domain is created. 0: 1 (none).
	TenantShards uint32
	// How long a logically deleted record stays restorable. 0: the default
	// (7 days); negative: none.
	TombstoneRetention time.Duration
	// The TTL of records written without one. 0 (or negative): never expire.
	DefaultTTL time.Duration

	// 0: 64 MiB.
	WriteBufferBytes uint64
	// 0: WriteBufferBytes.
	MinWriteBufferBytes uint64
	// 0: 8 x WriteBufferBytes.
	MaxWriteBufferBytes uint64
	// Keep the memtable at WriteBufferBytes (no flush controller sizing).
	DisableAdaptiveWriteBuffer bool
	// 0: 4.
	Level0CompactionTrigger int
	// Keep the L0 trigger at Level0CompactionTrigger.
	DisableAdaptiveLevel0Trigger bool
	// 0: 64 MiB.
	TargetFileSizeBytes uint64
	// 0: 256 MiB.
	MaxBytesForLevelBase uint64
	// DefaultCompression: snappy.
	Compression Compression
	// DefaultCompression: zstd.
	BottommostCompression Compression
	// 0: no dictionary.
	ZstdDictionaryBytes uint32
	// 0: 10; negative: no bloom filter.
	BloomBitsPerKey int
	// 0: 4096.
	BlockBytes uint32

	// Keep tombstones past retention and expired records in compaction.
	DisablePurgeInCompaction bool
	// Cold domains: do not merge small files.
	DisableMergeSmallFiles bool
	// 0: 1024.
	SmallFileBudget uint64
	// 0: 1 MiB; negative: 0 (every IngestCold group becomes a file).
	IngestMinBytes int64
	// Do not cut compaction output at tenant boundaries.
	DisablePartitionByTenant bool
	// 0: 0.5; negative: 0.
	PartitionMinFileFraction float64
	// 0: TargetFileSizeBytes.
	LargeTenantBytes uint64
}

// Options configure Open (metakv::Options; see include/metakv/options.h).
// The zero value of every field is the library's default, as in Domain.
type Options struct {
	CreateIfMissing bool
	ErrorIfExists   bool
	ReadOnly        bool
	// Non-empty: open as a RocksDB secondary instance beside a running
	// writer (another process's store, or this one's), keeping its own info
	// log in this directory. Implies ReadOnly. The view moves at each
	// Store.TryCatchUpWithPrimary.
	SecondaryPath string
	// Do not let Open add declared domains an existing database lacks.
	DisableCreateMissingDomains bool
	// The store's domains. Every domain already in the database must be
	// declared. FileSystemDomains gives the file-system model's three.
	Domains []Domain
	// The store's clock (tests and simulations); nil: the system clock.
	Clock *ManualClock

	// 0: 4096.
	MaxKeyBytes int
	// 0: 4 MiB.
	MaxValueBytes int
	// 0: 1 GiB.
	MemoryBudgetBytes uint64
	// 0: 0.5.
	MemtableBudgetFraction float64
	// 0: 2.
	MaxBackgroundJobs int
	// Do not keep RocksDB's statistics.
	DisableStatistics bool
	// DefaultLogLevel: warn.
	InfoLogLevel LogLevel
	// The maintenance thread's interval. 0: the default (60 s); negative:
	// no maintenance thread.
	MaintenanceInterval time.Duration
	// The flush controller's interval. 0: the default (10 s); negative: no
	// flush controller.
	FlushControllerInterval time.Duration
	// How long purgeable records may stay in files. 0: the default (1 day);
	// negative: no deadline.
	PurgeDeadline time.Duration
	// How often the store writes a block of its figures to RocksDB's LOG.
	// 0: the default (10 minutes); negative: never.
	StatsDumpPeriod time.Duration
	// Tenants per domain in Stats' TopTenants. 0: 10; negative: none.
	StatsTopTenants int
	WalRecoveryMode WalRecoveryMode

	// Sync makes every write of the Store fsync the WAL before it returns
	// (metakv::WriteOptions::sync), unless WriteWithOptions says otherwise.
	Sync bool
}

// durationFlag converts a duration where 0 means the default and a
// negative one means 0: set says whether to pass it at all.
func durationFlag(d time.Duration) (secs uint64, set bool) {
	if d == 0 {
		return 0, false
	}
	return seconds(d), true
}

func newCDomain(d *Domain) *C.metakv_domain_options_t {
	name := C.CString(d.Name)
	defer C.free(unsafe.Pointer(name))
	c := C.metakv_domain_options_create(name)
	if d.Temperature != Hot {
		C.metakv_domain_options_set_temperature(c, C.int(d.Temperature))
	}
	if d.ColdLayout != TimeOrdered {
		C.metakv_domain_options_set_cold_layout(c, C.int(d.ColdLayout))
	}
	if d.TenantShards != 0 {
		C.metakv_domain_options_set_tenant_shards(c, C.uint32_t(d.TenantShards))
	}
	if s, ok := durationFlag(d.TombstoneRetention); ok {
		C.metakv_domain_options_set_tombstone_retention_seconds(c, C.uint64_t(s))
	}
	if d.DefaultTTL > 0 {
		C.metakv_domain_options_set_default_ttl_seconds(c, C.uint64_t(seconds(d.DefaultTTL)))
	}
	if d.WriteBufferBytes != 0 {
		C.metakv_domain_options_set_write_buffer_bytes(c, C.uint64_t(d.WriteBufferBytes))
	}
	if d.MinWriteBufferBytes != 0 {
		C.metakv_domain_options_set_min_write_buffer_bytes(c, C.uint64_t(d.MinWriteBufferBytes))
	}
	if d.MaxWriteBufferBytes != 0 {
		C.metakv_domain_options_set_max_write_buffer_bytes(c, C.uint64_t(d.MaxWriteBufferBytes))
	}
	if d.DisableAdaptiveWriteBuffer {
		C.metakv_domain_options_set_adaptive_write_buffer(c, 0)
	}
	if d.Level0CompactionTrigger != 0 {
		C.metakv_domain_options_set_level0_compaction_trigger(c, C.int(d.Level0CompactionTrigger))
	}
	if d.DisableAdaptiveLevel0Trigger {
		C.metakv_domain_options_set_adaptive_level0_trigger(c, 0)
	}
	if d.TargetFileSizeBytes != 0 {
		C.metakv_domain_options_set_target_file_size_bytes(c, C.uint64_t(d.TargetFileSizeBytes))
	}
	if d.MaxBytesForLevelBase != 0 {
		C.metakv_domain_options_set_max_bytes_for_level_base(c, C.uint64_t(d.MaxBytesForLevelBase))
	}
	if d.Compression != DefaultCompression {
		C.metakv_domain_options_set_compression(c, d.Compression.toC())
	}
	if d.BottommostCompression != DefaultCompression {
		C.metakv_domain_options_set_bottommost_compression(c, d.BottommostCompression.toC())
	}
	if d.ZstdDictionaryBytes != 0 {
		C.metakv_domain_options_set_zstd_dictionary_bytes(c, C.uint32_t(d.ZstdDictionaryBytes))
	}
	if d.BloomBitsPerKey > 0 {
		C.metakv_domain_options_set_bloom_bits_per_key(c, C.int(d.BloomBitsPerKey))
	} else if d.BloomBitsPerKey < 0 {
		C.metakv_domain_options_set_bloom_bits_per_key(c, 0)
	}
	if d.BlockBytes != 0 {
		C.metakv_domain_options_set_block_bytes(c, C.uint32_t(d.BlockBytes))
	}
	if d.DisablePurgeInCompaction {
		C.metakv_domain_options_set_purge_in_compaction(c, 0)
	}
	if d.DisableMergeSmallFiles {
		C.metakv_domain_options_set_merge_small_files(c, 0)
	}
	if d.SmallFileBudget != 0 {
		C.metakv_domain_options_set_small_file_budget(c, C.uint64_t(d.SmallFileBudget))
	}
	if d.IngestMinBytes > 0 {
		C.metakv_domain_options_set_ingest_min_bytes(c, C.uint64_t(d.IngestMinBytes))
	} else if d.IngestMinBytes < 0 {
		C.metakv_domain_options_set_ingest_min_bytes(c, 0)
	}
	if d.DisablePartitionByTenant {
		C.metakv_domain_options_set_partition_by_tenant(c, 0)
	}
	if d.PartitionMinFileFraction > 0 {
		C.metakv_domain_options_set_partition_min_file_fraction(c, C.double(d.PartitionMinFileFraction))
	} else if d.PartitionMinFileFraction < 0 {
		C.metakv_domain_options_set_partition_min_file_fraction(c, 0)
	}
	if d.LargeTenantBytes != 0 {
		C.metakv_domain_options_set_large_tenant_bytes(c, C.uint64_t(d.LargeTenantBytes))
	}
	return c
}

// domainFromC reads every field of a C domain back, so that newCDomain of
// the result sets the same values.
func domainFromC(c *C.metakv_domain_options_t) Domain {
	d := Domain{
		Name:                    C.GoString(C.metakv_domain_options_get_name(c)),
		Temperature:             Temperature(C.metakv_domain_options_get_temperature(c)),
		ColdLayout:              ColdLayout(C.metakv_domain_options_get_cold_layout(c)),
		DefaultTTL:              time.Duration(C.metakv_domain_options_get_default_ttl_seconds(c)) * time.Second,
		WriteBufferBytes:        uint64(C.metakv_domain_options_get_write_buffer_bytes(c)),
		MinWriteBufferBytes:     uint64(C.metakv_domain_options_get_min_write_buffer_bytes(c)),
		MaxWriteBufferBytes:     uint64(C.metakv_domain_options_get_max_write_buffer_bytes(c)),
		Level0CompactionTrigger: int(C.metakv_domain_options_get_level0_compaction_trigger(c)),
		TargetFileSizeBytes:     uint64(C.metakv_domain_options_get_target_file_size_bytes(c)),
		MaxBytesForLevelBase:    uint64(C.metakv_domain_options_get_max_bytes_for_level_base(c)),
		Compression:             compressionFromC(C.metakv_domain_options_get_compression(c)),
		BottommostCompression:   compressionFromC(C.metakv_domain_options_get_bottommost_compression(c)),
		ZstdDictionaryBytes:     uint32(C.metakv_domain_options_get_zstd_dictionary_bytes(c)),
		BlockBytes:              uint32(C.metakv_domain_options_get_block_bytes(c)),
		SmallFileBudget:         uint64(C.metakv_domain_options_get_small_file_budget(c)),
		LargeTenantBytes:        uint64(C.metakv_domain_options_get_large_tenant_bytes(c)),
		TenantShards:            uint32(C.metakv_domain_options_get_tenant_shards(c)),

		DisableAdaptiveWriteBuffer:   C.metakv_domain_options_get_adaptive_write_buffer(c) == 0,
		DisableAdaptiveLevel0Trigger: C.metakv_domain_options_get_adaptive_level0_trigger(c) == 0,
		DisablePurgeInCompaction:     C.metakv_domain_options_get_purge_in_compaction(c) == 0,
		DisableMergeSmallFiles:       C.metakv_domain_options_get_merge_small_files(c) == 0,
		DisablePartitionByTenant:     C.metakv_domain_options_get_partition_by_tenant(c) == 0,
	}
	if r := C.metakv_domain_options_get_tombstone_retention_seconds(c); r == 0 {
		d.TombstoneRetention = -1
	} else {
		d.TombstoneRetention = time.Duration(r) * time.Second
	}
	if b := C.metakv_domain_options_get_bloom_bits_per_key(c); b == 0 {
		d.BloomBitsPerKey = -1
	} else {
		d.BloomBitsPerKey = int(b)
	}
	if m := C.metakv_domain_options_get_ingest_min_bytes(c); m == 0 {
		d.IngestMinBytes = -1
	} else {
		d.IngestMinBytes = int64(m)
	}
	if f := C.metakv_domain_options_get_partition_min_file_fraction(c); f == 0 {
		d.PartitionMinFileFraction = -1
	} else {
		d.PartitionMinFileFraction = float64(f)
	}
	return d
}

// FileSystemDomains returns the file-system model's domains
// (metakv::FileSystemDomains): "inode" and "dentry" (hot) and "history"
// (cold, 30-day TTL), with every field as the library sets it.
func FileSystemDomains() []Domain {
	o := C.metakv_options_create()
	defer C.metakv_options_destroy(o)
	C.metakv_options_use_filesystem_domains(o)
	n := int(C.metakv_options_domain_count(o))
	ds := make([]Domain, 0, n)
	for i := 0; i < n; i++ {
		c := C.metakv_options_get_domain(o, C.size_t(i))
		if c == nil {
			break
		}
		ds = append(ds, domainFromC(c))
	}
	return ds
}

// newCOptions builds the C options of o; the caller destroys them.
func newCOptions(o *Options) *C.metakv_options_t {
	c := C.metakv_options_create()
	if o.CreateIfMissing {
		C.metakv_options_set_create_if_missing(c, 1)
	}
	if o.ErrorIfExists {
		C.metakv_options_set_error_if_exists(c, 1)
	}
	if o.ReadOnly {
		C.metakv_options_set_read_only(c, 1)
	}
	if o.SecondaryPath != "" {
		path := C.CString(o.SecondaryPath)
		C.metakv_options_set_secondary_path(c, path)
		C.free(unsafe.Pointer(path))
	}
	if o.DisableCreateMissingDomains {
		C.metakv_options_set_create_missing_domains(c, 0)
	}
	for i := range o.Domains {
		d := newCDomain(&o.Domains[i])
		C.metakv_options_add_domain(c, d)
		C.metakv_domain_options_destroy(d)
	}
	if o.Clock != nil {
		o.Clock.mu.Lock()
		if o.Clock.c != nil {
			C.metakv_options_set_clock(c, o.Clock.c)
		}
		o.Clock.mu.Unlock()
	}
	if o.MaxKeyBytes > 0 {
		C.metakv_options_set_max_key_bytes(c, C.size_t(o.MaxKeyBytes))
	}
	if o.MaxValueBytes > 0 {
		C.metakv_options_set_max_value_bytes(c, C.size_t(o.MaxValueBytes))
	}
	if o.MemoryBudgetBytes != 0 {
		C.metakv_options_set_memory_budget_bytes(c, C.uint64_t(o.MemoryBudgetBytes))
	}
	if o.MemtableBudgetFraction > 0 {
		C.metakv_options_set_memtable_budget_fraction(c, C.double(o.MemtableBudgetFraction))
	}
	if o.MaxBackgroundJobs > 0 {
		C.metakv_options_set_max_background_jobs(c, C.int(o.MaxBackgroundJobs))
	}
	if o.DisableStatistics {
		C.metakv_options_set_enable_statistics(c, 0)
	}
	if o.InfoLogLevel != DefaultLogLevel {
		C.metakv_options_set_info_log_level(c, C.int(o.InfoLogLevel-1))
	}
	if s, ok := durationFlag(o.MaintenanceInterval); ok {
		C.metakv_options_set_maintenance_interval_seconds(c, C.uint64_t(s))
	}
	if s, ok := durationFlag(o.FlushControllerInterval); ok {
		C.metakv_options_set_flush_controller_interval_seconds(c, C.uint64_t(s))
	}
	if s, ok := durationFlag(o.PurgeDeadline); ok {
		C.metakv_options_set_purge_deadline_seconds(c, C.uint64_t(s))
	}
	if s, ok := durationFlag(o.StatsDumpPeriod); ok {
		C.metakv_options_set_stats_dump_period_seconds(c, C.uint64_t(s))
	}
	if o.StatsTopTenants > 0 {
		C.metakv_options_set_stats_top_tenants(c, C.size_t(o.StatsTopTenants))
	} else if o.StatsTopTenants < 0 {
		C.metakv_options_set_stats_top_tenants(c, 0)
	}
	if o.WalRecoveryMode != TolerateCorruptedTailRecords {
		C.metakv_options_set_wal_recovery_mode(c, C.int(o.WalRecoveryMode))
	}
	return c
}

package metakv_test

import (
	"testing"

	"metakv"
)

const tenant = "acme"

// smallDomains is the file-system model with small memtables, for tests
// that write a lot.
func smallDomains() []metakv.Domain {
	ds := metakv.FileSystemDomains()
	for i := range ds {
		ds[i].WriteBufferBytes = 64 << 10
	}
	return ds
}

// testOptions are options for a small, quiet test store.
func testOptions() metakv.Options {
	return metakv.Options{
		CreateIfMissing:         true,
		Domains:                 smallDomains(),
		MemoryBudgetBytes:       64 << 20,
		MaintenanceInterval:     -1,
		FlushControllerInterval: -1,
	}
}

func openStore(t testing.TB, opts metakv.Options) *metakv.Store {
	t.Helper()
	s, err := metakv.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func mustPut(t testing.TB, s *metakv.Store, domain, tenant, key, value string) {
	t.Helper()
	if err := s.Put(domain, tenant, []byte(key), []byte(value)); err != nil {
		t.Fatalf("Put(%q, %q, %q): %v", domain, tenant, key, err)
	}
}

package metakv

import (
	"testing"
)

// The benchmarks' shapes, shared with the C++ loops of cxxloop.cc
// (build tag metakv_cxxbench): 16-byte keys "k%015d", 100-byte values, one
// tenant, one hot domain whose 64 MiB memtable serves the reads.
const (
	benchDomain = "bench"
	benchTenant = "tenant-0001"
	benchKeyLen = 16
	benchValLen = 100
	benchKeys   = 100000 // keys preloaded for the read benchmarks
)

// formatKey writes the key of i into b (benchKeyLen bytes): 'k' and 15
// decimal digits, as cxxloop.cc's FormatKey.
func formatKey(b []byte, i uint64) {
	b[0] = 'k'
	for j := benchKeyLen - 1; j >= 1; j-- {
		b[j] = byte('0' + i%10)
		i /= 10
	}
}

func benchValue() []byte {
	v := make([]byte, benchValLen)
	for i := range v {
		v[i] = byte('a' + i%26)
	}
	return v
}

func openBenchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(b.TempDir(), Options{
		CreateIfMissing: true,
		Domains:         []Domain{{Name: benchDomain, WriteBufferBytes: 64 << 20}},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// preload writes benchKeys records in batches.
func preload(b *testing.B, s *Store) {
	b.Helper()
	val := benchValue()
	batch := NewBatch()
	key := make([]byte, benchKeyLen)
	for i := uint64(0); i < benchKeys; i++ {
		formatKey(key, i)
		batch.Put(benchDomain, benchTenant, key, val)
		if batch.Len() == 1000 {
			if err := s.Write(batch); err != nil {
				b.Fatal(err)
			}
			batch.Reset()
		}
	}
	if err := s.Write(batch); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkPut(b *testing.B) {
	s := openBenchStore(b)
	val := benchValue()
	key := make([]byte, benchKeyLen)
	b.SetBytes(benchKeyLen + benchValLen)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		formatKey(key, uint64(i))
		if err := s.Put(benchDomain, benchTenant, key, val); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	s := openBenchStore(b)
	preload(b, s)
	key := make([]byte, benchKeyLen)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		formatKey(key, uint64(i)%benchKeys)
		v, err := s.Get(benchDomain, benchTenant, key)
		if err != nil || len(v) != benchValLen {
			b.Fatalf("Get: %d bytes, %v", len(v), err)
		}
	}
}

func BenchmarkBatch100(b *testing.B) {
	s := openBenchStore(b)
	val := benchValue()
	key := make([]byte, benchKeyLen)
	batch := NewBatch()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batch.Reset()
		for j := 0; j < 100; j++ {
			formatKey(key, uint64(i*100+j))
			batch.Put(benchDomain, benchTenant, key, val)
		}
		if err := s.Write(batch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMultiGet100(b *testing.B) {
	s := openBenchStore(b)
	preload(b, s)
	keys := make([]KeyRef, 100)
	for j := range keys {
		keys[j] = KeyRef{Domain: benchDomain, Tenant: benchTenant, Key: make([]byte, benchKeyLen)}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range keys {
			formatKey(keys[j].Key, uint64(i*100+j)%benchKeys)
		}
		vals, errs, err := s.MultiGet(keys)
		if err != nil || errs[99] != nil || len(vals[99]) != benchValLen {
			b.Fatalf("MultiGet: %v %v", err, errs[99])
		}
	}
}

// BenchmarkIterate reports the time per record of a scan of the tenant.
func BenchmarkIterate(b *testing.B) {
	s := openBenchStore(b)
	preload(b, s)
	b.ResetTimer()
	n := 0
	var it *Iterator
	for n < b.N {
		if it == nil {
			var err error
			if it, err = s.NewIterator(benchDomain, benchTenant, nil); err != nil {
				b.Fatal(err)
			}
		}
		if !it.Next() {
			if err := it.Err(); err != nil {
				b.Fatal(err)
			}
			it.Close()
			it = nil
			continue
		}
		if len(it.Value()) != benchValLen {
			b.Fatal("bad value")
		}
		n++
	}
	if it != nil {
		it.Close()
	}
}

//go:build metakv_cxxbench

package metakv

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"
)

// The benchmarks of bench_test.go run as C++ loops on the same kind of
// store (cxxloop.cc): Go's cost over C++ is the ratio of the two.

func BenchmarkCxxPut(b *testing.B) {
	s := openBenchStore(b)
	b.SetBytes(benchKeyLen + benchValLen)
	b.ResetTimer()
	if err := cxxPutLoop(s, benchDomain, benchTenant, 0, uint64(b.N), benchValLen); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkCxxGet(b *testing.B) {
	s := openBenchStore(b)
	preload(b, s)
	b.ResetTimer()
	if err := cxxGetLoop(s, benchDomain, benchTenant, uint64(b.N), benchKeys, benchValLen); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkCxxBatch100(b *testing.B) {
	s := openBenchStore(b)
	b.ResetTimer()
	if err := cxxBatchLoop(s, benchDomain, benchTenant, uint64(b.N), 100, benchValLen); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCgoCall is one empty crossing into C: what every call of the
// package pays at least once.
func BenchmarkCgoCall(b *testing.B) {
	for i := 0; i < b.N; i++ {
		cgoCall()
	}
}

// TestPairedCost measures Go against C++ on one store, in alternating
// blocks (a block of Go operations, then the same block in C++, and
// again), so that both meet the same machine load: on a shared machine,
// separate benchmark runs differ by more than the cost being measured.
// It prints one line per operation: "paired <op> <go ns/op> <c++ ns/op>
// <ratio> <ratio p25> <ratio p75>", the medians over the blocks, and the
// median and quartiles of the per-round ratio of Go's ops/s to C++'s (a
// round: a Go block and the C++ block after it); scripts/go-bench.sh reads
// them. Runs only when METAKV_PAIRED_ROUNDS is set (the number of rounds).
func TestPairedCost(t *testing.T) {
	rounds, err := strconv.Atoi(os.Getenv("METAKV_PAIRED_ROUNDS"))
	if err != nil || rounds <= 0 {
		t.Skip("set METAKV_PAIRED_ROUNDS to run")
	}
	s, err := Open(t.TempDir(), Options{
		CreateIfMissing:         true,
		Domains:                 []Domain{{Name: benchDomain, WriteBufferBytes: 256 << 20}},
		MemoryBudgetBytes:       1 << 30,
		FlushControllerInterval: -1,
		MaintenanceInterval:     -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	val := benchValue()
	key := make([]byte, benchKeyLen)
	const puts, gets, batches = 10000, 50000, 100
	var next uint64 // the next key a Put block writes
	ops := []struct {
		name   string
		n      int
		goRun  func() error
		cxxRun func() error
	}{
		{"Put", puts, func() error {
			for i := uint64(0); i < puts; i++ {
				formatKey(key, next+i)
				if err := s.Put(benchDomain, benchTenant, key, val); err != nil {
					return err
				}
			}
			next += puts
			return nil
		}, func() error {
			err := cxxPutLoop(s, benchDomain, benchTenant, next, puts, benchValLen)
			next += puts
			return err
		}},
		{"Get", gets, func() error {
			for i := uint64(0); i < gets; i++ {
				formatKey(key, i%benchKeys)
				if v, err := s.Get(benchDomain, benchTenant, key); err != nil || len(v) != benchValLen {
					return fmt.Errorf("Get: %d bytes, %v", len(v), err)
				}
			}
			return nil
		}, func() error {
			return cxxGetLoop(s, benchDomain, benchTenant, gets, benchKeys, benchValLen)
		}},
		{"Batch100", batches, func() error {
			batch := NewBatch()
			for i := 0; i < batches; i++ {
				batch.Reset()
				for j := 0; j < 100; j++ {
					formatKey(key, uint64(i*100+j))
					batch.Put(benchDomain, benchTenant, key, val)
				}
				if err := s.Write(batch); err != nil {
					return err
				}
			}
			return nil
		}, func() error {
			return cxxBatchLoop(s, benchDomain, benchTenant, batches, 100, benchValLen)
		}},
	}
	// The Get blocks read keys the Put blocks wrote: the first benchKeys.
	for next < benchKeys {
		if err := cxxPutLoop(s, benchDomain, benchTenant, next, puts, benchValLen); err != nil {
			t.Fatal(err)
		}
		next += puts
	}
	for _, op := range ops {
		var goNs, cxxNs, ratios []float64
		for r := 0; r < rounds; r++ {
			for i, run := range []func() error{op.goRun, op.cxxRun} {
				start := time.Now()
				if err := run(); err != nil {
					t.Fatal(err)
				}
				ns := float64(time.Since(start).Nanoseconds()) / float64(op.n)
				if i == 0 {
					goNs = append(goNs, ns)
				} else {
					cxxNs = append(cxxNs, ns)
					ratios = append(ratios, ns/goNs[len(goNs)-1])
				}
			}
		}
		sort.Float64s(ratios)
		fmt.Printf("paired %s %.0f %.0f %.3f %.3f %.3f\n", op.name, median(goNs), median(cxxNs),
			median(ratios), ratios[len(ratios)/4], ratios[len(ratios)*3/4])
	}
}

func median(v []float64) float64 {
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

//go:build metakv_cxxbench

package metakv

import "testing"

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

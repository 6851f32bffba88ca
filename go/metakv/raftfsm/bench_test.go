package raftfsm

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"metakv"
)

// The figures: the same small writes (a 16-byte key, a 100-byte value, one
// tenant of the dentry domain) into one embedded store, through the FSM
// alone, and through a 3-node group (raft over TCP on 127.0.0.1,
// raft-boltdb logs), with 1 and 32 concurrent clients.
//
//	go test -run '^$' -bench . -benchtime 3s metakv/raftfsm

var benchValue = make([]byte, 100)

func benchKey(i uint64) []byte { return []byte(fmt.Sprintf("/bench/%09d", i)) }

// runClients runs b.N calls of fn (numbered from 1) on clients goroutines
// and reports writes/s.
func runClients(b *testing.B, clients int, fn func(i uint64) error) {
	var seq atomic.Uint64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := seq.Add(1)
				if i > uint64(b.N) {
					return
				}
				if err := fn(i); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
}

func BenchmarkEmbeddedPut(b *testing.B) {
	for _, clients := range []int{1, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			o := storeOptions()
			o.CreateIfMissing = true
			s, err := metakv.Open(b.TempDir(), o)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			runClients(b, clients, func(i uint64) error {
				return s.Put("dentry", "bench", benchKey(i), benchValue)
			})
		})
	}
}

// BenchmarkApply is the FSM's cost per entry, raft left out.
func BenchmarkApply(b *testing.B) {
	f, err := Open(filepath.Join(b.TempDir(), "fsm"), Options{Store: storeOptions()})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		l := &raft.Log{Term: 1, Index: uint64(i + 1), Type: raft.LogCommand,
			Data: Put("dentry", "bench", benchKey(uint64(i)), benchValue).MustEncode()}
		if res := f.Apply(l).(*Result); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
}

// BenchmarkGroupPut: log=bolt is the real thing (raft-boltdb syncs every
// append on every node); log=mem keeps raft's log in memory, to show what
// the syncs cost.
func BenchmarkGroupPut(b *testing.B) {
	for _, log := range []string{"bolt", "mem"} {
		for _, clients := range []int{1, 32} {
			b.Run(fmt.Sprintf("log=%s/clients=%d", log, clients), func(b *testing.B) {
				if log == "bolt" && raceEnabled {
					b.Skip("boltdb/bolt trips checkptr under -race")
				}
				c := newClusterOpt(b, "bench", 3, func(conf *raft.Config) {
					conf.HeartbeatTimeout = time.Second
					conf.ElectionTimeout = time.Second
					conf.LeaderLeaseTimeout = 500 * time.Millisecond
				}, true, log == "mem")
				defer c.shutdown()
				ld := c.leader(10 * time.Second)
				runClients(b, clients, func(i uint64) error {
					_, err := ApplyEncoded(ld.raft, Put("dentry", "bench", benchKey(i), benchValue).MustEncode(), 5*time.Second)
					return err
				})
			})
		}
	}
}

// TestMoveFigures prints the time and bytes of a tenant move against the
// tenant's size: two 3-node groups in this process (raft in memory, logs
// in raft-boltdb without -race), records of a 24-byte key and a random
// 100-byte value. Set RAFTFSM_MOVE_FIGURES=1.
func TestMoveFigures(t *testing.T) {
	if os.Getenv("RAFTFSM_MOVE_FIGURES") == "" {
		t.Skip("set RAFTFSM_MOVE_FIGURES=1")
	}
	for _, n := range []int{1000, 10000, 100000} {
		src := newCluster(t, "src", 3, nil)
		dst := newCluster(t, "dst", 3, nil)
		g := src.group()
		raw := 0
		rng := rand.New(rand.NewSource(int64(n)))
		for i := 0; i < n; i += 500 {
			ops := make([]KeyOp, 0, 500)
			for j := i; j < i+500 && j < n; j++ {
				k := fmt.Sprintf("/dir%04d/file%07d", j/100, j)
				v := make([]byte, 100) // incompressible: the SST files' size is the records'
				rng.Read(v)
				ops = append(ops, KeyOp{Op: OpPut, Domain: "dentry", Tenant: "t", Key: []byte(k), Value: v})
				raw += len(k) + len(v)
			}
			if _, err := g.Apply(Batch(ops...)); err != nil {
				t.Fatal(err)
			}
		}
		st, err := MoveTenant(src.group(), dst.group(), "t")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("move: %7d records (%9d key+value bytes): %2d files, %9d bytes moved, total %-12v export %-12v import %-12v remove %v\n",
			st.Records, raw, st.Files, st.Bytes, st.Total, st.Export, st.Import, st.Remove)
		src.shutdown()
		dst.shutdown()
	}
}

package raftfsm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// writers runs n goroutines writing unique keys to tenant through the
// cluster until stop closes; it returns the acknowledged keys.
func writers(c *cluster, n int, tenant string, stop <-chan struct{}) (acked func() map[string]string, wait func()) {
	var mu sync.Mutex
	ack := map[string]string{}
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k, v := fmt.Sprintf("/w%d/%06d", w, i), fmt.Sprintf("%d.%d", w, i)
				_, err := c.put("dentry", tenant, []byte(k), []byte(v), time.Now().Add(15*time.Second))
				if err != nil {
					if retryable(err) || errors.Is(err, raft.ErrRaftShutdown) {
						continue // not acknowledged; the next key
					}
					c.t.Errorf("writer %d: %v", w, err)
					return
				}
				mu.Lock()
				ack[k] = v
				mu.Unlock()
			}
		}(w)
	}
	return func() map[string]string {
			mu.Lock()
			defer mu.Unlock()
			m := make(map[string]string, len(ack))
			for k, v := range ack {
				m[k] = v
			}
			return m
		}, func() {
			wg.Wait()
		}
}

func checkAcked(t *testing.T, nd *node, tenant string, acked map[string]string) {
	t.Helper()
	got := keys(t, nd.fsm, "dentry", tenant)
	missing := 0
	for k, v := range acked {
		if got[k] != v {
			if missing < 5 {
				t.Errorf("%s: acknowledged %s=%s, found %q", nd.id, k, v, got[k])
			}
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%s: %d of %d acknowledged writes missing", nd.id, missing, len(acked))
	}
}

// TestFailoverKeepsAcknowledgedWrites: 3 nodes, writers running, the
// leader shut down mid-stream: every acknowledged write is on the
// survivors; the old leader, restarted, replays only what its store lacks.
func TestFailoverKeepsAcknowledgedWrites(t *testing.T) {
	c := newCluster(t, "g", 3, nil)
	stop := make(chan struct{})
	acked, wait := writers(c, 4, "acme", stop)
	time.Sleep(700 * time.Millisecond)
	old := c.byID(c.leader(time.Second).id)
	before := len(acked())
	c.stop(old)
	t.Logf("stopped leader %s after %d acknowledged writes", old.id, before)
	time.Sleep(700 * time.Millisecond)
	close(stop)
	wait()
	final := acked()
	if len(final) <= before {
		t.Fatalf("no write acknowledged after the failover (%d, %d)", before, len(final))
	}
	c.sync()
	for _, nd := range c.nodes {
		if nd.up {
			checkAcked(t, nd, "acme", final)
		}
	}
	// Restart the old leader: it keeps its store, raft replays its log
	// from the start (no snapshot yet) and Apply skips what it holds.
	appliedBefore := old.fsm.Applied()
	c.start(old)
	if got := old.fsm.Applied(); got != appliedBefore {
		t.Fatalf("reopened at %+v, closed at %+v", got, appliedBefore)
	}
	c.sync()
	checkAcked(t, old, "acme", final)
	c.applied.mu.Lock()
	skips := c.applied.skips[old.id]
	c.applied.mu.Unlock()
	if skips == 0 {
		t.Errorf("the restarted node skipped nothing (applied index %d)", appliedBefore.Index)
	}
	t.Logf("%d writes acknowledged; restarted node skipped %d replayed entries", len(final), skips)
	c.applied.check(t)
}

// TestLaggingNodeCatchesUpFromSnapshot: a node down while the group
// writes and compacts its log comes back through InstallSnapshot
// (Restore); then restarts again, keeping its store.
func TestLaggingNodeCatchesUpFromSnapshot(t *testing.T) {
	c := newCluster(t, "g", 3, func(conf *raft.Config) {
		conf.SnapshotThreshold = 64
		conf.TrailingLogs = 16
		conf.SnapshotInterval = 50 * time.Millisecond
	})
	ld := c.leader(time.Second)
	var lag *node
	for _, nd := range c.nodes {
		if nd.id != ld.id {
			lag = nd
			break
		}
	}
	c.stop(lag)
	want := map[string]string{}
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < 300; i++ {
		k, v := fmt.Sprintf("/s/%04d", i), fmt.Sprint(i)
		if _, err := c.put("dentry", "acme", []byte(k), []byte(v), deadline); err != nil {
			t.Fatal(err)
		}
		want[k] = v
	}
	for _, nd := range c.nodes {
		if nd.up {
			if err := nd.raft.Snapshot().Error(); err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
				t.Fatal(err)
			}
		}
	}
	first, _ := c.leader(time.Second).logs.FirstIndex()
	if first <= 1 {
		t.Fatalf("the leader's log was not compacted (first index %d)", first)
	}
	c.start(lag)
	c.sync()
	checkAcked(t, lag, "acme", want)
	target, _ := os.Readlink(filepath.Join(lag.fsm.Dir(), "current"))
	if target == "store-1" {
		t.Errorf("%s caught up without a restore (current -> %s)", lag.id, target)
	}
	// Write more, restart the caught-up node: it keeps its store.
	for i := 300; i < 340; i++ {
		k, v := fmt.Sprintf("/s/%04d", i), fmt.Sprint(i)
		if _, err := c.put("dentry", "acme", []byte(k), []byte(v), deadline); err != nil {
			t.Fatal(err)
		}
		want[k] = v
	}
	c.sync()
	c.stop(lag)
	c.start(lag)
	if got, _ := os.Readlink(filepath.Join(lag.fsm.Dir(), "current")); got != target {
		t.Errorf("restart restored again: current %s -> %s", target, got)
	}
	c.sync()
	for _, nd := range c.nodes {
		checkAcked(t, nd, "acme", want)
	}
	c.applied.check(t)
}

// TestRestoreIfBehind: a store that lost its directory (or its unsynced
// tail) behind the newest snapshot is restored from it at start, since
// raft with NoSnapshotRestoreOnStart would replay only what follows the
// snapshot.
func TestRestoreIfBehind(t *testing.T) {
	c := newCluster(t, "g", 3, func(conf *raft.Config) {
		conf.TrailingLogs = 8
	})
	want := map[string]string{}
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < 100; i++ {
		k, v := fmt.Sprintf("/r/%04d", i), fmt.Sprint(i)
		if _, err := c.put("dentry", "acme", []byte(k), []byte(v), deadline); err != nil {
			t.Fatal(err)
		}
		want[k] = v
	}
	c.sync()
	var victim *node
	for _, nd := range c.nodes {
		if nd.raft.State() != raft.Leader {
			victim = nd
		}
	}
	if err := victim.raft.Snapshot().Error(); err != nil {
		t.Fatal(err)
	}
	c.stop(victim)
	// Lose the store, keep raft's log and snapshots.
	if err := os.RemoveAll(filepath.Join(victim.dir, "fsm")); err != nil {
		t.Fatal(err)
	}
	c.applied.mu.Lock()
	delete(c.applied.counts, victim.id) // a new store: its own count
	c.applied.mu.Unlock()
	c.start(victim)
	c.sync()
	checkAcked(t, victim, "acme", want)
	c.applied.check(t)
}

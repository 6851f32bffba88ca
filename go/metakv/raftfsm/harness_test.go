package raftfsm

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"

	"metakv"
)

// storeOptions are small stores with no background threads to speak of.
func storeOptions() metakv.Options {
	return metakv.Options{
		Domains:                 metakv.FileSystemDomains(),
		MemoryBudgetBytes:       64 << 20,
		MaintenanceInterval:     -1,
		FlushControllerInterval: -1,
		StatsDumpPeriod:         -1,
		DisableStatistics:       true,
	}
}

func logOutput() io.Writer {
	if os.Getenv("RAFTFSM_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}

// applyLog counts, per node and log index, the entries a node's FSM
// really applied (not skipped), across restarts: any count above one is a
// double application.
type applyLog struct {
	mu     sync.Mutex
	counts map[string]map[uint64]int
	skips  map[string]int
	double []string
}

func newApplyLog() *applyLog {
	return &applyLog{counts: map[string]map[uint64]int{}, skips: map[string]int{}}
}

func (a *applyLog) hook(id string) func(*raft.Log, *Result) {
	return func(l *raft.Log, res *Result) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if res.Skipped {
			a.skips[id]++
			return
		}
		m := a.counts[id]
		if m == nil {
			m = map[uint64]int{}
			a.counts[id] = m
		}
		m[l.Index]++
		if m[l.Index] > 1 {
			a.double = append(a.double, fmt.Sprintf("node %s applied index %d %d times", id, l.Index, m[l.Index]))
		}
	}
}

func (a *applyLog) check(t *testing.T) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range a.double {
		t.Error(d)
	}
}

type node struct {
	id    string
	dir   string
	addr  raft.ServerAddress
	trans raft.Transport
	inmem *raft.InmemTransport // nil: TCP
	logs  logStore
	mem   *raft.InmemStore // the in-memory log, kept across restarts
	snaps raft.SnapshotStore
	fsm   *FSM
	raft  *raft.Raft
	up    bool
}

// logStore is raft's log and stable store: raft-boltdb, or raft's
// in-memory store (the race detector's checkptr trips on boltdb/bolt's
// unsafe pointer use, so tests under -race keep the log in memory, across
// the node's restarts, as a durable log would).
type logStore interface {
	raft.LogStore
	raft.StableStore
}

type cluster struct {
	// mu guards the nodes' fields against the writers' goroutines: start
	// and stop write them under it, waitLeader copies a node under it.
	mu      sync.RWMutex
	t       testing.TB
	name    string
	nodes   []*node
	applied *applyLog
	conf    func(*raft.Config)
	tcp     bool // raft over TCP on 127.0.0.1 (no restarts), else in memory
	memLog  bool // raft's log in memory (kept across restarts), else raft-boltdb
}

func testConfig(id string) *raft.Config {
	c := Config(id)
	c.HeartbeatTimeout = 100 * time.Millisecond
	c.ElectionTimeout = 100 * time.Millisecond
	c.LeaderLeaseTimeout = 100 * time.Millisecond
	c.CommitTimeout = 5 * time.Millisecond
	c.LogOutput = logOutput()
	c.LogLevel = "WARN"
	return c
}

// newCluster starts n nodes in t.TempDir(), bootstrapped together.
func newCluster(t testing.TB, name string, n int, conf func(*raft.Config)) *cluster {
	return newClusterOpt(t, name, n, conf, false, raceEnabled)
}

func newClusterOpt(t testing.TB, name string, n int, conf func(*raft.Config), tcp, memLog bool) *cluster {
	c := &cluster{t: t, name: name, applied: newApplyLog(), conf: conf, tcp: tcp, memLog: memLog}
	base := t.TempDir()
	var servers []raft.Server
	for i := 0; i < n; i++ {
		nd := &node{id: fmt.Sprintf("%s-%d", name, i), dir: filepath.Join(base, fmt.Sprint(i))}
		nd.addr = raft.ServerAddress(nd.id)
		if tcp {
			tr, err := raft.NewTCPTransport("127.0.0.1:0", nil, 3, 2*time.Second, logOutput())
			if err != nil {
				t.Fatal(err)
			}
			nd.trans, nd.addr = tr, tr.LocalAddr()
		}
		c.nodes = append(c.nodes, nd)
		servers = append(servers, raft.Server{ID: raft.ServerID(nd.id), Address: nd.addr})
	}
	for i, nd := range c.nodes {
		c.start(nd)
		if i == 0 {
			if err := nd.raft.BootstrapCluster(raft.Configuration{Servers: servers}).Error(); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(c.shutdown)
	c.leader(10 * time.Second)
	return c
}

func (c *cluster) start(nd *node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	var err error
	if err = os.MkdirAll(nd.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if !c.tcp {
		_, nd.inmem = raft.NewInmemTransportWithTimeout(nd.addr, time.Second)
		nd.trans = nd.inmem
		for _, o := range c.nodes {
			if o != nd && o.up {
				nd.inmem.Connect(o.addr, o.inmem)
				o.inmem.Connect(nd.addr, nd.inmem)
			}
		}
	} else if nd.trans == nil {
		t.Fatal("a TCP cluster does not restart nodes")
	}
	if c.memLog {
		if nd.mem == nil {
			nd.mem = raft.NewInmemStore()
		}
		nd.logs = nd.mem
	} else if nd.logs, err = raftboltdb.NewBoltStore(filepath.Join(nd.dir, "raft.db")); err != nil {
		t.Fatal(err)
	}
	if nd.snaps, err = raft.NewFileSnapshotStore(nd.dir, 2, logOutput()); err != nil {
		t.Fatal(err)
	}
	if nd.fsm, err = Open(filepath.Join(nd.dir, "fsm"), Options{Store: storeOptions(), OnApply: c.applied.hook(nd.id)}); err != nil {
		t.Fatal(err)
	}
	conf := testConfig(nd.id)
	if c.conf != nil {
		c.conf(conf)
	}
	if nd.raft, err = NewRaft(conf, nd.fsm, nd.logs, nd.logs, nd.snaps, nd.trans); err != nil {
		t.Fatal(err)
	}
	nd.up = true
}

func (c *cluster) stop(nd *node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !nd.up {
		return
	}
	nd.up = false
	if err := nd.raft.Shutdown().Error(); err != nil {
		c.t.Errorf("shutdown %s: %v", nd.id, err)
	}
	if nd.inmem != nil {
		for _, o := range c.nodes {
			if o != nd && o.inmem != nil {
				o.inmem.Disconnect(nd.addr)
			}
		}
	}
	if cl, ok := nd.trans.(io.Closer); ok {
		cl.Close()
	}
	nd.trans = nil
	if cl, ok := nd.logs.(io.Closer); ok {
		cl.Close()
	}
	if err := nd.fsm.Close(); err != nil {
		c.t.Errorf("close %s: %v", nd.id, err)
	}
}

func (c *cluster) shutdown() {
	for _, nd := range c.nodes {
		c.stop(nd)
	}
}

// byID is the cluster's node (not a copy) of that id.
func (c *cluster) byID(id string) *node {
	for _, nd := range c.nodes {
		if nd.id == id {
			return nd
		}
	}
	c.t.Fatalf("no node %s", id)
	return nil
}

// leader waits for a live leader and returns a copy of its node.
func (c *cluster) leader(timeout time.Duration) *node {
	c.t.Helper()
	nd, err := c.waitLeader(timeout)
	if err != nil {
		c.t.Fatal(err)
	}
	return nd
}

func (c *cluster) waitLeader(timeout time.Duration) (*node, error) {
	deadline := time.Now().Add(timeout)
	for {
		c.mu.RLock()
		for _, nd := range c.nodes {
			if nd.up && nd.raft.State() == raft.Leader {
				cp := *nd // a copy: the caller reads it without the lock
				c.mu.RUnlock()
				return &cp, nil
			}
		}
		c.mu.RUnlock()
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: no leader after %v", c.name, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// group is the cluster as a Group.
func (c *cluster) group() *RaftGroup {
	return &RaftGroup{GroupName: c.name, Leader: func() (*raft.Raft, *FSM, error) {
		nd, err := c.waitLeader(5 * time.Second)
		if err != nil {
			return nil, nil, err
		}
		return nd.raft, nd.fsm, nil
	}}
}

// sync waits until every live node applied all the leader committed: a
// barrier on the leader (its FSM then applied every entry before it),
// then every node's FSM at the leader's FSM's applied index. (Not raft's
// AppliedIndex: that is what raft handed to the FSM, maybe not yet
// applied.)
func (c *cluster) sync() {
	c.t.Helper()
	var idx uint64
	for attempt := 0; ; attempt++ {
		ld := c.leader(10 * time.Second)
		if err := ld.raft.Barrier(5 * time.Second).Error(); err != nil {
			if attempt < 20 {
				continue
			}
			c.t.Fatal(err)
		}
		idx = ld.fsm.Applied().Index
		break
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, nd := range c.nodes {
		for nd.up && nd.fsm.Applied().Index < idx {
			if time.Now().After(deadline) {
				c.t.Fatalf("%s applied %d, leader %d", nd.id, nd.fsm.Applied().Index, idx)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// retryable are raft's errors after which a writer retries at the next
// leader (the entry may or may not have committed: not acknowledged).
func retryable(err error) bool {
	for _, e := range []error{raft.ErrNotLeader, raft.ErrLeadershipLost, raft.ErrRaftShutdown,
		raft.ErrEnqueueTimeout, raft.ErrAbortedByRestore, ErrNoAnswer} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// put writes through the cluster's current leader until acknowledged or
// refused by the FSM. ok: acknowledged.
func (c *cluster) put(domain, tenant string, key, value []byte, deadline time.Time) (*Result, error) {
	b := Put(domain, tenant, key, value).MustEncode()
	for {
		ld, err := c.waitLeader(time.Until(deadline))
		if err != nil {
			return nil, err
		}
		res, err := ApplyEncoded(ld.raft, b, time.Second)
		if err == nil || !retryable(err) {
			return res, err
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// keys returns the visible keys of tenant in domain on a node.
func keys(t testing.TB, f *FSM, domain, tenant string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := f.View(func(s *metakv.Store) error {
		it, err := s.NewIterator(domain, tenant, nil)
		if err != nil {
			return err
		}
		defer it.Close()
		for it.Next() {
			m[string(it.Key())] = string(it.Value())
		}
		return it.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

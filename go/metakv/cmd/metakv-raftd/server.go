package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"

	"metakv"
	"metakv/raftfsm"
)

type peer struct {
	id, raft, http string
}

type server struct {
	id, group string
	peers     []peer
	r         *raft.Raft
	fsm       *raftfsm.FSM
	client    *http.Client
	timeout   time.Duration
}

func parsePeers(s string) ([]peer, error) {
	var ps []peer
	for _, p := range splitList(s) {
		f := strings.Split(p, "=")
		if len(f) != 3 || f[0] == "" {
			return nil, fmt.Errorf("peer %q: want id=raftaddr=httpaddr", p)
		}
		if err := loopback("peer raft address", f[1]); err != nil {
			return nil, err
		}
		if err := loopback("peer http address", f[2]); err != nil {
			return nil, err
		}
		ps = append(ps, peer{f[0], f[1], f[2]})
	}
	return ps, nil
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	id := fs.String("id", "", "node id (required)")
	group := fs.String("group", "g1", "the group's name (fences name it)")
	dir := fs.String("dir", "", "data directory (required)")
	raftAddr := fs.String("raft", "", "raft bind address, 127.0.0.1:port (required)")
	httpAddr := fs.String("http", "", "HTTP address, 127.0.0.1:port (required)")
	peersFlag := fs.String("peers", "", "every node of the group: id=raftaddr=httpaddr,... (this one included)")
	bootstrap := fs.Bool("bootstrap", false, "bootstrap the group with -peers if this node has no raft state")
	snapThreshold := fs.Uint64("snapshot-threshold", 8192, "raft SnapshotThreshold (entries between snapshots)")
	trailing := fs.Uint64("trailing-logs", 10240, "raft TrailingLogs (entries kept after a snapshot)")
	snapInterval := fs.Duration("snapshot-interval", 120*time.Second, "raft SnapshotInterval (how often to check the threshold)")
	sync := fs.Bool("sync", false, "sync every store write (not needed: the raft log is durable)")
	verbose := fs.Bool("v", false, "raft's log at INFO (default WARN)")
	fs.Parse(args)
	if *id == "" || *dir == "" || *raftAddr == "" || *httpAddr == "" {
		fs.Usage()
		return errors.New("-id, -dir, -raft and -http are required")
	}
	if err := loopback("-raft", *raftAddr); err != nil {
		return err
	}
	if err := loopback("-http", *httpAddr); err != nil {
		return err
	}
	peers, err := parsePeers(*peersFlag)
	if err != nil {
		return err
	}
	self := false
	for _, p := range peers {
		if p.id == *id {
			if p.raft != *raftAddr || p.http != *httpAddr {
				return fmt.Errorf("-peers gives %s as %s=%s, the flags %s=%s", *id, p.raft, p.http, *raftAddr, *httpAddr)
			}
			self = true
		}
	}
	if !self {
		peers = append(peers, peer{*id, *raftAddr, *httpAddr})
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	logger := log.New(os.Stderr, *id+" ", log.LstdFlags|log.Lmicroseconds)

	storeOpts := metakv.Options{Domains: metakv.FileSystemDomains(), Sync: *sync}
	fsm, err := raftfsm.Open(filepath.Join(*dir, "fsm"), raftfsm.Options{Store: storeOpts,
		OnRestore: func(a metakv.AppliedIndex) { logger.Printf("installed a snapshot: store at applied index %+v", a) }})
	if err != nil {
		return err
	}
	defer fsm.Close()
	logs, err := raftboltdb.NewBoltStore(filepath.Join(*dir, "raft.db"))
	if err != nil {
		return err
	}
	defer logs.Close()
	snaps, err := raft.NewFileSnapshotStore(*dir, 2, os.Stderr)
	if err != nil {
		return err
	}
	trans, err := raft.NewTCPTransport(*raftAddr, nil, 3, 10*time.Second, os.Stderr)
	if err != nil {
		return err
	}
	defer trans.Close()
	conf := raftfsm.Config(*id)
	conf.SnapshotThreshold = *snapThreshold
	conf.TrailingLogs = *trailing
	conf.SnapshotInterval = *snapInterval
	if *verbose {
		conf.LogLevel = "INFO"
	}
	exists, err := raft.HasExistingState(logs, logs, snaps)
	if err != nil {
		return err
	}
	restored, err := fsm.RestoreIfBehind(snaps)
	if err != nil {
		return err
	}
	r, err := raftfsm.NewRaft(conf, fsm, logs, logs, snaps, trans)
	if err != nil {
		return err
	}
	logger.Printf("group %s, store applied index %+v (restored from a snapshot: %v), raft state existed: %v",
		*group, fsm.Applied(), restored, exists)
	if *bootstrap && !exists {
		var servers []raft.Server
		for _, p := range peers {
			servers = append(servers, raft.Server{ID: raft.ServerID(p.id), Address: raft.ServerAddress(p.raft)})
		}
		if err := r.BootstrapCluster(raft.Configuration{Servers: servers}).Error(); err != nil &&
			!errors.Is(err, raft.ErrCantBootstrap) {
			return err
		}
	}
	s := &server{id: *id, group: *group, peers: peers, r: r, fsm: fsm, timeout: 10 * time.Second,
		client: &http.Client{Timeout: 60 * time.Second}}
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	logger.Printf("serving HTTP on %s, raft on %s", *httpAddr, *raftAddr)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
	case err = <-done:
	}
	hs.Close()
	if ferr := r.Shutdown().Error(); ferr != nil && err == nil {
		err = ferr
	}
	logger.Printf("stopped at applied index %+v", fsm.Applied())
	return err
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/status", s.status)
	for _, op := range []string{"put", "delete", "undelete", "hard-delete", "batch", "remove-tree",
		"remove-tenant", "fence", "unfence", "expect"} {
		op := op
		mux.HandleFunc("/v1/"+op, func(w http.ResponseWriter, r *http.Request) { s.jsonWrite(op, w, r) })
	}
	mux.HandleFunc("/v1/command", s.command)
	mux.HandleFunc("/v1/import", s.command)
	mux.HandleFunc("/v1/export", s.export)
	mux.HandleFunc("/v1/get", s.get)
	mux.HandleFunc("/v1/scan", s.scan)
	return mux
}

// --- responses ---------------------------------------------------------

type apiError struct {
	Error  string   `json:"error"`
	Code   string   `json:"code"`
	Group  string   `json:"group,omitempty"`
	Addrs  []string `json:"addrs,omitempty"`
	Leader string   `json:"leader,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers err with its status and code (errorCodes).
func (s *server) fail(w http.ResponseWriter, err error) {
	e := apiError{Error: err.Error()}
	status := http.StatusInternalServerError
	var moved *raftfsm.MovedError
	if errors.As(err, &moved) {
		status, e.Code, e.Group, e.Addrs = http.StatusConflict, "moved", moved.Group, moved.Addrs
	} else if c := codeOf(err); c != nil {
		status, e.Code = c.status, c.code
	}
	switch e.Code {
	case "moving_in":
		w.Header().Set("Retry-After", "1")
	case "unavailable", "outcome_unknown":
		e.Leader = s.leaderHTTP()
	}
	writeJSON(w, status, e)
}

func badRequest(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, apiError{Error: msg, Code: "bad_request"})
}

// --- leader and forwarding ------------------------------------------

func (s *server) leaderPeer() (peer, bool) {
	addr := string(s.r.Leader())
	for _, p := range s.peers {
		if p.raft == addr && addr != "" {
			return p, true
		}
	}
	return peer{}, false
}

func (s *server) leaderHTTP() string {
	p, _ := s.leaderPeer()
	return p.http
}

// onLeader runs fn if this node leads; otherwise forwards the request
// (body already read) to the leader, or redirects with ?redirect=1.
func (s *server) onLeader(w http.ResponseWriter, r *http.Request, body []byte, fn func()) {
	if s.r.State() == raft.Leader {
		fn()
		return
	}
	lp, ok := s.leaderPeer()
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: "no leader known", Code: "unavailable"})
		return
	}
	if r.Header.Get("X-Metakv-Forwarded") != "" {
		// Forwarded once already: do not bounce between nodes whose views
		// of the leader differ.
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: "not the leader", Code: "unavailable", Leader: lp.http})
		return
	}
	url := "http://" + lp.http + r.URL.RequestURI()
	if r.URL.Query().Get("redirect") == "1" {
		w.Header().Set("X-Metakv-Leader", lp.id)
		http.Redirect(w, r, url, http.StatusTemporaryRedirect)
		return
	}
	req, err := http.NewRequest(r.Method, url, bytes.NewReader(body))
	if err != nil {
		s.fail(w, err)
		return
	}
	req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
	req.Header.Set("X-Metakv-Forwarded", s.id)
	resp, err := s.client.Do(req)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: "forwarding to the leader: " + err.Error(),
			Code: "outcome_unknown", Leader: lp.http})
		return
	}
	defer resp.Body.Close()
	for _, h := range []string{"Content-Type", "Retry-After", "X-Metakv-Records", "X-Metakv-Files", "X-Metakv-Bytes"} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.Header().Set("X-Metakv-Forwarded-To", lp.id)
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: "POST", Code: "bad_request"})
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		badRequest(w, err.Error())
		return nil, false
	}
	if int64(len(b)) > limit {
		badRequest(w, "body too large")
		return nil, false
	}
	return b, true
}

// propose applies an encoded command on the leader (forwarding if not).
func (s *server) propose(w http.ResponseWriter, r *http.Request, body, cmd []byte) {
	s.onLeader(w, r, body, func() {
		res, err := raftfsm.ApplyEncoded(s.r, cmd, s.timeout)
		if err != nil {
			s.fail(w, err)
			return
		}
		out := map[string]interface{}{"index": res.Index}
		if res.RemovalID != 0 {
			out["removal_id"] = res.RemovalID
		}
		if res.Imported.Files != 0 || res.Imported.Records != 0 {
			out["imported"] = res.Imported
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// --- writes --------------------------------------------------------------

type jsonOp struct {
	Op       string `json:"op"`
	Domain   string `json:"domain"`
	Tenant   string `json:"tenant"`
	Key      string `json:"key"`
	Value    string `json:"value"`
	TTL      int64  `json:"ttl_s"`
	Ops      []jsonOp
	Prefixes []struct {
		Domain string `json:"domain"`
		Prefix string `json:"prefix"`
	} `json:"prefixes"`
	Hard  bool     `json:"hard"`
	Group string   `json:"group"`
	Addrs []string `json:"addrs"`
}

var keyOps = map[string]raftfsm.Op{"put": raftfsm.OpPut, "delete": raftfsm.OpDelete,
	"undelete": raftfsm.OpUndelete, "hard-delete": raftfsm.OpHardDelete}

func (o *jsonOp) keyOp(op raftfsm.Op) raftfsm.KeyOp {
	return raftfsm.KeyOp{Op: op, Domain: o.Domain, Tenant: o.Tenant, Key: []byte(o.Key),
		Value: []byte(o.Value), TTL: time.Duration(o.TTL) * time.Second}
}

func (o *jsonOp) command(op string) (*raftfsm.Command, error) {
	if k, ok := keyOps[op]; ok {
		return &raftfsm.Command{Op: k, KeyOp: o.keyOp(k)}, nil
	}
	switch op {
	case "batch":
		var ops []raftfsm.KeyOp
		for i := range o.Ops {
			k, ok := keyOps[o.Ops[i].Op]
			if !ok {
				return nil, fmt.Errorf("batch operation %d: unknown op %q", i, o.Ops[i].Op)
			}
			ops = append(ops, o.Ops[i].keyOp(k))
		}
		return raftfsm.Batch(ops...), nil
	case "remove-tree":
		var ps []metakv.PrefixRef
		for _, p := range o.Prefixes {
			ps = append(ps, metakv.PrefixRef{Domain: p.Domain, Prefix: []byte(p.Prefix)})
		}
		return raftfsm.RemoveTree(o.Tenant, ps, o.Hard), nil
	case "remove-tenant":
		return raftfsm.RemoveTenant(o.Tenant), nil
	case "fence":
		return raftfsm.Fence(o.Tenant, o.Group, o.Addrs), nil
	case "unfence":
		return raftfsm.Unfence(o.Tenant), nil
	case "expect":
		return raftfsm.ExpectTenant(o.Tenant, o.Group), nil
	}
	return nil, fmt.Errorf("unknown operation %q", op)
}

func (s *server) jsonWrite(op string, w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, 64<<20)
	if !ok {
		return
	}
	var o jsonOp
	if err := json.Unmarshal(body, &o); err != nil {
		badRequest(w, "JSON: "+err.Error())
		return
	}
	c, err := o.command(op)
	if err == nil {
		var b []byte
		if b, err = c.Encode(); err == nil {
			s.propose(w, r, body, b)
			return
		}
	}
	s.fail(w, err)
}

// command takes an encoded raftfsm.Command (the move's import among
// others).
func (s *server) command(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, 1<<30)
	if !ok {
		return
	}
	if _, err := raftfsm.Decode(body); err != nil {
		s.fail(w, err)
		return
	}
	s.propose(w, r, body, body)
}

// export answers an encoded import command holding the tenant's export,
// taken on the leader after a barrier.
func (s *server) export(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, 1<<20)
	if !ok {
		return
	}
	var o jsonOp
	if err := json.Unmarshal(body, &o); err != nil || o.Tenant == "" {
		badRequest(w, "want {\"tenant\": ...}")
		return
	}
	s.onLeader(w, r, body, func() {
		if err := s.r.Barrier(s.timeout).Error(); err != nil {
			s.fail(w, err)
			return
		}
		ex, err := s.fsm.ExportTenant(o.Tenant)
		if err != nil {
			s.fail(w, err)
			return
		}
		cmd, err := raftfsm.ImportTenant(o.Tenant, ex.Files).Encode()
		if err != nil {
			s.fail(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("X-Metakv-Records", strconv.FormatUint(ex.Info.Records, 10))
		w.Header().Set("X-Metakv-Files", strconv.Itoa(len(ex.Files)))
		w.Header().Set("X-Metakv-Bytes", strconv.FormatInt(ex.Bytes, 10))
		w.Write(cmd)
	})
}

// --- reads ---------------------------------------------------------------

// read runs fn locally: after a barrier on the leader (forwarding from a
// follower) unless ?stale=1.
func (s *server) read(w http.ResponseWriter, r *http.Request, tenant string, fn func()) {
	q := r.URL.Query()
	local := func() {
		if q.Get("ignore_fence") != "1" {
			if err := s.fsm.TenantState(tenant); err != nil {
				s.fail(w, err)
				return
			}
		}
		fn()
	}
	if q.Get("stale") == "1" {
		local()
		return
	}
	s.onLeader(w, r, nil, func() {
		if err := s.r.Barrier(s.timeout).Error(); err != nil {
			s.fail(w, err)
			return
		}
		local()
	})
}

func (s *server) get(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.read(w, r, q.Get("tenant"), func() {
		v, err := s.fsm.Get(q.Get("domain"), q.Get("tenant"), []byte(q.Get("key")))
		if err != nil {
			s.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"value": string(v)})
	})
}

type record struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (s *server) scan(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	s.read(w, r, q.Get("tenant"), func() {
		recs := []record{}
		var applied metakv.AppliedIndex
		err := s.fsm.View(func(st *metakv.Store) error {
			it, err := st.NewIterator(q.Get("domain"), q.Get("tenant"), []byte(q.Get("prefix")))
			if err != nil {
				return err
			}
			defer it.Close()
			applied = s.fsm.Applied()
			for it.Next() {
				recs = append(recs, record{string(it.Key()), string(it.Value())})
				if limit > 0 && len(recs) >= limit {
					break
				}
			}
			return it.Err()
		})
		if err != nil {
			s.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"records": recs, "applied": applied})
	})
}

type status struct {
	ID          string              `json:"id"`
	Group       string              `json:"group"`
	State       string              `json:"state"`
	LeaderID    string              `json:"leader_id"`
	LeaderHTTP  string              `json:"leader_http"`
	Applied     metakv.AppliedIndex `json:"applied"`
	RaftApplied uint64              `json:"raft_applied"`
	Commit      uint64              `json:"commit_index"`
	LastIndex   uint64              `json:"last_index"`
	Term        uint64              `json:"term"`
	Fences      map[string]string   `json:"fences,omitempty"`
	Peers       []string            `json:"peers"`
	// Entries the FSM applied and skipped (already applied: a replay)
	// since this process started; the last snapshot's index.
	Applies      uint64 `json:"applies"`
	Skips        uint64 `json:"skips"`
	LastSnapshot uint64 `json:"last_snapshot_index"`
	Restores     uint64 `json:"restores"`
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	st := s.r.Stats()
	num := func(k string) uint64 { n, _ := strconv.ParseUint(st[k], 10, 64); return n }
	lp, _ := s.leaderPeer()
	out := status{ID: s.id, Group: s.group, State: s.r.State().String(), LeaderID: lp.id, LeaderHTTP: lp.http,
		Applied: s.fsm.Applied(), RaftApplied: s.r.AppliedIndex(), Commit: num("commit_index"),
		LastIndex: s.r.LastIndex(), Term: num("term"), Fences: s.fsm.Fences(),
		LastSnapshot: num("last_snapshot_index")}
	out.Applies, out.Skips = s.fsm.Counts()
	out.Restores = s.fsm.Restores()
	for _, p := range s.peers {
		out.Peers = append(out.Peers, p.http)
	}
	writeJSON(w, http.StatusOK, out)
}

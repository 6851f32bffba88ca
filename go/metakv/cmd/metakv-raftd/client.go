package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"metakv"
	"metakv/raftfsm"
)

var httpClient = &http.Client{Timeout: 60 * time.Second}

// call POSTs (body non-nil) or GETs, and returns the status and body.
func call(addr, path string, body []byte) (int, []byte, http.Header, error) {
	if err := loopback("address", addr); err != nil {
		return 0, nil, nil, err
	}
	var resp *http.Response
	var err error
	if body != nil {
		resp, err = httpClient.Post("http://"+addr+path, "application/json", bytes.NewReader(body))
	} else {
		resp, err = httpClient.Get("http://" + addr + path)
	}
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header, err
}

// errorOf turns an error answer back into the error raftfsm names
// (errorCodes).
func errorOf(status int, b []byte) error {
	var e apiError
	if json.Unmarshal(b, &e) != nil {
		return fmt.Errorf("HTTP %d: %s", status, bytes.TrimSpace(b))
	}
	if e.Code == "moved" {
		return &raftfsm.MovedError{Group: e.Group, Addrs: e.Addrs}
	}
	for _, c := range errorCodes {
		if c.code == e.Code && c.back != nil {
			return fmt.Errorf("%w (%s)", c.back, e.Error)
		}
	}
	return fmt.Errorf("HTTP %d %s: %s", status, e.Code, e.Error)
}

// errUnavailable: the group did not take the request (no leader): retry.
var errUnavailable = errors.New("unavailable")

// --- a group over HTTP, for MoveTenant --------------------------------

type httpGroup struct {
	name  string
	addrs []string
}

func newHTTPGroup(addrs []string) (*httpGroup, error) {
	for _, a := range addrs {
		st, b, _, err := call(a, "/v1/status", nil)
		if err != nil || st != http.StatusOK {
			continue
		}
		var s status
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, err
		}
		return &httpGroup{name: s.Group, addrs: s.Peers}, nil
	}
	return nil, fmt.Errorf("no node of %v answers", addrs)
}

func (g *httpGroup) Name() string    { return g.name }
func (g *httpGroup) Addrs() []string { return g.addrs }

// post sends to any node (followers forward), retrying while the group
// has no leader or a node is down.
func (g *httpGroup) post(path string, body []byte) ([]byte, http.Header, error) {
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; ; i++ {
		addr := g.addrs[i%len(g.addrs)]
		st, b, h, err := call(addr, path, body)
		if err == nil && st == http.StatusOK {
			return b, h, nil
		}
		if err == nil {
			err = errorOf(st, b)
			if !errors.Is(err, errUnavailable) {
				return nil, nil, err
			}
		}
		if time.Now().After(deadline) {
			return nil, nil, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (g *httpGroup) Apply(c *raftfsm.Command) (*raftfsm.Result, error) {
	b, err := c.Encode()
	if err != nil {
		return nil, err
	}
	out, _, err := g.post("/v1/command", b)
	if err != nil {
		return nil, err
	}
	var res struct {
		Index uint64 `json:"index"`
	}
	json.Unmarshal(out, &res)
	return &raftfsm.Result{Index: res.Index}, nil
}

func (g *httpGroup) ExportTenant(tenant string) (*raftfsm.Export, error) {
	body, _ := json.Marshal(map[string]string{"tenant": tenant})
	out, h, err := g.post("/v1/export", body)
	if err != nil {
		return nil, err
	}
	c, err := raftfsm.Decode(out)
	if err != nil {
		return nil, err
	}
	ex := &raftfsm.Export{Files: c.Files}
	ex.Info.Tenant = tenant
	ex.Info.Records, _ = strconv.ParseUint(h.Get("X-Metakv-Records"), 10, 64)
	ex.Bytes, _ = strconv.ParseInt(h.Get("X-Metakv-Bytes"), 10, 64)
	ex.Info.Files = len(c.Files)
	return ex, nil
}

func moveTenant(args []string) error {
	fs := flag.NewFlagSet("move-tenant", flag.ExitOnError)
	tenant := fs.String("tenant", "", "the tenant to move")
	from := fs.String("from", "", "HTTP addresses of the source group (any of its nodes)")
	to := fs.String("to", "", "HTTP addresses of the destination group")
	fs.Parse(args)
	if *tenant == "" || *from == "" || *to == "" {
		fs.Usage()
		return errors.New("-tenant, -from and -to are required")
	}
	src, err := newHTTPGroup(splitList(*from))
	if err != nil {
		return err
	}
	dst, err := newHTTPGroup(splitList(*to))
	if err != nil {
		return err
	}
	if src.name == dst.name {
		return fmt.Errorf("both groups are named %q", src.name)
	}
	st, err := raftfsm.MoveTenant(src, dst, *tenant)
	if err != nil {
		return err
	}
	fmt.Printf("moved tenant %q from %s to %s: %d records, %d files, %d bytes in %v (expect %v, fence %v, export %v, import %v, remove %v)\n",
		*tenant, src.name, dst.name, st.Records, st.Files, st.Bytes, st.Total.Round(time.Millisecond),
		st.Expect.Round(time.Millisecond), st.Fence.Round(time.Millisecond), st.Export.Round(time.Millisecond),
		st.Import.Round(time.Millisecond), st.Remove.Round(time.Millisecond))
	return nil
}

// --- load: writers that record what was acknowledged --------------------

func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	addrs := fs.String("addrs", "", "HTTP addresses of the group's nodes")
	tenant := fs.String("tenant", "load", "tenant written")
	domain := fs.String("domain", "dentry", "domain written")
	clients := fs.Int("clients", 8, "concurrent writers")
	duration := fs.Duration("duration", 10*time.Second, "how long to write (SIGTERM stops early)")
	n := fs.Int("n", 0, "stop after this many acknowledged writes in all (0: no limit)")
	prefix := fs.String("prefix", "", "key prefix (default: /load/<pid>)")
	valueSize := fs.Int("value-size", 64, "value bytes (the key, padded)")
	out := fs.String("out", "", "append acknowledged key<TAB>value lines here")
	batch := fs.Int("batch", 1, "puts per request (a /v1/batch above 1)")
	fs.Parse(args)
	targets := splitList(*addrs)
	if len(targets) == 0 {
		return errors.New("-addrs is required")
	}
	if *prefix == "" {
		*prefix = fmt.Sprintf("/load/%d", os.Getpid())
	}
	var w *bufio.Writer
	var outMu sync.Mutex
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		w = bufio.NewWriter(f)
		defer func() { outMu.Lock(); w.Flush(); outMu.Unlock() }()
	}
	stop := make(chan struct{})
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }) }
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-sig; halt() }()
	time.AfterFunc(*duration, halt)

	var acked, retries, moved, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			at := targets
			next := c
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var ops []jsonOp
				for j := 0; j < *batch; j++ {
					k := fmt.Sprintf("%s/c%03d/%09d", *prefix, c, i**batch+j)
					v := value(k, *valueSize)
					ops = append(ops, jsonOp{Op: "put", Domain: *domain, Tenant: *tenant, Key: k, Value: v})
				}
				path, body := "/v1/put", []byte(nil)
				if *batch == 1 {
					body, _ = json.Marshal(ops[0])
				} else {
					path = "/v1/batch"
					body, _ = json.Marshal(jsonOp{Ops: ops})
				}
				// Retry the same puts until acknowledged: a put is
				// idempotent, so a retry after an unknown outcome is safe.
				for {
					select {
					case <-stop:
						return
					default:
					}
					st, b, _, err := call(at[next%len(at)], path, body)
					if err == nil && st == http.StatusOK {
						acked.Add(int64(len(ops)))
						if w != nil {
							outMu.Lock()
							for _, o := range ops {
								fmt.Fprintf(w, "%s\t%s\n", o.Key, o.Value)
							}
							outMu.Unlock()
						}
						if *n > 0 && acked.Load() >= int64(*n) {
							halt()
						}
						break
					}
					retries.Add(1)
					if err == nil {
						err = errorOf(st, b)
						var mv *raftfsm.MovedError
						if errors.As(err, &mv) {
							moved.Add(1)
							if len(mv.Addrs) > 0 {
								at = mv.Addrs
							}
							continue
						}
						if !errors.Is(err, raftfsm.ErrMovingIn) && !errors.Is(err, errUnavailable) &&
							!strings.Contains(err.Error(), "outcome_unknown") {
							failed.Add(1)
							fmt.Fprintf(os.Stderr, "load: client %d: %v\n", c, err)
							time.Sleep(100 * time.Millisecond)
						}
					} else {
						next++ // the node is down: try another
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}(c)
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("load: %d writes acknowledged in %v: %.0f writes/s (%d clients, %d puts/request); %d retries, %d moved redirects, %d errors\n",
		acked.Load(), el.Round(time.Millisecond), float64(acked.Load())/el.Seconds(), *clients, *batch,
		retries.Load(), moved.Load(), failed.Load())
	if failed.Load() > 0 {
		return fmt.Errorf("%d requests failed", failed.Load())
	}
	return nil
}

// value is the key padded to size with hex digits drawn from a generator
// seeded by the key: the same for every retry of the key, and not one
// repeated byte (which the store's compression would make vanish).
func value(key string, size int) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	rng := rand.New(rand.NewSource(int64(h.Sum64())))
	b := []byte(key)
	const hex = "0123456789abcdef"
	for len(b) < size {
		b = append(b, hex[rng.Intn(16)])
	}
	return string(b)
}

// --- check: every acknowledged write on every node ---------------------

func getStatus(addr string) (status, error) {
	var s status
	st, b, _, err := call(addr, "/v1/status", nil)
	if err != nil {
		return s, err
	}
	if st != http.StatusOK {
		return s, errorOf(st, b)
	}
	return s, json.Unmarshal(b, &s)
}

func scanAll(addr, domain, tenant string) (map[string]string, error) {
	q := url.Values{"domain": {domain}, "tenant": {tenant}, "stale": {"1"}, "ignore_fence": {"1"}}
	st, b, _, err := call(addr, "/v1/scan?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK {
		return nil, errorOf(st, b)
	}
	var out struct {
		Records []record `json:"records"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(out.Records))
	for _, r := range out.Records {
		m[r.Key] = r.Value
	}
	return m, nil
}

// waitCaughtUp waits until every node's store applied what the leader's
// had after a barrier (a linearizable scan on the leader gives it).
func waitCaughtUp(addrs []string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var target uint64
	var err error
	for target == 0 {
		for _, a := range addrs {
			q := url.Values{"domain": {"dentry"}, "tenant": {"_any"}, "limit": {"1"}, "ignore_fence": {"1"}}
			var st int
			var b []byte
			st, b, _, err = call(a, "/v1/scan?"+q.Encode(), nil)
			if err == nil && st != http.StatusOK {
				err = errorOf(st, b)
			}
			if err == nil {
				var out struct {
					Applied metakv.AppliedIndex `json:"applied"`
				}
				if err = json.Unmarshal(b, &out); err == nil {
					target = out.Applied.Index
					break
				}
			}
		}
		if target == 0 {
			if time.Now().After(deadline) {
				return fmt.Errorf("no linearizable read: %v", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	for {
		var lagging []string
		for _, a := range addrs {
			s, err := getStatus(a)
			if err != nil {
				lagging = append(lagging, a+": "+err.Error())
			} else if s.Applied.Index < target {
				lagging = append(lagging, fmt.Sprintf("%s applied %d < %d", a, s.Applied.Index, target))
			}
		}
		if len(lagging) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not caught up: %s", strings.Join(lagging, "; "))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func check(args []string) error {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	addrs := fs.String("addrs", "", "HTTP addresses of every node of the group")
	tenant := fs.String("tenant", "load", "tenant")
	domain := fs.String("domain", "dentry", "domain")
	ackedFile := fs.String("acked", "", "the acknowledged writes (load -out)")
	absent := fs.Bool("absent", false, "check instead that no node holds the tenant")
	maxExtra := fs.Int("max-extra", -1, "fail if a node holds more than this many records not acknowledged (-1: no limit)")
	fs.Parse(args)
	nodes := splitList(*addrs)
	if len(nodes) == 0 {
		return errors.New("-addrs is required")
	}
	if err := waitCaughtUp(nodes, 60*time.Second); err != nil {
		return err
	}
	want := map[string]string{}
	if !*absent {
		f, err := os.Open(*ackedFile)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "\t"); ok {
				want[k] = v
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	bad := 0
	for _, a := range nodes {
		got, err := scanAll(a, *domain, *tenant)
		if err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
		if *absent {
			if len(got) > 0 {
				fmt.Printf("check %s: FAIL: holds %d records of %q\n", a, len(got), *tenant)
				bad++
			} else {
				fmt.Printf("check %s: ok: no record of %q\n", a, *tenant)
			}
			continue
		}
		var missing []string
		for k, v := range want {
			if got[k] != v {
				missing = append(missing, k)
			}
		}
		sort.Strings(missing)
		extra := len(got) - (len(want) - len(missing))
		if len(missing) > 0 {
			fmt.Printf("check %s: FAIL: %d of %d acknowledged writes missing (first %s)\n", a, len(missing), len(want), missing[0])
			bad++
		} else if *maxExtra >= 0 && extra > *maxExtra {
			fmt.Printf("check %s: FAIL: %d records never acknowledged (limit %d)\n", a, extra, *maxExtra)
			bad++
		} else {
			fmt.Printf("check %s: ok: all %d acknowledged writes present (%d records, %d not acknowledged)\n",
				a, len(want), len(got), extra)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d nodes failed", bad, len(nodes))
	}
	return nil
}

package raftfsm

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"metakv"
)

// TestMoveTenantWhileWriting moves a tenant between two 3-node groups
// while writers run, following *MovedError to the destination and waiting
// out *MovingInError: afterwards every acknowledged write is at the
// destination, exactly once, and the source holds nothing of the tenant.
func TestMoveTenantWhileWriting(t *testing.T) {
	src := newCluster(t, "src", 3, nil)
	dst := newCluster(t, "dst", 3, nil)
	groups := map[string]*cluster{"src": src, "dst": dst}
	const tenant = "mover"

	// Some data first, in two domains, and a bystander tenant.
	deadline := time.Now().Add(30 * time.Second)
	pre := map[string]string{}
	for i := 0; i < 300; i++ {
		ops := make([]KeyOp, 0, 10)
		for j := 0; j < 10; j++ {
			k := fmt.Sprintf("/pre/%03d/%d", i, j)
			ops = append(ops, KeyOp{Op: OpPut, Domain: "dentry", Tenant: tenant, Key: []byte(k), Value: []byte(k)})
			pre[k] = k
		}
		ops = append(ops, KeyOp{Op: OpPut, Domain: "inode", Tenant: tenant, Key: []byte(fmt.Sprint(i)), Value: make([]byte, 100)})
		if _, err := src.group().Apply(Batch(ops...)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.put("dentry", "stays", []byte("/x"), []byte("y"), deadline); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	acked := map[string]string{}
	movedSeen, movingInSeen := 0, 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			at := src
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("/w%d/%06d", w, i)
				for {
					_, err := at.put("dentry", tenant, []byte(k), []byte(k), time.Now().Add(15*time.Second))
					var moved *MovedError
					switch {
					case err == nil:
						mu.Lock()
						acked[k] = k
						mu.Unlock()
					case errors.As(err, &moved):
						mu.Lock()
						movedSeen++
						mu.Unlock()
						at = groups[moved.Group]
						continue
					case errors.Is(err, ErrMovingIn):
						mu.Lock()
						movingInSeen++
						mu.Unlock()
						time.Sleep(2 * time.Millisecond)
						continue
					case retryable(err):
						// not acknowledged: move on to the next key
					default:
						t.Errorf("writer %d: %v", w, err)
						return
					}
					break
				}
			}
		}(w)
	}
	time.Sleep(300 * time.Millisecond)
	st, err := MoveTenant(src.group(), dst.group(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("moved %d records, %d files, %d bytes in %v (expect %v, fence %v, export %v, import %v, remove %v); writers saw moved %d, moving-in %d",
		st.Records, st.Files, st.Bytes, st.Total, st.Expect, st.Fence, st.Export, st.Import, st.Remove, movedSeen, movingInSeen)
	if movedSeen == 0 {
		t.Error("no writer was sent on by the fence")
	}

	src.sync()
	dst.sync()
	for k, v := range pre {
		acked[k] = v
	}
	for _, nd := range dst.nodes {
		got := keys(t, nd.fsm, "dentry", tenant)
		checkAcked(t, nd, tenant, acked)
		if len(got) != len(acked) {
			t.Errorf("%s holds %d records of %s, %d acknowledged", nd.id, len(got), tenant, len(acked))
		}
		if n := len(keys(t, nd.fsm, "inode", tenant)); n != 300 {
			t.Errorf("%s: %d inode records", nd.id, n)
		}
		if err := nd.fsm.TenantState(tenant); err != nil {
			t.Errorf("%s: tenant state after the move: %v", nd.id, err)
		}
	}
	for _, nd := range src.nodes {
		var present bool
		if err := nd.fsm.View(func(s *metakv.Store) (err error) {
			present, err = tenantPresent(s, tenant)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if present {
			t.Errorf("%s still holds records of %s", nd.id, tenant)
		}
		if !errors.Is(nd.fsm.TenantState(tenant), ErrMoved) {
			t.Errorf("%s: %s not fenced", nd.id, tenant)
		}
		if v, err := nd.fsm.Get("dentry", "stays", []byte("/x")); err != nil || string(v) != "y" {
			t.Errorf("%s: the bystander tenant: %q %v", nd.id, v, err)
		}
	}
	// A second move of the same tenant into dst is refused up front.
	if _, err := MoveTenant(src.group(), dst.group(), tenant); !errors.Is(err, ErrTenantPresent) {
		t.Errorf("repeated move: %v", err)
	}
	src.applied.check(t)
	dst.applied.check(t)
}

// TestMoveEmptyTenant: a tenant with no records moves too (its fence and
// mark do their work; the export is a manifest alone).
func TestMoveEmptyTenant(t *testing.T) {
	src := newCluster(t, "src", 1, nil)
	dst := newCluster(t, "dst", 1, nil)
	st, err := MoveTenant(src.group(), dst.group(), "nobody")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
	if !errors.Is(src.nodes[0].fsm.TenantState("nobody"), ErrMoved) {
		t.Error("not fenced at the source")
	}
	if _, err := dst.put("dentry", "nobody", []byte("/a"), []byte("b"), time.Now().Add(10*time.Second)); err != nil {
		t.Errorf("write at the destination: %v", err)
	}
}

package raftfsm

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// Group is one raft group as MoveTenant drives it: in process
// (RaftGroup) or through a service's API.
type Group interface {
	// Name is the group's name, which fences name.
	Name() string
	// Addrs are hints for writers sent here by a fence (service
	// addresses); may be empty.
	Addrs() []string
	// Apply replicates the command through the group's leader and returns
	// its result: raft's error, or else the command's.
	Apply(c *Command) (*Result, error)
	// ExportTenant exports the tenant at the group's leader, after a
	// barrier: every entry committed before the call is in the export.
	ExportTenant(tenant string) (*Export, error)
}

// MoveStats describes a move.
type MoveStats struct {
	Tenant                                       string
	Records                                      uint64
	Files                                        int
	Bytes                                        int64 // of the exported files, as carried by the import entry
	Expect, Fence, Export, Import, Remove, Total time.Duration
}

// MoveTenant moves a tenant from src to dst, while writers run:
//
//  1. dst: ExpectTenant — writes to the tenant there are refused with a
//     *MovingInError (retry shortly); fails with ErrTenantPresent if dst
//     already holds the tenant.
//  2. src: Fence — every write applied after it is refused with a
//     *MovedError naming dst: writers retry at dst (and wait out step 4).
//  3. src: ExportTenant at the leader after a barrier, so the export holds
//     every write acknowledged before the fence, and no other can follow.
//  4. dst: ImportTenant (replicated with its files) — clears the mark:
//     writes are accepted at dst from here on.
//  5. src: RemoveTenant — the fence stays, sending late writers on.
//
// A failure before step 4 undoes steps 1-2 (Unfence in both groups); a
// failure of step 5 leaves the tenant fenced at src and already live at
// dst: repeat RemoveTenant at src.
func MoveTenant(src, dst Group, tenant string) (MoveStats, error) {
	st := MoveStats{Tenant: tenant}
	start := time.Now()
	step := func(d *time.Duration, fn func() error) error {
		t := time.Now()
		err := fn()
		*d = time.Since(t)
		return err
	}
	undo := func(err error, fenced bool) (MoveStats, error) {
		var errs []error
		if fenced {
			if _, uerr := src.Apply(Unfence(tenant)); uerr != nil {
				errs = append(errs, fmt.Errorf("unfence at %s: %w", src.Name(), uerr))
			}
		}
		if _, uerr := dst.Apply(Unfence(tenant)); uerr != nil {
			errs = append(errs, fmt.Errorf("unmark at %s: %w", dst.Name(), uerr))
		}
		if len(errs) > 0 {
			return st, fmt.Errorf("move of %q: %w (undo failed: %v)", tenant, err, errs)
		}
		return st, fmt.Errorf("move of %q (undone): %w", tenant, err)
	}
	if err := step(&st.Expect, func() error {
		_, err := dst.Apply(ExpectTenant(tenant, src.Name()))
		return err
	}); err != nil {
		return st, fmt.Errorf("move of %q: expect at %s: %w", tenant, dst.Name(), err)
	}
	if err := step(&st.Fence, func() error {
		_, err := src.Apply(Fence(tenant, dst.Name(), dst.Addrs()))
		return err
	}); err != nil {
		return undo(fmt.Errorf("fence at %s: %w", src.Name(), err), false)
	}
	var ex *Export
	if err := step(&st.Export, func() error {
		var err error
		ex, err = src.ExportTenant(tenant)
		return err
	}); err != nil {
		return undo(fmt.Errorf("export at %s: %w", src.Name(), err), true)
	}
	if ex.Info.Tenant != "" && ex.Info.Tenant != tenant {
		return undo(fmt.Errorf("export at %s holds tenant %q", src.Name(), ex.Info.Tenant), true)
	}
	st.Records, st.Files, st.Bytes = ex.Info.Records, len(ex.Files), ex.Bytes
	if err := step(&st.Import, func() error {
		_, err := dst.Apply(ImportTenant(tenant, ex.Files))
		return err
	}); err != nil {
		if deterministic(err) && !errors.Is(err, ErrNotExpected) {
			// dst refused the import: nothing took effect there.
			return undo(fmt.Errorf("import at %s: %w", dst.Name(), err), true)
		}
		// The import may have committed (leadership lost, timeout, or a
		// resent import found the mark gone): undoing could leave the
		// tenant live in both groups. Leave the fence; the operator checks
		// dst and repeats the import or the remove.
		return st, fmt.Errorf("move of %q: import at %s: outcome unknown, %q stays fenced at %s: %w",
			tenant, dst.Name(), tenant, src.Name(), err)
	}
	if err := step(&st.Remove, func() error {
		_, err := src.Apply(RemoveTenant(tenant))
		return err
	}); err != nil {
		return st, fmt.Errorf("move of %q: imported at %s, but remove at %s failed (repeat it): %w",
			tenant, dst.Name(), src.Name(), err)
	}
	st.Total = time.Since(start)
	return st, nil
}

// RaftGroup is a Group of raft nodes in this process.
type RaftGroup struct {
	GroupName string
	AddrHints []string
	// Leader returns the group's current leader and its FSM.
	Leader  func() (*raft.Raft, *FSM, error)
	Timeout time.Duration // 0: 10 s
}

func (g *RaftGroup) timeout() time.Duration {
	if g.Timeout > 0 {
		return g.Timeout
	}
	return 10 * time.Second
}

// Name implements Group.
func (g *RaftGroup) Name() string { return g.GroupName }

// Addrs implements Group.
func (g *RaftGroup) Addrs() []string { return g.AddrHints }

// Apply implements Group: through the leader, retried while leadership
// changes (raft's errors before the entry was accepted).
func (g *RaftGroup) Apply(c *Command) (*Result, error) {
	b, err := c.Encode()
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(g.timeout())
	for {
		r, _, err := g.Leader()
		if err == nil {
			var res *Result
			res, err = ApplyEncoded(r, b, g.timeout())
			// Retried: the errors of an entry raft never took. Not
			// ErrLeadershipLost: that entry may still commit.
			if !errors.Is(err, raft.ErrNotLeader) && !errors.Is(err, raft.ErrEnqueueTimeout) {
				return res, err
			}
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ExportTenant implements Group.
func (g *RaftGroup) ExportTenant(tenant string) (*Export, error) {
	r, f, err := g.Leader()
	if err != nil {
		return nil, err
	}
	if err := r.Barrier(g.timeout()).Error(); err != nil {
		return nil, err
	}
	return f.ExportTenant(tenant)
}

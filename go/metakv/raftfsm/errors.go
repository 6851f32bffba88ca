package raftfsm

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrMoved matches (errors.Is) a *MovedError.
	ErrMoved = errors.New("raftfsm: tenant moved")
	// ErrMovingIn matches a *MovingInError.
	ErrMovingIn = errors.New("raftfsm: tenant moving in")
	// ErrTenantPresent: OpExpectTenant into a group that already holds
	// records of the tenant.
	ErrTenantPresent = errors.New("raftfsm: tenant already present")
	// ErrNotExpected: OpImportTenant of a tenant no OpExpectTenant marked
	// (never expected, or already imported).
	ErrNotExpected = errors.New("raftfsm: tenant import not expected")
	// ErrFenced: OpFence of a tenant already fenced to another group, or
	// OpExpectTenant/OpFence in conflict with a move in progress.
	ErrFenced = errors.New("raftfsm: tenant move in progress")
)

// MovedError refuses a write to a tenant that moved to another group:
// retry the write there (Addrs are hints: the group's service addresses).
type MovedError struct {
	Tenant string
	Group  string
	Addrs  []string
}

func (e *MovedError) Error() string {
	s := fmt.Sprintf("raftfsm: tenant %q moved to group %q", e.Tenant, e.Group)
	if len(e.Addrs) > 0 {
		s += " at " + strings.Join(e.Addrs, ",")
	}
	return s
}

// Is matches ErrMoved.
func (e *MovedError) Is(target error) bool { return target == ErrMoved }

// MovingInError refuses a write to a tenant that is moving into this
// group and not yet imported: retry shortly.
type MovingInError struct {
	Tenant string
	From   string
}

func (e *MovingInError) Error() string {
	return fmt.Sprintf("raftfsm: tenant %q is moving in from group %q: retry shortly", e.Tenant, e.From)
}

// Is matches ErrMovingIn.
func (e *MovingInError) Is(target error) bool { return target == ErrMovingIn }

package main

import (
	"errors"
	"net/http"

	"github.com/hashicorp/raft"

	"metakv"
	"metakv/raftfsm"
)

// errorCode is one kind of error answer: its code (apiError.Code) and
// HTTP status, the errors the server answers with it, and the error the
// client turns it back into.
type errorCode struct {
	code   string
	status int
	// errs: server.fail answers an error with this code if it matches
	// (errors.Is) any of these.
	errs []error
	// back: the error errorOf turns the code back into (wrapped, with the
	// answer's message); nil: none, errorOf reports the code as it is
	// ("HTTP <status> <code>: <message>").
	back error
}

// errorCodes is the one table of the error answers, both ways: server.fail
// takes the first row with an error that err matches (after the moved
// answer, which carries the new group and is handled apart, as in
// errorOf), errorOf the row of the answer's code. An error no row
// matches is answered 500 with no code.
var errorCodes = []errorCode{
	// Answered with Retry-After: 1.
	{"moving_in", http.StatusServiceUnavailable, []error{raftfsm.ErrMovingIn}, raftfsm.ErrMovingIn},
	{"tenant_present", http.StatusConflict, []error{raftfsm.ErrTenantPresent}, raftfsm.ErrTenantPresent},
	{"not_expected", http.StatusConflict, []error{raftfsm.ErrNotExpected}, raftfsm.ErrNotExpected},
	{"fenced", http.StatusConflict, []error{raftfsm.ErrFenced}, raftfsm.ErrFenced},
	{"bad_command", http.StatusBadRequest, []error{raftfsm.ErrBadCommand}, raftfsm.ErrBadCommand},
	{"not_found", http.StatusNotFound, []error{metakv.ErrNotFound}, metakv.ErrNotFound},
	{"invalid_argument", http.StatusBadRequest, []error{metakv.ErrInvalidArgument}, metakv.ErrInvalidArgument},
	{"failed_precondition", http.StatusPreconditionFailed, []error{metakv.ErrFailedPrecondition}, metakv.ErrFailedPrecondition},
	{"expired", http.StatusGone, []error{metakv.ErrExpired}, nil},
	{"not_supported", http.StatusNotImplemented, []error{metakv.ErrNotSupported}, nil},
	// raft never took the entry: safe to retry anywhere. Answered with
	// the leader's address, if known.
	{"unavailable", http.StatusServiceUnavailable,
		[]error{raft.ErrNotLeader, raft.ErrEnqueueTimeout, raft.ErrRaftShutdown}, errUnavailable},
	// The entry may still commit: retry only what is idempotent.
	// Answered with the leader's address, if known.
	{"outcome_unknown", http.StatusServiceUnavailable,
		[]error{raft.ErrLeadershipLost, raft.ErrAbortedByRestore, raftfsm.ErrNoAnswer}, nil},
}

// codeOf is the first row of errorCodes with an error that err matches
// (errors.Is), or nil.
func codeOf(err error) *errorCode {
	for i := range errorCodes {
		for _, target := range errorCodes[i].errs {
			if errors.Is(err, target) {
				return &errorCodes[i]
			}
		}
	}
	return nil
}

package raftfsm

import (
	"archive/tar"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// Config returns raft's default configuration for node id, with
// NoSnapshotRestoreOnStart set (see the package doc) and raft's log at
// WARN.
func Config(id string) *raft.Config {
	c := raft.DefaultConfig()
	c.LocalID = raft.ServerID(id)
	c.NoSnapshotRestoreOnStart = true
	c.LogLevel = "WARN"
	return c
}

// RestoreIfBehind restores the store from the newest snapshot in snaps
// when the snapshot holds entries the store lacks: its applied index is
// above the store's. Call it before raft.NewRaft with
// NoSnapshotRestoreOnStart (NewRaft below does): raft then takes the
// snapshot's index as applied without restoring it, and replays only the
// entries after it, so a store behind the snapshot (one that lost its
// unsynced tail in a machine crash, or a fresh directory beside old raft
// state) would otherwise miss the entries in between for good. A store
// at or past the snapshot is kept: the replay of the entries it already
// holds is skipped by Apply.
func (f *FSM) RestoreIfBehind(snaps raft.SnapshotStore) (restored bool, err error) {
	list, err := snaps.List()
	if err != nil {
		return false, err
	}
	if len(list) == 0 {
		return false, nil
	}
	// List gives the newest first; raft itself takes the newest.
	id := list[0].ID
	_, rc, err := snaps.Open(id)
	if err != nil {
		return false, fmt.Errorf("raftfsm: opening snapshot %s: %w", id, err)
	}
	meta, err := readSnapshotMeta(tar.NewReader(rc))
	rc.Close()
	if err != nil {
		return false, fmt.Errorf("raftfsm: snapshot %s: %w", id, err)
	}
	if meta.Applied.Index <= f.Applied().Index {
		return false, nil
	}
	_, rc, err = snaps.Open(id)
	if err != nil {
		return false, fmt.Errorf("raftfsm: opening snapshot %s: %w", id, err)
	}
	if err := f.Restore(rc); err != nil {
		return false, err
	}
	return true, nil
}

// NewRaft starts raft over the FSM: raft.NewRaft with
// NoSnapshotRestoreOnStart forced on, after RestoreIfBehind.
func NewRaft(conf *raft.Config, f *FSM, logs raft.LogStore, stable raft.StableStore,
	snaps raft.SnapshotStore, trans raft.Transport) (*raft.Raft, error) {
	c := *conf
	c.NoSnapshotRestoreOnStart = true
	if _, err := f.RestoreIfBehind(snaps); err != nil {
		return nil, err
	}
	return raft.NewRaft(&c, f, logs, stable, snaps, trans)
}

// ErrNoResult: an applied entry's response was not a *Result (the entry
// was not a command of this package's FSM).
var ErrNoResult = errors.New("raftfsm: no result")

// ApplyCommand encodes c, applies it through r (the leader) and waits:
// the error is raft's (not the leader, timeout, shutdown: the command may
// or may not take effect later) or else the command's (Result.Err).
func ApplyCommand(r *raft.Raft, c *Command, timeout time.Duration) (*Result, error) {
	b, err := c.Encode()
	if err != nil {
		return nil, err
	}
	return ApplyEncoded(r, b, timeout)
}

// ErrNoAnswer: raft took the entry but did not answer within
// ApplyAnswerLimit after the enqueue timeout. hashicorp/raft can leave an
// entry's future unanswered for good: one committed and queued for its
// FSM when the node shuts down is neither applied nor failed. The entry
// may or may not take effect; treat it as not acknowledged.
var ErrNoAnswer = errors.New("raftfsm: no answer from raft in time (the entry may or may not take effect)")

// ApplyAnswerLimit bounds how long ApplyCommand and ApplyEncoded wait for
// an entry's answer once the enqueue timeout has passed.
var ApplyAnswerLimit = 30 * time.Second

// ApplyEncoded is ApplyCommand of an encoded command.
func ApplyEncoded(r *raft.Raft, b []byte, timeout time.Duration) (*Result, error) {
	fut := r.Apply(b, timeout)
	answer := make(chan error, 1)
	go func() { answer <- fut.Error() }()
	var err error
	select {
	case err = <-answer:
	case <-time.After(timeout + ApplyAnswerLimit):
		return nil, ErrNoAnswer
	}
	if err != nil {
		return nil, err
	}
	res, ok := fut.Response().(*Result)
	if !ok || res == nil {
		return nil, ErrNoResult
	}
	return res, res.Err
}

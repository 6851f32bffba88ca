// Package raftfsm replicates a metakv store with hashicorp/raft: FSM is a
// raft.FSM whose state is one metakv.Store.
//
// # Commands
//
// A log entry is a Command, encoded by Command.Encode: a version byte
// (CommandVersion), an operation byte, then the operation's fields, as
// uvarint lengths and numbers. Decode checks the version, every length
// against what is left, the operation's fields (reserved domain and
// tenant, import file names that stay inside their directory) and that
// nothing trails: bad input gives an error matching ErrBadCommand, never a
// panic. The operations: put, delete, undelete, hard delete, an atomic
// batch of those, remove tree, remove tenant, import tenant (the files of
// Store.ExportTenant, carried in the entry), and for moving a tenant
// between groups: fence (writes refused with a *MovedError naming the
// group the tenant moved to), expect (writes refused with a
// *MovingInError until the import), unfence. The fences and marks are
// records of the FSM's own domain (SystemDomain, tenant SystemTenant), so
// they are replicated, snapshotted and written atomically with the applied
// index like everything else.
//
// # Apply and the applied index
//
// Apply writes each command in one atomic write carrying
// WriteOptions.Applied = {log.Term, log.Index}: the store's applied index
// travels with its data. The write is not synced (Sync false): the raft
// log is durable (raft-boltdb syncs every append), so a write the store
// loses in a machine crash is still in the log. After any crash the store
// reopens at its own applied index, consistent with its data, and raft
// replays the entries after it: Apply skips every entry at or below the
// store's applied index (Result.Skipped), so nothing is ever applied
// twice, whether the store kept more or less than raft thinks.
//
// A command that fails (a Delete of a record that is not live:
// ErrNotFound; a write to a fenced tenant) has no effect: Apply records
// its index alone (an empty batch with Applied) and returns the error as
// the response (Result.Err). Such errors are deterministic: every replica
// gets the same one. An error that is not (an I/O error of this node's
// store) would make the replicas diverge if answered: Apply panics
// instead, stopping the node, which replays from its applied index on
// restart.
//
// Known limit: write times, TTL expiries and delete times are stamped by
// each replica's clock when it applies the entry, so they differ between
// replicas by the replication lag; so may, near an expiry, whether a
// command finds a record expired.
//
// FSM does not implement raft.BatchingFSM. Applying a run of entries as
// one metakv batch would save one RocksDB write per entry, but a metakv
// batch is all or nothing (a failed Delete fails the whole batch), so each
// failure would mean redoing the run entry by entry, and every entry still
// needs its own result and fence check. It would not pay: Apply costs
// about 15 µs an entry (BenchmarkApply: decode, one unsynced write), while
// the group spends 0.5 to 3 ms on each (BenchmarkGroupPut: a synced bolt
// append on every node and a network round trip, shared by the entries
// raft groups into one append). Clients that want fewer entries send
// OpBatch commands.
//
// # Snapshots
//
// Snapshot takes a Store.Checkpoint (hard links: cheap) into a directory
// of its own; Persist streams it to raft's sink as a tar archive, a JSON
// header (format, applied index, file count and bytes) first; Release
// removes the directory. Restore extracts a stream into a new store
// directory (files synced), opens it, checks its applied index against the
// header, then, holding the FSM's lock, points DIR/current at it (a
// symbolic link replaced by rename: atomic) and swaps the handle; the old
// store is closed and removed. Readers (View, Get) hold the lock for
// reading, so no read ever touches a closed store.
//
// # Starting
//
// Config and NewRaft set raft's NoSnapshotRestoreOnStart: a restarting node
// keeps its store rather than restoring a snapshot into it. With it raft
// takes the newest snapshot's index as applied without calling Restore,
// and replays only the entries after it. A store behind that snapshot
// (a machine crash lost its unsynced tail, or the store directory was
// lost beside the raft state) would then miss the entries in between for
// good: NewRaft first calls RestoreIfBehind, which restores the snapshot
// when its applied index is above the store's. A store at or past it is
// kept, and Apply skips what raft replays of it.
//
// # Reads
//
// View and Get read the local store: fast, possibly stale (a follower, or
// a deposed leader). For a linearizable read call raft.Barrier on the
// leader first (it returns once every entry committed before it is
// applied here, and fails if this node is not the leader), then read.
//
// # Moving a tenant
//
// MoveTenant moves a tenant between two groups with writers running:
// expect at the destination, fence at the source, export at the source's
// leader after a barrier, import at the destination (replicated), remove
// at the source. See its doc for the steps and what a failure leaves.
package raftfsm

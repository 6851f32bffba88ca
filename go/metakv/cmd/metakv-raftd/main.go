// Command metakv-raftd is an example service (not the product): one node
// of a raft group replicating a metakv store (package metakv/raftfsm),
// with an HTTP/JSON API, all on 127.0.0.1.
//
//	metakv-raftd serve -id n1 -group g1 -dir /tmp/n1 \
//	    -raft 127.0.0.1:7001 -http 127.0.0.1:8001 -bootstrap \
//	    -peers n1=127.0.0.1:7001=127.0.0.1:8001,n2=...,n3=...
//
// Raft runs over raft.NewTCPTransport, its log and stable store in
// raft-boltdb (DIR/raft.db), its snapshots in DIR/snapshots, the store in
// DIR/fsm. -peers lists every node of the group (id=raft=http); -bootstrap
// makes a node without raft state bootstrap the group with them (give it
// to every node of a new group: the configurations are identical).
//
// The API (JSON; keys and values are strings):
//
//	GET  /v1/status
//	POST /v1/put          {"domain","tenant","key","value","ttl_s"}
//	POST /v1/delete, /v1/undelete, /v1/hard-delete {"domain","tenant","key"}
//	POST /v1/batch        {"ops":[{"op":"put",...},...]}
//	POST /v1/remove-tree  {"tenant","prefixes":[{"domain","prefix"}],"hard"}
//	POST /v1/remove-tenant {"tenant"}
//	GET  /v1/get?domain=&tenant=&key=[&stale=1]
//	GET  /v1/scan?domain=&tenant=[&prefix=][&limit=][&stale=1]
//	POST /v1/fence        {"tenant","group","addrs"}
//	POST /v1/unfence      {"tenant"}
//	POST /v1/expect       {"tenant","group"}
//	POST /v1/export       {"tenant"}  -> an encoded import command (binary)
//	POST /v1/command      an encoded raftfsm.Command (binary; /v1/import too)
//
// Writes go through the leader: a follower forwards the request to the
// leader's HTTP address and answers with its response (header
// X-Metakv-Forwarded-To names the leader); with ?redirect=1 it answers 307
// with the leader's URL instead. Reads are linearizable by default (a
// follower forwards them; the leader runs a raft barrier first); ?stale=1
// reads the local store. A write to a moved tenant answers 409 with code
// "moved", the group and its addresses; one to a tenant moving in, 503
// with code "moving_in" (retry).
//
// Other subcommands: move-tenant (moves a tenant between two groups),
// load (writers that record what was acknowledged), check (verifies every
// acknowledged write on every node). Run one with -h for its flags.
package main

import (
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	if strings.HasPrefix(cmd, "-") {
		cmd, args = "serve", os.Args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "move-tenant":
		err = moveTenant(args)
	case "load":
		err = load(args)
	case "check":
		err = check(args)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "metakv-raftd "+cmd+":", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: metakv-raftd serve|move-tenant|load|check [flags] (-h for the flags)")
	os.Exit(2)
}

// loopback checks that addr is 127.0.0.1:port: the service never listens
// or dials elsewhere.
func loopback(what, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: %v", what, addr, err)
	}
	if host != "127.0.0.1" {
		return fmt.Errorf("%s %q: only 127.0.0.1 is allowed", what, addr)
	}
	if port == "" || port == "0" {
		return fmt.Errorf("%s %q: give a port", what, addr)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

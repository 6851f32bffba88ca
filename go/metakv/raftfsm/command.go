package raftfsm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"metakv"
)

// CommandVersion is the version byte every encoded command starts with.
// Decode refuses any other version: a node never guesses at an entry it
// does not understand (it answers with an error and records the index).
const CommandVersion = 1

// Op is the operation of a Command.
type Op uint8

// The operations.
const (
	// Key operations of one record (Domain, Tenant, Key).
	OpPut        Op = 1 // Value, TTL
	OpDelete     Op = 2 // logical: ErrNotFound if no live record
	OpUndelete   Op = 3
	OpHardDelete Op = 4
	// OpBatch: Ops (each a key operation), applied atomically: one failing
	// operation fails the whole batch (metakv.Batch's semantics).
	OpBatch Op = 5
	// OpRemoveTree: Tenant, Prefixes, Hard.
	OpRemoveTree Op = 6
	// OpRemoveTenant: Tenant. Allowed on a fenced tenant (it ends a move).
	OpRemoveTenant Op = 7
	// OpImportTenant: Tenant, Files (an ExportTenant directory). Only into
	// a tenant an OpExpectTenant marked as moving in; clears the mark.
	OpImportTenant Op = 8
	// OpFence: Tenant, Group, Addrs. Every later write to the tenant is
	// refused with a *MovedError naming Group (the tenant moved there).
	OpFence Op = 9
	// OpUnfence: Tenant. Drops the tenant's fence and moving-in mark (ends
	// or abandons a move).
	OpUnfence Op = 10
	// OpExpectTenant: Tenant, Group (the source). Marks the tenant as moving
	// in: writes are refused (*MovingInError, retry later) until the
	// import. ErrTenantPresent if the tenant already has records here.
	// Drops a fence the tenant has here (it is moving back).
	OpExpectTenant Op = 11

	opMax = OpExpectTenant
)

var opNames = [...]string{"", "put", "delete", "undelete", "hard-delete", "batch",
	"remove-tree", "remove-tenant", "import-tenant", "fence", "unfence", "expect-tenant"}

func (o Op) String() string {
	if o >= 1 && o <= opMax {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

func (o Op) isKeyOp() bool { return o >= OpPut && o <= OpHardDelete }

// KeyOp is one key operation: alone (a Command) or in an OpBatch.
type KeyOp struct {
	Op     Op // OpPut, OpDelete, OpUndelete or OpHardDelete
	Domain string
	Tenant string
	Key    []byte
	Value  []byte        // OpPut
	TTL    time.Duration // OpPut; whole seconds (0: the domain's default)
}

// File is one file of an exported tenant, by its path relative to the
// export directory.
type File struct {
	Name string
	Data []byte
}

// Command is one entry of the replicated log. Encode it with Encode; the
// FSM decodes it with Decode.
type Command struct {
	Op Op
	// OpPut .. OpHardDelete.
	KeyOp
	// OpBatch.
	Ops []KeyOp
	// OpRemoveTree.
	Prefixes []metakv.PrefixRef
	Hard     bool
	// OpFence: the destination group and its (HTTP) addresses, a hint for
	// writers; OpExpectTenant: the source group.
	Group string
	Addrs []string
	// OpImportTenant.
	Files []File
}

// Limits checked by Decode (and Encode).
const (
	maxFieldBytes = 1 << 30
	maxOps        = 1 << 20
	maxFiles      = 1 << 16
)

// ErrBadCommand is the error (the response of Apply) for an entry that
// does not decode or is not valid.
var ErrBadCommand = errors.New("raftfsm: bad command")

func badf(format string, args ...interface{}) error {
	return fmt.Errorf("%w: "+format, append([]interface{}{ErrBadCommand}, args...)...)
}

// Put, Delete, ... build commands.
func Put(domain, tenant string, key, value []byte) *Command {
	return &Command{Op: OpPut, KeyOp: KeyOp{Op: OpPut, Domain: domain, Tenant: tenant, Key: key, Value: value}}
}

func keyCmd(op Op, domain, tenant string, key []byte) *Command {
	return &Command{Op: op, KeyOp: KeyOp{Op: op, Domain: domain, Tenant: tenant, Key: key}}
}

// Delete is a logical delete.
func Delete(domain, tenant string, key []byte) *Command { return keyCmd(OpDelete, domain, tenant, key) }

// Undelete restores a logically deleted record.
func Undelete(domain, tenant string, key []byte) *Command {
	return keyCmd(OpUndelete, domain, tenant, key)
}

// HardDelete removes a record at once.
func HardDelete(domain, tenant string, key []byte) *Command {
	return keyCmd(OpHardDelete, domain, tenant, key)
}

// Batch applies ops atomically.
func Batch(ops ...KeyOp) *Command { return &Command{Op: OpBatch, Ops: ops} }

// RemoveTree removes the tenant's records under the prefixes.
func RemoveTree(tenant string, prefixes []metakv.PrefixRef, hard bool) *Command {
	return &Command{Op: OpRemoveTree, KeyOp: KeyOp{Tenant: tenant}, Prefixes: prefixes, Hard: hard}
}

// RemoveTenant removes every record of the tenant.
func RemoveTenant(tenant string) *Command {
	return &Command{Op: OpRemoveTenant, KeyOp: KeyOp{Tenant: tenant}}
}

// ImportTenant imports an exported tenant (see FSM.ExportTenant).
func ImportTenant(tenant string, files []File) *Command {
	return &Command{Op: OpImportTenant, KeyOp: KeyOp{Tenant: tenant}, Files: files}
}

// Fence refuses later writes to tenant: it moved to group.
func Fence(tenant, group string, addrs []string) *Command {
	return &Command{Op: OpFence, KeyOp: KeyOp{Tenant: tenant}, Group: group, Addrs: addrs}
}

// Unfence drops the tenant's fence and moving-in mark.
func Unfence(tenant string) *Command { return &Command{Op: OpUnfence, KeyOp: KeyOp{Tenant: tenant}} }

// ExpectTenant marks tenant as moving in from group.
func ExpectTenant(tenant, fromGroup string) *Command {
	return &Command{Op: OpExpectTenant, KeyOp: KeyOp{Tenant: tenant}, Group: fromGroup}
}

// Tenants returns the user tenants the command writes (for fences).
func (c *Command) Tenants() []string {
	if c.Op == OpBatch {
		ts := make([]string, 0, len(c.Ops))
		for i := range c.Ops {
			ts = append(ts, c.Ops[i].Tenant)
		}
		return ts
	}
	return []string{c.Tenant}
}

// --- encoding ---------------------------------------------------------
//
// version:u8 op:u8, then per op (str = uvarint length + bytes, num =
// uvarint):
//   key op:         domain tenant key [value ttl_seconds]  (value, ttl: put)
//   batch:          n, then n x (op:u8 + key op)
//   remove-tree:    tenant hard:u8 n, then n x (domain prefix)
//   remove-tenant:  tenant
//   import-tenant:  tenant n, then n x (name data)
//   fence:          tenant group n, then n x addr
//   unfence:        tenant
//   expect-tenant:  tenant group

type encoder struct{ b []byte }

func (e *encoder) u8(v byte)      { e.b = append(e.b, v) }
func (e *encoder) num(v uint64)   { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) bytes(v []byte) { e.num(uint64(len(v))); e.b = append(e.b, v...) }
func (e *encoder) str(v string)   { e.num(uint64(len(v))); e.b = append(e.b, v...) }
func (e *encoder) flag(v bool)    { e.u8(boolByte(v)) }
func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
func (e *encoder) keyOp(k *KeyOp) {
	e.str(k.Domain)
	e.str(k.Tenant)
	e.bytes(k.Key)
	if k.Op == OpPut {
		e.bytes(k.Value)
		e.num(ttlSeconds(k.TTL))
	}
}

func ttlSeconds(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64((d + time.Second - 1) / time.Second)
}

// Encode validates c and returns its encoding.
func (c *Command) Encode() ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	e := &encoder{b: make([]byte, 0, 64+c.sizeHint())}
	e.u8(CommandVersion)
	e.u8(byte(c.Op))
	switch {
	case c.Op.isKeyOp():
		k := c.KeyOp
		k.Op = c.Op
		e.keyOp(&k)
	case c.Op == OpBatch:
		e.num(uint64(len(c.Ops)))
		for i := range c.Ops {
			e.u8(byte(c.Ops[i].Op))
			e.keyOp(&c.Ops[i])
		}
	case c.Op == OpRemoveTree:
		e.str(c.Tenant)
		e.flag(c.Hard)
		e.num(uint64(len(c.Prefixes)))
		for _, p := range c.Prefixes {
			e.str(p.Domain)
			e.bytes(p.Prefix)
		}
	case c.Op == OpRemoveTenant, c.Op == OpUnfence:
		e.str(c.Tenant)
	case c.Op == OpImportTenant:
		e.str(c.Tenant)
		e.num(uint64(len(c.Files)))
		for _, f := range c.Files {
			e.str(f.Name)
			e.bytes(f.Data)
		}
	case c.Op == OpFence:
		e.str(c.Tenant)
		e.str(c.Group)
		e.num(uint64(len(c.Addrs)))
		for _, a := range c.Addrs {
			e.str(a)
		}
	case c.Op == OpExpectTenant:
		e.str(c.Tenant)
		e.str(c.Group)
	}
	return e.b, nil
}

// MustEncode is Encode for commands built by this package's constructors
// from valid arguments; it panics on an invalid command.
func (c *Command) MustEncode() []byte {
	b, err := c.Encode()
	if err != nil {
		panic(err)
	}
	return b
}

func (c *Command) sizeHint() int {
	n := len(c.Domain) + len(c.Tenant) + len(c.Key) + len(c.Value)
	for i := range c.Ops {
		n += 16 + len(c.Ops[i].Domain) + len(c.Ops[i].Tenant) + len(c.Ops[i].Key) + len(c.Ops[i].Value)
	}
	for _, f := range c.Files {
		n += 16 + len(f.Name) + len(f.Data)
	}
	return n
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...interface{}) {
	if d.err == nil {
		d.err = badf(format, args...)
	}
}

func (d *decoder) u8() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 1 {
		d.fail("truncated")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) num() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.num()
	if d.err != nil {
		return nil
	}
	if n > maxFieldBytes || n > uint64(len(d.b)) {
		d.fail("field of %d bytes past the end", n)
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) count(limit uint64) int {
	n := d.num()
	if d.err == nil && (n > limit || n > uint64(len(d.b))) {
		// Every element takes at least one byte.
		d.fail("count %d too large", n)
		return 0
	}
	return int(n)
}

func (d *decoder) flag() bool {
	v := d.u8()
	if v > 1 {
		d.fail("bad flag %d", v)
	}
	return v == 1
}

func (d *decoder) keyOp(op Op) KeyOp {
	k := KeyOp{Op: op, Domain: d.str(), Tenant: d.str(), Key: d.bytes()}
	if op == OpPut {
		k.Value = d.bytes()
		secs := d.num()
		if secs > uint64(1<<62/time.Second) {
			d.fail("ttl %d s too large", secs)
		}
		k.TTL = time.Duration(secs) * time.Second
	}
	return k
}

// Decode decodes and validates an encoded command. It never panics: any
// malformed input gives an error matching ErrBadCommand.
func Decode(b []byte) (*Command, error) {
	if len(b) < 2 {
		return nil, badf("%d bytes", len(b))
	}
	if b[0] != CommandVersion {
		return nil, badf("version %d (this node understands %d)", b[0], CommandVersion)
	}
	c := &Command{Op: Op(b[1])}
	d := &decoder{b: b[2:]}
	switch {
	case c.Op.isKeyOp():
		c.KeyOp = d.keyOp(c.Op)
	case c.Op == OpBatch:
		n := d.count(maxOps)
		c.Ops = make([]KeyOp, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			op := Op(d.u8())
			if d.err == nil && !op.isKeyOp() {
				d.fail("batch operation %d: %v", i, op)
			}
			c.Ops = append(c.Ops, d.keyOp(op))
		}
	case c.Op == OpRemoveTree:
		c.Tenant = d.str()
		c.Hard = d.flag()
		n := d.count(maxOps)
		for i := 0; i < n && d.err == nil; i++ {
			c.Prefixes = append(c.Prefixes, metakv.PrefixRef{Domain: d.str(), Prefix: d.bytes()})
		}
	case c.Op == OpRemoveTenant, c.Op == OpUnfence:
		c.Tenant = d.str()
	case c.Op == OpImportTenant:
		c.Tenant = d.str()
		n := d.count(maxFiles)
		for i := 0; i < n && d.err == nil; i++ {
			c.Files = append(c.Files, File{Name: d.str(), Data: d.bytes()})
		}
	case c.Op == OpFence:
		c.Tenant = d.str()
		c.Group = d.str()
		n := d.count(1024)
		for i := 0; i < n && d.err == nil; i++ {
			c.Addrs = append(c.Addrs, d.str())
		}
	case c.Op == OpExpectTenant:
		c.Tenant = d.str()
		c.Group = d.str()
	default:
		return nil, badf("unknown operation %d", b[1])
	}
	if d.err != nil {
		return nil, fmt.Errorf("%v: %w", c.Op, d.err)
	}
	if len(d.b) != 0 {
		return nil, badf("%v: %d trailing bytes", c.Op, len(d.b))
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// validate checks what the FSM relies on: user tenants and domains only
// (the FSM's own domain and tenant are reserved), safe file names.
func (c *Command) validate() error {
	checkKeyOp := func(k *KeyOp) error {
		if !k.Op.isKeyOp() {
			return badf("%v is not a key operation", k.Op)
		}
		if k.Domain == SystemDomain {
			return badf("domain %q is reserved", SystemDomain)
		}
		return checkTenant(k.Tenant)
	}
	switch {
	case c.Op.isKeyOp():
		k := c.KeyOp
		k.Op = c.Op
		return checkKeyOp(&k)
	case c.Op == OpBatch:
		if len(c.Ops) == 0 {
			return badf("empty batch")
		}
		for i := range c.Ops {
			if err := checkKeyOp(&c.Ops[i]); err != nil {
				return fmt.Errorf("batch operation %d: %w", i, err)
			}
		}
		return nil
	case c.Op == OpRemoveTree:
		if len(c.Prefixes) == 0 {
			return badf("remove-tree without prefixes")
		}
		for _, p := range c.Prefixes {
			if p.Domain == SystemDomain {
				return badf("domain %q is reserved", SystemDomain)
			}
		}
		return checkTenant(c.Tenant)
	case c.Op == OpRemoveTenant, c.Op == OpUnfence:
		return checkTenant(c.Tenant)
	case c.Op == OpImportTenant:
		if len(c.Files) == 0 {
			return badf("import without files")
		}
		seen := make(map[string]bool, len(c.Files))
		for _, f := range c.Files {
			if !localName(f.Name) {
				return badf("import file name %q", f.Name)
			}
			if seen[f.Name] {
				return badf("import file %q twice", f.Name)
			}
			seen[f.Name] = true
		}
		return checkTenant(c.Tenant)
	case c.Op == OpFence, c.Op == OpExpectTenant:
		if c.Group == "" {
			return badf("%v without a group", c.Op)
		}
		return checkTenant(c.Tenant)
	}
	return badf("unknown operation %d", uint8(c.Op))
}

func checkTenant(t string) error {
	if t == "" || len(t) > 255 {
		return badf("tenant of %d bytes", len(t))
	}
	if strings.HasPrefix(t, SystemTenant) {
		return badf("tenant %q is reserved", t)
	}
	return nil
}

// localName reports whether name is a relative, clean path with no ".."
// element (so that joining it to a directory stays inside it).
func localName(name string) bool {
	if name == "" || strings.ContainsRune(name, 0) || strings.Contains(name, `\`) {
		return false
	}
	if path.IsAbs(name) || path.Clean(name) != name {
		return false
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." || el == "." || el == "" {
			return false
		}
	}
	return true
}

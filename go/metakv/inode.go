package metakv

/*
#include <stdlib.h>
#include "metakv/c.h"
*/
import "C"

// The file-system model's domains (FileSystemDomains).
const (
	InodeDomain   = "inode"
	DentryDomain  = "dentry"
	HistoryDomain = "history"
)

// InodeAttributes is the file-system model's inode record
// (metakv::InodeAttributes). Times are nanoseconds since the epoch.
type InodeAttributes struct {
	Ino        uint64
	Mode       uint32 // type and permission bits, as st_mode
	UID        uint32
	GID        uint32
	Nlink      uint32
	Size       uint64
	Blocks     uint64
	AtimeNs    int64
	MtimeNs    int64
	CtimeNs    int64
	Generation uint64
	Flags      uint32
}

// EncodeInode returns the compact encoding of a (metakv::EncodeInode).
func EncodeInode(a InodeAttributes) []byte {
	c := C.metakv_inode_attributes_t{
		ino: C.uint64_t(a.Ino), mode: C.uint32_t(a.Mode), uid: C.uint32_t(a.UID),
		gid: C.uint32_t(a.GID), nlink: C.uint32_t(a.Nlink), size: C.uint64_t(a.Size),
		blocks: C.uint64_t(a.Blocks), atime_ns: C.int64_t(a.AtimeNs),
		mtime_ns: C.int64_t(a.MtimeNs), ctime_ns: C.int64_t(a.CtimeNs),
		generation: C.uint64_t(a.Generation), flags: C.uint32_t(a.Flags),
	}
	var n C.size_t
	p := C.metakv_inode_encode(&c, &n)
	return takeBytes(p, n)
}

// DecodeInode decodes a whole encoded inode; an error matching
// ErrCorruption, naming the field, for malformed input.
func DecodeInode(b []byte) (InodeAttributes, error) {
	var c C.metakv_inode_attributes_t
	var cerr *C.char
	C.metakv_inode_decode(bytesPtr(b), C.size_t(len(b)), &c, &cerr)
	if err := takeError(cerr); err != nil {
		return InodeAttributes{}, err
	}
	return InodeAttributes{
		Ino: uint64(c.ino), Mode: uint32(c.mode), UID: uint32(c.uid), GID: uint32(c.gid),
		Nlink: uint32(c.nlink), Size: uint64(c.size), Blocks: uint64(c.blocks),
		AtimeNs: int64(c.atime_ns), MtimeNs: int64(c.mtime_ns), CtimeNs: int64(c.ctime_ns),
		Generation: uint64(c.generation), Flags: uint32(c.flags),
	}, nil
}

package metakv_test

import (
	"fmt"
	"log"
	"os"

	"metakv"
)

// Example is the embedding example of the README, in Go: a directory
// entry and its inode written in one batch, deleted to the recycle bin and
// restored, the directory listed, and the inode read back.
func Example() {
	dir, err := os.MkdirTemp("", "metakv-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := metakv.Open(dir, metakv.Options{
		CreateIfMissing: true,
		Domains:         metakv.FileSystemDomains(), // inode, dentry, history
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// Create /docs/a.txt for tenant "acme": inode and directory entry in one batch.
	attrs := metakv.InodeAttributes{Ino: 42, Mode: 0100644, Size: 1234}
	batch := metakv.NewBatch()
	batch.Put(metakv.InodeDomain, "acme", []byte("ino/42"), metakv.EncodeInode(attrs))
	batch.Put(metakv.DentryDomain, "acme", []byte("/docs/a.txt"), []byte("42"))
	if err := store.Write(batch); err != nil {
		log.Fatal(err)
	}

	// Move it to the recycle bin, then restore it.
	if err := store.Delete(metakv.DentryDomain, "acme", []byte("/docs/a.txt")); err != nil {
		log.Fatal(err)
	}
	if err := store.Undelete(metakv.DentryDomain, "acme", []byte("/docs/a.txt")); err != nil {
		log.Fatal(err)
	}

	// List the tenant's /docs/ directory.
	it, err := store.NewIterator(metakv.DentryDomain, "acme", []byte("/docs/"))
	if err != nil {
		log.Fatal(err)
	}
	for it.Next() {
		fmt.Printf("%s -> inode %s\n", it.Key(), it.Value())
	}
	if err := it.Err(); err != nil {
		log.Fatal(err)
	}
	it.Close()

	value, err := store.Get(metakv.InodeDomain, "acme", []byte("ino/42"))
	if err != nil {
		log.Fatal(err)
	}
	readBack, err := metakv.DecodeInode(value)
	if err != nil || readBack != attrs {
		log.Fatalf("mismatch: %+v, %v", readBack, err)
	}
	if err := store.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("size of inode 42:", readBack.Size)
	// Output:
	// /docs/a.txt -> inode 42
	// size of inode 42: 1234
}

package raftfsm

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/hashicorp/raft"

	"metakv"
)

// The snapshot stream is a tar archive: first snapshotMetaName (JSON of
// snapshotMeta), then every file of a store checkpoint, by its path
// relative to the checkpoint's directory.
const (
	snapshotMetaName = "RAFTFSM-SNAPSHOT.json"
	snapshotFormat   = 1
)

type snapshotMeta struct {
	Format  int                 `json:"format"`
	Applied metakv.AppliedIndex `json:"applied"`
	Files   int                 `json:"files"`
	Bytes   int64               `json:"bytes"`
}

type fsmSnapshot struct {
	dir     string
	applied metakv.AppliedIndex
}

// Snapshot checkpoints the store into a directory of its own (hard links
// to its files: cheap), which Persist streams and Release removes. raft
// calls it between Applies, so the checkpoint's applied index is the
// FSM's.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	dir := filepath.Join(f.dir, fmt.Sprintf("snap-%d-%d", time.Now().UnixNano(), f.tmpSeq.Add(1)))
	var applied metakv.AppliedIndex
	err := f.View(func(s *metakv.Store) error {
		if err := s.Checkpoint(dir); err != nil {
			return err
		}
		var err error
		applied, err = s.AppliedIndex()
		return err
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("raftfsm: snapshot: %w", err)
	}
	return &fsmSnapshot{dir: dir, applied: applied}, nil
}

// regularFiles lists the files under dir by their paths relative to dir,
// slash-separated, in filepath.Walk's order (lexical, directory by
// directory), and their total size. Anything under dir that is neither a
// directory nor a regular file is an error. It reads the checkpoints that
// snapshots stream (fsmSnapshot.write) and the tenant exports
// (FSM.ExportTenant).
func regularFiles(dir string) (names []string, total int64, err error) {
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		total += fi.Size()
		return nil
	})
	return names, total, err
}

// Persist writes the snapshot to the sink as a tar stream.
func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if err := s.write(sink); err != nil {
		sink.Cancel()
		return fmt.Errorf("raftfsm: persist: %w", err)
	}
	return sink.Close()
}

func (s *fsmSnapshot) write(w io.Writer) error {
	names, total, err := regularFiles(s.dir)
	if err != nil {
		return err
	}
	sort.Strings(names)
	meta, _ := json.Marshal(snapshotMeta{Format: snapshotFormat, Applied: s.applied, Files: len(names), Bytes: total})
	tw := tar.NewWriter(w)
	if err := tw.WriteHeader(&tar.Header{Name: snapshotMetaName, Mode: 0o644, Size: int64(len(meta)),
		Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return err
	}
	if _, err := tw.Write(meta); err != nil {
		return err
	}
	for _, name := range names {
		if err := addFile(tw, filepath.Join(s.dir, filepath.FromSlash(name)), name); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, path, name string) error {
	fl, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fl.Close()
	fi, err := fl.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: fi.Size(),
		Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return err
	}
	n, err := io.Copy(tw, fl)
	if err == nil && n != fi.Size() {
		err = fmt.Errorf("%s changed size while persisted", path)
	}
	return err
}

// Release removes the checkpoint.
func (s *fsmSnapshot) Release() { os.RemoveAll(s.dir) }

// readSnapshotMeta reads the first entry of a snapshot stream.
func readSnapshotMeta(tr *tar.Reader) (snapshotMeta, error) {
	var meta snapshotMeta
	h, err := tr.Next()
	if err != nil {
		return meta, fmt.Errorf("reading the snapshot's header: %w", err)
	}
	if h.Name != snapshotMetaName || h.Size > 1<<20 {
		return meta, fmt.Errorf("the snapshot starts with %q, not %s", h.Name, snapshotMetaName)
	}
	b, err := io.ReadAll(tr)
	if err != nil {
		return meta, err
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return meta, fmt.Errorf("%s: %w", snapshotMetaName, err)
	}
	if meta.Format != snapshotFormat {
		return meta, fmt.Errorf("snapshot format %d (this node reads %d)", meta.Format, snapshotFormat)
	}
	return meta, nil
}

// extractSnapshot writes the files of a snapshot stream into dir (which it
// creates), each synced, and checks them against the header.
func extractSnapshot(r io.Reader, dir string) (snapshotMeta, error) {
	tr := tar.NewReader(r)
	meta, err := readSnapshotMeta(tr)
	if err != nil {
		return meta, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return meta, err
	}
	files, total := 0, int64(0)
	dirs := map[string]bool{dir: true}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return meta, err
		}
		if h.Typeflag != tar.TypeReg || !localName(h.Name) {
			return meta, fmt.Errorf("bad snapshot entry %q (type %c)", h.Name, h.Typeflag)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return meta, err
		}
		dirs[filepath.Dir(p)] = true
		if err := writeSynced(p, tr, h.Size); err != nil {
			return meta, err
		}
		files++
		total += h.Size
	}
	if files != meta.Files || total != meta.Bytes {
		return meta, fmt.Errorf("snapshot holds %d files, %d bytes; its header says %d, %d",
			files, total, meta.Files, meta.Bytes)
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return meta, err
		}
	}
	return meta, nil
}

func writeSynced(path string, r io.Reader, size int64) error {
	fl, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	n, err := io.Copy(fl, r)
	if err == nil && n != size {
		err = io.ErrUnexpectedEOF
	}
	if err == nil {
		err = fl.Sync()
	}
	if cerr := fl.Close(); err == nil {
		err = cerr
	}
	return err
}

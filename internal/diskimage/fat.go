package diskimage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// The kernel this project is built on cannot mount vfat. A FAT partition
// listed in fstab is then stood in for by a tmpfs filled from the FAT with
// mtools; on Close the differences are written back with mtools. The
// manifest taken at fill time tells what changed.

// mtoolsEnv stops mtools from refusing file systems whose geometry it
// finds odd (mtools(5), MTOOLS_SKIP_CHECK).
var mtoolsEnv = []string{"MTOOLS_SKIP_CHECK=1"}

// fileState is what the write-back compares: kind, size and content hash.
type fileState struct {
	Dir  bool
	Size int64
	Sum  [sha256.Size]byte
}

// manifest maps slash-separated paths relative to the FAT root to state.
type manifest map[string]fileState

// fatShadow is a tmpfs at a FAT's mount point holding a copy of the FAT.
type fatShadow struct {
	dev    string // the FAT partition, /dev/loopNpM
	target string // mount point inside the image
	before manifest
	synced bool
}

// fillFATShadow copies the FAT on dev into dir (the fresh tmpfs) and
// returns what it copied. mcopy can only create what FAT holds (files
// and directories), so nothing it writes can point outside dir.
func fillFATShadow(ctx context.Context, r execx.Runner, dev, dir string) (manifest, error) {
	var list strings.Builder
	if err := r.Run(ctx, execx.Cmd{Argv: []string{"mdir", "-b", "-i", dev, "::/"}, Env: mtoolsEnv, Stdout: &list}); err != nil {
		return nil, fmt.Errorf("list FAT file system on %s: %w", dev, err)
	}
	if strings.TrimSpace(list.String()) != "" { // mcopy fails on "::/*" of an empty FAT
		argv := []string{"mcopy", "-s", "-p", "-m", "-n", "-i", dev, "::/*", dir + "/"}
		if err := r.Run(ctx, execx.Cmd{Argv: argv, Env: mtoolsEnv}); err != nil {
			return nil, fmt.Errorf("copy FAT file system on %s into %s: %w", dev, dir, err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open FAT copy %s: %w", dir, err)
	}
	defer root.Close()
	return scanTree(root, nil)
}

// scanTree walks root without following symlinks. FAT cannot store
// anything but files and directories, so anything else is an error naming
// the path. When copyTo is set, files listed in it are also copied there.
func scanTree(root *os.Root, copyTo func(rel string, f *os.File) error) (manifest, error) {
	m := manifest{}
	err := fs.WalkDir(root.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		switch {
		case d.IsDir():
			m[rel] = fileState{Dir: true}
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is a %s; a FAT file system holds only files and directories", rel, d.Type())
		}
		f, err := root.OpenFile(rel, os.O_RDONLY|unix.O_NOFOLLOW, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return fmt.Errorf("read %s: %w", rel, err)
		}
		st := fileState{Size: n}
		copy(st.Sum[:], h.Sum(nil))
		m[rel] = st
		if copyTo != nil {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return err
			}
			return copyTo(rel, f)
		}
		return nil
	})
	return m, err
}

// planFATSync returns the mtools commands that turn the FAT on dev (whose
// content was before) into after, reading new file content from staging.
// Deletions come first so that a name that changed case or kind can be
// recreated; directories are created parents first.
func planFATSync(dev, staging string, before, after manifest) [][]string {
	fat := func(rel string) string { return "::/" + rel }
	var argv [][]string
	var removedDirs []string
	for _, rel := range slices.Sorted(maps.Keys(before)) {
		b := before[rel]
		if a, ok := after[rel]; ok && a.Dir == b.Dir {
			continue
		}
		if underAny(rel, removedDirs) {
			continue
		}
		if b.Dir {
			removedDirs = append(removedDirs, rel)
			argv = append(argv, []string{"mdeltree", "-i", dev, fat(rel)})
		} else {
			argv = append(argv, []string{"mdel", "-i", dev, fat(rel)})
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(after)) {
		a := after[rel]
		b, had := before[rel]
		switch {
		case a.Dir && (!had || !b.Dir):
			argv = append(argv, []string{"mmd", "-i", dev, fat(rel)})
		case !a.Dir && (!had || b != a):
			argv = append(argv, []string{"mcopy", "-o", "-m", "-i", dev, filepath.Join(staging, filepath.FromSlash(rel)), fat(rel)})
		}
	}
	return argv
}

func underAny(rel string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}

// syncFAT writes the changes made in the tmpfs at dir back to the FAT and
// checks the result with fsck.fat. The files are first copied to a private
// staging directory so that mtools only ever reads paths this package
// created, never a path the image could have turned into a symlink.
func (s *fatShadow) sync(ctx context.Context, r execx.Runner, dir *os.Root, logf func(string, ...any)) error {
	staging, err := os.MkdirTemp("", "imagecustomizer-fat-")
	if err != nil {
		return fmt.Errorf("write %s back to %s: %w", s.target, s.dev, err)
	}
	defer os.RemoveAll(staging)
	after, err := scanTree(dir, func(rel string, f *os.File) error {
		dst := filepath.Join(staging, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, f)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			if fi, serr := f.Stat(); serr == nil {
				err = os.Chtimes(dst, fi.ModTime(), fi.ModTime()) // mcopy -m keeps it
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s back to the FAT file system on %s: %w", s.target, s.dev, err)
	}
	ops := planFATSync(s.dev, staging, s.before, after)
	for _, argv := range ops {
		if err := r.Run(ctx, execx.Cmd{Argv: argv, Env: mtoolsEnv}); err != nil {
			return fmt.Errorf("write %s back to the FAT file system on %s: %w", s.target, s.dev, err)
		}
	}
	if len(ops) > 0 {
		logf("diskimage: wrote %d change(s) under %s back to the FAT file system on %s", len(ops), s.target, s.dev)
	}
	if err := execx.Run(ctx, r, "fsck.fat", "-n", s.dev); err != nil {
		return fmt.Errorf("check FAT file system on %s after writing %s back: %w", s.dev, s.target, err)
	}
	return nil
}

// isNoFSType tells whether mount(2) failed because the kernel lacks the
// file system driver.
func isNoFSType(err error) bool { return errors.Is(err, unix.ENODEV) }

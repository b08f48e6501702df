package imagecustomizer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	"golang.org/x/sys/unix"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// backupSuffix names the image's own file while a host copy stands in for it.
const backupSuffix = ".packer-imagecustomizer-orig"

// stepCopyFiles puts host files (copy_files, /etc/resolv.conf by default) into the image for
// the provisioners and puts the image's own file back afterwards, whether it was a file, a
// symlink (systemd-resolved's, even dangling) or absent. Every path is opened through a
// directory descriptor resolved inside the image, so the image's symlinks cannot redirect
// the copy onto the host.
//
// Consumes: mount_path. Holds a releaser (stepstate.Hold) that restores the image early.
type stepCopyFiles struct {
	root   string // mount_path
	placed []placedFile
}

type placedFile struct {
	dir      string // directory inside the image
	name     string
	backedUp bool
}

func (s *stepCopyFiles) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	cfg, err := stepstate.Get[*Config](state, keyConfig)
	if err != nil {
		return halt(state, err)
	}
	ui := getUI(state)
	root := getString(state, keyMountPath)
	s.root = root
	stepstate.Hold(state, s)
	for i, src := range cfg.CopyFiles {
		placed, err := placeHostFile(root, src)
		if errors.Is(err, errSkipCopy) {
			ui.Sayf("Not copying %s: %v", src, err)
			continue
		}
		if err != nil {
			return halt(state, fmt.Errorf("copy_files[%d] %q: %w", i, src, err))
		}
		s.placed = append(s.placed, placed)
	}
	return multistep.ActionContinue
}

var errSkipCopy = errors.New("skipped")

func placeHostFile(root, src string) (placedFile, error) {
	in, err := os.Open(src)
	if errors.Is(err, os.ErrNotExist) {
		return placedFile{}, fmt.Errorf("%w: the host has no such file", errSkipCopy)
	}
	if err != nil {
		return placedFile{}, err
	}
	defer in.Close()
	p := placedFile{dir: filepath.Dir(src), name: filepath.Base(src)}
	dir, err := rootfs.OpenInRoot(root, p.dir, unix.O_PATH|unix.O_DIRECTORY)
	if errors.Is(err, os.ErrNotExist) {
		return placedFile{}, fmt.Errorf("%w: the image has no directory %s", errSkipCopy, p.dir)
	}
	if err != nil {
		return placedFile{}, fmt.Errorf("open %s inside the image: %w", p.dir, err)
	}
	defer dir.Close()
	fd := int(dir.Fd())
	var st unix.Stat_t
	switch err := unix.Fstatat(fd, p.name, &st, unix.AT_SYMLINK_NOFOLLOW); {
	case err == nil:
		if err := unix.Renameat(fd, p.name, fd, p.name+backupSuffix); err != nil {
			return placedFile{}, fmt.Errorf("set the image's own %s aside: %w", src, err)
		}
		p.backedUp = true
	case !errors.Is(err, unix.ENOENT):
		return placedFile{}, fmt.Errorf("stat the image's %s: %w", src, err)
	}
	outFd, err := unix.Openat(fd, p.name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		restore(fd, p)
		return placedFile{}, fmt.Errorf("create %s in the image: %w", src, err)
	}
	out := os.NewFile(uintptr(outFd), src)
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = unix.Unlinkat(fd, p.name, 0)
		restore(fd, p)
		return placedFile{}, fmt.Errorf("write %s into the image: %w", src, err)
	}
	return p, nil
}

func restore(dirFd int, p placedFile) error {
	if !p.backedUp {
		return nil
	}
	return unix.Renameat(dirFd, p.name+backupSuffix, dirFd, p.name)
}

func (s *stepCopyFiles) Cleanup(state multistep.StateBag) {
	if err := s.Release(); err != nil {
		getUI(state).Error(err.Error())
	}
}

// Release removes the host copies and restores the image's own files, newest first;
// safe to call more than once.
func (s *stepCopyFiles) Release() error {
	root := s.root
	var errs []error
	for i := len(s.placed) - 1; i >= 0; i-- {
		p := s.placed[i]
		dir, err := rootfs.OpenInRoot(root, p.dir, unix.O_PATH|unix.O_DIRECTORY)
		if err != nil {
			errs = append(errs, fmt.Errorf("restore %s/%s: %w", p.dir, p.name, err))
			continue
		}
		fd := int(dir.Fd())
		if err := unix.Unlinkat(fd, p.name, 0); err != nil && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("remove the host copy of %s/%s: %w", p.dir, p.name, err))
		}
		if err := restore(fd, p); err != nil {
			errs = append(errs, fmt.Errorf("restore the image's own %s/%s: %w", p.dir, p.name, err))
		}
		dir.Close()
	}
	s.placed = nil
	return errors.Join(errs...)
}

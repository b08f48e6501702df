package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// Images are the reference disk images made by test/images/build.sh.
// Treat them as read-only: they are shared by every test and every run.
type Images struct {
	// Dir is the cache directory holding them.
	Dir string
	// GPT with an ESP (/boot/efi) and an ext4 root, in four formats.
	EFIRaw, EFIQcow2, EFIVhd, EFIVhdx string
	// The same plus a separate ext4 /boot partition.
	BootPartRaw, BootPartQcow2 string
}

// imagesIn names the images inside a build.sh cache directory.
func imagesIn(dir string) Images {
	p := func(name string) string { return filepath.Join(dir, name) }
	return Images{
		Dir:    dir,
		EFIRaw: p("base-efi.raw"), EFIQcow2: p("base-efi.qcow2"),
		EFIVhd: p("base-efi.vhd"), EFIVhdx: p("base-efi.vhdx"),
		BootPartRaw: p("base-bootpart.raw"), BootPartQcow2: p("base-bootpart.qcow2"),
	}
}

// imageBuildTimeout bounds build.sh; a cold build measured ~1.5 min here, and
// a slow mirror or a busy host can stretch it a lot.
const imageBuildTimeout = 30 * time.Minute

var images struct {
	once sync.Once
	imgs Images
	err  error
}

// ReferenceImages returns the reference images, running test/images/build.sh
// once per test process (it exits in well under a second when its cache is
// complete). Build output streams to the log of the first caller.
func ReferenceImages(t testing.TB) Images {
	t.Helper()
	RequireRoot(t)
	RequireLoop(t)
	RequireTool(t, "debootstrap", "sfdisk", "losetup", "partx", "mkfs.ext4", "mkfs.vfat",
		"mmd", "mcopy", "qemu-img", "blkid", "flock")
	images.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), imageBuildTimeout)
		defer cancel()
		images.imgs, images.err = BuildReferenceImages(ctx, t.Logf)
	})
	if images.err != nil {
		t.Fatal(images.err)
	}
	return images.imgs
}

// BuildReferenceImages runs test/images/build.sh and returns its images.
func BuildReferenceImages(ctx context.Context, logf func(string, ...any)) (Images, error) {
	root, err := RepoRoot()
	if err != nil {
		return Images{}, err
	}
	script := filepath.Join(root, "test", "images", "build.sh")
	start := time.Now()
	out, err := execx.Output(ctx, &execx.Real{Logf: logf, TailLines: 40}, script)
	if err != nil {
		return Images{}, fmt.Errorf("build reference images: %w", err)
	}
	dir, err := lastLine(out)
	if err != nil {
		return Images{}, fmt.Errorf("build reference images: %s: %w", script, err)
	}
	if logf != nil {
		logf("reference images in %s (%.1fs)", dir, time.Since(start).Seconds())
	}
	imgs := imagesIn(dir)
	for _, p := range []string{imgs.EFIRaw, imgs.EFIQcow2, imgs.EFIVhd, imgs.EFIVhdx, imgs.BootPartRaw, imgs.BootPartQcow2} {
		if _, err := os.Stat(p); err != nil {
			return Images{}, fmt.Errorf("find reference image: %w (delete %s to rebuild)", err, dir)
		}
	}
	return imgs, nil
}

func lastLine(out string) (string, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if !filepath.IsAbs(last) {
		return "", fmt.Errorf("last line of stdout %q is not the cache directory", last)
	}
	return last, nil
}

// RepoRoot walks up from the working directory to the directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("find repository root: %w", err)
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("find repository root: no go.mod above %s", dir)
		}
	}
}

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

// Debian releases test/images/build.sh makes reference images of.
const (
	Bookworm = "bookworm" // Debian 12: kernel 6.1, dracut 059, GRUB 2.06, shim 15
	Trixie   = "trixie"   // Debian 13: kernel 6.12, dracut 106, GRUB 2.12, shim 16; no i386-pc GRUB modules
)

// Images are the reference disk images made by test/images/build.sh.
// Treat them as read-only: they are shared by every test and every run.
type Images struct {
	// Release is the Debian release they hold (Bookworm or Trixie).
	Release string
	// Dir is the cache directory holding them.
	Dir string
	// GPT with an ESP (/boot/efi) and an ext4 root, in four formats.
	EFIRaw, EFIQcow2, EFIVhd, EFIVhdx string
	// The same plus a separate ext4 /boot partition.
	BootPartRaw, BootPartQcow2 string
}

// imagesIn names the images inside a build.sh cache directory.
func imagesIn(release, dir string) Images {
	p := func(name string) string { return filepath.Join(dir, name) }
	return Images{
		Release: release, Dir: dir,
		EFIRaw: p("base-efi.raw"), EFIQcow2: p("base-efi.qcow2"),
		EFIVhd: p("base-efi.vhd"), EFIVhdx: p("base-efi.vhdx"),
		BootPartRaw: p("base-bootpart.raw"), BootPartQcow2: p("base-bootpart.qcow2"),
	}
}

// imageBuildTimeout bounds build.sh; a cold build measured ~1.5 min here, and
// a slow mirror or a busy host can stretch it a lot.
const imageBuildTimeout = 30 * time.Minute

// imageBuild is one release's build.sh run in this test process.
type imageBuild struct {
	once sync.Once
	imgs Images
	err  error
}

var images = struct {
	mu     sync.Mutex
	builds map[string]*imageBuild
}{builds: map[string]*imageBuild{}}

// ReferenceImages returns the Debian 12 (bookworm) reference images.
func ReferenceImages(t testing.TB) Images {
	t.Helper()
	return ReferenceImagesOf(t, Bookworm)
}

// ReferenceImagesOf returns the reference images of a Debian release, running
// test/images/build.sh once per release and test process (it exits in well
// under a second when its cache is complete). Build output streams to the log
// of the first caller.
func ReferenceImagesOf(t testing.TB, release string) Images {
	t.Helper()
	RequireRoot(t)
	RequireLoop(t)
	RequireTool(t, "debootstrap", "sfdisk", "losetup", "partx", "mkfs.ext4", "mkfs.vfat",
		"mmd", "mcopy", "qemu-img", "blkid", "flock")
	images.mu.Lock()
	b := images.builds[release]
	if b == nil {
		b = &imageBuild{}
		images.builds[release] = b
	}
	images.mu.Unlock()
	b.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), imageBuildTimeout)
		defer cancel()
		b.imgs, b.err = BuildReferenceImages(ctx, t.Logf, release)
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.imgs
}

// BuildReferenceImages runs test/images/build.sh for a Debian release and returns its images.
func BuildReferenceImages(ctx context.Context, logf func(string, ...any), release string) (Images, error) {
	root, err := RepoRoot()
	if err != nil {
		return Images{}, err
	}
	script := filepath.Join(root, "test", "images", "build.sh")
	start := time.Now()
	out, err := execx.Output(ctx, &execx.Real{Logf: logf, TailLines: 40}, script, release)
	if err != nil {
		return Images{}, fmt.Errorf("build %s reference images: %w", release, err)
	}
	dir, err := lastLine(out)
	if err != nil {
		return Images{}, fmt.Errorf("build reference images: %s: %w", script, err)
	}
	if logf != nil {
		logf("%s reference images in %s (%.1fs)", release, dir, time.Since(start).Seconds())
	}
	imgs := imagesIn(release, dir)
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

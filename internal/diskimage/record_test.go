package diskimage

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// While an image is open, the build record names its loop device, its mount directory and
// each of its mounts; once it is closed the record is gone.
func TestTreeIsInTheBuildRecord(t *testing.T) {
	requireRoot(t)
	dir := ledger.Dir
	ledger.Dir = t.TempDir()
	t.Cleanup(func() { ledger.Dir = dir })
	l, err := ledger.Process()
	if err != nil {
		t.Fatal(err)
	}
	fstab := "LABEL=root / ext4 defaults 0 1\nPARTLABEL=esp /boot/efi vfat defaults 0 2\n"
	img := buildImage(t, espPart(), rootPart(fstab, nil, nil))
	mnt := t.TempDir()
	loop, err := AttachLoop(context.Background(), runner(t), img.path, false)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := OpenTree(context.Background(), runner(t), loop, mnt, Options{Logf: t.Logf})
	if err != nil {
		_ = loop.Close()
		t.Fatal(err)
	}
	rec := l.Snapshot()
	if !slices.Contains(rec.Roots, tree.Root) {
		t.Errorf("roots %q lack the mount directory %s", rec.Roots, tree.Root)
	}
	var points []string
	for _, m := range rec.Mounts {
		points = append(points, m.Point)
	}
	if want := []string{tree.Root, filepath.Join(tree.Root, "boot/efi")}; !slices.Equal(points, want) {
		t.Errorf("recorded mounts %q; want %q", points, want)
	}
	if len(rec.Loops) != 1 || rec.Loops[0].Device != loop.Device || rec.Loops[0].Backing != loop.Image {
		t.Errorf("recorded loops %+v; want %s on %s", rec.Loops, loop.Device, loop.Image)
	}
	if _, err := os.Stat(l.Path()); err != nil {
		t.Errorf("record file: %v", err)
	}
	must(t, tree.Close())
	must(t, loop.Close())
	if rec := l.Snapshot(); len(rec.Roots)+len(rec.Mounts)+len(rec.Loops) != 0 {
		t.Errorf("record after Close: %+v", rec)
	}
	if _, err := os.Stat(l.Path()); !os.IsNotExist(err) {
		t.Errorf("record file after Close: %v", err)
	}
}

package diskimage

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// The private /dev has working standard nodes, the image's partitions, by-uuid/by-label links
// that resolve to them, and its own devpts; nothing of it is left after UnmountExtras.
func TestMountDevGivesTheImageItsOwnDevices(t *testing.T) {
	requireRoot(t)
	img := buildImage(t, espPart(), rootPart(espFstab, nil, nil))
	mnt := t.TempDir()
	ctx, r := context.Background(), runner(t)
	l := attach(t, img.path, false, mnt)
	tree, err := OpenTree(ctx, r, l, mnt, Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { must(t, tree.Close()) }()
	if err := tree.MountDev(l, "/dev"); err != nil {
		t.Fatal(err)
	}
	dev := filepath.Join(mnt, "dev")
	f, err := os.OpenFile(filepath.Join(dev, "null"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("/dev/null in the image: %v", err)
	}
	if _, err := f.Write([]byte("x")); err != nil {
		t.Errorf("write /dev/null: %v", err)
	}
	f.Close()
	for link, want := range map[string]string{
		"disk/by-uuid/" + rootUUID: filepath.Base(l.Device) + "p2",
		"disk/by-label/root":       filepath.Base(l.Device) + "p2",
		"disk/by-uuid/ABCD-1234":   filepath.Base(l.Device) + "p1",
	} {
		target, err := filepath.EvalSymlinks(filepath.Join(dev, link))
		if err != nil {
			t.Errorf("%s: %v", link, err)
			continue
		}
		if filepath.Base(target) != want {
			t.Errorf("%s -> %s, want %s", link, target, want)
		}
		var st unix.Stat_t
		if err := unix.Stat(target, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFBLK {
			t.Errorf("%s is not a block device: %v", target, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dev, "pts/ptmx")); err != nil {
		t.Errorf("no devpts instance at /dev/pts: %v", err)
	}
	// Host devices the image does not need stay out.
	if _, err := os.Lstat(filepath.Join(dev, "loop-control")); !os.IsNotExist(err) {
		t.Errorf("the private /dev exposes the host's loop-control: %v", err)
	}
	if _, err := os.Lstat("/dev/disk/by-uuid/" + rootUUID); err == nil {
		t.Log("(the host has udev links too; the image's are its own)")
	}
	must(t, tree.UnmountExtras())
	if _, err := os.Lstat(filepath.Join(dev, "null")); !os.IsNotExist(err) {
		t.Errorf("the private /dev is still there after UnmountExtras: %v", err)
	}
}

package diskimage

import (
	"os"
	"path/filepath"
	"testing"
)

// MountFS owns its mount like OpenTree does: it refuses a busy directory, Close unmounts and
// a second Close is a no-op.
func TestMountFSOwnsItsMount(t *testing.T) {
	requireRoot(t)
	img := buildImage(t, testPart{name: "data", sizeMiB: 8, fs: "ext4", uuid: bootUUID, label: "data",
		files: map[string]string{"hello": "world"}})
	l := attach(t, img.path, false, t.TempDir())
	mnt := filepath.Join(t.TempDir(), "m")
	tree, err := MountFS(l.PartitionDevice(1), "ext4", mnt, Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if got := readIn(t, mnt, "hello"); got != "world" {
		t.Errorf("hello = %q", got)
	}
	if _, err := MountFS(l.PartitionDevice(1), "ext4", filepath.Dir(mnt), Options{}); err == nil {
		t.Errorf("MountFS over a directory with a mount below it succeeded")
	}
	must(t, os.WriteFile(filepath.Join(mnt, "new"), []byte("x"), 0o644))
	must(t, tree.Close())
	must(t, tree.Close())
	assertNoMounts(t, mnt)
}

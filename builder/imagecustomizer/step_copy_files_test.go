package imagecustomizer

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

func copyFilesState(t *testing.T, root string, files ...string) multistep.StateBag {
	t.Helper()
	state := new(multistep.BasicStateBag)
	state.Put(keyUI, packersdk.TestUi(t))
	state.Put(keyConfig, &Config{CopyFiles: files})
	state.Put(keyMountPath, root)
	return state
}

func hostFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A dangling systemd-resolved symlink is set aside, the host file stands in for it during the
// build, and afterwards the symlink is back exactly as it was.
func TestCopyFilesRestoresTheImagesSymlink(t *testing.T) {
	root := t.TempDir()
	src := hostFile(t, "nameserver 192.0.2.1\n")
	dir := filepath.Join(root, filepath.Dir(src))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "resolv.conf")
	if err := os.Symlink("../run/systemd/resolve/stub-resolv.conf", link); err != nil {
		t.Fatal(err)
	}
	state := copyFilesState(t, root, src)
	step := &stepCopyFiles{}
	if action := step.Run(context.Background(), state); action != multistep.ActionContinue {
		t.Fatalf("Run halted: %v", state.Get(keyError))
	}
	if b, err := os.ReadFile(link); err != nil || string(b) != "nameserver 192.0.2.1\n" {
		t.Fatalf("during the build the image's file = %q, %v", b, err)
	}
	step.Cleanup(state)
	step.Cleanup(state) // a second cleanup is a no-op
	target, err := os.Readlink(link)
	if err != nil || target != "../run/systemd/resolve/stub-resolv.conf" {
		t.Fatalf("after cleanup the symlink is %q, %v", target, err)
	}
	if _, err := os.Lstat(link + backupSuffix); !os.IsNotExist(err) {
		t.Errorf("the backup was left behind: %v", err)
	}
}

// An image whose directory is an absolute symlink to a host directory must not get the copy
// written into that host directory.
func TestCopyFilesStaysInsideAHostileImage(t *testing.T) {
	root := t.TempDir()
	victim := t.TempDir()
	src := hostFile(t, "nameserver 192.0.2.1\n")
	parent := filepath.Join(root, filepath.Dir(filepath.Dir(src)))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	// <root>/<tmp>/<dir> -> <victim> (absolute, pointing at a real host directory)
	if err := os.Symlink(victim, filepath.Join(root, filepath.Dir(src))); err != nil {
		t.Fatal(err)
	}
	// Inside the image, the absolute link resolves to <root>/<victim>: give it that directory,
	// so the copy has somewhere legitimate to go.
	inside := filepath.Join(root, victim)
	if err := os.MkdirAll(inside, 0o755); err != nil {
		t.Fatal(err)
	}
	state := copyFilesState(t, root, src)
	step := &stepCopyFiles{}
	if action := step.Run(context.Background(), state); action != multistep.ActionContinue {
		t.Fatalf("Run halted: %v", state.Get(keyError))
	}
	if b, err := os.ReadFile(filepath.Join(inside, "resolv.conf")); err != nil || string(b) != "nameserver 192.0.2.1\n" {
		t.Fatalf("the copy did not land inside the image: %q, %v", b, err)
	}
	step.Cleanup(state)
	entries, err := os.ReadDir(victim)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("the host directory the image's symlink points at was written to: %v", entries)
	}
}

func TestCopyFilesWithoutTheImageFileRemovesTheCopy(t *testing.T) {
	root := t.TempDir()
	src := hostFile(t, "x\n")
	dir := filepath.Join(root, filepath.Dir(src))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	state := copyFilesState(t, root, src)
	step := &stepCopyFiles{}
	if action := step.Run(context.Background(), state); action != multistep.ActionContinue {
		t.Fatalf("Run halted: %v", state.Get(keyError))
	}
	if _, err := os.Stat(filepath.Join(dir, "resolv.conf")); err != nil {
		t.Fatal(err)
	}
	if err := step.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "resolv.conf")); !os.IsNotExist(err) {
		t.Fatalf("the host copy was left in the image: %v", err)
	}
}

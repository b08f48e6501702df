package ledger

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// deadOwner returns the owner of a process that has exited.
func deadOwner(t *testing.T) Owner {
	cmd := exec.Command("sleep", "0.1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o, err := ownerOf(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	return o
}

// A killed build's record: a tmpfs under its mount root, a loop device and a process group
// with a running tool. The sweep kills the tool, unmounts, detaches, removes the record and
// says what it did; a running owner's record with the same kinds of things is left alone.
func TestSweepReleasesDeadOwnersOnly(t *testing.T) {
	requireRoot(t, "losetup")
	Dir = t.TempDir()
	ns, _ := os.Readlink("/proc/self/ns/mnt")
	work := t.TempDir()

	dead := Record{Owner: deadOwner(t), MountNS: ns}
	root := filepath.Join(work, "dead")
	dead.Roots = []string{root}
	dead.Mounts = []Mount{mountTmpfs(t, root)}
	dead.Loops = []Loop{attachLoop(t, filepath.Join(work, "dead.img"))}
	tool := exec.Command("sleep", "300")
	tool.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := tool.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { _ = tool.Wait(); close(waited) }()
	t.Cleanup(func() { _ = tool.Process.Kill() })
	leader, err := ownerOf(tool.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	dead.Groups = []Owner{leader}
	if err := writeRecord(&dead); err != nil {
		t.Fatal(err)
	}

	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	live := Record{Owner: self, MountNS: ns}
	liveRoot := filepath.Join(work, "live")
	live.Roots = []string{liveRoot}
	live.Mounts = []Mount{mountTmpfs(t, liveRoot)}
	live.Loops = []Loop{attachLoop(t, filepath.Join(work, "live.img"))}
	if err := writeRecord(&live); err != nil {
		t.Fatal(err)
	}

	found, err := Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Owner != dead.Owner || len(found[0].Left) > 0 {
		t.Fatalf("found %+v; want the dead owner's record, fully released", found)
	}
	report := found[0].String()
	for _, want := range []string{"1 process(es)", "mount " + root, "loop device " + dead.Loops[0].Device} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Error("the dead build's tool still runs")
	}
	if isMounted(t, root) {
		t.Error("the dead build's mount is still there")
	}
	if len(loopsBackedBy(dead.Loops[0])) != 0 {
		t.Error("the dead build's loop device is still attached")
	}
	if _, err := os.Stat(filepath.Join(Dir, dead.Owner.fileName())); !os.IsNotExist(err) {
		t.Errorf("the dead build's record is still there: %v", err)
	}
	if !isMounted(t, liveRoot) || len(loopsBackedBy(live.Loops[0])) != 1 {
		t.Error("the running build's mount or loop device was touched")
	}
	if _, err := os.Stat(filepath.Join(Dir, self.fileName())); err != nil {
		t.Errorf("the running build's record: %v", err)
	}
}

func mountTmpfs(t *testing.T, dir string) Mount {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, 0) })
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st unix.Statx_t
	if err := unix.Statx(int(f.Fd()), "", unix.AT_EMPTY_PATH, unix.STATX_MNT_ID, &st); err != nil {
		t.Fatal(err)
	}
	return Mount{ID: st.Mnt_id, Point: dir}
}

func attachLoop(t *testing.T, img string) Loop {
	if err := os.WriteFile(img, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", img).Output()
	if err != nil {
		t.Fatal(err)
	}
	lp, err := BackingFile(img)
	if err != nil {
		t.Fatal(err)
	}
	lp.Device = strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if slices.Contains(loopsBackedBy(lp), lp.Device) {
			_ = exec.Command("losetup", "--detach", lp.Device).Run()
		}
	})
	return lp
}

func isMounted(t *testing.T, dir string) bool {
	table, err := readMountinfo()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range table {
		if m.Point == dir {
			return true
		}
	}
	return false
}

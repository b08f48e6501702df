package ledger

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestParseStartTime(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       uint64
		ok         bool
	}{
		{"plain", "42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 5000 100", 987654, true},
		{"name with spaces and parens", "7 (a) b (c)) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 31 0 0", 31, true},
		{"too short", "7 (x) R 1 2 3", 0, false},
		{"no name", "7 x R", 0, false},
		{"not a number", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 abc 0 0", 0, false},
	} {
		got, err := parseStartTime([]byte(tc.stat))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s: got %d, %v; want %d, ok=%v", tc.name, got, err, tc.want, tc.ok)
		}
	}
}

// A process that has exited is not alive, even though its PID may be reused; this one is.
func TestOwnerAlive(t *testing.T) {
	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	if !self.Alive() {
		t.Errorf("%s: not alive", self)
	}
	if (Owner{PID: self.PID, Start: self.Start + 1}).Alive() {
		t.Error("a different start time counts as alive: a reused PID would be taken for the owner")
	}
	cmd := exec.Command("sleep", "0.2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o, err := ownerOf(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if o.Alive() {
		t.Errorf("%s: alive after it exited and was reaped", o)
	}
}

func TestPlanUnmounts(t *testing.T) {
	table := []mountLine{
		{1, "/"}, {20, "/run"}, {30, "/mnt/b/loop3"}, {31, "/mnt/b/loop3/boot"},
		{32, "/mnt/b/loop3/dev"}, {40, "/mnt/b/loop30"}, {50, "/tmp/pp/merged"}, {51, "/tmp/other"},
	}
	r := &Record{
		Roots:  []string{"/mnt/b/loop3"},
		Mounts: []Mount{{30, "/mnt/b/loop3"}, {50, "/tmp/pp/merged"}, {51, "/tmp/elsewhere"}, {99, "/mnt/gone"}},
	}
	todo, gone := planUnmounts(table, r)
	var got []uint64
	for _, m := range todo {
		got = append(got, m.ID)
	}
	// Newest first; loop30 shares a prefix with the root but is not under it; mount 51 has
	// another mount point than recorded, so it is not ours.
	if want := []uint64{50, 32, 31, 30}; !slices.Equal(got, want) {
		t.Errorf("unmount %v, want %v", got, want)
	}
	if want := []Mount{{51, "/tmp/elsewhere"}, {99, "/mnt/gone"}}; !slices.Equal(gone, want) {
		t.Errorf("gone %v, want %v", gone, want)
	}
}

func TestParseMountinfo(t *testing.T) {
	in := "36 35 98:0 /mnt1 /mnt/a\\040b rw,noatime master:1 - ext3 /dev/root rw\n37 36 0:5 / /x rw - tmpfs t rw\n"
	got := parseMountinfo([]byte(in))
	want := []mountLine{{36, "/mnt/a b"}, {37, "/x"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// The ledger writes its record on every change and removes the file when it is empty.
func TestLedgerFile(t *testing.T) {
	Dir = t.TempDir()
	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	l := &Ledger{rec: Record{Owner: self}}
	path := filepath.Join(Dir, self.fileName())
	if err := l.AddRoot("/mnt/x"); err != nil {
		t.Fatal(err)
	}
	if err := l.AddMount(7, "/mnt/x"); err != nil {
		t.Fatal(err)
	}
	r, err := readRecord(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Owner != self || !slices.Equal(r.Roots, []string{"/mnt/x"}) || !slices.Equal(r.Mounts, []Mount{{7, "/mnt/x"}}) {
		t.Errorf("record %+v", r)
	}
	if err := l.RemoveMount(7); err != nil {
		t.Fatal(err)
	}
	if err := l.RemoveRoot("/mnt/x"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("empty record still on disk: %v", err)
	}
}

// A mark applies to the file it was made for, once; a new file of the same name is not marked.
func TestKeepMark(t *testing.T) {
	Dir = t.TempDir()
	img := filepath.Join(t.TempDir(), "image.raw")
	if err := os.WriteFile(img, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if keep, _ := TakeKeep(img); keep {
		t.Fatal("an unmarked image is kept")
	}
	if err := MarkKeep(img, "the ISO post-processor failed"); err != nil {
		t.Fatal(err)
	}
	keep, reason := TakeKeep(img)
	if !keep || reason != "the ISO post-processor failed" {
		t.Errorf("TakeKeep = %v, %q", keep, reason)
	}
	if keep, _ := TakeKeep(img); keep {
		t.Error("a mark was taken twice")
	}
	if err := MarkKeep(img, "x"); err != nil {
		t.Fatal(err)
	}
	// A new file under the name: keep the old file open so its inode number is not reused.
	old, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := os.Remove(img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	if keep, _ := TakeKeep(img); keep {
		t.Error("the mark of a removed file applies to a new file of the same name")
	}
}

// A process that has exited but not been collected by its parent is dead.
func TestZombieOwnerIsDead(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait() //nolint:errcheck
	o, err := ownerOf(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); !zombie(o.PID); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("true did not exit")
		}
	}
	if o.Alive() {
		t.Errorf("%s: a zombie counts as alive", o)
	}
}

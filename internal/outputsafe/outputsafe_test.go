package outputsafe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLockIsExclusiveAcrossProcesses(t *testing.T) {
	LockDir = t.TempDir()
	out := filepath.Join(t.TempDir(), "live.iso")
	release, err := Lock(out)
	if err != nil {
		t.Fatal(err)
	}
	// flock(2) locks belong to the open file description, so a second Lock in this process
	// conflicts just as another build's would.
	if _, err := Lock(out); err == nil || !strings.Contains(err.Error(), "being written by another build (process ") {
		t.Fatalf("second lock: %v; want a clear conflict naming the holder", err)
	}
	release()
	release2, err := Lock(out)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	release2()
	if other, err := Lock(out + ".other"); err != nil {
		t.Errorf("another output is locked too: %v", err)
	} else {
		other()
	}
}

func TestRefuseInput(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "image.raw")
	if err := os.WriteFile(img, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "hard.raw")
	if err := os.Link(img, link); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(t.TempDir(), "d")
	if err := os.Symlink(dir, sym); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		out  string
		want string
	}{
		{img, "is the input"},
		{filepath.Join(sym, "image.raw"), "is the input"},
		{link, "under another name"},
		{filepath.Join(dir, "live.iso"), ""},
	} {
		out, err := Canonical(tc.out)
		if err != nil {
			t.Fatal(err)
		}
		err = RefuseInput(out, []string{img})
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("output %s: %v; want %q", tc.out, err, tc.want)
		}
	}
}

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.iso")
	if err := os.WriteFile(existing, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutput(existing, false); err == nil || !strings.Contains(err.Error(), "already exists; remove it or run packer with -force") {
		t.Errorf("existing output without -force: %v", err)
	}
	if err := CheckOutput(existing, true); err != nil {
		t.Errorf("existing output with -force: %v", err)
	}
	if err := CheckOutput(filepath.Join(dir, "new/sub/x.iso"), false); err != nil {
		t.Errorf("output in a directory to be created: %v", err)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		if err := CheckOutput(filepath.Join(ro, "x.iso"), false); err == nil || !strings.Contains(err.Error(), "is not writable") {
			t.Errorf("read-only directory: %v", err)
		}
	}
}

// Writing under TempName and committing replaces the output only at the end; a temporary
// name never collides with the output or another process's.
func TestTempNameAndCommit(t *testing.T) {
	out := filepath.Join(t.TempDir(), "live.iso")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := TempName(out)
	if filepath.Dir(tmp) != filepath.Dir(out) || tmp == out || !strings.HasPrefix(filepath.Base(tmp), ".") {
		t.Errorf("temporary name %s for %s", tmp, out)
	}
	if err := os.WriteFile(tmp, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("output changed before the commit: %q", b)
	}
	if err := Commit(tmp, out); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "new" {
		t.Errorf("output after the commit: %q", b)
	}
}

func TestCanonicalResolvesTheExistingPart(t *testing.T) {
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	got, err := Canonical(filepath.Join(link, "new/dir/live.iso"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(real, "new/dir/live.iso"); got != want {
		t.Errorf("Canonical = %s, want %s", got, want)
	}
}

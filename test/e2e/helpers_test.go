// Package e2e holds end-to-end tests: real `packer build`s with the installed plugin on the
// Debian reference images, whose results are opened again and booted in QEMU. They need root,
// loop devices, the tools `make deps` installs, and PACKER_ACC=1 with $PACKER (`make e2e`).
package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// bootTimeout bounds one QEMU boot to the console's last expected line. TCG boots of the Live
// OS measured 1.5 to 3 minutes on an idle host and about 7 minutes with the machine's two cores
// shared by several builds; the bound leaves headroom above that worst case.
const bootTimeout = 12 * time.Minute

// requireE2E skips (or, under CI, fails) unless the whole end-to-end environment is there,
// and returns the Debian 12 reference images.
func requireE2E(t *testing.T) testenv.Images {
	t.Helper()
	return requireE2EOf(t, testenv.Bookworm)
}

// requireE2EOf is requireE2E for the reference images of a Debian release.
func requireE2EOf(t *testing.T, release string) testenv.Images {
	t.Helper()
	testenv.RequireEnv(t, "PACKER_ACC", "run the end-to-end tests through `make e2e` (it sets PACKER_ACC=1 and PACKER)")
	testenv.RequireRoot(t)
	testenv.RequireLoop(t)
	testenv.RequireTool(t, "qemu-img", "qemu-system-x86_64", "xorriso", "mksquashfs", "mcopy", "mkfs.vfat")
	return testenv.ReferenceImagesOf(t, release)
}

func packerBin() string {
	if p := os.Getenv("PACKER"); p != "" {
		return p
	}
	return "packer"
}

// build is one `packer build` run.
type build struct {
	Output   string
	Err      error
	Elapsed  time.Duration
	LineTime map[string]time.Duration // first time a line containing the key was printed
}

// packerBuild runs `packer build` in dir, streaming its output to the test log and noting when
// lines containing any of marks first appear.
func packerBuild(t *testing.T, ctx context.Context, dir string, vars map[string]string, marks ...string) build {
	t.Helper()
	args := []string{"build", "-color=false", "-force"}
	for k, v := range vars {
		args = append(args, "-var", k+"="+v)
	}
	args = append(args, ".")
	cmd := exec.CommandContext(ctx, packerBin(), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "PACKER_LOG=1", "PACKER_LOG_PATH="+filepath.Join(dir, "packer.log"))
	res := runStreaming(t, cmd, marks, nil)
	return res
}

// runStreaming runs cmd, logs its stdout line by line and records mark times. onLine, when
// set, sees every line (used to cancel a build at the right moment).
func runStreaming(t *testing.T, cmd *exec.Cmd, marks []string, onLine func(string)) build {
	t.Helper()
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	res := build{LineTime: map[string]time.Duration{}}
	var out strings.Builder
	start := time.Now()
	// No t.Fatal here: builds also run in goroutines, where it would not end the test.
	if err := cmd.Start(); err != nil {
		res.Err = fmt.Errorf("start packer: %w", err)
		return res
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			out.WriteString(line + "\n")
			for _, m := range marks {
				if _, seen := res.LineTime[m]; !seen && strings.Contains(line, m) {
					res.LineTime[m] = time.Since(start)
				}
			}
			if onLine != nil {
				onLine(line)
			}
		}
	}()
	res.Err = cmd.Wait()
	pw.Close()
	<-done
	res.Elapsed = time.Since(start)
	res.Output = out.String()
	t.Logf("packer build (%.1fs, err=%v):\n%s", res.Elapsed.Seconds(), res.Err, indent(res.Output))
	return res
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 400 {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-400)}, lines[len(lines)-400:]...)
	}
	return "    | " + strings.Join(lines, "\n    | ")
}

// writeFiles lays out a build directory.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// marker returns a string only this test run knows, to look for on a console.
func marker(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// sha256File is testenv.SHA256File.
func sha256File(t *testing.T, path string) string { t.Helper(); return testenv.SHA256File(t, path) }

// openImage mounts a built disk image read-only for inspection; cleanup releases it.
func openImage(t *testing.T, path string) *diskimage.Tree {
	t.Helper()
	ctx := context.Background()
	r := &execx.Real{Logf: t.Logf}
	format, err := diskimage.DetectFormat(path)
	if err != nil {
		t.Fatal(err)
	}
	raw := path
	if format != diskimage.FormatRaw {
		raw = filepath.Join(t.TempDir(), "inspect.raw")
		if err := diskimage.WorkingCopy(ctx, r, path, format, raw); err != nil {
			t.Fatal(err)
		}
	}
	loop, err := diskimage.AttachLoop(ctx, r, raw, true)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := diskimage.OpenTree(ctx, r, loop, filepath.Join(t.TempDir(), "root"), diskimage.Options{ReadOnly: true, Logf: t.Logf})
	if err != nil {
		loop.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tree.Close(); err != nil {
			t.Errorf("close the inspected image: %v", err)
		}
		if err := loop.Close(); err != nil {
			t.Errorf("detach the inspected image: %v", err)
		}
	})
	return tree
}

// readImageFile reads a file of an opened image (paths resolved inside the image).
func readImageFile(t *testing.T, tree *diskimage.Tree, path string) (string, os.FileMode) {
	t.Helper()
	f, err := rootfs.OpenInRoot(tree.Root, path, os.O_RDONLY)
	if err != nil {
		t.Fatalf("open %s in the built image: %v", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), fi.Mode()
}

// assertNothingLeft checks that no loop device is attached to a file under dir and that
// nothing is mounted under dir or the builder's default mount directory.
func assertNothingLeft(t *testing.T, dirs ...string) {
	t.Helper()
	out, err := exec.Command("losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE").CombinedOutput()
	if err != nil {
		t.Fatalf("losetup --list: %v: %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		for _, d := range dirs {
			if d != "" && strings.Contains(line, d) {
				t.Errorf("a loop device is still attached: %s", line)
			}
		}
	}
	for _, d := range append(dirs, "/mnt/packer-imagecustomizer") {
		mounts, err := diskimage.MountsUnder(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(mounts) > 0 {
			t.Errorf("still mounted under %s: %v", d, mounts)
		}
	}
}

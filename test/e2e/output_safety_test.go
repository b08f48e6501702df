package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
)

// isoTemplate builds a qcow2 image with a provisioning marker, then an ISO at var.iso_output
// with a marker file on the media. var.pre runs in the image first.
const isoTemplate = qcow2SourceHCL + `variable "iso_output" { type = string }
variable "mark" { type = string }
variable "pre" {
  type    = string
  default = "true"
}
build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "shell" {
    inline = ["${var.pre}", "echo e2e-provisioning ${var.mark}", "echo ${var.mark} > /etc/e2e-mark"]
  }
  post-processor "imagecustomizer-iso" {
    config_file = "iso.yaml"
    output      = var.iso_output
  }
}
`

const isoYAML = "iso:\n  additionalFiles:\n    mark.txt: /mark.txt\n"

func isoBuildDir(t *testing.T, mark string) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"build.pkr.hcl": isoTemplate, "iso.yaml": isoYAML, "mark.txt": mark + "\n"})
	return dir
}

// assertImageIntact checks that the builder's image is still at path and is a qcow2 image,
// not an ISO written over it.
func assertImageIntact(t *testing.T, path string) {
	t.Helper()
	f, err := diskimage.DetectFormat(path)
	if err != nil || f != diskimage.FormatQcow2 {
		t.Errorf("the builder's image %s: format %q, %v; want it kept as qcow2", path, f, err)
	}
}

// An ISO output that is the builder's image is refused before the post-processor does any
// work, and the image is kept.
func TestISOOutputThatIsTheInputIsRefused(t *testing.T) {
	imgs := requireE2E(t)
	mark := marker("e2e-same")
	dir := isoBuildDir(t, mark)
	image := filepath.Join(dir, "output", "image.qcow2")
	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2, "iso_output": image, "mark": mark})
	if b.Err == nil {
		t.Fatal("the build succeeded with the ISO written over its input")
	}
	if !strings.Contains(b.Output, "is the input") {
		t.Error("the error does not say that the output is the input")
	}
	if strings.Contains(b.Output, "Squashing") {
		t.Error("the post-processor did work before refusing the output")
	}
	assertImageIntact(t, image)
	assertBuildLeftNothing(t, dir, mountPaths(b.Output), "")
}

// Two builds writing one ISO path: the second fails at once, naming the first, before its
// builder does any work; the first's ISO is whole and its own.
func TestTwoBuildsToOneISOPath(t *testing.T) {
	imgs := requireE2E(t)
	iso := filepath.Join(t.TempDir(), "shared.iso")
	markA, markB := marker("e2e-first"), marker("e2e-second")
	dirA, dirB := isoBuildDir(t, markA), isoBuildDir(t, markB)
	second := make(chan build, 1)
	started := false
	cmd := exec.Command(packerBin(), "build", "-color=false", "-force",
		"-var", "base_image="+imgs.EFIQcow2, "-var", "iso_output="+iso, "-var", "mark="+markA, ".")
	cmd.Dir = dirA
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	first := runStreaming(t, cmd, nil, func(line string) {
		if !started && strings.Contains(line, "e2e-provisioning") {
			started = true
			go func() {
				second <- packerBuild(t, context.Background(), dirB, map[string]string{"base_image": imgs.EFIQcow2, "iso_output": iso, "mark": markB})
			}()
		}
	})
	if !started {
		t.Fatal("the first build never reached its provisioner")
	}
	b := <-second
	if first.Err != nil {
		t.Errorf("the first build failed: %v", first.Err)
	}
	if b.Err == nil {
		t.Error("the second build to the same ISO path succeeded")
	}
	// Packer wraps a configuration error's text across lines.
	if !strings.Contains(strings.Join(strings.Fields(b.Output), " "), "is being written by another build") {
		t.Error("the second build does not say that another build writes the ISO")
	}
	if strings.Contains(b.Output, "e2e-provisioning") {
		t.Error("the second build ran its provisioners before failing")
	}
	if got := extractFromISO(t, iso, "/mark.txt"); strings.TrimSpace(got) != markA {
		t.Errorf("the ISO holds %q, not the first build's mark %q", got, markA)
	}
	assertBuildLeftNothing(t, dirA, mountPaths(first.Output), "")
	assertBuildLeftNothing(t, dirB, mountPaths(b.Output), "")
}

// A post-processor that fails after the builder succeeded leaves the builder's image in place:
// Packer would delete it otherwise.
func TestFailingPostProcessorKeepsTheImage(t *testing.T) {
	imgs := requireE2E(t)
	mark := marker("e2e-ppfail")
	dir := isoBuildDir(t, mark)
	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2,
		"iso_output": "output/live.iso", "mark": mark, "pre": "rm -f /boot/vmlinuz* /vmlinuz /vmlinuz.old"})
	if b.Err == nil {
		t.Fatal("the ISO of an image without a kernel was written")
	}
	if !strings.Contains(b.Output, "Post-processor failed") {
		t.Error("the build did not fail in the post-processor")
	}
	assertImageIntact(t, filepath.Join(dir, "output", "image.qcow2"))
	if _, err := os.Stat(filepath.Join(dir, "output", "live.iso")); !os.IsNotExist(err) {
		t.Errorf("an ISO was left at the output path: %v", err)
	}
	assertBuildLeftNothing(t, dir, mountPaths(b.Output), "")
}

// SIGKILL of Packer's process group while the ISO's root is being squashed: the next build
// reports and releases what the post-processor left, and succeeds; nothing is left.
func TestKilledDuringSquashIsCleanedUpByTheNext(t *testing.T) {
	imgs := requireE2E(t)
	mark := marker("e2e-squashkill")
	dir := isoBuildDir(t, mark)
	first := killBuildAt(t, dir, "Squashing the root file system",
		"-var", "base_image="+imgs.EFIQcow2, "-var", "iso_output=output/live.iso", "-var", "mark="+mark)
	if m, _ := diskimage.MountsUnder(dir); len(m) == 0 {
		t.Fatalf("the killed build left nothing mounted under %s; nothing to clean up", dir)
	}
	time.Sleep(2 * time.Second) // the watchdog ends mksquashfs and the chroot's processes
	if left := processesWithArg(dir); len(left) > 0 {
		t.Errorf("tools of the killed build still run after it died: %v", left)
	}
	second := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2, "iso_output": "output/live.iso", "mark": mark})
	if second.Err != nil {
		t.Fatalf("the build after the killed one failed: %v", second.Err)
	}
	for _, want := range []string{"found the record of a plugin process that is gone", "removed mount ", "removed loop device"} {
		if !strings.Contains(second.Output, want) {
			t.Errorf("the second build did not report %q", want)
		}
	}
	if got := extractFromISO(t, filepath.Join(dir, "output", "live.iso"), "/mark.txt"); strings.TrimSpace(got) != mark {
		t.Errorf("the ISO's mark: %q", got)
	}
	assertBuildLeftNothing(t, dir, append(mountPaths(first.Output), mountPaths(second.Output)...), "")
}

// processesWithArg lists processes with an argument that names something under dir.
func processesWithArg(dir string) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), dir+"/") {
			out = append(out, e.Name()+" "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}

// The ISO's file system fills up while the ISO is written: the build fails, and nothing is
// left at the output path or beside it; the builder's image is kept.
func TestNoSpaceWhileWritingTheISO(t *testing.T) {
	imgs := requireE2E(t)
	mark := marker("e2e-enospc")
	dir := isoBuildDir(t, mark)
	outDir := smallExt4(t, 2048)
	iso := filepath.Join(outDir, "live.iso")
	filled := false
	cmd := exec.Command(packerBin(), "build", "-color=false", "-force",
		"-var", "base_image="+imgs.EFIQcow2, "-var", "iso_output="+iso, "-var", "mark="+mark, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	b := runStreaming(t, cmd, nil, func(line string) {
		if !filled && strings.Contains(line, "Writing the ISO") {
			filled = true
			fillUp(t, outDir, 8<<20)
		}
	})
	if !filled {
		t.Fatal("the build never reached the ISO write")
	}
	if b.Err == nil {
		t.Fatal("the ISO was written to a full file system")
	}
	// Either the write hits ENOSPC, or xorriso sees beforehand that the image will not fit
	// ("Image size ...s exceeds free space on media ...s"); both must reach the user.
	if out := strings.ToLower(b.Output); !strings.Contains(out, "no space") && !strings.Contains(out, "exceeds free space") {
		t.Error("the error does not say that the file system is full")
	}
	entries, _ := os.ReadDir(outDir)
	for _, e := range entries {
		if e.Name() != "filler" && e.Name() != "lost+found" {
			t.Errorf("left in the output directory: %s", e.Name())
		}
	}
	assertImageIntact(t, filepath.Join(dir, "output", "image.qcow2"))
	assertBuildLeftNothing(t, dir, mountPaths(b.Output), "")
}

// smallExt4 mounts a fresh ext4 file system of sizeMiB (a sparse file) and returns its mount
// point; it is unmounted at the end of the test.
func smallExt4(t *testing.T, sizeMiB int) string {
	t.Helper()
	base := t.TempDir()
	img, mnt := filepath.Join(base, "fs.img"), filepath.Join(base, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(img)
	if err == nil {
		err = f.Truncate(int64(sizeMiB) << 20)
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, argv := range [][]string{{"mkfs.ext4", "-q", img}, {"mount", "-o", "loop", img, mnt}} {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", mnt, err, out)
		}
	})
	return mnt
}

// fillUp allocates a file in dir so that about leave bytes stay free.
func fillUp(t *testing.T, dir string, leave uint64) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := st.Bavail * uint64(st.Bsize)
	if free <= leave {
		return
	}
	if out, err := exec.Command("fallocate", "-l", strconvU(free-leave), filepath.Join(dir, "filler")).CombinedOutput(); err != nil {
		t.Errorf("fill %s: %v\n%s", dir, err, out)
	}
}

func strconvU(v uint64) string { return strconv.FormatUint(v, 10) }

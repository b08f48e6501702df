package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

const provisionTemplate = `
variable "base_image" { type = string }
variable "output_format" {
  type    = string
  default = "raw"
}

source "imagecustomizer" "e2e" {
  base_image       = var.base_image
  output_directory = "output"
  output_format    = var.output_format
}

build {
  sources = ["source.imagecustomizer.e2e"]

  provisioner "shell" {
    inline = [
      "echo e2e-first-provisioner",
      "echo \"device=${build.Device} root=${build.RootPartition} format=${build.ImageFormat}\" > /etc/e2e-shell",
      "test -r /proc/self/status && test -d /sys/kernel && test -c /dev/null && test -d /dev/pts && test -d /run",
      "rm -f /etc/e2e-gone",
    ]
  }
  provisioner "file" {
    source      = "payload.txt"
    destination = "/root/e2e-file.txt"
  }
  provisioner "file" {
    source      = "payload.txt"
    destination = "/boot/efi/EFI/e2e-file.txt"
  }
  provisioner "shell-local" {
    inline = ["echo e2e-local mount=${build.MountPath}"]
  }
}
`

// Each input format is opened, provisioned with Packer's own shell and file provisioners
// (including a file under /boot/efi, a FAT file system this kernel cannot mount), and the
// result, opened again, has the changes. The input is never modified.
func TestBuildProvisionsEveryInputFormat(t *testing.T) {
	imgs := requireE2E(t)
	cases := []struct {
		name, base, outFormat string
	}{
		{"raw", imgs.EFIRaw, "raw"},
		{"qcow2", imgs.EFIQcow2, "qcow2"},
		{"vhd", imgs.EFIVhd, "vhd-fixed"},
		{"vhdx", imgs.EFIVhdx, "vhdx"},
		{"separate-boot", imgs.BootPartQcow2, "raw"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			payload := marker("payload")
			writeFiles(t, dir, map[string]string{"build.pkr.hcl": provisionTemplate, "payload.txt": payload + "\n"})
			before := sha256File(t, tc.base)
			b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": tc.base, "output_format": tc.outFormat}, "e2e-first-provisioner")
			if b.Err != nil {
				t.Fatalf("packer build failed: %v", b.Err)
			}
			if after := sha256File(t, tc.base); after != before {
				t.Fatalf("the base image was modified: sha256 %s -> %s", before, after)
			}
			assertNothingLeft(t, dir)
			if !strings.Contains(b.Output, "e2e-local mount=/mnt/packer-imagecustomizer/loop") {
				t.Errorf("shell-local did not see ${build.MountPath}")
			}
			ext := map[string]string{"raw": "raw", "qcow2": "qcow2", "vhd-fixed": "vhd", "vhdx": "vhdx"}[tc.outFormat]
			out := filepath.Join(dir, "output", "image."+ext)
			f, err := diskimage.DetectFormat(out)
			if err != nil {
				t.Fatal(err)
			}
			wantFormat := map[string]diskimage.Format{"raw": diskimage.FormatRaw, "qcow2": diskimage.FormatQcow2, "vhd-fixed": diskimage.FormatVHD, "vhdx": diskimage.FormatVHDX}[tc.outFormat]
			if f != wantFormat {
				t.Errorf("output %s is %s, want %s", out, f, wantFormat)
			}
			tree := openImage(t, out)
			if got, _ := readImageFile(t, tree, "/root/e2e-file.txt"); strings.TrimSpace(got) != payload {
				t.Errorf("/root/e2e-file.txt = %q, want %q", got, payload)
			}
			if got, _ := readImageFile(t, tree, "/boot/efi/EFI/e2e-file.txt"); strings.TrimSpace(got) != payload {
				t.Errorf("/boot/efi/EFI/e2e-file.txt = %q, want %q (the FAT write-back lost it)", got, payload)
			}
			shell, _ := readImageFile(t, tree, "/etc/e2e-shell")
			if !strings.Contains(shell, "device=/dev/loop") || !strings.Contains(shell, "format="+tc.outFormat) {
				t.Errorf("/etc/e2e-shell = %q: the shell provisioner did not see the generated data", shell)
			}
			// The host's resolv.conf was only borrowed: the image's own is back.
			if _, err := os.Lstat(filepath.Join(tree.Root, "etc/resolv.conf.packer-imagecustomizer-orig")); !os.IsNotExist(err) {
				t.Errorf("copy_files left its backup in the image")
			}
			if tc.name == "qcow2" {
				measureTimeToFirstProvisioner(t, tc.base, b)
			}
		})
	}
}

// measureTimeToFirstProvisioner compares how long packer takes to reach the first provisioner
// with a plain `qemu-img convert` of the same file, measured in the same run.
func measureTimeToFirstProvisioner(t *testing.T, base string, b build) {
	first, ok := b.LineTime["e2e-first-provisioner"]
	if !ok {
		t.Errorf("never saw the first provisioner's output")
		return
	}
	dst := filepath.Join(t.TempDir(), "plain.raw")
	start := time.Now()
	if err := execx.Run(context.Background(), &execx.Real{}, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", base, dst); err != nil {
		t.Fatal(err)
	}
	convert := time.Since(start)
	t.Logf("MEASURE qcow2 input: packer build to first provisioner %.2fs; plain qemu-img convert %.2fs; ratio %.2f",
		first.Seconds(), convert.Seconds(), first.Seconds()/convert.Seconds())
}

// rawSourceHCL is the source most tests build: the reference image in, raw output in ./output.
const rawSourceHCL = `
variable "base_image" { type = string }
source "imagecustomizer" "e2e" {
  base_image       = var.base_image
  output_directory = "output"
}
`

const failingTemplate = rawSourceHCL + `build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "shell" {
    inline = ["echo e2e-about-to-fail", "exit 3"]
  }
}
`

func TestFailingProvisionerLeavesNoMountOrLoop(t *testing.T) {
	imgs := requireE2E(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"build.pkr.hcl": failingTemplate})
	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2})
	if b.Err == nil {
		t.Fatal("the build succeeded although a provisioner failed")
	}
	if !strings.Contains(b.Output, "exit status 3") && !strings.Contains(b.Output, "non-zero exit status: 3") {
		t.Errorf("the error does not report the provisioner's exit status 3")
	}
	assertNothingLeft(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "output")); !os.IsNotExist(err) {
		t.Errorf("the output directory of a failed build was left behind: %v", err)
	}
}

const waitingTemplate = rawSourceHCL + `build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "shell" {
    inline = ["echo e2e-waiting-for-cancel", "sleep 300"]
  }
}
`

// A cancelled build releases every mount and loop device: SIGTERM to packer (what CI systems
// send) and SIGINT to its process group (a terminal's Ctrl-C).
func TestCancelledBuildLeavesNoMountOrLoop(t *testing.T) {
	imgs := requireE2E(t)
	for name, cancel := range map[string]func(*exec.Cmd){
		"sigterm":         func(c *exec.Cmd) { _ = c.Process.Signal(syscall.SIGTERM) },
		"sigint-to-group": func(c *exec.Cmd) { _ = syscall.Kill(-c.Process.Pid, syscall.SIGINT) },
	} {
		t.Run(name, func(t *testing.T) { cancelBuild(t, imgs.EFIQcow2, cancel) })
	}
}

func cancelBuild(t *testing.T, base string, cancel func(*exec.Cmd)) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"build.pkr.hcl": waitingTemplate})
	cmd := exec.Command(packerBin(), "build", "-color=false", "-var", "base_image="+base, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	sent := false
	b := runStreaming(t, cmd, nil, func(line string) {
		if !sent && strings.Contains(line, "e2e-waiting-for-cancel") {
			sent = true
			cancel(cmd)
		}
	})
	if !sent {
		t.Fatal("the build never reached the provisioner")
	}
	if b.Err == nil {
		t.Fatal("a cancelled build reported success")
	}
	if b.Elapsed > time.Minute {
		t.Errorf("cancelling took %s: the provisioner was not interrupted", b.Elapsed)
	}
	assertNothingLeft(t, dir)
}

// Two builds at once on one host get their own loop devices and mount paths, and each output
// holds its own build's changes.
func TestTwoBuildsAtOnce(t *testing.T) {
	imgs := requireE2E(t)
	dirs := []string{t.TempDir(), t.TempDir()}
	payloads := []string{marker("parallel-a"), marker("parallel-b")}
	type result struct {
		i int
		b build
	}
	results := make(chan result, len(dirs))
	for i, dir := range dirs {
		writeFiles(t, dir, map[string]string{"build.pkr.hcl": provisionTemplate, "payload.txt": payloads[i] + "\n"})
		base := []string{imgs.EFIQcow2, imgs.BootPartQcow2}[i]
		go func() {
			results <- result{i, packerBuild(t, context.Background(), dir, map[string]string{"base_image": base})}
		}()
	}
	devices := make([]string, len(dirs))
	for range dirs {
		r := <-results
		if r.b.Err != nil {
			t.Errorf("concurrent build %d failed: %v", r.i, r.b.Err)
		}
		for _, line := range strings.Split(r.b.Output, "\n") {
			if i := strings.Index(line, "Attached the image to "); i >= 0 {
				devices[r.i] = strings.TrimSpace(line[i+len("Attached the image to "):])
			}
		}
	}
	if devices[0] == "" || devices[0] == devices[1] {
		t.Errorf("the two builds did not use two loop devices: %q", devices)
	}
	assertNothingLeft(t, dirs...)
	if t.Failed() {
		return
	}
	for i, dir := range dirs {
		tree := openImage(t, filepath.Join(dir, "output", "image.raw"))
		if got, _ := readImageFile(t, tree, "/root/e2e-file.txt"); strings.TrimSpace(got) != payloads[i] {
			t.Errorf("build %d: /root/e2e-file.txt = %q, want %q", i, got, payloads[i])
		}
		if shell, _ := readImageFile(t, tree, "/etc/e2e-shell"); !strings.Contains(shell, "device="+devices[i]+" ") {
			t.Errorf("build %d: /etc/e2e-shell = %q, want the device it attached, %s", i, shell, devices[i])
		}
	}
}

const plainTemplate = rawSourceHCL + `build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "shell" { inline = ["true"] }
}
`

func TestBadBaseImagesFailClearly(t *testing.T) {
	requireE2E(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"build.pkr.hcl": plainTemplate, "notes.txt": strings.Repeat("not a disk image\n", 1000)})

	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": filepath.Join(dir, "notes.txt")})
	if b.Err == nil || !strings.Contains(b.Output, "notes.txt") || !strings.Contains(b.Output, "not a disk image") {
		t.Errorf("a text file as base_image: want a clear 'not a disk image' error naming it")
	}
	assertNothingLeft(t, dir)

	// A GPT disk with only a FAT partition: there is no root file system to mount.
	noRoot := filepath.Join(dir, "fat-only.raw")
	r := &execx.Real{Logf: t.Logf}
	ctx := context.Background()
	for _, argv := range [][]string{
		{"truncate", "-s", "64M", noRoot},
		{"sh", "-c", "echo 'label: gpt\nstart=2048, size=100000, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B' | sfdisk " + execx.QuoteArg(noRoot)},
	} {
		if err := execx.Run(ctx, r, argv...); err != nil {
			t.Fatal(err)
		}
	}
	loop, err := diskimage.AttachLoop(ctx, r, noRoot, false)
	if err != nil {
		t.Fatal(err)
	}
	err = execx.Run(ctx, r, "mkfs.vfat", loop.Device+"p1")
	if cerr := loop.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	b = packerBuild(t, context.Background(), dir, map[string]string{"base_image": noRoot})
	if b.Err == nil || !strings.Contains(b.Output, "root file system") {
		t.Errorf("an image without a root file system: want a clear error about the root file system")
	}
	assertNothingLeft(t, dir)
}

const hostileTemplate = rawSourceHCL + `build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "file" {
    source      = "payload.txt"
    destination = "/opt/escape/pwned-by-file"
  }
  provisioner "shell" {
    inline = ["echo pwned > /srv/escape/pwned-by-shell"]
  }
  provisioner "imagecustomizer" {
    os {
      additional_files {
        content     = "pwned"
        destination = "/opt/escape/pwned-by-imagecustomizer"
      }
    }
  }
}
`

// A hostile base image whose symlinks point at host paths (absolute, and through `..`) cannot
// make the build write outside the image.
func TestHostileImageCannotWriteToTheHost(t *testing.T) {
	imgs := requireE2E(t)
	dir := t.TempDir()
	victim := t.TempDir()
	hostile := filepath.Join(dir, "hostile.raw")
	ctx := context.Background()
	r := &execx.Real{Logf: t.Logf}
	if err := diskimage.WorkingCopy(ctx, r, imgs.EFIRaw, diskimage.FormatRaw, hostile); err != nil {
		t.Fatal(err)
	}
	loop, err := diskimage.AttachLoop(ctx, r, hostile, false)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := diskimage.OpenTree(ctx, r, loop, filepath.Join(t.TempDir(), "root"), diskimage.Options{Logf: t.Logf})
	if err != nil {
		loop.Close()
		t.Fatal(err)
	}
	depth := strings.Repeat("../", 12)
	for _, l := range []struct{ dir, link string }{
		{"opt", victim},             // absolute
		{"srv", depth + victim[1:]}, // climbs out with ..
	} {
		p := filepath.Join(tree.Root, l.dir, "escape")
		if err := os.Symlink(l.link, p); err != nil {
			t.Fatal(err)
		}
	}
	// Inside the image both links resolve to <image>/<victim>: give it that directory, so the
	// writes have a legitimate place to land and the build can succeed.
	if err := os.MkdirAll(filepath.Join(tree.Root, victim), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := tree.Close(); err != nil {
		t.Fatal(err)
	}
	if err := loop.Close(); err != nil {
		t.Fatal(err)
	}

	writeFiles(t, dir, map[string]string{"build.pkr.hcl": hostileTemplate, "payload.txt": "pwned\n"})
	b := packerBuild(t, ctx, dir, map[string]string{"base_image": hostile})
	entries, err := os.ReadDir(victim)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("the hostile image made the build write to the host: %v", entries)
	}
	assertNothingLeft(t, dir)
	if b.Err != nil {
		t.Fatalf("packer build failed: %v", b.Err)
	}
	out := openImage(t, filepath.Join(dir, "output", "image.raw"))
	for _, name := range []string{"pwned-by-file", "pwned-by-shell", "pwned-by-imagecustomizer"} {
		if got, _ := readImageFile(t, out, filepath.Join(victim, name)); strings.TrimSpace(got) != "pwned" {
			t.Errorf("%s did not land inside the image: %q", name, got)
		}
	}
}

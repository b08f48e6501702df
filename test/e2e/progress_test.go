package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// progressTemplate gives one file of the image a POSIX ACL (set from the host through the
// mount), then makes a Live OS ISO of it.
// The image is mounted under the test's directory (MNT), so the leftover check is about this
// build alone.
const progressTemplate = `
variable "base_image" { type = string }
source "imagecustomizer" "e2e" {
  base_image       = var.base_image
  output_directory = "output"
  output_format    = "qcow2"
  mount_path       = "MNT/{{.Device}}"
}
build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "shell" {
    inline = ["echo acl > /etc/e2e-acl"]
  }
  provisioner "shell-local" {
    inline = ["python3 -c \"import os,struct; os.setxattr('${build.MountPath}/etc/e2e-acl', 'system.posix_acl_access', struct.pack('<I', 2) + b''.join(struct.pack('<HHI', *e) for e in [(1, 6, 0xffffffff), (2, 6, 1000), (4, 4, 0xffffffff), (16, 6, 0xffffffff), (32, 4, 0xffffffff)]))\""]
  }
  post-processor "imagecustomizer-iso" {
    output = "output/live.iso"
  }
}
`

// A Live OS build shows its long work as it goes: the qemu-img copy and conversion, a dracut
// heartbeat, and mksquashfs's percentage between the squash step's lines, after which it names
// the POSIX ACL squashfs could not keep.
func TestLiveOSBuildShowsProgress(t *testing.T) {
	imgs := requireE2E(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"build.pkr.hcl": strings.ReplaceAll(progressTemplate, "MNT", filepath.Join(dir, "mnt"))})
	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2})
	if b.Err != nil {
		t.Fatalf("packer build: %v", b.Err)
	}
	out := b.Output
	start := strings.Index(out, "Squashing the root file system")
	end := strings.Index(out, "Squashed the root file system")
	if start < 0 || end < start {
		t.Fatal("the squash step's lines are missing")
	}
	squash := out[start:end]
	pct := regexp.MustCompile(`squashfs: (\d+)%`).FindAllStringSubmatch(squash, -1)
	if len(pct) < 2 || pct[len(pct)-1][1] != "100" {
		t.Errorf("want several squashfs percentages ending at 100%% during the squash step, got %v", pct)
	}
	// The template's file, and whatever files of the reference image have ACLs.
	if !regexp.MustCompile(`squashfs: system.posix_acl_(access|default) was not kept on [1-9]\d* file\(s\)`).MatchString(squash) {
		t.Error("the build does not say that the POSIX ACL was not kept")
	}
	for _, want := range []string{"copy: 100%", "convert: 100%", "dracut: still building the initrd"} {
		if !strings.Contains(out, want) {
			t.Errorf("the build output lacks %q", want)
		}
	}
	assertNothingLeftUnder(t, dir)
}

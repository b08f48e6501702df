package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
)

// The image is mounted under the test's own directory (MNT), so the check that nothing is left
// mounted is about this build alone, not about other builds on the machine.
const errorCleanupTemplate = `
variable "base_image" { type = string }
source "imagecustomizer" "e2e" {
  base_image       = var.base_image
  output_directory = "output"
  mount_path       = "MNT/{{.Device}}"
}
build {
  sources = ["source.imagecustomizer.e2e"]
  provisioner "shell" {
    inline = ["echo MARK > /root/e2e-failed-here", "exit 3"]
  }
  error-cleanup-provisioner "shell" {
    inline = ["echo \"e2e-cleanup-saw-$(cat /root/e2e-failed-here)\""]
  }
}
`

// When a provisioner fails, the template's error-cleanup-provisioner runs in the image's chroot
// (it reads the file the failing provisioner wrote there), before the image is released; the
// build still fails with the provisioner's error and leaves nothing mounted.
func TestErrorCleanupProvisionerRunsAfterAFailingProvisioner(t *testing.T) {
	imgs := requireE2E(t)
	dir := t.TempDir()
	mark := marker("cleanup")
	tpl := strings.NewReplacer("MARK", mark, "MNT", filepath.Join(dir, "mnt")).Replace(errorCleanupTemplate)
	writeFiles(t, dir, map[string]string{"build.pkr.hcl": tpl})
	b := packerBuild(t, context.Background(), dir, map[string]string{"base_image": imgs.EFIQcow2}, "e2e-cleanup-saw-")
	if b.Err == nil {
		t.Fatal("the build succeeded although a provisioner failed")
	}
	if !strings.Contains(b.Output, "Provisioning step had errors: Running the cleanup provisioner") {
		t.Error("the build did not announce the cleanup provisioner")
	}
	if !strings.Contains(b.Output, "e2e-cleanup-saw-"+mark) {
		t.Errorf("the error-cleanup provisioner's output (e2e-cleanup-saw-%s) is missing", mark)
	}
	if !strings.Contains(b.Output, "exit status 3") && !strings.Contains(b.Output, "non-zero exit status: 3") {
		t.Error("the build error is not the failing provisioner's")
	}
	assertNothingLeftUnder(t, dir)
}

// assertNothingLeftUnder checks that nothing is mounted under dir and no loop device is
// attached to a file under it: the resources of a build whose output and mounts are there,
// whatever other builds on the machine hold.
func assertNothingLeftUnder(t *testing.T, dir string) {
	t.Helper()
	mounts, err := diskimage.MountsUnder(dir)
	if err != nil || len(mounts) > 0 {
		t.Errorf("still mounted under %s: %v %v", dir, mounts, err)
	}
	out, err := exec.Command("losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE").CombinedOutput()
	if err != nil || strings.Contains(string(out), dir) {
		t.Errorf("a loop device of this build is still attached (%v):\n%s", err, out)
	}
}

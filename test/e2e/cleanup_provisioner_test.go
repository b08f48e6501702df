package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
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

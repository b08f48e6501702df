package diskimage

import (
	"os"
	"os/exec"
	"testing"
)

// requireTools skips (or, with CI=true, fails) when a tool is missing.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, "needs "+tool+" on PATH")
		}
	}
}

// requireRoot skips unless the test can attach loop devices and mount.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "needs root to attach loop devices and mount file systems")
	}
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		skipOrFail(t, "needs loop devices (/dev/loop-control is missing)")
	}
	requireTools(t, "losetup", "partx", "blkid", "sfdisk", "mkfs.ext4", "mkfs.vfat", "mcopy", "mdir", "mtype", "fsck.fat")
}

// skipOrFail skips with the reason, except in CI, where the machine is
// meant to have everything and a skip would hide a broken set-up.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but this test %s", why)
	}
	t.Skip("skipped: this test " + why)
}

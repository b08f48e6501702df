package diskimage

import (
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// requireTools skips (or, in strict mode, fails) when a tool is missing.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	testenv.RequireTool(t, tools...)
}

// requireRoot skips (or, in strict mode, fails) unless the test can attach
// loop devices and mount, with the tools that takes.
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.RequireLoop(t)
	testenv.RequireTool(t, "losetup", "partx", "blkid", "sfdisk", "mkfs.ext4", "mkfs.vfat", "mcopy", "mdir", "mtype", "fsck.fat")
}

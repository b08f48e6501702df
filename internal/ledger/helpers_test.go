package ledger

import (
	"os"
	"os/exec"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv/skip"
)

// requireRoot skips unless the test runs as root with the tools and /dev/loop-control, or fails
// where a skip is not allowed, as testenv does (testenv itself imports execx, which imports this
// package).
func requireRoot(t *testing.T, tools ...string) {
	t.Helper()
	var why string
	if uid := os.Geteuid(); uid != 0 {
		why = "needs root"
	} else if _, err := os.Stat("/dev/loop-control"); err != nil {
		why = "needs loop devices"
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil && why == "" {
			why = "needs " + tool
		}
	}
	if why == "" {
		return
	}
	skip.Unmet(t, "%s", why)
}

package ledger

import (
	"os"
	"os/exec"
	"testing"
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
	if os.Getenv("CI") == "true" || os.Getenv("IMAGECUSTOMIZER_REQUIRE_ALL") == "1" {
		t.Fatalf("%s (a skip is not allowed: CI=true or IMAGECUSTOMIZER_REQUIRE_ALL=1)", why)
	}
	t.Skipf("skipping: %s", why)
}

package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// Strict reports whether a missing requirement must fail the test instead of
// skipping it: CI has every requirement, so a skip there is a test that
// silently did not run.
func Strict() bool {
	return os.Getenv("CI") == "true" || os.Getenv("IMAGECUSTOMIZER_REQUIRE_ALL") == "1"
}

// unmet skips t with the reason, or fails it in strict mode.
func unmet(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Strict() {
		t.Fatalf("%s (a skip is not allowed: CI=true or IMAGECUSTOMIZER_REQUIRE_ALL=1)", msg)
		return
	}
	t.Skipf("skipping: %s", msg)
}

// RequireRoot skips unless the test runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if uid := os.Geteuid(); uid != 0 {
		unmet(t, "needs root (running as uid %d)", uid)
	}
}

// RequireTool skips unless every named tool is on PATH.
func RequireTool(t testing.TB, names ...string) {
	t.Helper()
	if missing := missingTools(names, exec.LookPath); len(missing) > 0 {
		unmet(t, "needs tools not on PATH: %s", strings.Join(missing, "; "))
	}
}

// missingTools returns a hint for each name lookPath cannot find.
func missingTools(names []string, lookPath func(string) (string, error)) []string {
	var missing []string
	for _, n := range names {
		if _, err := lookPath(n); err != nil {
			missing = append(missing, execx.MissingToolHint(n))
		}
	}
	return missing
}

// RequireLoop skips unless loop devices can be attached: root and a
// writable /dev/loop-control.
func RequireLoop(t testing.TB) {
	t.Helper()
	RequireRoot(t)
	f, err := os.OpenFile("/dev/loop-control", os.O_RDWR, 0)
	if err != nil {
		unmet(t, "needs loop devices: open /dev/loop-control: %v", err)
		return
	}
	f.Close()
}

package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv/skip"
)

// Strict reports whether a missing requirement must fail the test instead of
// skipping it (see package skip).
func Strict() bool { return skip.Strict() }

// Unmet skips t with the reason, or fails it in strict mode. Every skip of
// the test suite goes through here, one of the Require helpers, or package skip.
func Unmet(t testing.TB, format string, args ...any) {
	t.Helper()
	skip.Unmet(t, format, args...)
}

// RequireLong skips a test that takes minutes when go test runs with -short;
// in strict mode -short does not skip it, it fails.
func RequireLong(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		Unmet(t, "%s (-short)", why)
	}
}

// RequireEnv skips unless the environment variable is set; how says how to
// run the test so that it is.
func RequireEnv(t testing.TB, name, how string) {
	t.Helper()
	if os.Getenv(name) == "" {
		Unmet(t, "%s is not set: %s", name, how)
	}
}

// RequirePath skips unless path exists; pkg names the Debian package that
// provides it.
func RequirePath(t testing.TB, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Unmet(t, "needs %s (install the Debian package %s): %v", path, pkg, err)
	}
}

// RequireRoot skips unless the test runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if uid := os.Geteuid(); uid != 0 {
		Unmet(t, "needs root (running as uid %d)", uid)
	}
}

// RequireTool skips unless every named tool is on PATH.
func RequireTool(t testing.TB, names ...string) {
	t.Helper()
	if missing := missingTools(names, exec.LookPath); len(missing) > 0 {
		Unmet(t, "needs tools not on PATH: %s", strings.Join(missing, "; "))
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
		Unmet(t, "needs loop devices: open /dev/loop-control: %v", err)
		return
	}
	f.Close()
}

// Package skip is the one place that decides whether a test whose requirement is missing
// skips or fails. It imports nothing of the plugin, so every package's tests can use it,
// including those that package testenv itself depends on (execx, ledger).
package skip

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Strict reports whether a missing requirement must fail the test instead of skipping it: CI
// has every requirement, so a skip there is a test that silently did not run. CI or
// IMAGECUSTOMIZER_REQUIRE_ALL set to a true value (true, 1, yes, on, in any case) makes it
// strict.
func Strict() bool {
	return truthy(os.Getenv("CI")) || truthy(os.Getenv("IMAGECUSTOMIZER_REQUIRE_ALL"))
}

// truthy reads a boolean environment value as CI systems set it.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "t", "true", "y", "yes", "on":
		return true
	}
	return false
}

// Unmet skips t with the reason, or fails it in strict mode.
func Unmet(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Strict() {
		t.Fatalf("%s (a skip is not allowed: CI or IMAGECUSTOMIZER_REQUIRE_ALL is set)", msg)
		return
	}
	t.Skipf("skipping: %s", msg)
}

package testenv

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// recordingTB captures Skipf/Fatalf instead of ending the test.
type recordingTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordingTB) Helper()                      {}
func (r *recordingTB) Skipf(f string, args ...any)  { r.skipped = fmt.Sprintf(f, args...) }
func (r *recordingTB) Fatalf(f string, args ...any) { r.fatal = fmt.Sprintf(f, args...) }

func TestUnmetSkipsOrFails(t *testing.T) {
	tests := map[string]struct {
		ci, all   string
		wantFatal bool
	}{
		"developer machine skips": {},
		"CI=true fails":           {ci: "true", wantFatal: true},
		"require all fails":       {all: "1", wantFatal: true},
		"CI=false skips":          {ci: "false"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			t.Setenv("IMAGECUSTOMIZER_REQUIRE_ALL", tc.all)
			r := &recordingTB{TB: t}
			unmet(r, "needs %s", "xorriso")
			got := r.skipped
			if tc.wantFatal {
				got = r.fatal
				if r.skipped != "" {
					t.Errorf("skipped in strict mode: %q", r.skipped)
				}
			} else if r.fatal != "" {
				t.Errorf("failed outside strict mode: %q", r.fatal)
			}
			if !strings.Contains(got, "needs xorriso") {
				t.Errorf("message %q does not say what is missing", got)
			}
		})
	}
}

func TestMissingToolsNamesPackages(t *testing.T) {
	look := func(name string) (string, error) {
		if name == "sh" {
			return "/bin/sh", nil
		}
		return "", errors.New("not found")
	}
	got := missingTools([]string{"sh", "xorriso", "no-such-tool"}, look)
	want := []string{"xorriso is not installed; it is in the Debian package xorriso", "no-such-tool is not installed"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("missingTools = %q, want %q", got, want)
	}
}

func TestLastLineIsCacheDir(t *testing.T) {
	got, err := lastLine("noise\n/var/cache/x/abc\n")
	if err != nil || got != "/var/cache/x/abc" {
		t.Errorf("lastLine = %q, %v", got, err)
	}
	if _, err := lastLine("build failed\n"); err == nil {
		t.Error("lastLine accepted a relative last line")
	}
}

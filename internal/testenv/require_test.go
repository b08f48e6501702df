package testenv

import (
	"errors"
	"flag"
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
		"CI=1 fails":              {ci: "1", wantFatal: true},
		"CI=yes fails":            {ci: "yes", wantFatal: true},
		"CI=TRUE fails":           {ci: "TRUE", wantFatal: true},
		"require all fails":       {all: "1", wantFatal: true},
		"require all true fails":  {all: "true", wantFatal: true},
		"CI=false skips":          {ci: "false"},
		"CI=0 skips":              {ci: "0"},
		"CI=no skips":             {ci: "no"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			t.Setenv("IMAGECUSTOMIZER_REQUIRE_ALL", tc.all)
			r := &recordingTB{TB: t}
			Unmet(r, "needs %s", "xorriso")
			r.check(t, tc.wantFatal, "needs xorriso")
		})
	}
}

// check asserts that exactly one of skip and fail happened, with a message containing want.
func (r *recordingTB) check(t *testing.T, wantFatal bool, want string) {
	t.Helper()
	got := r.skipped
	if wantFatal {
		got = r.fatal
		if r.skipped != "" {
			t.Errorf("skipped in strict mode: %q", r.skipped)
		}
	} else if r.fatal != "" {
		t.Errorf("failed outside strict mode: %q", r.fatal)
	}
	if !strings.Contains(got, want) {
		t.Errorf("message %q does not contain %q", got, want)
	}
}

// -short skips a long test on a developer machine and fails it in CI.
func TestRequireLongUnderShort(t *testing.T) {
	prev := flag.Lookup("test.short").Value.String()
	if err := flag.Set("test.short", "true"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = flag.Set("test.short", prev) })
	for _, ci := range []string{"", "1"} {
		t.Setenv("CI", ci)
		t.Setenv("IMAGECUSTOMIZER_REQUIRE_ALL", "")
		r := &recordingTB{TB: t}
		RequireLong(r, "a TCG boot takes minutes")
		r.check(t, ci != "", "a TCG boot takes minutes (-short)")
	}
	if err := flag.Set("test.short", "false"); err != nil {
		t.Fatal(err)
	}
	r := &recordingTB{TB: t}
	RequireLong(r, "long")
	if r.skipped != "" || r.fatal != "" {
		t.Errorf("without -short: skipped %q, failed %q", r.skipped, r.fatal)
	}
}

func TestRequireEnvAndPath(t *testing.T) {
	t.Setenv("CI", "")
	t.Setenv("IMAGECUSTOMIZER_REQUIRE_ALL", "")
	t.Setenv("TESTENV_SET", "1")
	t.Setenv("TESTENV_UNSET", "")
	r := &recordingTB{TB: t}
	RequireEnv(r, "TESTENV_SET", "run make acc")
	RequirePath(r, t.TempDir(), "none")
	if r.skipped != "" || r.fatal != "" {
		t.Fatalf("a met requirement skipped %q or failed %q", r.skipped, r.fatal)
	}
	RequireEnv(r, "TESTENV_UNSET", "run make acc")
	r.check(t, false, "TESTENV_UNSET is not set: run make acc")
	r = &recordingTB{TB: t}
	RequirePath(r, "/no/such/dir", "grub-pc-bin")
	r.check(t, false, "needs /no/such/dir (install the Debian package grub-pc-bin)")
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

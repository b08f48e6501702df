package liveos

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/<name>.golden, or rewrites the file
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden file (run go test ./internal/liveos -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", name, p, got, want)
	}
}

// argvText renders commands one per line, shell-quoted, for golden files.
func argvText(cmds ...[]string) string {
	var b strings.Builder
	for _, c := range cmds {
		b.WriteString(execx.Quote(c))
		b.WriteByte('\n')
	}
	return b.String()
}

// requireTools skips (or, in strict mode, fails) when a tool is missing.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	testenv.RequireTool(t, tools...)
}

// run runs argv through execx (stderr and the command land in the error)
// and returns its standard output.
func run(t *testing.T, argv ...string) string {
	t.Helper()
	out, err := execx.Output(context.Background(), &execx.Real{Logf: t.Logf}, argv...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func regexpMatch(s, re string) bool { return regexp.MustCompile(re).MatchString(s) }

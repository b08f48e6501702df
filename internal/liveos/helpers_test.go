package liveos

import (
	goldenfile "github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/golden"

	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/testenv"
)

// golden compares got with testdata/<name>.golden (go test -update rewrites it).
func golden(t *testing.T, name, got string) { t.Helper(); goldenfile.Check(t, name, got) }

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

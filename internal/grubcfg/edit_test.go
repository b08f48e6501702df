package grubcfg

import (
	goldenfile "github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/golden"

	"os"
	"path/filepath"
	"strings"
	"testing"
)

// golden compares got with testdata/<name>.golden (go test -update rewrites it).
func golden(t *testing.T, name, got string) { t.Helper(); goldenfile.Check(t, name, got) }

// The arguments every golden edit adds: a plain one, one GRUB must quote (`;` ends a
// command), and one with a kernel-quoted value.
var goldenArgs = []string{"ds=nocloud", "ds=nocloud;s=file:///seed/", `opt="a b"`}

func TestAppendArgsGolden(t *testing.T) {
	tests := []struct {
		name     string
		commands int
	}{
		{"debian-mkconfig", 3},
		{"handwritten", 3},
		{"kernelopts", 1},
		{"linuxefi", 2},
		{"blscfg", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", tt.name+".cfg"))
			if err != nil {
				t.Fatal(err)
			}
			out, n, err := AppendArgs(string(in), goldenArgs)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.commands {
				t.Errorf("changed %d commands, want %d", n, tt.commands)
			}
			golden(t, tt.name, out)
			assertOnlyLinuxLinesGrew(t, string(in), out)
			assertArgsReadBack(t, out, n)
		})
	}
}

// assertOnlyLinuxLinesGrew checks that removing the added words from the output gives the
// input back byte for byte: nothing else moved.
func assertOnlyLinuxLinesGrew(t *testing.T, in, out string) {
	t.Helper()
	var words []string
	for _, a := range goldenArgs {
		words = append(words, ArgWord(a))
	}
	add := strings.Join(words, " ")
	back := strings.ReplaceAll(strings.ReplaceAll(out, " "+add, ""), add+" ", "")
	if back != in {
		t.Errorf("the edit changed more than the linux lines:\n%s", out)
	}
}

// assertArgsReadBack checks, through GRUB's quoting rules, that every linux command now
// passes the arguments as given, in order, before $kernelopts when it has one.
func assertArgsReadBack(t *testing.T, out string, n int) {
	t.Helper()
	cmds := LinuxCommands(out)
	if len(cmds) != n {
		t.Fatalf("%d linux commands after the edit, want %d", len(cmds), n)
	}
	want := strings.Join(goldenArgs, "\x00")
	for _, c := range cmds {
		var args []string
		for _, w := range c.Words[2:] {
			args = append(args, WordArg(w.Value))
		}
		got := strings.Join(args, "\x00")
		if !strings.Contains(got, want) {
			t.Errorf("line %d: arguments %q do not hold %q", c.Line, args, goldenArgs)
		}
		if i := strings.Index(got, Kernelopts); i >= 0 && i < strings.Index(got, want) {
			t.Errorf("line %d: arguments added after $kernelopts: %q", c.Line, args)
		}
	}
}

func TestAppendArgsErrors(t *testing.T) {
	tests := map[string]string{
		"menuentry x {\n  linux\n}\n":                          "line 2: linux command has no kernel path",
		"linux /v $kernelopts a ${kernelopts}\n":               "line 1: linux command has 2 $kernelopts words, expected at most one",
		"set x=1\nlinuxefi /v\n\n  linux16   # no path here\n": "line 4: linux16 command has no kernel path",
	}
	for in, want := range tests {
		if _, _, err := AppendArgs(in, []string{"a"}); err == nil || err.Error() != want {
			t.Errorf("AppendArgs(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestAppendArgsNothingToAdd(t *testing.T) {
	in := "linux /v a\n"
	if out, n, err := AppendArgs(in, nil); out != in || n != 0 || err != nil {
		t.Errorf("AppendArgs with no arguments = %q, %d, %v", out, n, err)
	}
}

func TestQuote(t *testing.T) {
	tests := map[string]string{
		"quiet":                 "quiet",
		"console=ttyS0,115200":  "console=ttyS0,115200",
		"/boot/vmlinuz-6.1.0-x": "/boot/vmlinuz-6.1.0-x",
		"root=live:LABEL=X":     "root=live:LABEL=X",
		"":                      "''",
		"a b":                   "'a b'",
		"ds=nocloud;s=x":        "'ds=nocloud;s=x'",
		"$x":                    "'$x'",
		"it's":                  `'it'\''s'`,
		"a{b}":                  "'a{b}'",
		"#x":                    "'#x'",
		"a*":                    "'a*'",
		`back\slash`:            `'back\slash'`,
	}
	for in, want := range tests {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		if got := Parse("x " + Quote(in))[0].Words[1].Value; got != in {
			t.Errorf("Quote(%q) reads back as %q", in, got)
		}
	}
}

func TestArgWordRoundTrip(t *testing.T) {
	for _, arg := range []string{"a", "ds=nocloud;s=file:///x/", `opt="a b"`, "it's", "$v", "x{y}", `"a b"`} {
		w := Parse("x " + ArgWord(arg))[0].Words[1].Value
		if got := WordArg(w); got != arg {
			t.Errorf("ArgWord(%q) = %s reads back as %q", arg, ArgWord(arg), got)
		}
	}
}

package grubcfg

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseWords(t *testing.T) {
	tests := map[string][][]string{
		"linux /v a b":                  {{"linux", "/v", "a", "b"}},
		`echo 'x y' "a \"b\" \$c" d\ e`: {{"echo", "x y", `a "b" $c`, "d e"}},
		"  # only a comment":            nil,
		"a #c":                          {{"a"}},
		"a#b":                           {{"a#b"}},
		"a; b":                          {{"a"}, {"b"}},
		"'unterminated":                 {{"unterminated"}},
		"a \\\n  b\nc":                  {{"a", "b"}, {"c"}},
		"x=\"line\\\nrest\"":            {{"x=linerest"}},
		`"back\slash" 'it'\''s'`:        {{`back\slash`, "it's"}},
		"if [ x ]; then linux /v a; fi": {{"if", "[", "x", "]"}, {"linux", "/v", "a"}, {"fi"}},
		"menuentry 'T' { linux /v; }":   {{"menuentry", "T"}, {"linux", "/v"}},
		"a{b} {x}":                      {{"a{b}", "{x}"}},
		"echo $kernelopts ${x}":         {{"echo", "$kernelopts", "${x}"}},
	}
	for in, want := range tests {
		var got [][]string
		for _, c := range Parse(in) {
			got = append(got, c.Values())
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %q, want %q", in, got, want)
		}
	}
}

// Spans point at the raw word, quotes included, so an edit can keep every other byte.
func TestParseSpans(t *testing.T) {
	src := "  linux\t'/v 1' a\\ b \"c\"  # x\n"
	c := Parse(src)[0]
	var raw []string
	for _, w := range c.Words {
		raw = append(raw, src[w.Start:w.End])
	}
	if want := []string{"linux", "'/v 1'", `a\ b`, `"c"`}; !reflect.DeepEqual(raw, want) {
		t.Errorf("raw words = %q, want %q", raw, want)
	}
}

func TestParseTitlesAndLines(t *testing.T) {
	src := "linux /top\n" +
		"menuentry 'Debian' --class debian {\n" +
		"\tlinux /a\n" +
		"}\n" +
		"submenu 'Advanced' {\n" +
		"\tmenuentry \"Debian (recovery mode)\" {\n" +
		"\t\tif true; then\n" +
		"\t\t\tlinux /b \\\n" +
		"\t\t\t\tsingle\n" +
		"\t\tfi\n" +
		"\t}\n" +
		"\tlinux /c\n" +
		"}\n" +
		"linux /d\n"
	type cmd struct {
		line  int
		title string
		words string
	}
	var got []cmd
	for _, c := range LinuxCommands(src) {
		got = append(got, cmd{c.Line, c.Title, strings.Join(c.Values(), " ")})
	}
	want := []cmd{
		{1, "", "linux /top"},
		{3, "Debian", "linux /a"},
		{8, "Debian (recovery mode)", "linux /b single"},
		{12, "Advanced", "linux /c"},
		{14, "", "linux /d"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LinuxCommands =\n%+v\nwant\n%+v", got, want)
	}
}

func TestLinuxCommandNames(t *testing.T) {
	src := "linux /a\nlinuxefi /b\nlinux16 /c\nlinux_gfx_mode=x\ninitrd /i\necho linux /x\n"
	var names []string
	for _, c := range LinuxCommands(src) {
		names = append(names, c.Name()+" "+c.Words[1].Value)
	}
	if want := []string{"linux /a", "linuxefi /b", "linux16 /c"}; !reflect.DeepEqual(names, want) {
		t.Errorf("LinuxCommands = %q, want %q", names, want)
	}
}

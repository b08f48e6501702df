package icconfig

import (
	"strings"
	"testing"
)

// Whatever a config file holds, Parse either refuses it or returns a config that IsValid can
// judge and whose destinations normalise to clean absolute paths; neither panics nor hangs.
func FuzzParse(f *testing.F) {
	f.Add([]byte("os:\n  hostname: demo\n  additionalFiles:\n    - {destination: /etc/a, content: hi}\n" +
		"  kernelCommandLine: {extraCommandLine: [quiet]}\niso:\n  additionalFiles:\n    a.txt: /a.txt\n" +
		"scripts:\n  postCustomization:\n    - {content: echo hi}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("os: {users: [{name: a, password: {type: hashed, value: x}}]}\n"))
	f.Add([]byte(strings.Repeat("[", 1000)))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, dir)
		if err != nil {
			return
		}
		_ = c.IsValid()
		c.ResolvePaths()
		if c.OS != nil {
			for _, a := range c.OS.AdditionalFiles {
				if a.Destination != "" && a.Destination != NormalizeDestination(a.Destination) {
					t.Fatalf("destination %q is not normalised", a.Destination)
				}
			}
		}
	})
}

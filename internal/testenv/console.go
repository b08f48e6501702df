package testenv

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// defaultFailOn are console lines that mean the boot is lost. Generic
// "Failed" lines are deliberately absent: every overlayfs live boot prints
// "Failed to mount sysroot.mount" once and then succeeds.
var defaultFailOn = []string{
	`Kernel panic`,
	`dracut-initqueue.*timeout`,
	`Entering emergency mode`,
	`(?i)emergency shell`,
	`Access Denied`,
}

// builtinMilestones are timed when seen, in addition to the Expect patterns.
var builtinMilestones = map[string]string{
	"firmware": `BdsDxe: starting`,
	"kernel":   `Linux version \d`,
	"initrd":   `\(Initramfs\)`,
	"login":    `\S login:`,
}

type pattern struct {
	name string
	re   *regexp.Regexp
}

// console follows a serial log as it grows: it times the first match of
// each milestone, notices failure lines, and keeps the text.
type console struct {
	expect     []pattern
	fail       []pattern
	milestones []pattern
	seen       map[string]time.Duration
	failure    string
	text       strings.Builder
	partial    string // the unterminated last line, e.g. "debian login: "
}

func newConsole(expect, failOn []string) (*console, error) {
	c := &console{seen: map[string]time.Duration{}}
	var err error
	if c.expect, err = compile(expect, "expect"); err != nil {
		return nil, err
	}
	if c.fail, err = compile(append(append([]string{}, defaultFailOn...), failOn...), "fail-on"); err != nil {
		return nil, err
	}
	for name, src := range builtinMilestones {
		c.milestones = append(c.milestones, pattern{name, regexp.MustCompile(src)})
	}
	return c, nil
}

func compile(srcs []string, what string) ([]pattern, error) {
	out := make([]pattern, 0, len(srcs))
	for _, s := range srcs {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("compile %s pattern %q: %w", what, s, err)
		}
		out = append(out, pattern{s, re})
	}
	return out, nil
}

// feed appends newly read console bytes seen at time at. Patterns match
// within one line; the unterminated last line is matched too, because a
// login prompt waits for input without a newline.
func (c *console) feed(b []byte, at time.Duration) {
	c.text.Write(b)
	s := c.partial + strings.ReplaceAll(string(b), "\r", "")
	lines := strings.Split(s, "\n")
	c.partial = lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		c.match(l, at)
	}
	if c.partial != "" {
		c.match(c.partial, at)
	}
}

func (c *console) match(line string, at time.Duration) {
	for _, ps := range [][]pattern{c.expect, c.milestones} {
		for _, p := range ps {
			if _, ok := c.seen[p.name]; !ok && p.re.MatchString(line) {
				c.seen[p.name] = at
			}
		}
	}
	if c.failure == "" {
		for _, p := range c.fail {
			if p.re.MatchString(line) {
				c.failure = fmt.Sprintf("console matched failure pattern %q: %s", p.name, strings.TrimSpace(line))
				break
			}
		}
	}
}

// missing lists the Expect patterns not seen yet.
func (c *console) missing() []string {
	var m []string
	for _, p := range c.expect {
		if _, ok := c.seen[p.name]; !ok {
			m = append(m, p.name)
		}
	}
	return m
}

// done reports whether every Expect pattern has matched.
func (c *console) done() bool { return len(c.missing()) == 0 }

// tail returns the last n lines of the console, escape sequences removed.
func (c *console) tail(n int) string {
	return lastLines(c.text.String(), n)
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;=?]*[A-Za-z]`)

func lastLines(s string, n int) string {
	s = ansiEscape.ReplaceAllString(strings.ReplaceAll(s, "\r", ""), "")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

package bootcheck

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// DefaultFailOn are console lines that mean the boot is lost: a kernel
// panic, dracut giving up on the root device, systemd's or dracut's
// emergency shell, and OVMF refusing an unsigned loader under Secure Boot.
// Generic "Failed" lines are deliberately absent: every overlayfs live boot
// prints "Failed to mount sysroot.mount" once and then succeeds.
var DefaultFailOn = []string{
	`Kernel panic`,
	`dracut-initqueue.*timeout`,
	`Entering emergency mode`,
	`(?i)emergency shell`,
	`Access Denied`,
}

// Built-in milestones, timed when seen in addition to the expected patterns.
const (
	MilestoneFirmware = "firmware" // OVMF starts a boot option, or SeaBIOS starts
	MilestoneKernel   = "kernel"   // the kernel's banner
	MilestoneInitrd   = "initrd"   // systemd in the initramfs
	MilestoneLogin    = "login"    // a getty's prompt
)

var builtinMilestones = []pattern{
	{MilestoneFirmware, regexp.MustCompile(`BdsDxe: starting|SeaBIOS \(version`)},
	{MilestoneKernel, regexp.MustCompile(`Linux version \d`)},
	{MilestoneInitrd, regexp.MustCompile(`\(Initramfs\)`)},
	{MilestoneLogin, regexp.MustCompile(`\S login:`)},
}

type pattern struct {
	name string
	re   *regexp.Regexp
}

// Console follows a serial log as it grows: it times the first match of
// each milestone and expected pattern, notices failure lines, and keeps the
// text. Patterns match within one line.
type Console struct {
	expect  []pattern
	fail    []pattern
	seen    [2]map[string]time.Duration // builtin milestones, expected patterns
	failure string
	text    strings.Builder
	partial string // the unterminated last line, e.g. "debian login: "
}

// NewConsole compiles the expected patterns and the failure patterns
// (DefaultFailOn when failOn is nil).
func NewConsole(expect, failOn []string) (*Console, error) {
	if failOn == nil {
		failOn = DefaultFailOn
	}
	c := &Console{seen: [2]map[string]time.Duration{{}, {}}}
	var err error
	if c.expect, err = compile(expect, "expect"); err != nil {
		return nil, err
	}
	if c.fail, err = compile(failOn, "fail_on"); err != nil {
		return nil, err
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

// Feed appends console bytes read at time at. The unterminated last line is
// matched too, because a login prompt waits for input without a newline.
func (c *Console) Feed(b []byte, at time.Duration) {
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

func (c *Console) match(line string, at time.Duration) {
	for i, ps := range [2][]pattern{builtinMilestones, c.expect} {
		for _, p := range ps {
			if _, ok := c.seen[i][p.name]; !ok && p.re.MatchString(line) {
				c.seen[i][p.name] = at
			}
		}
	}
	if c.failure != "" {
		return
	}
	for _, p := range c.fail {
		if p.re.MatchString(line) {
			c.failure = fmt.Sprintf("console matched failure pattern %q: %s", p.name, strings.TrimSpace(line))
			return
		}
	}
}

// Failure describes the first failure line seen; empty when none was.
func (c *Console) Failure() string { return c.failure }

// Missing lists the expected patterns not seen yet, in the order given.
func (c *Console) Missing() []string {
	var m []string
	for _, p := range c.expect {
		if _, ok := c.seen[1][p.name]; !ok {
			m = append(m, p.name)
		}
	}
	return m
}

// Done reports whether every expected pattern has matched.
func (c *Console) Done() bool { return len(c.Missing()) == 0 }

// Text is the whole console so far.
func (c *Console) Text() string { return c.text.String() }

// Milestones lists the built-in milestones, then the expected patterns,
// each with when it first appeared (Seen false when it never did).
func (c *Console) Milestones() []Milestone {
	var ms []Milestone
	for i, ps := range [2][]pattern{builtinMilestones, c.expect} {
		for _, p := range ps {
			at, ok := c.seen[i][p.name]
			ms = append(ms, Milestone{Name: p.name, At: at, Seen: ok})
		}
	}
	return ms
}

// Milestone is when a console line first matched a pattern, counted from
// QEMU's start.
type Milestone struct {
	Name string
	At   time.Duration
	Seen bool
}

// Tail returns the last n lines of the console, escape sequences removed.
func (c *Console) Tail(n int) string { return lastLines(c.text.String(), n) }

// ansiEscape matches the terminal control sequences firmware and systemd
// print: CSI sequences (colours, cursor moves, "ESC [ ? 7 l"), character set
// selections ("ESC ( B") and single-character ones (SeaBIOS's reset, "ESC c").
var ansiEscape = regexp.MustCompile(`\x1b(\[[0-9;=?]*[A-Za-z]|[()#%][0-9A-Za-z@]|[0-9A-Za-z=>@])`)

func lastLines(s string, n int) string {
	s = ansiEscape.ReplaceAllString(strings.ReplaceAll(s, "\r", ""), "")
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

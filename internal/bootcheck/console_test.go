package bootcheck

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func seenAt(c *Console) map[string]time.Duration {
	got := map[string]time.Duration{}
	for _, m := range c.Milestones() {
		if m.Seen {
			got[m.Name] = m.At
		}
	}
	return got
}

func TestConsoleMilestonesAcrossChunks(t *testing.T) {
	c, err := NewConsole([]string{`marker-42`, `login:`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A line split over two reads matches once complete, at the later time.
	c.Feed([]byte("BdsDxe: starting Boot0001\r\n[    0.000000] Linux ver"), 1*time.Second)
	c.Feed([]byte("sion 6.1.0\r\nWelcome to Debian (Initramfs)!\r\nmark"), 2*time.Second)
	if c.Done() {
		t.Fatal("done before the expected patterns appeared")
	}
	c.Feed([]byte("er-42 uptime=5\r\n"), 3*time.Second)
	if got := c.Missing(); !reflect.DeepEqual(got, []string{"login:"}) {
		t.Fatalf("missing = %q, want [login:]", got)
	}
	// The prompt has no newline: the unterminated line must match.
	c.Feed([]byte("\r\ndebian login: "), 4*time.Second)
	if !c.Done() {
		t.Fatalf("not done; missing %q", c.Missing())
	}
	want := map[string]time.Duration{
		"firmware": 1 * time.Second, "kernel": 2 * time.Second, "initrd": 2 * time.Second,
		"marker-42": 3 * time.Second, "login:": 4 * time.Second, "login": 4 * time.Second,
	}
	if got := seenAt(c); !reflect.DeepEqual(got, want) {
		t.Errorf("seen = %v, want %v", got, want)
	}
	if c.Failure() != "" {
		t.Errorf("failure = %q on a clean boot", c.Failure())
	}
	names := []string{}
	for _, m := range c.Milestones() {
		names = append(names, m.Name)
	}
	if want := []string{"firmware", "kernel", "initrd", "login", "marker-42", "login:"}; !reflect.DeepEqual(names, want) {
		t.Errorf("milestone order = %q, want built-ins first, then the expected patterns as given: %q", names, want)
	}
}

func TestConsoleExpectNamedLikeAMilestone(t *testing.T) {
	c, err := NewConsole([]string{`kernel`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Feed([]byte("Linux version 6.1\n"), time.Second)
	if c.Done() {
		t.Fatal("the built-in kernel milestone satisfied the expected pattern \"kernel\"")
	}
	c.Feed([]byte("kernel: ok\n"), 2*time.Second)
	if !c.Done() {
		t.Fatal("the expected pattern \"kernel\" did not match")
	}
}

func TestConsoleFailures(t *testing.T) {
	tests := map[string]struct {
		line   string
		failOn []string
		want   string // substring of the failure; empty means no failure
	}{
		"panic":           {line: "[ 3.1] Kernel panic - not syncing: VFS", want: `"Kernel panic"`},
		"dracut timeout":  {line: "dracut-initqueue[301]: Warning: dracut-initqueue: timeout, still waiting", want: "dracut-initqueue"},
		"emergency mode":  {line: "Entering emergency mode. Exit the shell to continue.", want: "emergency mode"},
		"dracut shell":    {line: "Starting Dracut Emergency Shell...", want: "emergency shell"},
		"secure boot":     {line: `BdsDxe: failed to load Boot0001: Access Denied`, want: "Access Denied"},
		"own patterns":    {line: "ci: FAIL step 3", failOn: []string{`ci: FAIL`}, want: `"ci: FAIL"`},
		"own replace":     {line: "[ 3.1] Kernel panic - not syncing: VFS", failOn: []string{`ci: FAIL`}},
		"none at all":     {line: "[ 3.1] Kernel panic - not syncing: VFS", failOn: []string{}},
		"benign overlay":  {line: "[FAILED] Failed to mount sysroot.mount - /sysroot."},
		"benign resizefs": {line: "cc_resizefs: Device '/dev/LiveOS_rootfs' did not exist"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := NewConsole([]string{"never"}, tc.failOn)
			if err != nil {
				t.Fatal(err)
			}
			c.Feed([]byte("ok line\r\n"+tc.line+"\r\n"), time.Second)
			if tc.want == "" {
				if c.Failure() != "" {
					t.Fatalf("line reported as failure: %s", c.Failure())
				}
				return
			}
			if !strings.Contains(c.Failure(), tc.want) || !strings.Contains(c.Failure(), strings.TrimSpace(tc.line)) {
				t.Fatalf("failure = %q, want the pattern %s and the line", c.Failure(), tc.want)
			}
		})
	}
}

func TestConsoleRejectsBadPattern(t *testing.T) {
	if _, err := NewConsole([]string{"("}, nil); err == nil || !strings.Contains(err.Error(), `expect pattern "("`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewConsole([]string{"x"}, []string{"[z-a]"}); err == nil || !strings.Contains(err.Error(), "fail_on") {
		t.Fatalf("err = %v", err)
	}
}

func TestTailKeepsLastLinesWithoutEscapes(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&b, "\x1b[0;32mline %d\x1b[0m\r\n", i)
	}
	got := lastLines(b.String(), 3)
	if want := "line 98\nline 99\nline 100"; got != want {
		t.Errorf("lastLines = %q, want %q", got, want)
	}
}

func TestBootErrorNamesWhatIsMissing(t *testing.T) {
	e := &BootError{Name: "bios", Reason: "timed out (6m0s)", Elapsed: 361500 * time.Millisecond,
		Missing: []string{"login:"}, Tail: "last line"}
	got := e.Error()
	for _, want := range []string{"boot bios: timed out (6m0s) after 361.5s", `never saw ["login:"]`, "last line"} {
		if !strings.Contains(got, want) {
			t.Errorf("error %q lacks %q", got, want)
		}
	}
}

func TestFormatMilestonesInTimeOrder(t *testing.T) {
	got := FormatMilestones([]Milestone{
		{Name: "login", At: 40 * time.Second, Seen: true},
		{Name: "firmware"},
		{Name: "kernel", At: 9100 * time.Millisecond, Seen: true},
		{Name: "initrd", At: 13 * time.Second, Seen: true},
	})
	if want := "kernel=9.1s initrd=13.0s login=40.0s"; got != want {
		t.Errorf("FormatMilestones = %q, want %q", got, want)
	}
}

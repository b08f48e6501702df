package testenv

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestConsoleMilestonesAcrossChunks(t *testing.T) {
	c, err := newConsole([]string{`marker-42`, `login:`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A line split over two reads matches once complete, at the later time.
	c.feed([]byte("BdsDxe: starting Boot0001\r\n[    0.000000] Linux ver"), 1*time.Second)
	c.feed([]byte("sion 6.1.0\r\nWelcome to Debian (Initramfs)!\r\nmark"), 2*time.Second)
	if c.done() {
		t.Fatal("done before the expected patterns appeared")
	}
	c.feed([]byte("er-42 uptime=5\r\n"), 3*time.Second)
	if got := c.missing(); !reflect.DeepEqual(got, []string{"login:"}) {
		t.Fatalf("missing = %q, want [login:]", got)
	}
	// The prompt has no newline: the unterminated line must match.
	c.feed([]byte("\r\ndebian login: "), 4*time.Second)
	if !c.done() {
		t.Fatalf("not done; missing %q", c.missing())
	}
	want := map[string]time.Duration{
		"firmware": 1 * time.Second, "kernel": 2 * time.Second, "initrd": 2 * time.Second,
		"marker-42": 3 * time.Second, "login:": 4 * time.Second, "login": 4 * time.Second,
	}
	if !reflect.DeepEqual(c.seen, want) {
		t.Errorf("seen = %v, want %v", c.seen, want)
	}
	if c.failure != "" {
		t.Errorf("failure = %q on a clean boot", c.failure)
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
		"extra pattern":   {line: "ci: FAIL step 3", failOn: []string{`ci: FAIL`}, want: `"ci: FAIL"`},
		"benign overlay":  {line: "[FAILED] Failed to mount sysroot.mount - /sysroot."},
		"benign resizefs": {line: "cc_resizefs: Device '/dev/LiveOS_rootfs' did not exist"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := newConsole([]string{"never"}, tc.failOn)
			if err != nil {
				t.Fatal(err)
			}
			c.feed([]byte("ok line\r\n"+tc.line+"\r\n"), time.Second)
			if tc.want == "" {
				if c.failure != "" {
					t.Fatalf("benign line reported as failure: %s", c.failure)
				}
				return
			}
			if !strings.Contains(c.failure, tc.want) || !strings.Contains(c.failure, strings.TrimSpace(tc.line)) {
				t.Fatalf("failure = %q, want the pattern %s and the line", c.failure, tc.want)
			}
		})
	}
}

func TestConsoleRejectsBadPattern(t *testing.T) {
	if _, err := newConsole([]string{"("}, nil); err == nil || !strings.Contains(err.Error(), `expect pattern "("`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := newConsole([]string{"x"}, []string{"[z-a]"}); err == nil || !strings.Contains(err.Error(), "fail-on") {
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
	e := &BootError{Name: "efi", Reason: "timed out (6m0s)", Elapsed: 361500 * time.Millisecond,
		Missing: []string{"login:"}, Tail: "last line"}
	got := e.Error()
	for _, want := range []string{"boot efi: timed out (6m0s) after 361.5s", `never saw ["login:"]`, "last line"} {
		if !strings.Contains(got, want) {
			t.Errorf("error %q lacks %q", got, want)
		}
	}
}

func TestFormatMilestonesInTimeOrder(t *testing.T) {
	got := FormatMilestones(map[string]time.Duration{"login": 40 * time.Second, "kernel": 9100 * time.Millisecond, "initrd": 13 * time.Second})
	if want := "kernel=9.1s initrd=13.0s login=40.0s"; got != want {
		t.Errorf("FormatMilestones = %q, want %q", got, want)
	}
}

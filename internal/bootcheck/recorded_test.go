package bootcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Consoles in testdata/consoles were recorded by Run from real boots of the
// reference Debian image (test/images): disk-uefi-secureboot.log under OVMF
// with Secure Boot and a NoCloud seed whose runcmd printed rec-runcmd-done;
// disk-bios-no-loader.log under SeaBIOS, which finds no BIOS boot loader on
// that UEFI-only disk and hangs.
func recorded(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "consoles", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// feedChunks feeds b in chunks of n bytes, one second apart, as a poll
// loop would read a growing file.
func feedChunks(c *Console, b []byte, n int) {
	for i, at := 0, time.Second; i < len(b); i, at = i+n, at+time.Second {
		c.Feed(b[i:min(i+n, len(b))], at)
	}
}

func TestRecordedSecureBootDiskBoot(t *testing.T) {
	for _, chunk := range []int{1, 100, 4096, 1 << 20} {
		c, err := NewConsole([]string{`login:`, `rec-runcmd-done`, `Secure boot enabled`}, nil)
		if err != nil {
			t.Fatal(err)
		}
		feedChunks(c, recorded(t, "disk-uefi-secureboot.log"), chunk)
		if !c.Done() || c.Failure() != "" {
			t.Fatalf("chunks of %d: missing %q, failure %q", chunk, c.Missing(), c.Failure())
		}
		var order []string
		for _, m := range sortedSeen(c.Milestones()) {
			order = append(order, m.Name)
		}
		got := strings.Join(order, " ")
		// Chunks of 1 MiB deliver the whole console at once: every milestone at one time.
		want := "firmware kernel Secure boot enabled initrd login login: rec-runcmd-done"
		if chunk == 1<<20 {
			want = "firmware kernel initrd login login: rec-runcmd-done Secure boot enabled"
		}
		if got != want {
			t.Errorf("chunks of %d: milestone order %q, want %q", chunk, got, want)
		}
	}
}

func TestRecordedBIOSWithoutBootLoader(t *testing.T) {
	c, err := NewConsole([]string{`login:`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	feedChunks(c, recorded(t, "disk-bios-no-loader.log"), 16)
	if at, ok := seenAt(c)[MilestoneFirmware]; !ok || at == 0 {
		t.Errorf("SeaBIOS's banner is not the firmware milestone: %v", seenAt(c))
	}
	if got, want := c.Tail(5), "SeaBIOS (version 1.16.2-debian-1.16.2-1)\nBooting from Hard Disk..."; got != want {
		t.Errorf("tail = %q, want %q without terminal control sequences", got, want)
	}
}

// TestWatchReplaysRecordedConsoles plays recorded consoles through a fake
// VM and the watcher, the path QEMU takes.
func TestWatchReplaysRecordedConsoles(t *testing.T) {
	good, _ := filepath.Abs(filepath.Join("testdata", "consoles", "disk-uefi-secureboot.log"))
	bios, _ := filepath.Abs(filepath.Join("testdata", "consoles", "disk-bios-no-loader.log"))
	tests := map[string]struct {
		script, console string
		timeout         time.Duration
		want            []string // substrings of the error; none means the boot passes
	}{
		"passes, vm still running": {script: `cat "$3" >> "$1"; sleep 300`, console: good},
		"passes, vm exits at once": {script: `cat "$3" >> "$1"`, console: good},
		"panic after the last expected line, vm exits at once": {
			script: `cat "$3" >> "$1"; printf '[  342.1] Kernel panic - not syncing: Attempted to kill init!\n' >> "$1"`, console: good,
			want: []string{`failure pattern "Kernel panic"`, "Attempted to kill init"}},
		"vm dies in the initrd": {
			script: `head -n 460 "$3" >> "$1"; exit 1`, console: good,
			want: []string{"qemu exited (sh: exit status 1)", `never saw ["login:" "rec-runcmd-done"]`, "Expecting device dev-disk"}},
		"no boot loader": {script: `cat "$3" >> "$1"; sleep 300`, console: bios, timeout: 3 * time.Second,
			want: []string{"timed out (3s)", "Booting from Hard Disk..."}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err, pids := fakeVM(t, tc.script, []string{`login:`, `rec-runcmd-done`}, tc.timeout, tc.console)
			childGone(t, pids)
			if len(tc.want) == 0 {
				if err != nil || !res.Passed {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || res.Passed {
				t.Fatalf("the boot passed: err = %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

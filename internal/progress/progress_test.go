package progress

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestParsers(t *testing.T) {
	cases := []struct {
		name  string
		parse Parser
		line  string
		want  float64
		ok    bool
	}{
		{"mksquashfs bar", Mksquashfs, "[=========-          ] 1234/5678  21%", 21, true},
		{"mksquashfs done", Mksquashfs, "[====================] 229/229 100%", 100, true},
		{"mksquashfs banner", Mksquashfs, "Parallel mksquashfs: Using 2 processors", 0, false},
		{"xorriso update", Xorriso, "xorriso : UPDATE :  41.93% done, estimate finish Thu Dec  4 17:20:11 2026", 41.93, true},
		{"xorriso other", Xorriso, "xorriso : UPDATE :  19 files added in 1 seconds", 0, false},
		{"qemu-img", QemuImg, "    (57.03/100%)", 57.03, true},
		{"qemu-img other", QemuImg, "qemu-img: error", 0, false},
		{"over 100", QemuImg, "(120.00/100%)", 0, false},
	}
	for _, tc := range cases {
		got, ok := tc.parse(tc.line)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: got %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStepsReportsEachTenthOnce(t *testing.T) {
	var got []int
	s := &Steps{Parse: Mksquashfs, Report: func(p int) { got = append(got, p) }}
	for _, l := range []string{"banner", "[=  ] 1/100 1%", "[=  ] 9/100 9%", "[== ] 12/100 12%",
		"[== ] 15/100 15%", "[=== ] 47/100 47%", "[====] 100/100 100%", "[====] 100/100 100%"} {
		s.Line(l)
	}
	want := []int{10, 40, 100}
	if len(got) != len(want) {
		t.Fatalf("reported %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("reported %v, want %v", got, want)
		}
	}
}

func TestHeartbeatBeatsUntilStopped(t *testing.T) {
	var beats atomic.Int32
	stop := Heartbeat(20*time.Millisecond, func(time.Duration) { beats.Add(1) })
	time.Sleep(110 * time.Millisecond)
	stop()
	n := beats.Load()
	if n < 2 {
		t.Errorf("%d beats in 110ms at 20ms, want several", n)
	}
	time.Sleep(60 * time.Millisecond)
	if beats.Load() != n {
		t.Error("beats continued after stop")
	}
	stop() // a second stop is a no-op
}

func TestTailKeepsLastLine(t *testing.T) {
	var tl Tail
	for _, l := range []string{"dracut: a", "  ", "dracut: b"} {
		tl.Line(l)
	}
	if tl.Last() != "dracut: b" {
		t.Errorf("Last = %q", tl.Last())
	}
}

// Package progress reads the progress that long-running tools print and turns it into a few
// lines for a person: a percentage every tenth of the way, or a heartbeat for a tool that
// prints none. It runs nothing and logs nothing.
package progress

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Parser reads a percentage from one line (or one in-place update) of a tool's output.
type Parser func(line string) (percent float64, ok bool)

var (
	// mksquashfs redraws `[=====/   ] 1234/5678  21%`.
	mksquashfsRE = regexp.MustCompile(`\]\s+\d+/\d+\s+(\d+)%\s*$`)
	// xorriso prints `xorriso : UPDATE :  12.34% done, estimate finish ...`.
	xorrisoRE = regexp.MustCompile(`UPDATE :\s+([0-9.]+)% done`)
	// qemu-img -p redraws `    (12.34/100%)`.
	qemuImgRE = regexp.MustCompile(`^\s*\(([0-9.]+)/100%\)\s*$`)
)

// Mksquashfs parses mksquashfs's progress bar.
func Mksquashfs(line string) (float64, bool) { return match(mksquashfsRE, line) }

// Xorriso parses xorriso's UPDATE messages.
func Xorriso(line string) (float64, bool) { return match(xorrisoRE, line) }

// QemuImg parses the progress of qemu-img convert -p.
func QemuImg(line string) (float64, bool) { return match(qemuImgRE, line) }

func match(re *regexp.Regexp, line string) (float64, bool) {
	m := re.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v < 0 || v > 100 {
		return 0, false
	}
	return v, true
}

// Steps reports a tool's progress in steps: Report is called the first time the percentage
// reaches each multiple of Every (10 by default), so a person sees at most a handful of
// lines however often the tool redraws. Use Line as the execx Progress callback.
type Steps struct {
	Parse  Parser
	Every  int
	Report func(percent int)

	mu   sync.Mutex
	last int
}

// Line feeds one line of the tool's output.
func (s *Steps) Line(line string) {
	pct, ok := s.Parse(line)
	if !ok {
		return
	}
	every := s.Every
	if every <= 0 {
		every = 10
	}
	step := int(pct) / every * every
	s.mu.Lock()
	defer s.mu.Unlock()
	if step <= s.last {
		return
	}
	s.last = step
	s.Report(step)
}

// Heartbeat calls beat with the time elapsed every interval until the returned stop is
// called; stop waits for a beat in progress and is safe to call twice.
func Heartbeat(interval time.Duration, beat func(elapsed time.Duration)) (stop func()) {
	start := time.Now()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				beat(now.Sub(start).Round(time.Second))
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		<-finished
	}
}

// Tail keeps the last non-empty line of a tool's output, for a heartbeat that says what
// the tool is doing.
type Tail struct {
	mu   sync.Mutex
	line string
}

// Line records line.
func (t *Tail) Line(line string) {
	if line = strings.TrimSpace(line); line != "" {
		t.mu.Lock()
		t.line = line
		t.mu.Unlock()
	}
}

// Last returns the last line recorded.
func (t *Tail) Last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.line
}

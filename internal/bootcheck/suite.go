package bootcheck

import (
	"fmt"
	"strings"
	"time"
)

// Suite is the boot test of one ISO: one boot per firmware, one after the
// other, each with its console kept at LogPath.
type Suite struct {
	ISO       string
	Firmwares []Firmware
	Media     Media
	Expect    []string
	FailOn    []string // nil: DefaultFailOn
	Timeout   time.Duration
	MemoryMiB int
}

// LogPath is the file that keeps the console of the boot of iso with fw.
func LogPath(iso string, fw Firmware) string { return iso + ".boot-" + string(fw) + ".log" }

// Plan returns the options of each boot, in the order of s.Firmwares.
func (s Suite) Plan() []Options {
	boots := make([]Options, 0, len(s.Firmwares))
	for _, fw := range s.Firmwares {
		boots = append(boots, Options{
			Name:       string(fw),
			ISO:        s.ISO,
			Media:      s.Media,
			Firmware:   fw,
			Expect:     s.Expect,
			FailOn:     s.FailOn,
			Timeout:    s.Timeout,
			MemoryMiB:  s.MemoryMiB,
			ConsoleLog: LogPath(s.ISO, fw),
		})
	}
	return boots
}

// Record is one boot's outcome in plain values, for an artifact's State
// and Packer's generated data.
type Record struct {
	Firmware string
	Media    string
	Passed   bool
	// Seconds is how long the boot ran.
	Seconds float64
	// Milestones maps each milestone and expected pattern that appeared to
	// the seconds from QEMU's start.
	Milestones map[string]float64
	// ConsoleLog is the file that keeps the console.
	ConsoleLog string
	// Error is why the boot failed; empty when it passed.
	Error string
}

// NewRecord records res and the error Run returned with it.
func NewRecord(res *Result, err error) Record {
	r := Record{Firmware: string(res.Firmware), Media: string(res.Media), Passed: res.Passed && err == nil,
		Seconds: round1(res.Elapsed), Milestones: map[string]float64{}, ConsoleLog: res.ConsoleLog}
	for _, m := range res.Milestones {
		if m.Seen {
			r.Milestones[m.Name] = round1(m.At)
		}
	}
	if err != nil {
		if be, ok := err.(*BootError); ok {
			r.Error = be.Reason
			if len(be.Missing) > 0 {
				r.Error += fmt.Sprintf("; never saw %q", be.Missing)
			}
		} else {
			r.Error = err.Error()
		}
	}
	return r
}

func round1(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}

// Report renders one boot for a build log: the firmware, pass or fail, and
// the time to each milestone, those never seen included.
func Report(res *Result) string {
	verdict := "FAIL"
	if res.Passed {
		verdict = "pass"
	}
	var parts []string
	for _, m := range res.Milestones {
		if m.Seen {
			parts = append(parts, fmt.Sprintf("%s %.1fs", m.Name, m.At.Seconds()))
		} else {
			parts = append(parts, m.Name+" never")
		}
	}
	return fmt.Sprintf("%s (%s, %s): %s after %.1fs; %s", res.Firmware, res.Media, res.Accel, verdict,
		res.Elapsed.Seconds(), strings.Join(parts, ", "))
}

// Summarize renders every boot in one line, e.g. "uefi-secureboot=pass bios=fail".
func Summarize(records []Record) string {
	parts := make([]string, len(records))
	for i, r := range records {
		v := "fail"
		if r.Passed {
			v = "pass"
		}
		parts[i] = r.Firmware + "=" + v
	}
	return strings.Join(parts, " ")
}

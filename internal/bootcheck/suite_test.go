package bootcheck

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSuitePlan(t *testing.T) {
	s := Suite{ISO: "/out/live.iso", Firmwares: []Firmware{UEFISecureBoot, BIOS}, Media: USB,
		Expect: []string{"ci-ok"}, FailOn: []string{}, Timeout: time.Minute, MemoryMiB: 1024}
	got := s.Plan()
	want := []Options{
		{Name: "uefi-secureboot", ISO: "/out/live.iso", Media: USB, Firmware: UEFISecureBoot, Expect: []string{"ci-ok"},
			FailOn: []string{}, Timeout: time.Minute, MemoryMiB: 1024, ConsoleLog: "/out/live.iso.boot-uefi-secureboot.log"},
		{Name: "bios", ISO: "/out/live.iso", Media: USB, Firmware: BIOS, Expect: []string{"ci-ok"},
			FailOn: []string{}, Timeout: time.Minute, MemoryMiB: 1024, ConsoleLog: "/out/live.iso.boot-bios.log"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Plan =\n%+v\nwant\n%+v", got, want)
	}
}

func sampleResult(passed bool) *Result {
	return &Result{Name: "bios", Firmware: BIOS, Media: CD, Accel: TCG, Passed: passed, Elapsed: 95123 * time.Millisecond,
		ConsoleLog: "/o/l.iso.boot-bios.log",
		Milestones: []Milestone{
			{Name: "firmware"}, {Name: "kernel", At: 6849 * time.Millisecond, Seen: true},
			{Name: "initrd", At: 10400 * time.Millisecond, Seen: true}, {Name: "login"},
			{Name: "ci-ok", At: 94900 * time.Millisecond, Seen: passed},
		}}
}

func TestRecordAndReport(t *testing.T) {
	pass := NewRecord(sampleResult(true), nil)
	want := Record{Firmware: "bios", Media: "cd", Passed: true, Seconds: 95.1, ConsoleLog: "/o/l.iso.boot-bios.log",
		Milestones: map[string]float64{"kernel": 6.8, "initrd": 10.4, "ci-ok": 94.9}}
	if !reflect.DeepEqual(pass, want) {
		t.Errorf("NewRecord =\n%+v\nwant\n%+v", pass, want)
	}
	fail := NewRecord(sampleResult(false), &BootError{Name: "bios", Reason: "timed out (1m0s)", Missing: []string{"ci-ok"}})
	if fail.Passed || fail.Error != `timed out (1m0s); never saw ["ci-ok"]` || len(fail.Milestones) != 2 {
		t.Errorf("NewRecord of a failed boot = %+v", fail)
	}
	if other := NewRecord(sampleResult(false), errors.New("boot bios: start qemu")); other.Error != "boot bios: start qemu" {
		t.Errorf("NewRecord of a start error = %+v", other)
	}
	if got, want := Summarize([]Record{{Firmware: "uefi", Passed: true}, fail}), "uefi=pass bios=fail"; got != want {
		t.Errorf("Summarize = %q, want %q", got, want)
	}
	got := Report(sampleResult(false))
	for _, w := range []string{"bios (cd, tcg): FAIL after 95.1s", "firmware never", "kernel 6.8s", "initrd 10.4s", "ci-ok never"} {
		if !strings.Contains(got, w) {
			t.Errorf("Report = %q, lacks %q", got, w)
		}
	}
	if got := Report(sampleResult(true)); !strings.Contains(got, ": pass after") || !strings.Contains(got, "ci-ok 94.9s") {
		t.Errorf("Report = %q", got)
	}
}

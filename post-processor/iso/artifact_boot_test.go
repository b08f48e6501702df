package iso

import (
	"reflect"
	"testing"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
)

func TestBootTestState(t *testing.T) {
	records := []bootcheck.Record{
		{Firmware: "uefi-secureboot", Media: "cd", Passed: true, Seconds: 92.1, Milestones: map[string]float64{"kernel": 10.4},
			ConsoleLog: "/o/l.iso.boot-uefi-secureboot.log"},
		{Firmware: "bios", Media: "cd", Seconds: 60, Milestones: map[string]float64{}, ConsoleLog: "/o/l.iso.boot-bios.log",
			Error: "timed out (1m0s)"},
	}
	got := bootTestState(records)
	want := []map[string]interface{}{
		{"firmware": "uefi-secureboot", "media": "cd", "passed": true, "seconds": 92.1,
			"milestones": map[string]interface{}{"kernel": 10.4}, "console_log": "/o/l.iso.boot-uefi-secureboot.log", "error": ""},
		{"firmware": "bios", "media": "cd", "passed": false, "seconds": 60.0,
			"milestones": map[string]interface{}{}, "console_log": "/o/l.iso.boot-bios.log", "error": "timed out (1m0s)"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("state =\n%v\nwant\n%v", got, want)
	}

	// The builder's generated data arrives over RPC with interface{} keys; in-process with string keys.
	for _, in := range []interface{}{
		map[interface{}]interface{}{"ImageFormat": "qcow2", GeneratedBootTest: "not run"},
		map[string]interface{}{"ImageFormat": "qcow2", GeneratedBootTest: "not run"},
	} {
		got := withBootSummary(in, records)
		want := map[string]interface{}{"ImageFormat": "qcow2", GeneratedBootTest: "uefi-secureboot=pass bios=fail"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("generated data from %T = %v, want %v", in, got, want)
		}
	}
	if got := withBootSummary(nil, records[:1]); !reflect.DeepEqual(got, map[string]interface{}{GeneratedBootTest: "uefi-secureboot=pass"}) {
		t.Errorf("generated data without input data = %v", got)
	}
}

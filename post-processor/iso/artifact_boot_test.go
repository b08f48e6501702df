package iso

import (
	"reflect"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
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
		map[interface{}]interface{}{"ImageFormat": "qcow2", artifacts.GeneratedBootTest: "not run"},
		map[string]interface{}{"ImageFormat": "qcow2", artifacts.GeneratedBootTest: "not run"},
	} {
		got := withBootSummary(in, records)
		want := map[string]interface{}{"ImageFormat": "qcow2", artifacts.GeneratedBootTest: "uefi-secureboot=pass bios=fail"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("generated data from %T = %v, want %v", in, got, want)
		}
	}
	if got := withBootSummary(nil, records[:1]); !reflect.DeepEqual(got, map[string]interface{}{artifacts.GeneratedBootTest: "uefi-secureboot=pass"}) {
		t.Errorf("generated data without input data = %v", got)
	}
}

func TestArtifactStateWithAndWithoutBootTest(t *testing.T) {
	in := &packersdk.MockArtifact{StateValues: map[string]interface{}{
		"generated_data": map[string]interface{}{"ImageFormat": "qcow2", artifacts.GeneratedBootTest: "not run"},
		"image_format":   "qcow2",
	}}
	plain := &Artifact{Path: "/o/l.iso", Input: in}
	if got := plain.State("generated_data"); !reflect.DeepEqual(got, in.StateValues["generated_data"]) || plain.State(artifacts.StateBootTest) != nil {
		t.Errorf("without boot_test the state is not the input's: %v", got)
	}
	tested := &Artifact{Path: "/o/l.iso", Input: in, BootTest: []bootcheck.Record{{Firmware: "bios", Passed: true}}}
	gen, _ := tested.State("generated_data").(map[string]interface{})
	if gen[artifacts.GeneratedBootTest] != "bios=pass" || gen["ImageFormat"] != "qcow2" {
		t.Errorf("generated data = %v", gen)
	}
	if boots, _ := tested.State(artifacts.StateBootTest).([]map[string]interface{}); len(boots) != 1 || boots[0]["passed"] != true {
		t.Errorf("boot_test state = %v", tested.State(artifacts.StateBootTest))
	}
	if tested.State("image_format") != "qcow2" {
		t.Error("other state keys no longer reach the input")
	}
}

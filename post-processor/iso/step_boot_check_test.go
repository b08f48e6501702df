package iso

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
)

// fakeBoots answers each boot with a result; firmwares in fail time out.
func fakeBoots(fail ...bootcheck.Firmware) (func(context.Context, bootcheck.Options) (*bootcheck.Result, error), *[]bootcheck.Options) {
	var calls []bootcheck.Options
	return func(_ context.Context, o bootcheck.Options) (*bootcheck.Result, error) {
		calls = append(calls, o)
		res := &bootcheck.Result{Name: o.Name, Firmware: o.Firmware, Media: o.Media, Accel: bootcheck.TCG, Passed: true,
			Elapsed: time.Minute, ConsoleLog: o.ConsoleLog,
			Milestones: []bootcheck.Milestone{{Name: "kernel", At: 9 * time.Second, Seen: true}, {Name: o.Expect[0], At: time.Minute, Seen: true}}}
		for _, f := range fail {
			if f == o.Firmware {
				res.Passed, res.Milestones[1].Seen = false, false
				return res, &bootcheck.BootError{Name: o.Name, Reason: "timed out (1m0s)", Missing: o.Expect, Tail: "grub> "}
			}
		}
		return res, nil
	}, &calls
}

func bootCheckState(t *testing.T, fws ...string) multistep.StateBag {
	b := &BootTest{Firmware: fws, Expect: []string{"ci-ok"}}
	if errs := b.prepare(); len(errs) > 0 {
		t.Fatal(errs)
	}
	state := new(multistep.BasicStateBag)
	state.Put(keyUI, packersdk.TestUi(t))
	state.Put(keyConfig, &Config{BootTest: b})
	state.Put(keyOutput, "/o/live.iso")
	return state
}

func TestBootCheckRunsEveryFirmware(t *testing.T) {
	state := bootCheckState(t, "uefi-secureboot", "bios")
	boot, calls := fakeBoots()
	if action := (&stepBootCheck{boot: boot}).Run(context.Background(), state); action != multistep.ActionContinue {
		t.Fatalf("halted: %v", state.Get(keyError))
	}
	if len(*calls) != 2 || (*calls)[0].ConsoleLog != "/o/live.iso.boot-uefi-secureboot.log" || (*calls)[1].Firmware != bootcheck.BIOS {
		t.Errorf("boots = %+v", *calls)
	}
	records := state.Get(keyBootResults).([]bootcheck.Record)
	if bootcheck.Summarize(records) != "uefi-secureboot=pass bios=pass" {
		t.Errorf("records = %+v", records)
	}
}

func TestBootCheckFailureNamesFirmwarePatternAndLog(t *testing.T) {
	state := bootCheckState(t, "uefi", "bios")
	boot, calls := fakeBoots(bootcheck.UEFI)
	if action := (&stepBootCheck{boot: boot}).Run(context.Background(), state); action != multistep.ActionHalt {
		t.Fatal("a failed boot did not halt the build")
	}
	if len(*calls) != 2 {
		t.Errorf("the boot after a failure did not run: %d boots", len(*calls))
	}
	err := state.Get(keyError).(error).Error()
	for _, want := range []string{"boot test with firmware uefi failed", "/o/live.iso.boot-uefi.log", `never saw ["ci-ok"]`, "grub> "} {
		if !strings.Contains(err, want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}
	if strings.Contains(err, "firmware bios") {
		t.Errorf("the passing boot is reported as failed:\n%s", err)
	}
	if got := bootcheck.Summarize(state.Get(keyBootResults).([]bootcheck.Record)); got != "uefi=fail bios=pass" {
		t.Errorf("records = %s", got)
	}
}

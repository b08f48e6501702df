package imagecustomizer

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

var _ packersdk.Builder = new(Builder)

func TestConvertOutputRunsQemuImgWithTheFormatsOptions(t *testing.T) {
	for format, want := range map[string]string{
		"qcow2":     "-O qcow2",
		"vhd-fixed": "-O vpc -o subformat=fixed,force_size=on",
		"vhdx":      "-O vhdx",
	} {
		rec := &execx.Recorder{}
		dir := t.TempDir()
		state := new(multistep.BasicStateBag)
		state.Put(keyUI, packersdk.TestUi(t))
		state.Put(keyRunner, rec)
		cfg := &Config{OutputDirectory: dir, OutputImageName: "image.out", OutputFormat: format}
		state.Put(keyConfig, cfg)
		state.Put(keyWorkImage, workImagePath(cfg))
		// The working copy must exist for the step to remove it afterwards.
		if err := writeEmpty(workImagePath(cfg)); err != nil {
			t.Fatal(err)
		}
		if action := (&stepConvertOutput{}).Run(context.Background(), state); action != multistep.ActionContinue {
			t.Fatalf("%s: halted: %v", format, state.Get(keyError))
		}
		if got := rec.Joined(); !strings.Contains(got, "qemu-img convert") || !strings.Contains(got, want) {
			t.Errorf("%s: ran %q, want it to contain %q", format, got, want)
		}
	}
}

func TestCheckHostNamesMissingToolsAndPackages(t *testing.T) {
	state := new(multistep.BasicStateBag)
	state.Put(keyUI, packersdk.TestUi(t))
	step := &stepCheckHost{
		euid:     func() int { return 0 },
		lookPath: func(name string) (string, error) { return "", exec.ErrNotFound },
	}
	if step.Run(context.Background(), state) != multistep.ActionHalt {
		t.Fatal("want a halt when tools are missing")
	}
	err := state.Get(keyError).(error).Error()
	for _, w := range []string{"qemu-img", "qemu-utils", "mcopy", "mtools"} {
		if !strings.Contains(err, w) {
			t.Errorf("error %q does not mention %s", err, w)
		}
	}
	state = new(multistep.BasicStateBag)
	state.Put(keyUI, packersdk.TestUi(t))
	if (&stepCheckHost{euid: func() int { return 1000 }}).Run(context.Background(), state) != multistep.ActionHalt {
		t.Fatal("want a halt when not root")
	}
}

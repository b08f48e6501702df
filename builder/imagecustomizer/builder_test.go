package imagecustomizer

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
		// qemu-img writes its last argument, the converted image.
		rec := &execx.Recorder{Respond: func(c execx.Cmd) (string, error) {
			return "", writeEmpty(c.Argv[len(c.Argv)-1])
		}}
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
		// Only the finished image is left, under its own name.
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 || entries[0].Name() != "image.out" {
			t.Errorf("%s: output directory holds %v", format, entries)
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

// Raw output is the working copy, renamed into place at the end.
func TestConvertOutputRenamesARawWorkingCopy(t *testing.T) {
	rec := &execx.Recorder{}
	dir := t.TempDir()
	state := new(multistep.BasicStateBag)
	state.Put(keyUI, packersdk.TestUi(t))
	state.Put(keyRunner, rec)
	cfg := &Config{OutputDirectory: dir, OutputImageName: "image.raw", OutputFormat: "raw"}
	state.Put(keyConfig, cfg)
	state.Put(keyWorkImage, workImagePath(cfg))
	if err := os.WriteFile(workImagePath(cfg), []byte("disk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if action := (&stepConvertOutput{}).Run(context.Background(), state); action != multistep.ActionContinue {
		t.Fatalf("halted: %v", state.Get(keyError))
	}
	if len(rec.Calls) != 0 {
		t.Errorf("ran %q for raw output", rec.Joined())
	}
	entries, _ := os.ReadDir(dir)
	if b, err := os.ReadFile(filepath.Join(dir, "image.raw")); err != nil || string(b) != "disk" || len(entries) != 1 {
		t.Errorf("output %q, %v; directory holds %v", b, err, entries)
	}
}

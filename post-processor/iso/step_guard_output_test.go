package iso

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/outputsafe"
)

func guardState(t *testing.T, input, output string) multistep.StateBag {
	state, _ := stepState(t, nil)
	state.Put(keyInput, inputImage{Path: input})
	state.Put(keyInputFiles, []string{input})
	state.Put(keyOutput, output)
	return state
}

func haltedWith(t *testing.T, state multistep.StateBag, action multistep.StepAction, want string) {
	t.Helper()
	err, _ := state.Get(keyError).(error)
	if action != multistep.ActionHalt || err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("action %v, error %v; want a halt with %q", action, err, want)
	}
}

// The ISO may not be written over the input image, by any name.
func TestGuardOutputRefusesTheInput(t *testing.T) {
	outputsafe.LockDir = t.TempDir()
	img := file(t, "image.qcow2", 1)
	for _, out := range []string{img, filepath.Join(filepath.Dir(img), ".", "image.qcow2")} {
		state := guardState(t, img, out)
		haltedWith(t, state, (&stepGuardOutput{pp: &PostProcessor{}}).Run(context.Background(), state), "is the input")
	}
}

// A second post-processor (another build) writing the same ISO fails at once, naming the
// first; a different ISO is fine.
func TestGuardOutputLocksTheOutput(t *testing.T) {
	outputsafe.LockDir = t.TempDir()
	img := file(t, "image.qcow2", 1)
	out := filepath.Join(t.TempDir(), "live.iso")
	first := guardState(t, img, out)
	if a := (&stepGuardOutput{pp: &PostProcessor{}}).Run(context.Background(), first); a != multistep.ActionContinue {
		t.Fatalf("first: %v", first.Get(keyError))
	}
	second := guardState(t, img, out)
	haltedWith(t, second, (&stepGuardOutput{pp: &PostProcessor{}}).Run(context.Background(), second), "is being written by another build (process ")
	other := guardState(t, img, out+".2")
	if a := (&stepGuardOutput{pp: &PostProcessor{}}).Run(context.Background(), other); a != multistep.ActionContinue {
		t.Errorf("another output: %v", other.Get(keyError))
	}
}

// An existing ISO without -force is refused before any work.
func TestGuardOutputRefusesAnExistingOutput(t *testing.T) {
	outputsafe.LockDir = t.TempDir()
	img := file(t, "image.qcow2", 1)
	out := file(t, "live.iso", 1)
	state := guardState(t, img, out)
	haltedWith(t, state, (&stepGuardOutput{pp: &PostProcessor{}}).Run(context.Background(), state), "already exists")
}

// A failed write leaves nothing at the output path, nor under the temporary name; an older
// ISO there stays.
func TestWriteISOLeavesNoPartialFile(t *testing.T) {
	state, rec := stepState(t, nil)
	out := file(t, "live.iso", 3)
	state.Put(keyOutput, out)
	state.Put(keyLayout, liveos.Layout{Label: "STEPS", EFIBootImg: "/efiboot.img"})
	rec.Respond = func(c execx.Cmd) (string, error) {
		for i, a := range c.Argv {
			if a == "-o" {
				_ = os.WriteFile(c.Argv[i+1], []byte("half"), 0o644)
			}
		}
		return "", errors.New("no space left on device")
	}
	step := &stepWriteISO{}
	haltedWith(t, state, step.Run(context.Background(), state), "no space left on device")
	step.Cleanup(state)
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 || entries[0].Name() != "live.iso" {
		t.Errorf("left in the output directory: %v", entries)
	}
	if b, _ := os.ReadFile(out); len(b) != 3 {
		t.Errorf("the older ISO changed: %q", b)
	}
}

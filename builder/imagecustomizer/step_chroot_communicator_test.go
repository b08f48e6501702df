package imagecustomizer

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	"github.com/hashicorp/packer-plugin-sdk/multistep/commonsteps"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// recordingHook stands in for Packer core's provisioner hook.
type recordingHook struct {
	mu    sync.Mutex
	calls []string
	roots []string
	fail  map[string]error
}

func (h *recordingHook) Run(_ context.Context, name string, _ packersdk.Ui, comm packersdk.Communicator, _ interface{}) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, name)
	if c, ok := comm.(*Communicator); ok {
		h.roots = append(h.roots, c.Root)
	}
	return h.fail[name]
}

// A failing provisioner makes the template's error-cleanup provisioner run through the chroot
// communicator, with Packer's default -on-error=cleanup and with -on-error=run-cleanup-provisioner
// (which only runs the cleanup of the SDK's StepProvision).
func TestFailingProvisionerRunsTheErrorCleanupProvisioner(t *testing.T) {
	for _, onError := range []string{"cleanup", "run-cleanup-provisioner"} {
		t.Run(onError, func(t *testing.T) {
			root := t.TempDir()
			hook := &recordingHook{fail: map[string]error{packersdk.HookProvision: errors.New("provisioner failed")}}
			ui := &packersdk.BasicUi{Reader: new(bytes.Buffer), Writer: new(bytes.Buffer), ErrorWriter: new(bytes.Buffer)}
			state := new(multistep.BasicStateBag)
			state.Put(keyUI, ui)
			state.Put(keyHook, hook)
			state.Put(keyMountPath, root)
			state.Put(keyWrappedCommand, common.CommandWrapper(func(c string) (string, error) { return c, nil }))
			steps := []multistep.Step{&stepChrootCommunicator{}, &commonsteps.StepProvision{}}
			commonsteps.NewRunner(steps, common.PackerConfig{PackerOnError: onError}, ui).Run(context.Background(), state)

			want := []string{packersdk.HookProvision, packersdk.HookCleanupProvision}
			if len(hook.calls) != 2 || hook.calls[0] != want[0] || hook.calls[1] != want[1] {
				t.Fatalf("hooks run = %v, want %v", hook.calls, want)
			}
			for _, r := range hook.roots {
				if r != root {
					t.Errorf("a hook got a communicator for %q, want the chroot %q", r, root)
				}
			}
			if err, _ := state.Get(keyError).(error); err == nil || err.Error() != "provisioner failed" {
				t.Errorf("build error = %v, want the provisioner's", err)
			}
		})
	}
}

// A successful provisioning run never runs the error-cleanup provisioner.
func TestSuccessfulProvisioningSkipsTheErrorCleanupProvisioner(t *testing.T) {
	hook := &recordingHook{}
	ui := &packersdk.BasicUi{Reader: new(bytes.Buffer), Writer: new(bytes.Buffer), ErrorWriter: new(bytes.Buffer)}
	state := new(multistep.BasicStateBag)
	state.Put(keyUI, ui)
	state.Put(keyHook, hook)
	state.Put(keyMountPath, t.TempDir())
	state.Put(keyWrappedCommand, common.CommandWrapper(func(c string) (string, error) { return c, nil }))
	commonsteps.NewRunner([]multistep.Step{&stepChrootCommunicator{}, &commonsteps.StepProvision{}},
		common.PackerConfig{}, ui).Run(context.Background(), state)
	if len(hook.calls) != 1 || hook.calls[0] != packersdk.HookProvision {
		t.Errorf("hooks run = %v, want the provision hook alone", hook.calls)
	}
}

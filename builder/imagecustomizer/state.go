package imagecustomizer

import (
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// State-bag keys. The SDK's chroot steps read "config", "device", "mount_path" and
// "wrappedCommand" under these exact names.
const (
	keyUI             = "ui"
	keyHook           = "hook"
	keyConfig         = "config"
	keyError          = "error"
	keyRunner         = "runner"
	keyWrappedCommand = "wrappedCommand"
	keyGeneratedData  = "generated_data"
	keyWorkImage      = "work_image"   // string: the raw working copy
	keyBaseFormat     = "base_format"  // diskimage.Format of base_image
	keyLoop           = "loop"         // *diskimage.Loop
	keyDevice         = "device"       // string: /dev/loopN
	keyTree           = "tree"         // *diskimage.Tree
	keyMountPath      = "mount_path"   // string: host path of the image root
	keyOutputImage    = "output_image" // string: the finished image
)

// halt records err, shows it and stops the build.
func halt(state multistep.StateBag, err error) multistep.StepAction {
	state.Put(keyError, err)
	if ui, ok := state.Get(keyUI).(packersdk.Ui); ok {
		ui.Error(err.Error())
	}
	return multistep.ActionHalt
}

func getUI(state multistep.StateBag) packersdk.Ui { return state.Get(keyUI).(packersdk.Ui) }

func getRunner(state multistep.StateBag) execx.Runner { return state.Get(keyRunner).(execx.Runner) }

func getConfig(state multistep.StateBag) *Config { return state.Get(keyConfig).(*Config) }

// getTree returns the mounted image, or an error when no earlier step mounted it.
func getTree(state multistep.StateBag) (*diskimage.Tree, error) {
	t, ok := state.Get(keyTree).(*diskimage.Tree)
	if !ok || t == nil {
		return nil, fmt.Errorf("internal error: the image is not mounted")
	}
	return t, nil
}

func getString(state multistep.StateBag, key string) string {
	s, _ := state.Get(key).(string)
	return s
}

// generated returns the generated-data map shared with provisioners and post-processors.
func generated(state multistep.StateBag) map[string]interface{} {
	m, ok := state.Get(keyGeneratedData).(map[string]interface{})
	if !ok {
		m = map[string]interface{}{}
		state.Put(keyGeneratedData, m)
	}
	return m
}

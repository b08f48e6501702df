package imagecustomizer

import (
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// State-bag keys. The SDK's chroot steps read "config", "device", "mount_path" and
// "wrappedCommand" under these exact names.
const (
	keyUI             = stepstate.KeyUI
	keyHook           = "hook"
	keyConfig         = stepstate.KeyConfig
	keyError          = stepstate.KeyError
	keyRunner         = stepstate.KeyRunner
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

// env is what every step reads: the configuration, the Ui and the tool runner.
type env struct {
	cfg    *Config
	ui     packersdk.Ui
	runner execx.Runner
}

func getEnv(state multistep.StateBag) (env, error) {
	cfg, err := stepstate.Get[*Config](state, keyConfig)
	if err != nil {
		return env{}, err
	}
	runner, err := stepstate.Get[execx.Runner](state, keyRunner)
	if err != nil {
		return env{}, err
	}
	return env{cfg: cfg, ui: stepstate.UI(state), runner: runner}, nil
}

// halt records err, shows it and stops the build.
func halt(state multistep.StateBag, err error) multistep.StepAction {
	return stepstate.Halt(state, err)
}

func getUI(state multistep.StateBag) packersdk.Ui { return stepstate.UI(state) }

// getTree returns the mounted image, or an error when no earlier step mounted it.
func getTree(state multistep.StateBag) (*diskimage.Tree, error) {
	t, err := stepstate.Get[*diskimage.Tree](state, keyTree)
	if err == nil && t == nil {
		err = fmt.Errorf("internal error: the image is not mounted")
	}
	return t, err
}

// getLoop returns the attached working copy.
func getLoop(state multistep.StateBag) (*diskimage.Loop, error) {
	return stepstate.Get[*diskimage.Loop](state, keyLoop)
}

func getString(state multistep.StateBag, key string) string { return stepstate.String(state, key) }

// generated returns the generated-data map shared with provisioners and post-processors.
func generated(state multistep.StateBag) map[string]interface{} {
	m, ok := state.Get(keyGeneratedData).(map[string]interface{})
	if !ok {
		m = map[string]interface{}{}
		state.Put(keyGeneratedData, m)
	}
	return m
}

package iso

import (
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// State-bag keys; each step's comment says which it consumes and produces.
const (
	keyUI         = stepstate.KeyUI
	keyConfig     = stepstate.KeyConfig
	keyRunner     = stepstate.KeyRunner
	keyError      = stepstate.KeyError
	keyInput      = "input"       // inputImage
	keyOutput     = "output"      // string: the ISO to write
	keyInputFiles = "input_files" // []string: every file of the input artifact
	keyScratch    = "scratch"     // string: work directory, removed at the end
	keyTree       = "tree"        // *diskimage.Tree: the image, mounted read-only
	keyImage      = "image"       // *imageInfo: what the image holds
	keyInitrds    = "initrds"     // map[string]string: kernel version -> live initrd (host path)
	keySquashfs   = "squashfs"    // string: the squashfs root image
	keyEFI        = "efi"         // *efiFiles: EFI binaries and efiboot.img
	keyBIOSImg    = "bios_img"    // string: GRUB's El Torito BIOS image ("" without BIOS boot)
	keyBIOSMBR    = "bios_mbr"    // string: GRUB's boot_hybrid.img for the hybrid MBR
	keyStaging    = "staging"     // string: the media tree handed to xorriso
	keyLayout     = "layout"      // liveos.Layout
)

// inputImage is the input artifact's disk image (chooseInput).
type inputImage struct {
	Path   string
	Format diskimage.Format // read from the content
}

// env is what every step reads: the configuration, the Ui, the tool runner and the scratch
// directory ("" before stepScratchDir).
type env struct {
	cfg     *Config
	ui      packersdk.Ui
	runner  execx.Runner
	scratch string
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
	return env{cfg: cfg, ui: stepstate.UI(state), runner: runner, scratch: getString(state, keyScratch)}, nil
}

func halt(state multistep.StateBag, err error) multistep.StepAction {
	return stepstate.Halt(state, err)
}

func getUI(state multistep.StateBag) packersdk.Ui         { return stepstate.UI(state) }
func getString(state multistep.StateBag, k string) string { return stepstate.String(state, k) }

func getTree(state multistep.StateBag) (*diskimage.Tree, error) {
	t, err := stepstate.Get[*diskimage.Tree](state, keyTree)
	if err == nil && t == nil {
		err = fmt.Errorf("internal error: the image is not mounted")
	}
	return t, err
}

func getImage(state multistep.StateBag) (*imageInfo, error) {
	return stepstate.Get[*imageInfo](state, keyImage)
}

func getInitrds(state multistep.StateBag) (map[string]string, error) {
	return stepstate.Get[map[string]string](state, keyInitrds)
}

func getEFI(state multistep.StateBag) (*efiFiles, error) {
	return stepstate.Get[*efiFiles](state, keyEFI)
}

func getLayout(state multistep.StateBag) (liveos.Layout, error) {
	return stepstate.Get[liveos.Layout](state, keyLayout)
}

func getInput(state multistep.StateBag) (inputImage, error) {
	return stepstate.Get[inputImage](state, keyInput)
}

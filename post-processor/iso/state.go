package iso

import (
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// State-bag keys; each step's comment says which it consumes and produces.
const (
	keyUI       = "ui"
	keyConfig   = "config"
	keyRunner   = "runner"
	keyError    = "error"
	keyInput    = "input"    // inputImage
	keyOutput   = "output"   // string: the ISO to write
	keyScratch  = "scratch"  // string: work directory, removed at the end
	keyTree     = "tree"     // *diskimage.Tree: the image, mounted read-only
	keyImage    = "image"    // *imageInfo: what the image holds
	keyInitrds  = "initrds"  // map[string]string: kernel version -> live initrd (host path)
	keySquashfs = "squashfs" // string: the squashfs root image
	keyEFI      = "efi"      // *efiFiles: EFI binaries and efiboot.img
	keyBIOSImg  = "bios_img" // string: GRUB's El Torito BIOS image ("" without BIOS boot)
	keyBIOSMBR  = "bios_mbr" // string: GRUB's boot_hybrid.img for the hybrid MBR
	keyStaging  = "staging"  // string: the media tree handed to xorriso
	keyLayout   = "layout"   // liveos.Layout
	keyRelease  = "release"  // releaser: unmounts the image once it is no longer needed
)

// inputImage is the input artifact's disk image.
type inputImage struct {
	Path   string
	Format string // the producer's format name (artifacts.StateImageFormat): a hint only
}

func halt(state multistep.StateBag, err error) multistep.StepAction {
	state.Put(keyError, err)
	if ui, ok := state.Get(keyUI).(packersdk.Ui); ok {
		ui.Error(err.Error())
	}
	return multistep.ActionHalt
}

func getUI(state multistep.StateBag) packersdk.Ui         { return state.Get(keyUI).(packersdk.Ui) }
func getConfig(state multistep.StateBag) *Config          { return state.Get(keyConfig).(*Config) }
func getRunner(state multistep.StateBag) execx.Runner     { return state.Get(keyRunner).(execx.Runner) }
func getString(state multistep.StateBag, k string) string { s, _ := state.Get(k).(string); return s }
func getImage(state multistep.StateBag) *imageInfo        { return state.Get(keyImage).(*imageInfo) }

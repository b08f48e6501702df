package iso

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
)

// stepBIOSBoot builds GRUB's El Torito BIOS core from the image's i386-pc modules, or the
// host's when the image has none, and picks the matching hybrid MBR (boot_hybrid.img).
//
// Consumes: image, scratch. Produces: bios_img, bios_mbr.
type stepBIOSBoot struct {
	// hostModDir is where the host's i386-pc modules are looked for; empty means
	// liveos.HostBIOSModDir. Tests set it, so that the fallback and the error path run the same
	// whether or not the test host has grub-pc-bin.
	hostModDir string
}

func (s *stepBIOSBoot) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	info, err := getImage(state)
	if err != nil {
		return halt(state, err)
	}
	e.ui.Say("Building the BIOS El Torito image...")
	modDir := info.BIOSModDir
	if modDir == "" {
		host := s.hostModDir
		if host == "" {
			host = liveos.HostBIOSModDir
		}
		if _, err := os.Stat(filepath.Join(host, "normal.mod")); err != nil {
			return halt(state, fmt.Errorf("bios_boot: neither the image nor the host (%s) has i386-pc GRUB modules (install grub-pc-bin, or set bios_boot = false)", host))
		}
		modDir = host
		e.ui.Message("The image has no i386-pc GRUB modules: using the host's for BIOS boot")
	}
	out := filepath.Join(e.scratch, "bios.img")
	if err := execx.Run(ctx, e.runner, liveos.GrubBIOSImageArgv(modDir, out, liveos.DefaultBIOSModules())...); err != nil {
		return halt(state, fmt.Errorf("build the BIOS El Torito image: %w", err))
	}
	state.Put(keyBIOSImg, out)
	state.Put(keyBIOSMBR, filepath.Join(modDir, "boot_hybrid.img"))
	return multistep.ActionContinue
}

func (s *stepBIOSBoot) Cleanup(multistep.StateBag) {}

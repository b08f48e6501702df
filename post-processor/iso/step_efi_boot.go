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

// efiFiles are the UEFI boot chain on the media.
type efiFiles struct {
	Shim, Grub, MokManager string // host paths; Shim "" means Grub is a standalone BOOTX64.EFI
	// GrubConfig is where Grub reads its configuration on the media, "" when it finds
	// boot/grub/grub.cfg itself; a redirect is written there, inside efiboot.img too.
	GrubConfig string
	BootImg    string // efiboot.img
}

// stepEFIBoot builds efiboot.img, the El Torito UEFI image, with mkfs.vfat and mtools. It holds
// the image's own shim and signed CD GRUB, so the Secure Boot chain is kept; when the image has
// no CD-capable signed GRUB, a standalone GRUB is built from the image's GRUB modules instead
// (it finds the media by label, but is unsigned).
//
// Consumes: image, scratch. Produces: efi.
type stepEFIBoot struct{}

func (s *stepEFIBoot) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	info, err := getImage(state)
	if err != nil {
		return halt(state, err)
	}
	cfg, ui, runner, scratch := e.cfg, e.ui, e.runner, e.scratch
	ui.Say("Building the UEFI boot image (efiboot.img)...")
	efi := &efiFiles{Shim: info.Shim, Grub: info.CDGrub, MokManager: info.MokManager, GrubConfig: info.CDGrubConfig}
	if efi.Grub == "" {
		ui.Message("The image has no signed CD GRUB: building a standalone GRUB from its modules (it will not boot under Secure Boot)")
		efi.Shim, efi.MokManager, efi.GrubConfig = "", "", ""
		efi.Grub = filepath.Join(scratch, "grubx64-standalone.efi")
		early := filepath.Join(scratch, "grub-early.cfg")
		if err := os.WriteFile(early, []byte(liveos.StandaloneEarlyConfig(cfg.VolumeLabel)), 0o644); err != nil {
			return halt(state, err)
		}
		if err := execx.Run(ctx, runner, liveos.GrubStandaloneEFIArgv(info.EFIModDir, efi.Grub, early)...); err != nil {
			return halt(state, fmt.Errorf("build a standalone EFI GRUB: %w", err))
		}
	}
	files := liveos.EFIBootFiles(efi.Shim, efi.Grub, efi.MokManager)
	if efi.GrubConfig != "" {
		// Booted from the hybrid GPT's ESP (a USB stick), GRUB's prefix is on efiboot.img.
		redirect := filepath.Join(scratch, "grub-redirect.cfg")
		if err := os.WriteFile(redirect, []byte(liveos.RedirectGrubCfg(cfg.VolumeLabel)), 0o644); err != nil {
			return halt(state, err)
		}
		files = append(files, liveos.MediaFile{Dest: efi.GrubConfig, Source: redirect})
	}
	var sizes []int64
	for _, f := range files {
		fi, err := os.Stat(f.Source)
		if err != nil {
			return halt(state, err)
		}
		sizes = append(sizes, fi.Size())
	}
	efi.BootImg = filepath.Join(scratch, "efiboot.img")
	for _, argv := range liveos.EFIBootImgArgv(efi.BootImg, liveos.EFIBootImgSizeKiB(sizes), files) {
		if err := runner.Run(ctx, execx.Cmd{Argv: argv, Env: []string{"MTOOLS_SKIP_CHECK=1"}}); err != nil {
			return halt(state, fmt.Errorf("build efiboot.img: %w", err))
		}
	}
	state.Put(keyEFI, efi)
	return multistep.ActionContinue
}

func (s *stepEFIBoot) Cleanup(multistep.StateBag) {}

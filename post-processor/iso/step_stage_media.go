package iso

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/version"
)

// stepStageMedia plans the media (grub.cfg, kernel arguments, file layout) and lays the files
// out in a staging directory for xorriso, hard-linking the big ones.
//
// Consumes: image, initrds, squashfs, efi, bios_img, scratch. Produces: staging, layout.
type stepStageMedia struct{}

func (s *stepStageMedia) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	in, err := gatherMediaInput(e.cfg, state)
	if err != nil {
		return halt(state, err)
	}
	e.ui.Say("Staging the media...")
	layout, args, err := planMedia(in)
	if err != nil {
		return halt(state, err)
	}
	e.ui.Message("Kernel command line: " + strings.Join(args, " "))
	staging := filepath.Join(e.scratch, "media")
	if err := stage(layout, staging); err != nil {
		return halt(state, fmt.Errorf("stage the media: %w", err))
	}
	state.Put(keyStaging, staging)
	state.Put(keyLayout, layout)
	return multistep.ActionContinue
}

func (s *stepStageMedia) Cleanup(multistep.StateBag) {}

// stage materializes the layout: files with Content are written, files with a Source are
// hard-linked when possible (same file system) and copied otherwise.
func stage(l liveos.Layout, dir string) error {
	for _, f := range l.Files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Dest))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		mode := f.Mode
		if mode == 0 {
			mode = 0o644
		}
		if f.Source == "" {
			if err := os.WriteFile(dst, f.Content, mode); err != nil {
				return err
			}
			continue
		}
		if err := os.Link(f.Source, dst); err == nil {
			if err := os.Chmod(dst, mode); err != nil {
				return err
			}
			continue
		}
		if err := copyFile(f.Source, dst, mode); err != nil {
			return fmt.Errorf("stage %s: %w", f.Dest, err)
		}
	}
	return nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// gatherMediaInput collects what earlier steps produced and the settings planMedia needs.
// It reads the mode of additional files given by source, so planMedia itself reads nothing.
func gatherMediaInput(cfg *Config, state multistep.StateBag) (mediaInput, error) {
	info, err := getImage(state)
	if err != nil {
		return mediaInput{}, err
	}
	initrds, err := getInitrds(state)
	if err != nil {
		return mediaInput{}, err
	}
	efi, err := getEFI(state)
	if err != nil {
		return mediaInput{}, err
	}
	var extra []liveos.MediaFile
	for _, f := range cfg.iso.AdditionalFiles {
		mf := liveos.MediaFile{Dest: f.Destination, Source: f.Source}
		if f.Content != nil {
			mf.Content = []byte(*f.Content)
		}
		if f.Permissions != nil {
			mf.Mode = os.FileMode(*f.Permissions)
		} else if f.Source != "" {
			if fi, err := os.Stat(f.Source); err == nil {
				mf.Mode = fi.Mode().Perm()
			}
		}
		extra = append(extra, mf)
	}
	return mediaInput{
		Label:           cfg.VolumeLabel,
		ExtraArgs:       cfg.extraArgs(),
		Compression:     cfg.SquashfsCompression,
		InitramfsType:   string(cfg.iso.InitramfsType),
		PluginVersion:   version.PluginVersion.String(),
		AdditionalFiles: extra,
		Image:           *info,
		Initrds:         initrds,
		EFI:             *efi,
		Squashfs:        getString(state, keySquashfs),
		BIOSImg:         getString(state, keyBIOSImg),
	}, nil
}

package iso

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/version"
)

// stepStageMedia plans the media (grub.cfg, kernel arguments, file layout) and lays the files
// out in a staging directory for xorriso, hard-linking the big ones.
//
// Consumes: image, initrds, squashfs, efi, bios_img, scratch. Produces: staging, layout.
type stepStageMedia struct{}

func (s *stepStageMedia) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	cfg, ui := getConfig(state), getUI(state)
	layout, args, err := planMedia(cfg, state)
	if err != nil {
		return halt(state, err)
	}
	ui.Sayf("Kernel command line: %s", joinArgs(args))
	staging := filepath.Join(getString(state, keyScratch), "media")
	if err := stage(layout, staging); err != nil {
		return halt(state, fmt.Errorf("stage the media: %w", err))
	}
	state.Put(keyStaging, staging)
	state.Put(keyLayout, layout)
	return multistep.ActionContinue
}

func (s *stepStageMedia) Cleanup(multistep.StateBag) {}

// planMedia turns what earlier steps produced into the media layout (pure apart from reading
// the state bag).
func planMedia(cfg *Config, state multistep.StateBag) (liveos.Layout, []string, error) {
	info := getImage(state)
	initrds := state.Get(keyInitrds).(map[string]string)
	efi := state.Get(keyEFI).(*efiFiles)

	// An image rebuilt from an earlier ISO brings that media's iso arguments: they come first,
	// then this build's, as in the original.
	userArgs := cfg.extraArgs()
	if info.Saved != nil {
		userArgs = append(append([]string(nil), info.Saved.UserArgs...), userArgs...)
	}
	live := liveos.LiveArgs(cfg.VolumeLabel)
	args := liveos.ComposeArgs(live, info.Args, userArgs)
	gc := liveos.GrubConfig{Label: cfg.VolumeLabel, Timeout: 3, Serial: true}
	var kernels []liveos.Kernel
	var versions []string
	for _, k := range info.Kernels {
		gc.Entries = append(gc.Entries, liveos.GrubEntry{
			Title:  "Live OS, kernel " + k.Version,
			Linux:  "/" + k.ISOVmlinuz(),
			Initrd: "/" + k.ISOInitrd(),
			Args:   args,
		})
		kernels = append(kernels, liveos.Kernel{Version: k.Version, Vmlinuz: k.Vmlinuz, Initrd: initrds[k.Version]})
		versions = append(versions, k.Version)
	}
	saved, err := liveos.SavedConfig{
		Label: cfg.VolumeLabel, LiveArgs: live, ImageArgs: info.Args, UserArgs: userArgs,
		Compression: cfg.SquashfsCompression, InitramfsType: string(cfg.iso.InitramfsType),
		PluginVersion: version.PluginVersion.String(), Kernels: versions,
	}.Marshal()
	if err != nil {
		return liveos.Layout{}, nil, err
	}
	extra := carriedFiles(info.Carried, cfg.iso.AdditionalFiles)
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
	layout, err := liveos.PlanLayout(liveos.LayoutInput{
		Label:           cfg.VolumeLabel,
		Kernels:         kernels,
		GrubCfg:         liveos.RenderGrubCfg(gc),
		EFIBootImg:      efi.BootImg,
		BIOSImg:         getString(state, keyBIOSImg),
		Shim:            efi.Shim,
		Grub:            efi.Grub,
		MokManager:      efi.MokManager,
		Squashfs:        getString(state, keySquashfs),
		SavedConfig:     saved,
		AdditionalFiles: extra,
	})
	if err != nil {
		return liveos.Layout{}, nil, fmt.Errorf("iso: %w", err)
	}
	return layout, args, nil
}

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

func joinArgs(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

// carriedFiles are the earlier media's files that this build's additional files do not replace.
func carriedFiles(carried map[string]string, replacing icconfig.AdditionalFileList) []liveos.MediaFile {
	replaced := map[string]bool{}
	for _, f := range replacing {
		replaced[strings.TrimPrefix(path.Clean("/"+f.Destination), "/")] = true
	}
	var out []liveos.MediaFile
	for _, dest := range sortedKeys(carried) {
		if !replaced[dest] {
			out = append(out, liveos.MediaFile{Dest: dest, Source: carried[dest]})
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

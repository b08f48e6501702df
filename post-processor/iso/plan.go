package iso

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
)

// mediaInput is everything the media plan depends on.
type mediaInput struct {
	Label, Compression, InitramfsType, PluginVersion string
	// ExtraArgs are this build's kernel arguments (kernel_command_line and the iso section).
	ExtraArgs []string
	// AdditionalFiles are this build's additional files, with their modes resolved.
	AdditionalFiles []liveos.MediaFile
	Image           imageInfo
	Initrds         map[string]string // kernel version -> host path of its live initrd
	EFI             efiFiles
	Squashfs        string
	BIOSImg         string // "" without BIOS boot
}

// planMedia turns the inputs into the media layout and the kernel command line. It is pure.
func planMedia(in mediaInput) (liveos.Layout, []string, error) {
	// An image rebuilt from an earlier ISO brings that media's iso arguments: they come first,
	// then this build's, as in the original.
	userArgs := in.ExtraArgs
	if in.Image.Saved != nil {
		userArgs = append(append([]string(nil), in.Image.Saved.UserArgs...), userArgs...)
	}
	live := liveos.LiveArgs(in.Label)
	args := liveos.ComposeArgs(live, in.Image.Args, userArgs)
	gc := liveos.GrubConfig{Label: in.Label, Timeout: 3, Serial: true}
	var kernels []liveos.Kernel
	var versions []string
	for _, k := range in.Image.Kernels {
		gc.Entries = append(gc.Entries, liveos.GrubEntry{
			Title:  "Live OS, kernel " + k.Version,
			Linux:  "/" + k.ISOVmlinuz(),
			Initrd: "/" + k.ISOInitrd(),
			Args:   args,
		})
		kernels = append(kernels, liveos.Kernel{Version: k.Version, Vmlinuz: k.Vmlinuz, Initrd: in.Initrds[k.Version]})
		versions = append(versions, k.Version)
	}
	saved, err := liveos.SavedConfig{
		Label: in.Label, LiveArgs: live, ImageArgs: in.Image.Args, UserArgs: userArgs,
		Compression: in.Compression, InitramfsType: in.InitramfsType,
		PluginVersion: in.PluginVersion, Kernels: versions,
	}.Marshal()
	if err != nil {
		return liveos.Layout{}, nil, err
	}
	extra := append(carriedFiles(in.Image.Carried, in.AdditionalFiles), in.AdditionalFiles...)
	layout, err := liveos.PlanLayout(liveos.LayoutInput{
		Label:           in.Label,
		Kernels:         kernels,
		GrubCfg:         liveos.RenderGrubCfg(gc),
		EFIBootImg:      in.EFI.BootImg,
		BIOSImg:         in.BIOSImg,
		Shim:            in.EFI.Shim,
		Grub:            in.EFI.Grub,
		MokManager:      in.EFI.MokManager,
		GrubConfig:      in.EFI.GrubConfig,
		Squashfs:        in.Squashfs,
		SavedConfig:     saved,
		AdditionalFiles: extra,
	})
	if err != nil {
		return liveos.Layout{}, nil, fmt.Errorf("iso: %w", err)
	}
	return layout, args, nil
}

// carriedFiles are the earlier media's files that this build's additional files do not replace.
func carriedFiles(carried map[string]string, replacing []liveos.MediaFile) []liveos.MediaFile {
	replaced := map[string]bool{}
	for _, f := range replacing {
		replaced[strings.TrimPrefix(path.Clean("/"+f.Dest), "/")] = true
	}
	var out []liveos.MediaFile
	for _, dest := range slices.Sorted(maps.Keys(carried)) {
		if !replaced[dest] {
			out = append(out, liveos.MediaFile{Dest: dest, Source: carried[dest]})
		}
	}
	return out
}

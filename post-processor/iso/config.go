//go:generate packer-sdc struct-markdown
//go:generate packer-sdc mapstructure-to-hcl2 -type Config

package iso

import (
	"errors"
	"fmt"
	"os"

	"github.com/hashicorp/packer-plugin-sdk/common"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/hclblocks"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
)

// Config is the configuration of `post-processor "imagecustomizer-iso"`. Its settings mirror
// the `iso` section of an Image Customizer configuration, which can also be read from
// `config_file`.
type Config struct {
	common.PackerConfig `mapstructure:",squash"`

	// An Image Customizer YAML file whose `iso` section configures this post-processor (it may
	// be the same file the imagecustomizer provisioner reads; its `os` and `scripts` sections are
	// the provisioner's and are ignored here). Relative paths in it are resolved against its
	// directory. Lists set here in HCL are appended to the file's; scalars set here win.
	// The section's `initramfsType` may only be `bootstrap` and its `kdumpBootFiles` only `none`
	// (the media never carries kdump boot files); `full-os` and `keep` are refused by name.
	ConfigFile string `mapstructure:"config_file" required:"false"`
	// Files placed on the ISO file system (not in the root file system), e.g. a cloud-init
	// NoCloud seed at `/cloud-init-data/user-data`. Each has a `destination` on the media and
	// exactly one of `source` (a host file) or `content`, plus optional octal `permissions`.
	// A destination may not replace a file the post-processor generates.
	AdditionalFiles []hclblocks.AdditionalFile `mapstructure:"additional_files" required:"false"`
	// Extra kernel arguments for every boot entry of the media, after the live arguments and the
	// image's own arguments.
	KernelCommandLine hclblocks.KernelCommandLine `mapstructure:"kernel_command_line" required:"false"`
	// Path of the ISO to write. Defaults to `<directory of the input image>/<build name>.iso`.
	Output string `mapstructure:"output" required:"false"`
	// ISO volume label, which the boot loader and dracut use to find the media
	// (`root=live:LABEL=<label>`). Defaults to `CDROM`, like the original. Up to 32 of
	// `A-Z a-z 0-9 _ -`; choose another when a machine may have a disk with the same label.
	VolumeLabel string `mapstructure:"volume_label" required:"false"`
	// Compression of the squashfs root: `gzip` (default, like the original), `zstd`, `xz` or `lz4`.
	SquashfsCompression string `mapstructure:"squashfs_compression" required:"false"`
	// How the Live OS boots: `bootstrap` (default): a small dracut initrd mounts the squashfs root
	// from the media. `full-os` is not supported yet.
	InitramfsType string `mapstructure:"initramfs_type" required:"false"`
	// Also make the media bootable by BIOS firmware, with GRUB's El Torito image built from the
	// image's i386-pc GRUB modules or, when the image has none, the host's. Defaults to `true`; the
	// build fails when neither has them.
	BIOSBoot config.Trilean `mapstructure:"bios_boot" required:"false"`

	ctx interpolate.Context
	// iso is the effective iso section: config_file's merged with the HCL settings.
	iso icconfig.Iso
}

const defaultLabel = "CDROM"

// Prepare decodes, merges config_file's iso section, applies defaults and validates,
// returning every problem at once.
func (c *Config) Prepare(raws ...interface{}) error {
	if err := config.Decode(c, &config.DecodeOpts{
		PluginType:         artifacts.ISOID,
		Interpolate:        true,
		InterpolateContext: &c.ctx,
	}, raws...); err != nil {
		return err
	}
	var errs *packersdk.MultiError
	add := func(err error) { errs = packersdk.MultiErrorAppend(errs, err) }

	iso := icconfig.Iso{}
	if c.ConfigFile != "" {
		file, err := icconfig.Load(c.ConfigFile)
		if err != nil {
			add(fmt.Errorf("config_file: %w", err))
		} else if file.Iso != nil {
			iso = *file.Iso
		}
	}
	hclFiles, fileErrs := c.hclAdditionalFiles()
	for _, e := range fileErrs {
		add(e)
	}
	iso.AdditionalFiles = append(iso.AdditionalFiles, hclFiles...)
	if len(c.KernelCommandLine.ExtraCommandLine) > 0 {
		if iso.KernelCommandLine == nil {
			iso.KernelCommandLine = &icconfig.KernelCommandLine{}
		}
		iso.KernelCommandLine.ExtraCommandLine = append(iso.KernelCommandLine.ExtraCommandLine, c.KernelCommandLine.ExtraCommandLine...)
	}
	if c.InitramfsType != "" {
		iso.InitramfsType = icconfig.InitramfsType(c.InitramfsType)
	}
	if iso.InitramfsType == "" {
		iso.InitramfsType = icconfig.InitramfsBootstrap
	}
	if err := (&icconfig.Config{Iso: &iso}).IsValid(); err != nil {
		add(err)
	}
	if iso.InitramfsType == icconfig.InitramfsFullOS {
		add(errors.New("initramfs_type \"full-os\" is not supported yet; use \"bootstrap\""))
	}
	c.iso = iso

	if c.VolumeLabel == "" {
		c.VolumeLabel = defaultLabel
	}
	if err := liveos.ValidLabel(c.VolumeLabel); err != nil {
		add(fmt.Errorf("volume_label: %w", err))
	}
	if c.SquashfsCompression == "" {
		c.SquashfsCompression = liveos.DefaultCompression
	}
	if err := liveos.ValidCompression(c.SquashfsCompression); err != nil {
		add(fmt.Errorf("squashfs_compression: %w", err))
	}
	if errs != nil && len(errs.Errors) > 0 {
		return errs
	}
	return nil
}

// hclAdditionalFiles converts the HCL blocks, resolving relative sources against the current
// directory as Packer does for every other path in a template.
func (c *Config) hclAdditionalFiles() (icconfig.AdditionalFileList, []error) {
	files, errs := hclblocks.Files("additional_files", c.AdditionalFiles)
	cwd, err := os.Getwd()
	if err != nil {
		return files, append(errs, fmt.Errorf("find the current directory for relative paths: %w", err))
	}
	resolved := &icconfig.Config{BaseDir: cwd, Iso: &icconfig.Iso{AdditionalFiles: files}}
	resolved.ResolvePaths()
	return resolved.Iso.AdditionalFiles, errs
}

// extraArgs is iso.kernelCommandLine.extraCommandLine after merging.
func (c *Config) extraArgs() []string {
	if c.iso.KernelCommandLine == nil {
		return nil
	}
	return c.iso.KernelCommandLine.ExtraCommandLine
}

// biosBoot reports whether BIOS boot was asked for (the default).
func (c *Config) biosBoot() bool { return c.BIOSBoot != config.TriFalse }

//go:generate packer-sdc struct-markdown
//go:generate packer-sdc mapstructure-to-hcl2 -type Config

package iso

import (
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
// `config_file`; HCL settings are added to the file's (see `config_file`).
//
// The input disk image is kept: Packer's `keep_input_artifact` defaults to `true` for this
// post-processor, since the disk image is a useful artifact of its own; set it to `false` to
// delete the image once the ISO is written. An existing `output` file stops the build unless
// Packer runs with `-force`, which overwrites it. Legacy `{{ }}` templates are interpolated in
// the settings, and HCL2 expressions work as everywhere.
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
	// It may not be a file of the input artifact. It is checked when the build starts: an
	// existing file is an error without `-force`, and the build holds a lock on the path from
	// then on, so a second build writing the same ISO fails at once. The ISO is written under a
	// temporary name in the same directory and renamed into place when it is complete.
	Output string `mapstructure:"output" required:"false"`
	// ISO volume label, which the boot loader and dracut use to find the media
	// (`root=live:LABEL=<label>`). Defaults to `CDROM`, like the original. 1 to 32 characters
	// from `A-Z a-z 0-9 _ - .`; choose another when a machine may have a disk with the same label.
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
	// Boot the written ISO under QEMU and fail the build unless the serial console shows the
	// expected lines; see the `boot_test` block. No boot test runs without the block.
	BootTest *BootTest `mapstructure:"boot_test" required:"false"`

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

	iso, isoErrs := c.isoSection()
	for _, e := range isoErrs {
		add(e)
	}
	if iso.InitramfsType == "" {
		iso.InitramfsType = icconfig.InitramfsBootstrap
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
	if c.BootTest != nil {
		for _, err := range c.BootTest.prepare() {
			add(err)
		}
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

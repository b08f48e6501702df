//go:generate packer-sdc struct-markdown
//go:generate packer-sdc mapstructure-to-hcl2 -type Config

package imagecustomizer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/common"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
)

// Config is the configuration of `source "imagecustomizer"`. Setting names follow the
// amazon-chroot and azure-chroot builders where they mean the same thing.
//
// Run Packer as root on Linux: the build attaches loop devices and mounts file systems. An
// existing `output_directory` stops the build unless Packer runs with `-force`, which deletes it
// first. Legacy `{{ }}` templates work in `mount_path`, `command_wrapper` and the mount commands,
// with the variables each setting names.
type Config struct {
	common.PackerConfig `mapstructure:",squash"`

	// Path to the base disk image to customize: raw, qcow2, vhd (fixed or dynamic) or vhdx, or a
	// Live OS ISO made earlier by the imagecustomizer-iso post-processor, which is turned back into
	// a disk image (its squashfs root on an ext4 partition, its kernels, its EFI binaries on an ESP)
	// so that it can be customized again; the files that were on the media and its kernel
	// arguments are carried on to the next ISO. The file is only read; the build works on a copy
	// in `output_directory`.
	BaseImage string `mapstructure:"base_image" required:"true"`
	// Format of `base_image`. By default it is detected from the file's content, not its name.
	// One of `raw`, `qcow2`, `vhd`, `vhdx`, `iso`.
	BaseImageFormat string `mapstructure:"base_image_format" required:"false"`
	// Directory the customized image is written to. Defaults to `output-<build name>`. It must not
	// exist unless Packer runs with `-force`, which deletes it first.
	OutputDirectory string `mapstructure:"output_directory" required:"false"`
	// File name of the customized image inside `output_directory`. Defaults to `image.<ext>` where
	// `<ext>` follows `output_format` (`raw`, `qcow2`, `vhd`, `vhdx`).
	OutputImageName string `mapstructure:"output_image_name" required:"false"`
	// Format of the customized image: `raw` (default), `qcow2`, `vhd` (dynamic), `vhd-fixed` (fixed
	// size, 1 MiB aligned, as Azure requires) or `vhdx`. Written with `qemu-img convert` at the end.
	OutputFormat string `mapstructure:"output_format" required:"false"`
	// Where the image's root file system is mounted on the host. A template: `{{.Device}}` is the
	// loop device's name (e.g. `loop3`). Defaults to
	// `/mnt/packer-imagecustomizer/{{.Device}}`.
	MountPath string `mapstructure:"mount_path" required:"false"`
	// Extra mounts inside the chroot, each `[fstype, source, target]`. The fstype `bind` makes a bind
	// mount; the fstype `imagedev` makes a private /dev for the image: a tmpfs with the standard
	// device nodes, the image's loop device and partitions, `/dev/disk/by-{uuid,label,partuuid,partlabel}`
	// links, a new devpts instance at /dev/pts and /dev/shm. Unlike a bind of the host's /dev it
	// exposes no other host device, and the image's tools (grub-mkconfig, blkid) find its partitions
	// by UUID even on hosts without udev. Defaults to `["proc", "proc", "/proc"]`,
	// `["sysfs", "sysfs", "/sys"]`, `["imagedev", "imagedev", "/dev"]` and `["tmpfs", "tmpfs", "/run"]`.
	// Use `["bind", "/dev", "/dev"]` and `["bind", "/dev/pts", "/dev/pts"]` for the host's devices.
	// Targets are resolved inside the image, so its symlinks cannot point them at host paths.
	ChrootMounts [][]string `mapstructure:"chroot_mounts" required:"false"`
	// Host files copied into the image for the duration of the build and restored afterwards
	// (the image's own file, or symlink, is put back). Defaults to `/etc/resolv.conf`, so
	// provisioners have DNS even when the image's resolv.conf is a dangling systemd-resolved symlink.
	CopyFiles []string `mapstructure:"copy_files" required:"false"`
	// A template through which every host-side shell command of the build goes, such as the chroot
	// of the provisioners and `pre_mount_commands`. `{{.Command}}` is the command. Defaults to
	// `{{.Command}}`.
	CommandWrapper string `mapstructure:"command_wrapper" required:"false"`
	// Host shell commands run after the image is attached and before it is mounted. Templates:
	// `{{.Device}}` is the loop device (`/dev/loopN`).
	PreMountCommands []string `mapstructure:"pre_mount_commands" required:"false"`
	// Host shell commands run after every partition is mounted. Templates: `{{.Device}}` and
	// `{{.MountPath}}`.
	PostMountCommands []string `mapstructure:"post_mount_commands" required:"false"`

	ctx interpolate.Context
}

// GetContext lets the SDK's chroot mount-command steps render templates.
func (c *Config) GetContext() interpolate.Context { return c.ctx }

const (
	defaultMountPath      = "/mnt/packer-imagecustomizer/{{.Device}}"
	defaultCommandWrapper = "{{.Command}}"
)

// DefaultChrootMounts are the chroot mounts used when chroot_mounts is not set.
var DefaultChrootMounts = [][]string{
	{"proc", "proc", "/proc"},
	{"sysfs", "sysfs", "/sys"},
	{"imagedev", "imagedev", "/dev"},
	{"tmpfs", "tmpfs", "/run"},
}

// Prepare decodes the raw configuration, applies defaults and validates every setting,
// returning all problems at once.
func (c *Config) Prepare(raws ...interface{}) ([]string, error) {
	err := config.Decode(c, &config.DecodeOpts{
		PluginType:         artifacts.BuilderID,
		Interpolate:        true,
		InterpolateContext: &c.ctx,
		InterpolateFilter: &interpolate.RenderFilter{
			// Rendered at run time, when the device and mount path are known.
			Exclude: []string{"mount_path", "command_wrapper", "pre_mount_commands", "post_mount_commands"},
		},
	}, raws...)
	if err != nil {
		return nil, err
	}
	c.applyDefaults()
	var errs *packersdk.MultiError
	for _, e := range c.validate() {
		errs = packersdk.MultiErrorAppend(errs, e)
	}
	if errs != nil && len(errs.Errors) > 0 {
		return nil, errs
	}
	return nil, nil
}

// applyDefaults runs after Decode, which zeroes the struct for HCL input.
func (c *Config) applyDefaults() {
	if c.OutputDirectory == "" {
		c.OutputDirectory = "output-" + c.PackerBuildName
	}
	if c.OutputFormat == "" {
		c.OutputFormat = string(diskimage.OutputRaw)
	}
	if c.OutputImageName == "" {
		c.OutputImageName = "image." + outputExtension(diskimage.OutputFormat(c.OutputFormat))
	}
	if c.MountPath == "" {
		c.MountPath = defaultMountPath
	}
	if c.CommandWrapper == "" {
		c.CommandWrapper = defaultCommandWrapper
	}
	if c.ChrootMounts == nil {
		c.ChrootMounts = DefaultChrootMounts
	}
	if c.CopyFiles == nil {
		c.CopyFiles = []string{"/etc/resolv.conf"}
	}
}

func (c *Config) validate() []error {
	var errs []error
	if c.BaseImage == "" {
		errs = append(errs, errors.New("base_image is required"))
	} else if fi, err := os.Stat(c.BaseImage); err != nil {
		errs = append(errs, fmt.Errorf("base_image %q: %w", c.BaseImage, err))
	} else if !fi.Mode().IsRegular() {
		errs = append(errs, fmt.Errorf("base_image %q is not a regular file", c.BaseImage))
	}
	if c.BaseImageFormat != "" {
		if _, err := diskimage.ParseFormat(c.BaseImageFormat); err != nil {
			errs = append(errs, fmt.Errorf("base_image_format: %w", err))
		}
	}
	if _, err := diskimage.ParseOutputFormat(c.OutputFormat); err != nil {
		errs = append(errs, fmt.Errorf("output_format: %w", err))
	}
	if strings.ContainsRune(c.OutputImageName, '/') {
		errs = append(errs, fmt.Errorf("output_image_name %q must be a file name, not a path", c.OutputImageName))
	}
	if !strings.Contains(c.MountPath, "{{.Device}}") && !strings.Contains(c.MountPath, "{{ .Device }}") {
		errs = append(errs, fmt.Errorf("mount_path %q must contain {{.Device}} so that concurrent builds do not collide", c.MountPath))
	} else if !filepath.IsAbs(c.MountPath) {
		errs = append(errs, fmt.Errorf("mount_path %q must be absolute", c.MountPath))
	}
	for i, m := range c.ChrootMounts {
		if len(m) != 3 {
			errs = append(errs, fmt.Errorf("chroot_mounts[%d] %q must have three elements: fstype, source, target", i, m))
			continue
		}
		if !strings.HasPrefix(m[2], "/") {
			errs = append(errs, fmt.Errorf("chroot_mounts[%d] target %q must be an absolute path inside the image", i, m[2]))
		}
	}
	for i, f := range c.CopyFiles {
		if !filepath.IsAbs(f) {
			errs = append(errs, fmt.Errorf("copy_files[%d] %q must be an absolute path", i, f))
		}
	}
	if !strings.Contains(c.CommandWrapper, "{{.Command}}") {
		errs = append(errs, fmt.Errorf("command_wrapper %q must contain {{.Command}}", c.CommandWrapper))
	}
	return errs
}

func outputExtension(f diskimage.OutputFormat) string {
	switch f {
	case diskimage.OutputVHD, diskimage.OutputVHDFixed:
		return "vhd"
	case "":
		return "raw"
	default:
		return string(f)
	}
}

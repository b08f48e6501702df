//go:generate packer-sdc struct-markdown
//go:generate packer-sdc mapstructure-to-hcl2 -type AdditionalFile,KernelCommandLine

// Package hclblocks holds the HCL blocks that the imagecustomizer provisioner and the ISO
// post-processor share, and their conversion to the Image Customizer configuration, so both
// decode and validate them the same way.
package hclblocks

import (
	"fmt"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// AdditionalFile is a file to add: to the image (the provisioner's `os` block) or to the ISO
// media (the post-processor).
type AdditionalFile struct {
	// Where the file goes: an absolute path in the image, or a path on the ISO media such as
	// `/cloud-init-data/user-data`. Parent directories are created.
	Destination string `mapstructure:"destination" required:"true"`
	// Host file to copy. Relative paths resolve against the current directory. Exactly one of
	// `source` and `content` must be set.
	Source string `mapstructure:"source" required:"false"`
	// Literal content of the file, instead of `source`.
	Content *string `mapstructure:"content" required:"false"`
	// Octal mode such as `"644"`. Default: the source file's mode, or 644 for `content`.
	Permissions string `mapstructure:"permissions" required:"false"`
}

// KernelCommandLine holds extra kernel arguments.
type KernelCommandLine struct {
	// Arguments appended, in order, e.g. `["ds=nocloud", "console=ttyS0"]`. None may be empty.
	ExtraCommandLine []string `mapstructure:"extra_command_line" required:"false"`
}

// Files converts additional_files blocks. A permissions value that does not parse is an
// error naming `<field>[i].permissions`; the file is converted without it.
func Files(field string, in []AdditionalFile) (icconfig.AdditionalFileList, []error) {
	var out icconfig.AdditionalFileList
	var errs []error
	for i, f := range in {
		af := icconfig.AdditionalFile{Destination: f.Destination, Source: f.Source, Content: f.Content}
		if f.Permissions != "" {
			p, err := icconfig.ParsePermissions(f.Permissions)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s[%d].permissions: %w", field, i, err))
			} else {
				af.Permissions = &p
			}
		}
		out = append(out, af)
	}
	return out, errs
}

// ImageCustomizer converts the block; nil stays nil.
func (k *KernelCommandLine) ImageCustomizer() *icconfig.KernelCommandLine {
	if k == nil {
		return nil
	}
	return &icconfig.KernelCommandLine{ExtraCommandLine: k.ExtraCommandLine}
}

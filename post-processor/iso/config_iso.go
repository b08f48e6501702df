package iso

import (
	"strings"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// isoSection is the effective iso section: config_file's, with the HCL settings merged in
// (lists appended, scalars set in HCL winning). Each part is validated on its own, so that a
// problem is named the way the user wrote it: with config_file and the YAML path for the file,
// with the attribute name for HCL. A file scalar that HCL overrides is not validated.
func (c *Config) isoSection() (icconfig.Iso, []error) {
	var errs []error
	file := icconfig.Iso{}
	if c.ConfigFile != "" {
		cfg, err := icconfig.Load(c.ConfigFile)
		errs = append(errs, icconfig.ForFile(c.ConfigFile, err)...)
		if cfg != nil && cfg.Iso != nil {
			file = *cfg.Iso
		}
	}
	hclFiles, fileErrs := c.hclAdditionalFiles()
	errs = append(errs, fileErrs...)
	hcl := icconfig.Iso{AdditionalFiles: hclFiles, InitramfsType: icconfig.InitramfsType(c.InitramfsType)}
	if len(c.KernelCommandLine.ExtraCommandLine) > 0 {
		hcl.KernelCommandLine = &icconfig.KernelCommandLine{ExtraCommandLine: c.KernelCommandLine.ExtraCommandLine}
	}
	if c.ConfigFile != "" {
		checked := file
		if hcl.InitramfsType != "" {
			checked.InitramfsType = ""
		}
		errs = append(errs, icconfig.ForFile(c.ConfigFile, (&icconfig.Config{Iso: &checked}).IsValid())...)
	}
	errs = append(errs, icconfig.ForHCL((&icconfig.Config{Iso: &hcl}).IsValid(), hclName)...)
	return mergeISO(file, hcl), errs
}

// mergeISO appends hcl's lists to file's and lets hcl's scalars win.
func mergeISO(file, hcl icconfig.Iso) icconfig.Iso {
	merged := file
	merged.AdditionalFiles = append(append(icconfig.AdditionalFileList{}, file.AdditionalFiles...), hcl.AdditionalFiles...)
	if hcl.KernelCommandLine != nil {
		var args []string
		if file.KernelCommandLine != nil {
			args = append(args, file.KernelCommandLine.ExtraCommandLine...)
		}
		merged.KernelCommandLine = &icconfig.KernelCommandLine{ExtraCommandLine: append(args, hcl.KernelCommandLine.ExtraCommandLine...)}
	}
	if hcl.InitramfsType != "" {
		merged.InitramfsType = hcl.InitramfsType
	}
	return merged
}

// hclName is the post-processor's attribute for a path in the YAML's iso section: the
// attributes sit at the top level of the block (`iso.additionalFiles[0]` -> `additional_files[0]`).
func hclName(yamlPath string) string {
	return icconfig.HCLPath(strings.TrimPrefix(yamlPath, "iso."))
}

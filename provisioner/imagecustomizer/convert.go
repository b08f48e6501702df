package imagecustomizer

import (
	"errors"
	"fmt"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/hclblocks"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// imageConfig converts the HCL blocks to the Image Customizer configuration, so that both
// input forms are validated and applied by the same code. baseDir is the directory relative
// host paths resolve against. Permission strings that do not parse are returned as errors
// naming their field.
func (c *Config) imageConfig(baseDir string) (*icconfig.Config, error) {
	var errs []error
	perm := func(path, s string) *icconfig.FilePermissions {
		if s == "" {
			return nil
		}
		p, err := icconfig.ParsePermissions(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
			return nil
		}
		return &p
	}
	ic := &icconfig.Config{BaseDir: baseDir}
	if o := c.OS; o != nil {
		ic.OS = &icconfig.OS{Hostname: o.Hostname}
		ic.OS.KernelCommandLine = o.KernelCommandLine.ImageCustomizer()
		files, fileErrs := hclblocks.Files("os.additional_files", o.AdditionalFiles)
		ic.OS.AdditionalFiles = files
		errs = append(errs, fileErrs...)
		for i, d := range o.AdditionalDirs {
			p := fmt.Sprintf("os.additional_dirs[%d].", i)
			ic.OS.AdditionalDirs = append(ic.OS.AdditionalDirs, icconfig.AdditionalDir{
				Source: d.Source, Destination: d.Destination,
				NewDirPermissions:    perm(p+"new_dir_permissions", d.NewDirPermissions),
				MergedDirPermissions: perm(p+"merged_dir_permissions", d.MergedDirPermissions),
				ChildFilePermissions: perm(p+"child_file_permissions", d.ChildFilePermissions),
			})
		}
		for _, g := range o.Groups {
			ic.OS.Groups = append(ic.OS.Groups, icconfig.Group{Name: g.Name, GID: g.GID})
		}
		for _, u := range o.Users {
			iu := icconfig.User{
				Name: u.Name, UID: u.UID, PasswordExpiresDays: u.PasswordExpiresDays,
				SSHPublicKeyPaths: u.SSHPublicKeyPaths, SSHPublicKeys: u.SSHPublicKeys,
				PrimaryGroup: u.PrimaryGroup, SecondaryGroups: u.SecondaryGroups,
				StartupCommand: u.StartupCommand, HomeDirectory: u.HomeDirectory,
			}
			if u.Password != nil {
				iu.Password = &icconfig.Password{Type: icconfig.PasswordType(u.Password.Type), Value: u.Password.Value}
			}
			ic.OS.Users = append(ic.OS.Users, iu)
		}
		if s := o.Services; s != nil {
			ic.OS.Services = &icconfig.Services{Enable: s.Enable, Disable: s.Disable}
		}
		for _, m := range o.Modules {
			ic.OS.Modules = append(ic.OS.Modules, icconfig.Module{
				Name: m.Name, LoadMode: icconfig.ModuleLoadMode(m.LoadMode), Options: m.Options,
			})
		}
	}
	if s := c.Scripts; s != nil {
		ic.Scripts = &icconfig.Scripts{
			PostCustomization:     convertScripts(s.PostCustomization),
			FinalizeCustomization: convertScripts(s.FinalizeCustomization),
		}
	}
	ic.ResolvePaths()
	return ic, errors.Join(errs...)
}

func convertScripts(in []Script) []icconfig.Script {
	var out []icconfig.Script
	for _, s := range in {
		out = append(out, icconfig.Script{
			Path: s.Path, Content: s.Content, Interpreter: s.Interpreter, Arguments: s.Arguments,
			EnvironmentVariables: s.EnvironmentVariables, Name: s.Name,
		})
	}
	return out
}

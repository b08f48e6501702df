// Package imagecustomizer is `provisioner "imagecustomizer"`: it applies an Azure Linux
// Image Customizer configuration (os and scripts) to the image behind a communicator,
// normally the chroot of `source "imagecustomizer"`.
package imagecustomizer

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2/hcldec"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/icconfig"
)

// Provisioner is `provisioner "imagecustomizer"`.
type Provisioner struct {
	config Config
	// ic is the configuration to apply, from config_file or from the HCL blocks.
	ic *icconfig.Config
	// execute runs the provisioner's commands in the machine (execute_command).
	execute *executeCommand
}

var _ packersdk.Provisioner = new(Provisioner)

// ConfigSpec returns the HCL2 spec of Config.
func (p *Provisioner) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

// Prepare decodes and validates the configuration, reporting every problem at once.
func (p *Provisioner) Prepare(raws ...interface{}) error {
	err := config.Decode(&p.config, &config.DecodeOpts{
		PluginType: "imagecustomizer",
		// File contents and scripts are data: `{{` in them must reach the image unchanged.
		// The SDK validates even excluded keys as Go templates, so legacy interpolation is
		// off altogether; HCL2 templates have their own, which still works.
		Interpolate:        false,
		InterpolateContext: &p.config.ctx,
	}, raws...)
	if err != nil {
		return err
	}
	ic, problems := p.config.load()
	if ic != nil {
		problems = append(problems, p.config.inUserTerms(ic.IsValid())...)
	}
	execute, err := newExecuteCommand(p.config.ExecuteCommand, p.config.ctx)
	if err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return packersdk.MultiErrorAppend(nil, problems...)
	}
	p.ic, p.execute = ic, execute
	return nil
}

// load returns the Image Customizer configuration from config_file or the HCL blocks, or the
// problems found reading it, each on its own. The two forms cannot be mixed: merging them would
// make it unclear which relative paths resolve where.
func (c *Config) load() (*icconfig.Config, []error) {
	hasBlocks := c.OS != nil || c.Scripts != nil
	switch {
	case c.ConfigFile != "" && hasBlocks:
		return nil, []error{errors.New("config_file cannot be combined with the os and scripts blocks: put every setting in one of them")}
	case c.ConfigFile != "":
		ic, err := icconfig.Load(c.ConfigFile)
		return ic, icconfig.ForFile(c.ConfigFile, err)
	case !hasBlocks:
		return nil, []error{errors.New("nothing to do: set config_file or an os or scripts block")}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, []error{fmt.Errorf("find the current directory for relative paths: %w", err)}
	}
	ic, err := c.imageConfig(cwd)
	return ic, icconfig.ForHCL(err, icconfig.HCLPath)
}

// inUserTerms names validation problems the way the user wrote the settings: with the YAML
// path and config_file for a file, with the HCL block and attribute names for HCL blocks.
func (c *Config) inUserTerms(err error) []error {
	if c.ConfigFile != "" {
		return icconfig.ForFile(c.ConfigFile, err)
	}
	return icconfig.ForHCL(err, icconfig.HCLPath)
}

// customization is one step of Provision.
type customization func(context.Context, *image, *icconfig.Config) error

// Provision applies the configuration in the original's order of operations
// (imagecustomizerlib doOsCustomizations). Steps with nothing to do return at once.
func (p *Provisioner) Provision(ctx context.Context, ui packersdk.Ui, comm packersdk.Communicator, _ map[string]interface{}) error {
	m := newImage(comm, ui, p.execute)
	if err := checkRunsAsRoot(ctx, m); err != nil {
		return err
	}
	return apply(ctx, m, p.ic)
}

func apply(ctx context.Context, m *image, c *icconfig.Config) error {
	for _, step := range []customization{
		setHostname,
		addGroupsAndUsers,
		copyAdditionalDirs,
		copyAdditionalFiles,
		configureServices,
		configureModules,
		addKernelCommandLine,
		runPostCustomization,
		runFinalizeCustomization,
	} {
		if err := step(ctx, m, c); err != nil {
			return err
		}
	}
	return nil
}

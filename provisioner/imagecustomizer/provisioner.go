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
	ic, err := p.config.load()
	var errs *packersdk.MultiError
	if err != nil {
		errs = packersdk.MultiErrorAppend(errs, splitJoined(err)...)
	}
	if ic != nil {
		errs = packersdk.MultiErrorAppend(errs, splitJoined(ic.IsValid())...)
	}
	execute, err := newExecuteCommand(p.config.ExecuteCommand, p.config.ctx)
	if err != nil {
		errs = packersdk.MultiErrorAppend(errs, err)
	}
	if errs != nil && len(errs.Errors) > 0 {
		return errs
	}
	p.ic, p.execute = ic, execute
	return nil
}

// load returns the Image Customizer configuration from config_file or the HCL blocks. The
// two cannot be mixed: merging them would make it unclear which relative paths resolve where.
func (c *Config) load() (*icconfig.Config, error) {
	hasBlocks := c.OS != nil || c.Scripts != nil
	switch {
	case c.ConfigFile != "" && hasBlocks:
		return nil, errors.New("config_file cannot be combined with the os and scripts blocks: put every setting in one of them")
	case c.ConfigFile != "":
		return icconfig.Load(c.ConfigFile)
	case !hasBlocks:
		return nil, errors.New("nothing to do: set config_file or an os or scripts block")
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("find the current directory for relative paths: %w", err)
	}
	return c.imageConfig(cwd)
}

// splitJoined unpacks an errors.Join result so that each problem is listed on its own.
func splitJoined(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
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

package imagecustomizer

import (
	"context"
	"errors"
	"log"
	"runtime"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/chroot"
	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	"github.com/hashicorp/packer-plugin-sdk/multistep/commonsteps"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// Builder opens a base disk image and lets provisioners change it in a chroot.
type Builder struct {
	config Config
	runner execx.Runner
}

func (b *Builder) ConfigSpec() hcldec.ObjectSpec { return b.config.FlatMapstructure().HCL2Spec() }

// Prepare validates the configuration. It has no side effects: host checks are the first step.
func (b *Builder) Prepare(raws ...interface{}) ([]string, []string, error) {
	warnings, err := b.config.Prepare(raws...)
	if err != nil {
		return nil, warnings, err
	}
	return []string{"Device", "MountPath", "ImageFormat", "RootPartition", artifacts.GeneratedBootTest}, warnings, nil
}

// Run is the build, as a list of steps. Every resource a step acquires is released by its
// Cleanup in reverse order, on success, failure and cancellation.
func (b *Builder) Run(ctx context.Context, ui packersdk.Ui, hook packersdk.Hook) (packersdk.Artifact, error) {
	if runtime.GOOS != "linux" {
		return nil, errors.New("the imagecustomizer builder only runs on Linux")
	}
	runner := b.runner
	if runner == nil {
		runner = &execx.Real{Logf: log.Printf}
	}
	state := new(multistep.BasicStateBag)
	state.Put(keyUI, ui)
	state.Put(keyHook, hook)
	state.Put(keyConfig, &b.config)
	state.Put(keyRunner, runner)
	state.Put(keyWrappedCommand, wrapper(b.config))
	state.Put(keyGeneratedData, map[string]interface{}{})

	steps := []multistep.Step{
		&stepCheckHost{},
		&stepstate.SweepLeftovers{},
		&stepCheckSpace{},
		&commonsteps.StepOutputDir{Force: b.config.PackerForce, Path: b.config.OutputDirectory},
		&stepWorkingCopy{},
		&stepAttachLoop{},
		&chroot.StepPreMountCommands{Commands: b.config.PreMountCommands},
		&stepMountImage{},
		&chroot.StepPostMountCommands{Commands: b.config.PostMountCommands},
		&stepChrootMounts{},
		&stepCopyFiles{},
		&stepSetGeneratedData{},
		&stepChrootCommunicator{},
		&commonsteps.StepProvision{},
		&stepEarlyCleanup{},
		&stepConvertOutput{},
	}
	commonsteps.NewRunner(steps, b.config.PackerConfig, ui).Run(ctx, state)
	if err := stepstate.Result(state, "build"); err != nil {
		return nil, err
	}
	return &Artifact{
		Path:      getString(state, keyOutputImage),
		Format:    b.config.OutputFormat,
		BaseImage: b.config.BaseImage,
		StateData: map[string]interface{}{"generated_data": generated(state)},
	}, nil
}

// wrapper renders command_wrapper around a host shell command.
func wrapper(c Config) common.CommandWrapper {
	return func(command string) (string, error) {
		ictx := c.ctx
		ictx.Data = &struct{ Command string }{Command: command}
		return interpolate.Render(c.CommandWrapper, &ictx)
	}
}

package iso

import (
	"context"
	"errors"
	"fmt"
	"log"
	"path/filepath"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	"github.com/hashicorp/packer-plugin-sdk/multistep/commonsteps"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/builder/imagecustomizer"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// BuilderID identifies the ISO artifact.
const BuilderID = "imagecustomizer.post-processor.iso"

// PostProcessor turns the imagecustomizer builder's disk image into a Live OS ISO.
type PostProcessor struct {
	config Config
	runner execx.Runner
}

func (p *PostProcessor) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

func (p *PostProcessor) Configure(raws ...interface{}) error { return p.config.Prepare(raws...) }

// PostProcess is the Live OS conversion, as a list of steps. The input image is only read:
// it is attached read-only, and the initrd is built in a scratch overlay on top of it.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packersdk.Ui, in packersdk.Artifact) (packersdk.Artifact, bool, bool, error) {
	if in.BuilderId() != imagecustomizer.BuilderID {
		return nil, false, false, fmt.Errorf("the imagecustomizer-iso post-processor takes the imagecustomizer builder's image, not artifacts of %q", in.BuilderId())
	}
	if len(in.Files()) != 1 {
		return nil, false, false, fmt.Errorf("the input artifact has %d files; want exactly one disk image", len(in.Files()))
	}
	runner := p.runner
	if runner == nil {
		runner = &execx.Real{Logf: log.Printf}
	}
	output := p.config.Output
	if output == "" {
		output = filepath.Join(filepath.Dir(in.Files()[0]), p.config.PackerBuildName+".iso")
	}
	format, _ := in.State(imagecustomizer.StateImageFormat).(string)

	state := new(multistep.BasicStateBag)
	state.Put(keyUI, ui)
	state.Put(keyConfig, &p.config)
	state.Put(keyRunner, runner)
	state.Put(keyInput, inputImage{Path: in.Files()[0], Format: format})
	state.Put(keyOutput, output)

	steps := []multistep.Step{
		&stepCheckHost{},
		&stepScratchDir{},
		&stepOpenImage{},
		&stepInspectImage{},
		&stepBuildInitrd{},
		&stepSquashRoot{},
		&stepEFIBoot{},
	}
	if p.config.biosBoot() {
		steps = append(steps, &stepBIOSBoot{})
	}
	steps = append(steps,
		&stepReleaseImage{},
		&stepStageMedia{},
		&stepWriteISO{},
	)
	commonsteps.NewRunner(timed(steps...), p.config.PackerConfig, ui).Run(ctx, state)

	if err, ok := state.GetOk(keyError); ok {
		return nil, false, false, err.(error)
	}
	if _, ok := state.GetOk(multistep.StateCancelled); ok {
		return nil, false, false, errors.New("ISO conversion was cancelled")
	}
	if _, ok := state.GetOk(multistep.StateHalted); ok {
		return nil, false, false, errors.New("ISO conversion was halted")
	}
	// keep=true: the disk image stays unless the user sets keep_input_artifact = false.
	return &Artifact{Path: output, Input: in}, true, false, nil
}

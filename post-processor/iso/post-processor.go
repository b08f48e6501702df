package iso

import (
	"context"
	"fmt"
	"log"
	"path/filepath"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	"github.com/hashicorp/packer-plugin-sdk/multistep/commonsteps"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// PostProcessor turns an artifact's one disk image into a Live OS ISO.
type PostProcessor struct {
	config Config
	runner execx.Runner
}

func (p *PostProcessor) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

func (p *PostProcessor) Configure(raws ...interface{}) error { return p.config.Prepare(raws...) }

// PostProcess is the Live OS conversion, as a list of steps. The input image is only read:
// it is attached read-only, and the initrd is built in a scratch overlay on top of it.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packersdk.Ui, in packersdk.Artifact) (packersdk.Artifact, bool, bool, error) {
	// The input is judged by its files, not by who made it: exactly one disk image, whose
	// format is detected from its content (stepOpenImage).
	if len(in.Files()) != 1 {
		return nil, false, false, fmt.Errorf("the input artifact of %q has %d files; want exactly one disk image", in.BuilderId(), len(in.Files()))
	}
	runner := p.runner
	if runner == nil {
		runner = &execx.Real{Logf: log.Printf}
	}
	output := p.config.Output
	if output == "" {
		output = filepath.Join(filepath.Dir(in.Files()[0]), p.config.PackerBuildName+".iso")
	}
	format, _ := in.State(artifacts.StateImageFormat).(string)

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
	if p.config.BootTest != nil {
		steps = append(steps, &stepBootCheck{})
	}
	commonsteps.NewRunner(steps, p.config.PackerConfig, ui).Run(ctx, state)
	if err := stepstate.Result(state, "ISO conversion"); err != nil {
		return nil, false, false, err
	}
	// keep=true: the disk image stays unless the user sets keep_input_artifact = false.
	records, _ := state.Get(keyBootResults).([]bootcheck.Record)
	return &Artifact{Path: output, Input: in, BootTest: records}, true, false, nil
}

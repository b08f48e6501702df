package iso

import (
	"context"
	"log"
	"path/filepath"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	"github.com/hashicorp/packer-plugin-sdk/multistep/commonsteps"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/stepstate"
)

// PostProcessor turns an artifact's one disk image into a Live OS ISO.
type PostProcessor struct {
	config Config
	runner execx.Runner
	locked string // the output whose lock this process holds (outputsafe.Lock)
}

func (p *PostProcessor) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

// Configure validates the configuration and checks what can be known about the output before
// the build starts (checkEarly).
func (p *PostProcessor) Configure(raws ...interface{}) error {
	if err := p.config.Prepare(raws...); err != nil {
		return err
	}
	return p.checkEarly()
}

// PostProcess is the Live OS conversion, as a list of steps. The input image is only read:
// it is attached read-only, and the initrd is built in a scratch overlay on top of it.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packersdk.Ui, in packersdk.Artifact) (packersdk.Artifact, bool, bool, error) {
	input, err := chooseInput(in)
	if err != nil {
		return nil, false, false, err
	}
	runner := p.runner
	if runner == nil {
		runner = &execx.Real{Logf: log.Printf}
	}
	output := p.config.Output
	if output == "" {
		output = filepath.Join(filepath.Dir(input.Path), p.config.PackerBuildName+".iso")
	}

	state := new(multistep.BasicStateBag)
	state.Put(keyUI, ui)
	state.Put(keyConfig, &p.config)
	state.Put(keyRunner, runner)
	state.Put(keyInput, input)
	state.Put(keyOutput, output)
	state.Put(keyInputFiles, in.Files())

	steps := []multistep.Step{
		&stepCheckHost{},
		&stepstate.SweepLeftovers{},
		&stepGuardOutput{pp: p},
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
		keepInput(ui, in)
		return nil, false, false, err
	}
	// keep=true: the disk image stays unless the user sets keep_input_artifact = false.
	labels := map[string]string{"volume_label": p.config.VolumeLabel, "squashfs_compression": p.config.SquashfsCompression}
	records, _ := state.Get(keyBootResults).([]bootcheck.Record)
	return &Artifact{Path: output, Input: in, Labels: labels, BootTest: records}, true, false, nil
}

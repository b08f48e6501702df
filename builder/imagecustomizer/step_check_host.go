package imagecustomizer

import (
	"context"
	"fmt"
	"os"
	"os/exec"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/hosttools"
)

// stepCheckHost checks what Prepare must not probe: that we run as root and have the tools
// (hosttools.Builder).
type stepCheckHost struct {
	lookPath func(string) (string, error)
	euid     func() int
}

func (s *stepCheckHost) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	lookPath, euid := s.lookPath, s.euid
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	if euid == nil {
		euid = os.Geteuid
	}
	if euid() != 0 {
		return halt(state, fmt.Errorf("the imagecustomizer builder attaches loop devices and mounts file systems: run packer as root"))
	}
	if err := hosttools.Check(hosttools.Builder, lookPath); err != nil {
		return halt(state, err)
	}
	return multistep.ActionContinue
}

func (s *stepCheckHost) Cleanup(multistep.StateBag) {}

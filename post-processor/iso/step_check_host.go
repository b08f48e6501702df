package iso

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/hosttools"
)

// stepCheckHost checks root, the tools (hosttools.PostProcessor), and that the output may be
// written.
//
// Consumes: config, output.
type stepCheckHost struct {
	lookPath func(string) (string, error) // exec.LookPath when nil
}

func (s *stepCheckHost) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	lookPath := s.lookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	if os.Geteuid() != 0 {
		return halt(state, fmt.Errorf("the imagecustomizer-iso post-processor attaches loop devices and mounts file systems: run packer as root"))
	}
	if err := hosttools.Check(hosttools.PostProcessor, lookPath); err != nil {
		return halt(state, err)
	}
	if err := e.cfg.BootTest.checkHost(); err != nil {
		return halt(state, fmt.Errorf("boot_test: %w", err))
	}
	out := getString(state, keyOutput)
	if _, err := os.Stat(out); err == nil && !e.cfg.PackerForce {
		return halt(state, fmt.Errorf("output %q already exists; remove it or run packer with -force", out))
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return halt(state, fmt.Errorf("create the directory of output %q: %w", out, err))
	}
	return multistep.ActionContinue
}

func (s *stepCheckHost) Cleanup(multistep.StateBag) {}

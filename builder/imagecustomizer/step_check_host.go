package imagecustomizer

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
)

// requiredTools are the host programs a build runs.
var requiredTools = []string{"qemu-img", "losetup", "partx", "blkid", "chroot", "mcopy", "mmd", "mdel", "fsck.fat"}

// stepCheckHost checks what Prepare must not probe: that we run as root and have the tools.
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
	var missing []string
	for _, t := range requiredTools {
		if _, err := lookPath(t); err != nil {
			missing = append(missing, execx.MissingToolHint(t))
		}
	}
	if len(missing) > 0 {
		return halt(state, fmt.Errorf("check host tools: %s", strings.Join(missing, "; ")))
	}
	return multistep.ActionContinue
}

func (s *stepCheckHost) Cleanup(multistep.StateBag) {}

package imagecustomizer

import (
	"fmt"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// How long processes left in the chroot get after SIGTERM, and then after SIGKILL.
var (
	chrootStopGrace = 3 * time.Second
	chrootKillWait  = 10 * time.Second
)

// stopChrootProcesses ends whatever still runs inside the image (a daemon a provisioning script
// started, or a command of a cancelled build), waits for it to be gone and says so: such a
// process keeps the image's file systems busy. It is an error when one survives SIGKILL.
func stopChrootProcesses(state multistep.StateBag) error {
	root := getString(state, keyMountPath)
	if root == "" {
		return nil
	}
	stopped, err := ledger.StopProcessesInRoot(root, chrootStopGrace, chrootKillWait)
	if len(stopped) > 0 {
		getUI(state).Sayf("Stopped %d process(es) still running in the image: %v", len(stopped), stopped)
	}
	if err != nil {
		return fmt.Errorf("stop the processes running in the image at %s: %w", root, err)
	}
	return nil
}

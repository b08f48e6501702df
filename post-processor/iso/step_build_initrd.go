package iso

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/progress"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/rootfs"
)

// overlayMounts make the chroot dracut runs in; /tmp is a tmpfs, so the initrd is written
// there and read back without touching the image.
var overlayMounts = []diskimage.MountSpec{
	{FSType: "proc", Source: "proc", Target: "/proc"},
	{FSType: "sysfs", Source: "sysfs", Target: "/sys"},
	{FSType: "bind", Source: "/dev", Target: "/dev"},
	{FSType: "tmpfs", Source: "tmpfs", Target: "/run"},
	{FSType: "tmpfs", Source: "tmpfs", Target: "/tmp"},
}

// stepBuildInitrd regenerates each kernel's initrd with dracut's dmsquash-live module inside
// the image, in a scratch overlay over its read-only root, so the image is never written.
//
// Consumes: tree, image, scratch. Produces: initrds (kernel version -> host path).
type stepBuildInitrd struct{ overlay *diskimage.Tree }

func (s *stepBuildInitrd) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	tree, err := getTree(state)
	if err != nil {
		return halt(state, err)
	}
	info, err := getImage(state)
	if err != nil {
		return halt(state, err)
	}
	ui, runner, scratch := e.ui, e.runner, e.scratch
	ui.Say("Building the live initrds with dracut...")
	ov, err := diskimage.OpenOverlay(tree.Root, filepath.Join(scratch, "overlay"), diskimage.Options{Logf: log.Printf})
	if err != nil {
		return halt(state, err)
	}
	s.overlay = ov
	for _, m := range overlayMounts {
		if err := ov.Mount(m); err != nil {
			return halt(state, fmt.Errorf("prepare the dracut chroot: %w", err))
		}
	}
	initrds := map[string]string{}
	for _, k := range info.Kernels {
		start := time.Now()
		host := filepath.Join(scratch, "initrd.img-"+k.Version)
		// dracut prints no progress: a line every 10 s says it is still at work.
		stop := progress.Heartbeat(10*time.Second, func(elapsed time.Duration) {
			ui.Message(fmt.Sprintf("dracut: still building the initrd for %s (%s)", k.Version, elapsed))
		})
		err := buildInitrd(ctx, runner, tree.Root, ov.Root, k.Version, host)
		stop()
		if err != nil {
			return halt(state, err)
		}
		initrds[k.Version] = host
		fi, err := os.Stat(host)
		if err != nil {
			return halt(state, fmt.Errorf("the live initrd for kernel %s: %w", k.Version, err))
		}
		ui.Message(fmt.Sprintf("Built the initrd for %s (%d KiB) in %s", k.Version, fi.Size()>>10, time.Since(start).Round(time.Second)))
	}
	state.Put(keyInitrds, initrds)
	if err := s.release(); err != nil {
		return halt(state, err)
	}
	return multistep.ActionContinue
}

func buildInitrd(ctx context.Context, r execx.Runner, imageRoot, chrootRoot, kver, host string) error {
	dep, err := rootfs.ReadOptional(imageRoot, "lib/modules/"+kver+"/modules.dep")
	if err != nil {
		return err
	}
	builtin, err := rootfs.ReadOptional(imageRoot, "lib/modules/"+kver+"/modules.builtin")
	if err != nil {
		return err
	}
	drivers := liveos.FilterDrivers(liveos.DefaultLiveDrivers(), dep, builtin)
	conf := liveos.DracutConf(liveos.DefaultDracutModules(), drivers)
	if err := rootfs.WriteFile(chrootRoot, liveos.DracutConfPath, strings.NewReader(conf), 0o644); err != nil {
		return fmt.Errorf("write the dracut configuration: %w", err)
	}
	out := "/tmp/imagecustomizer-initrd-" + kver
	argv := append([]string{"chroot", chrootRoot}, liveos.DracutArgv(kver, out)...)
	if err := r.Run(ctx, execx.Cmd{Argv: argv, Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}); err != nil {
		return fmt.Errorf("build the live initrd for kernel %s: %w", kver, err)
	}
	return rootfs.CopyOut(chrootRoot, out, host)
}

// release stops whatever dracut left running in the chroot, waits for it, then unmounts the
// overlay: a process still inside would keep it busy.
func (s *stepBuildInitrd) release() error {
	if s.overlay == nil {
		return nil
	}
	if _, err := ledger.StopProcessesInRoot(s.overlay.Root, time.Second, 10*time.Second); err != nil {
		return fmt.Errorf("stop the processes in the dracut chroot: %w", err)
	}
	err := s.overlay.Close()
	s.overlay = nil
	if err != nil {
		return fmt.Errorf("unmount the dracut overlay: %w", err)
	}
	return nil
}

func (s *stepBuildInitrd) Cleanup(state multistep.StateBag) {
	if err := s.release(); err != nil {
		getUI(state).Error(err.Error())
	}
}

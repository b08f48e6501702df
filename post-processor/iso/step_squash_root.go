package iso

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/execx"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
)

// stepSquashRoot squashes the image's read-only root into liveos/rootfs.img. mksquashfs reads
// the mounted tree directly (no copy of it, unlike the original's cp -a), leaving out /boot,
// /etc/fstab and the contents of the pseudo file systems (their empty directories stay: dracut
// takes a squashfs with /proc as the root itself). Its progress bar is shown in tenths, and the
// extended attributes squashfs cannot store (POSIX ACLs) are named with the number of files.
//
// Consumes: tree, scratch. Produces: squashfs.
type stepSquashRoot struct{}

func (s *stepSquashRoot) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	tree, err := getTree(state)
	if err != nil {
		return halt(state, err)
	}
	cfg, ui := e.cfg, e.ui
	out := filepath.Join(e.scratch, "rootfs.img")
	start := time.Now()
	ui.Sayf("Squashing the root file system (%s)...", cfg.SquashfsCompression)
	// What an image rebuilt from an earlier ISO kept of that media goes on the media, not in the root.
	excludes := append(liveos.DefaultSquashExcludes(), liveos.CarryDir)
	argv := liveos.MksquashfsArgv(tree.Root, out, cfg.SquashfsCompression, excludes, runtime.NumCPU())
	watch := newSquashOutput(ui)
	if err := e.runner.Run(ctx, execx.Cmd{Argv: argv, Progress: watch.Line}); err != nil {
		return halt(state, fmt.Errorf("squash the root file system: %w", err))
	}
	watch.report(ui)
	fi, err := os.Stat(out)
	if err != nil {
		return halt(state, err)
	}
	ui.Message(fmt.Sprintf("Squashed the root file system to %d MiB in %s", fi.Size()>>20, time.Since(start).Round(time.Second)))
	state.Put(keySquashfs, out)
	return multistep.ActionContinue
}

func (s *stepSquashRoot) Cleanup(multistep.StateBag) {}

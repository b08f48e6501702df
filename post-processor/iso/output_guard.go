package iso

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/hosttools"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/outputsafe"
)

// checkEarly runs from Configure, which Packer calls when the build starts, before the builder
// does any work: an ISO output that already exists (without -force), an output directory that
// cannot be written, or a missing tool would otherwise be found only after the customization.
// It also takes the lock on the output (outputsafe.Lock), held by this plugin process, and so
// for the whole build: a second build writing the same ISO fails here, before its builder runs.
// These probe the host, which configuration checks usually do not; finding the problems before
// the customization is the point. A default output (next to the input image) is only known
// when the post-processor runs; stepGuardOutput then does the same.
func (p *PostProcessor) checkEarly() error {
	if p.config.Output == "" {
		return nil
	}
	out, err := canonicalOutput(p.config.Output)
	if err != nil {
		return err
	}
	errs := []error{outputsafe.CheckOutput(out, p.config.PackerForce),
		hosttools.Check(hosttools.PostProcessor, exec.LookPath)}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return p.lockOutput(out)
}

// lockOutput takes the output's lock once per plugin process; it is released when the process
// ends.
func (p *PostProcessor) lockOutput(out string) error {
	if p.locked == out {
		return nil
	}
	if p.locked != "" {
		return fmt.Errorf("output %s: this post-processor already writes %s", out, p.locked)
	}
	if _, err := outputsafe.Lock(out); err != nil {
		return err
	}
	p.locked = out
	return nil
}

// canonicalOutput is output as an absolute path with its existing directories' symlinks
// resolved, so that two spellings of one file are one output.
func canonicalOutput(output string) (string, error) {
	out, err := outputsafe.Canonical(output)
	if err != nil {
		return "", fmt.Errorf("output %q: %w", output, err)
	}
	return out, nil
}

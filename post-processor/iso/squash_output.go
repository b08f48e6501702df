package iso

import (
	"fmt"
	"slices"
	"sync"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/liveos"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/progress"
)

// squashOutput follows mksquashfs's output: its progress bar, shown in tenths, and the
// extended attributes squashfs cannot store, counted by name.
type squashOutput struct {
	steps *progress.Steps

	mu      sync.Mutex
	dropped map[string]int
}

func newSquashOutput(ui packersdk.Ui) *squashOutput {
	return &squashOutput{
		steps:   &progress.Steps{Parse: progress.Mksquashfs, Report: func(p int) { ui.Message(fmt.Sprintf("squashfs: %d%%", p)) }},
		dropped: map[string]int{},
	}
}

// Line is the execx Progress callback.
func (o *squashOutput) Line(line string) {
	o.steps.Line(line)
	if name, ok := liveos.DroppedXattr(line); ok {
		o.mu.Lock()
		o.dropped[name]++
		o.mu.Unlock()
	}
}

// report tells the user which extended attributes the Live OS root does not have.
func (o *squashOutput) report(ui packersdk.Ui) {
	o.mu.Lock()
	defer o.mu.Unlock()
	names := make([]string, 0, len(o.dropped))
	for name := range o.dropped {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ui.Message(fmt.Sprintf("squashfs: %s was not kept on %d file(s): squashfs stores only user., trusted. "+
			"and security. extended attributes, so POSIX ACLs are not on the Live OS (permission bits are)", name, o.dropped[name]))
	}
}

package iso

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// timed wraps each step so that its duration is reported when it finishes: the conversion's
// stages and their cost show in every build's output.
func timed(steps ...multistep.Step) []multistep.Step {
	out := make([]multistep.Step, len(steps))
	for i, s := range steps {
		out[i] = &timedStep{Step: s, name: stepName(s)}
	}
	return out
}

type timedStep struct {
	multistep.Step
	name string
}

func (t *timedStep) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	start := time.Now()
	action := t.Step.Run(ctx, state)
	getUI(state).Sayf("Stage %q took %.1fs", t.name, time.Since(start).Seconds())
	return action
}

// stepName turns *iso.stepBuildInitrd into "build initrd" and *iso.stepEFIBoot into "efi boot".
func stepName(s multistep.Step) string {
	n := fmt.Sprintf("%T", s)
	rs := []rune(strings.TrimPrefix(n[strings.LastIndex(n, ".")+1:], "step"))
	var b strings.Builder
	for i, r := range rs {
		// A word starts at an upper-case letter after a lower-case one, or at the last capital
		// of an acronym followed by a lower-case letter (EFIBoot -> EFI Boot).
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

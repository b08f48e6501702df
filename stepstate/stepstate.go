// Package stepstate holds the state-bag helpers both Packer adapters (the builder and the ISO
// post-processor) use in their steps: typed getters that return errors instead of panicking,
// one halt, and the outcome of a step list. It is adapter code (it imports the Packer SDK),
// kept out of internal/, which does not.
package stepstate

import (
	"errors"
	"fmt"
	"io"
	"log"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// Keys every step list uses. "ui" and "error" are the names the SDK's steps and runners read.
const (
	KeyUI     = "ui"
	KeyError  = "error"
	KeyConfig = "config"
	KeyRunner = "runner"
)

// Get returns the value under key as a T, or an error naming the key when an earlier step did
// not put it there (or put something else).
func Get[T any](state multistep.StateBag, key string) (T, error) {
	var zero T
	v, ok := state.GetOk(key)
	if !ok {
		return zero, fmt.Errorf("internal error: no %q in the build state", key)
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("internal error: %q in the build state is a %T, not a %T", key, v, zero)
	}
	return t, nil
}

// String returns the string under key, "" when there is none.
func String(state multistep.StateBag, key string) string {
	s, _ := state.Get(key).(string)
	return s
}

// UI returns the build's Ui. Without one (a step run outside a step list) messages go to the
// log, so reporting never fails.
func UI(state multistep.StateBag) packersdk.Ui {
	if ui, ok := state.Get(KeyUI).(packersdk.Ui); ok {
		return ui
	}
	return logUI{}
}

// Halt records err as the build's error, shows it and stops the step list.
func Halt(state multistep.StateBag, err error) multistep.StepAction {
	state.Put(KeyError, err)
	UI(state).Error(err.Error())
	return multistep.ActionHalt
}

// Result is the outcome of a step list that has run: the error a step recorded, or what
// stopped it (what names the work: "build", "ISO conversion").
func Result(state multistep.StateBag, what string) error {
	if v, ok := state.GetOk(KeyError); ok {
		if err, ok := v.(error); ok {
			return err
		}
		return fmt.Errorf("%s failed: %v", what, v)
	}
	if _, ok := state.GetOk(multistep.StateCancelled); ok {
		return errors.New(what + " was cancelled")
	}
	if _, ok := state.GetOk(multistep.StateHalted); ok {
		return errors.New(what + " was halted")
	}
	return nil
}

// logUI is the Ui of last resort: everything goes to the log.
type logUI struct{}

func (logUI) Say(m string)                        { log.Print(m) }
func (logUI) Sayf(f string, a ...any)             { log.Printf(f, a...) }
func (logUI) Message(m string)                    { log.Print(m) }
func (logUI) Error(m string)                      { log.Print("error: " + m) }
func (logUI) Errorf(f string, a ...any)           { log.Printf("error: "+f, a...) }
func (logUI) Machine(string, ...string)           {}
func (logUI) Ask(string) (string, error)          { return "", errors.New("no ui to ask") }
func (logUI) Askf(string, ...any) (string, error) { return "", errors.New("no ui to ask") }
func (logUI) TrackProgress(_ string, _, _ int64, stream io.ReadCloser) io.ReadCloser {
	return stream
}

// Releaser is what a step holds that a later step releases early, on the success path, so
// that a failed release (an unmount that loses FAT write-back, a busy loop device) fails the
// build instead of passing unnoticed in a Cleanup. Release must be safe to call more than
// once: the step's own Cleanup calls it again on every path.
type Releaser interface{ Release() error }

const keyReleasers = "releasers"

// Hold registers r with ReleaseAll. Steps call it when they have acquired what r releases.
func Hold(state multistep.StateBag, r Releaser) {
	held, _ := state.Get(keyReleasers).([]Releaser)
	state.Put(keyReleasers, append(held, r))
}

// ReleaseAll releases what the steps hold, newest first, stopping at the first failure
// (an outer mount cannot go while an inner one stays).
func ReleaseAll(state multistep.StateBag) error {
	held, _ := state.Get(keyReleasers).([]Releaser)
	for i := len(held) - 1; i >= 0; i-- {
		if err := held[i].Release(); err != nil {
			return err
		}
	}
	return nil
}

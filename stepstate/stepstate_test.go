package stepstate

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

func TestGetNamesTheKeyInsteadOfPanicking(t *testing.T) {
	state := new(multistep.BasicStateBag)
	state.Put("n", "not a number")
	if _, err := Get[int](state, "missing"); err == nil || !strings.Contains(err.Error(), `no "missing"`) {
		t.Errorf("missing key: %v", err)
	}
	if _, err := Get[int](state, "n"); err == nil || !strings.Contains(err.Error(), `"n" in the build state is a string, not a int`) {
		t.Errorf("wrong type: %v", err)
	}
	state.Put("n", 7)
	if v, err := Get[int](state, "n"); err != nil || v != 7 {
		t.Errorf("Get = %d, %v", v, err)
	}
}

func TestResult(t *testing.T) {
	state := new(multistep.BasicStateBag)
	if err := Result(state, "build"); err != nil {
		t.Errorf("clean run: %v", err)
	}
	state.Put(multistep.StateHalted, true)
	if err := Result(state, "build"); err == nil || err.Error() != "build was halted" {
		t.Errorf("halted: %v", err)
	}
	state.Put(multistep.StateCancelled, true)
	if err := Result(state, "build"); err == nil || err.Error() != "build was cancelled" {
		t.Errorf("cancelled: %v", err)
	}
	boom := errors.New("boom")
	Halt(state, boom)
	if err := Result(state, "build"); err != boom {
		t.Errorf("halted with an error: %v", err)
	}
}

type rel struct {
	name string
	log  *[]string
	err  error
}

func (r rel) Release() error { *r.log = append(*r.log, r.name); return r.err }

func TestReleaseAllNewestFirstStopsAtAFailure(t *testing.T) {
	state := new(multistep.BasicStateBag)
	var log []string
	Hold(state, rel{"loop", &log, nil})
	Hold(state, rel{"mounts", &log, errors.New("busy")})
	Hold(state, rel{"copies", &log, nil})
	if err := ReleaseAll(state); err == nil || err.Error() != "busy" {
		t.Errorf("ReleaseAll = %v", err)
	}
	if strings.Join(log, ",") != "copies,mounts" {
		t.Errorf("released %v; want copies then mounts, and not the loop device under a busy mount", log)
	}
}

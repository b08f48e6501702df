package imagecustomizer

import (
	"context"
	"strconv"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
)

// stepSetGeneratedData publishes what templates can use as ${build.<Name>}:
// Device, MountPath, ImageFormat and RootPartition (the root file system's partition number),
// and BootTest, "not run" until the imagecustomizer-iso post-processor's boot_test replaces it
// with its results (so the manifest post-processor's custom_data can name build.BootTest).
type stepSetGeneratedData struct{}

func (s *stepSetGeneratedData) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	e, err := getEnv(state)
	if err != nil {
		return halt(state, err)
	}
	cfg := e.cfg
	tree, err := getTree(state)
	if err != nil {
		return halt(state, err)
	}
	data := generated(state)
	data["Device"] = getString(state, keyDevice)
	data["MountPath"] = getString(state, keyMountPath)
	data["ImageFormat"] = cfg.OutputFormat
	data["RootPartition"] = strconv.Itoa(tree.RootPartition.Number)
	data[artifacts.GeneratedBootTest] = artifacts.BootTestNotRun
	return multistep.ActionContinue
}

func (s *stepSetGeneratedData) Cleanup(multistep.StateBag) {}

package iso

import (
	"fmt"
	"log"
	"os"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/bootcheck"
)

// Artifact is the Live OS ISO. State delegates to the input, so generated data passes through
// to checksum, compress, manifest and shell-local post-processors.
type Artifact struct {
	Path  string
	Input packersdk.Artifact
	// Labels describe the media for HCP Packer (volume label, compression).
	Labels map[string]string
	// BootTest holds the boot_test results; nil without the block.
	BootTest []bootcheck.Record
}

func (*Artifact) BuilderId() string { return artifacts.ISOID }

func (a *Artifact) Files() []string { return []string{a.Path} }

func (a *Artifact) Id() string { return a.Path }

func (a *Artifact) String() string { return fmt.Sprintf("Live OS ISO: %s", a.Path) }

// State answers HCP Packer's metadata request and adds the boot test results to the input's:
// under artifacts.StateBootTest, and as the generated data artifacts.GeneratedBootTest.
func (a *Artifact) State(name string) interface{} {
	if name == registryimage.ArtifactStateURI {
		img, err := a.registryImage()
		if err != nil {
			log.Printf("[DEBUG] describe the ISO for HCP Packer: %v", err)
			return nil
		}
		return img
	}
	if a.BootTest != nil {
		switch name {
		case artifacts.StateBootTest:
			return bootTestState(a.BootTest)
		case "generated_data":
			return withBootSummary(a.Input.State(name), a.BootTest)
		}
	}
	return a.Input.State(name)
}

func (a *Artifact) Destroy() error { return os.Remove(a.Path) }

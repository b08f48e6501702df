package imagecustomizer

import (
	"fmt"
	"log"
	"os"

	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/ledger"
)

// Artifact is the customized disk image.
type Artifact struct {
	Path   string
	Format string
	// BaseImage is the image the build started from.
	BaseImage string
	StateData map[string]interface{}
}

func (*Artifact) BuilderId() string { return artifacts.BuilderID }

func (a *Artifact) Files() []string { return []string{a.Path} }

func (a *Artifact) Id() string { return a.Path }

func (a *Artifact) String() string {
	return fmt.Sprintf("customized %s disk image: %s", a.Format, a.Path)
}

func (a *Artifact) State(name string) interface{} {
	switch name {
	case artifacts.StateImageFormat:
		return a.Format
	case registryimage.ArtifactStateURI:
		img, err := a.registryImage()
		if err != nil {
			log.Printf("[DEBUG] describe the image for HCP Packer: %v", err)
			return nil
		}
		return img
	}
	return a.StateData[name]
}

// Destroy removes the image, unless the ISO post-processor failed on it and marked it to be
// kept (ledger.MarkKeep): Packer destroys the builder's artifact when its only post-processor
// fails, whatever keep_input_artifact says, and the customization would be lost.
func (a *Artifact) Destroy() error {
	if keep, reason := ledger.TakeKeep(a.Path); keep {
		log.Printf("keeping %s: %s", a.Path, reason)
		return nil
	}
	return os.Remove(a.Path)
}

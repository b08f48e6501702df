package imagecustomizer

import (
	"fmt"
	"os"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
)

// Artifact is the customized disk image.
type Artifact struct {
	Path      string
	Format    string
	StateData map[string]interface{}
}

func (*Artifact) BuilderId() string { return artifacts.BuilderID }

func (a *Artifact) Files() []string { return []string{a.Path} }

func (a *Artifact) Id() string { return a.Path }

func (a *Artifact) String() string {
	return fmt.Sprintf("customized %s disk image: %s", a.Format, a.Path)
}

func (a *Artifact) State(name string) interface{} {
	if name == artifacts.StateImageFormat {
		return a.Format
	}
	return a.StateData[name]
}

func (a *Artifact) Destroy() error { return os.Remove(a.Path) }

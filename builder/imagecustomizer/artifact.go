package imagecustomizer

import (
	"fmt"
	"os"
)

// BuilderID identifies artifacts of this builder; the ISO post-processor accepts only these.
const BuilderID = "imagecustomizer.builder"

// Artifact state keys read by the ISO post-processor.
const (
	StateImageFormat = "image_format" // output format of the image file: raw, qcow2, vhd, vhd-fixed, vhdx
)

// Artifact is the customized disk image.
type Artifact struct {
	Path      string
	Format    string
	StateData map[string]interface{}
}

func (*Artifact) BuilderId() string { return BuilderID }

func (a *Artifact) Files() []string { return []string{a.Path} }

func (a *Artifact) Id() string { return a.Path }

func (a *Artifact) String() string {
	return fmt.Sprintf("customized %s disk image: %s", a.Format, a.Path)
}

func (a *Artifact) State(name string) interface{} {
	if name == StateImageFormat {
		return a.Format
	}
	return a.StateData[name]
}

func (a *Artifact) Destroy() error { return os.Remove(a.Path) }

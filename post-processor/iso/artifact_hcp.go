package iso

import (
	"path/filepath"

	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
)

// registryImage is what HCP Packer records for the ISO (par.artifact.metadata): the file name
// as the ID, its directory as the region and the disk image it was made from as the source,
// the ID HCP Packer has for that image, so the two are linked.
func (a *Artifact) registryImage() (*registryimage.Image, error) {
	dir, err := filepath.Abs(filepath.Dir(a.Path))
	if err != nil {
		return nil, err
	}
	labels := map[string]interface{}{"media": "live-os-iso"}
	for k, v := range a.Labels {
		labels[k] = v
	}
	opts := []registryimage.ArtifactOverrideFunc{
		registryimage.WithProvider(artifacts.RegistryProvider),
		registryimage.WithID(filepath.Base(a.Path)),
		registryimage.WithRegion(dir),
	}
	if a.Input != nil && len(a.Input.Files()) == 1 {
		in := a.Input.Files()[0]
		labels["input_image"] = in
		opts = append(opts, registryimage.WithSourceID(filepath.Base(in)))
	}
	return registryimage.FromArtifact(a, append(opts, registryimage.SetLabels(labels))...)
}

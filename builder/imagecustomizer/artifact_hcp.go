package imagecustomizer

import (
	"path/filepath"

	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/artifacts"
)

// registryImage is what HCP Packer records for the disk image (par.artifact.metadata): the
// file name as the ID, its directory as the region, and the base image as the source, so that
// images customized from one another are linked.
func (a *Artifact) registryImage() (*registryimage.Image, error) {
	dir, err := filepath.Abs(filepath.Dir(a.Path))
	if err != nil {
		return nil, err
	}
	labels := map[string]interface{}{"image_format": a.Format}
	opts := []registryimage.ArtifactOverrideFunc{
		registryimage.WithProvider(artifacts.RegistryProvider),
		registryimage.WithID(filepath.Base(a.Path)),
		registryimage.WithRegion(dir),
	}
	if a.BaseImage != "" {
		labels["base_image"] = a.BaseImage
		opts = append(opts, registryimage.WithSourceID(filepath.Base(a.BaseImage)))
	}
	return registryimage.FromArtifact(a, append(opts, registryimage.SetLabels(labels))...)
}

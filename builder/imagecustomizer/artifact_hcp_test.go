package imagecustomizer

import (
	"path/filepath"
	"reflect"
	"testing"

	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"
)

func TestArtifactAnswersHCPPackerMetadata(t *testing.T) {
	a := &Artifact{Path: "/builds/out/image.qcow2", Format: "qcow2", BaseImage: "/images/debian-12.qcow2",
		StateData: map[string]interface{}{"generated_data": map[string]interface{}{"Device": "loop3"}}}
	img, ok := a.State(registryimage.ArtifactStateURI).(*registryimage.Image)
	if !ok {
		t.Fatalf("State(%q) = %T, want *image.Image", registryimage.ArtifactStateURI, a.State(registryimage.ArtifactStateURI))
	}
	if err := img.Validate(); err != nil {
		t.Fatalf("HCP Packer would refuse the metadata: %v", err)
	}
	want := &registryimage.Image{
		ProviderName:   "imagecustomizer",
		ImageID:        "image.qcow2",
		ProviderRegion: "/builds/out",
		SourceImageID:  "debian-12.qcow2",
		Labels:         map[string]string{"image_format": "qcow2", "base_image": "/images/debian-12.qcow2"},
	}
	if !reflect.DeepEqual(img, want) {
		t.Errorf("metadata = %+v\nwant %+v", img, want)
	}
	if a.State("generated_data") == nil {
		t.Error("generated_data no longer passes through State")
	}
}

func TestArtifactHCPRegionIsAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	a := &Artifact{Path: "output-x/image.raw", Format: "raw"}
	img := a.State(registryimage.ArtifactStateURI).(*registryimage.Image)
	if !filepath.IsAbs(img.ProviderRegion) || filepath.Base(img.ProviderRegion) != "output-x" {
		t.Errorf("region = %q, want the absolute output directory", img.ProviderRegion)
	}
	if img.SourceImageID != "" {
		t.Errorf("source = %q without a base image", img.SourceImageID)
	}
}

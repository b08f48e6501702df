package iso

import (
	"reflect"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"
)

func TestISOArtifactAnswersHCPPackerMetadata(t *testing.T) {
	in := &packersdk.MockArtifact{FilesValue: []string{"/builds/out/image.raw"},
		StateValues: map[string]interface{}{"generated_data": "passed through"}}
	a := &Artifact{Path: "/builds/out/live.iso", Input: in,
		Labels: map[string]string{"volume_label": "CDROM", "squashfs_compression": "gzip"}}
	img, ok := a.State(registryimage.ArtifactStateURI).(*registryimage.Image)
	if !ok {
		t.Fatalf("State(%q) = %T, want *image.Image", registryimage.ArtifactStateURI, a.State(registryimage.ArtifactStateURI))
	}
	if err := img.Validate(); err != nil {
		t.Fatalf("HCP Packer would refuse the metadata: %v", err)
	}
	want := &registryimage.Image{
		ProviderName:   "imagecustomizer",
		ImageID:        "live.iso",
		ProviderRegion: "/builds/out",
		SourceImageID:  "image.raw",
		Labels: map[string]string{"media": "live-os-iso", "volume_label": "CDROM",
			"squashfs_compression": "gzip", "input_image": "/builds/out/image.raw"},
	}
	if !reflect.DeepEqual(img, want) {
		t.Errorf("metadata = %+v\nwant %+v", img, want)
	}
	// Not the input's metadata, and other state still comes from the input.
	if a.State("generated_data") != "passed through" {
		t.Error("generated_data does not pass through to the input")
	}
}

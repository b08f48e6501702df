package iso

import (
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/diskimage"
	"github.com/imagecustomizer/packer-plugin-imagecustomizer/internal/fromiso"
)

// chooseInput picks the input artifact's one disk image by content, whoever made the
// artifact: raw (GPT or MBR), qcow2, vhd, vhdx, or a Live OS ISO this plugin wrote. Side
// files (a qemu builder's efivars.fd, checksums, logs) are ignored. The producer's format
// name (artifacts.StateImageFormat) is not needed: a file without a disk signature has no
// partition table to open either. The files are only read.
func chooseInput(in packersdk.Artifact) (inputImage, error) {
	files := make([]diskimage.ArtifactFile, 0, len(in.Files()))
	for _, f := range in.Files() {
		files = append(files, diskimage.InspectArtifactFile(f, fromiso.IsLiveISO))
	}
	disk, err := diskimage.ChooseDiskImage(files)
	if err != nil {
		return inputImage{}, fmt.Errorf("take the artifact of %q: %w", in.BuilderId(), err)
	}
	return inputImage{Path: disk.Path, Format: disk.Format}, nil
}
